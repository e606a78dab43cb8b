package web

import (
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
)

// limits are the rate limits of the routes that guess or cost: log-in,
// password reset and sign-up. They are kept in memory, per process: each
// instance limits on its own, which bounds guessing well enough and needs
// no shared state (docs/operations.md says so).
type limits struct {
	clock clock.Clock
	mu    sync.Mutex
	rules map[string]limitRule
	seen  map[string]*rate.Limiter
}

type limitRule struct {
	every time.Duration // one more attempt every...
	burst int           // ...after this many at once
}

// maxTracked bounds memory: past it, the table starts afresh.
const maxTracked = 100_000

func newLimits(clk clock.Clock) *limits {
	return &limits{clock: clk, seen: map[string]*rate.Limiter{}, rules: map[string]limitRule{
		"login-ip":    {every: 6 * time.Second, burst: 20},  // 10 a minute from one address
		"login-email": {every: time.Minute, burst: 5},       // 5 tries, then 1 a minute, per account
		"reset-ip":    {every: 30 * time.Second, burst: 10}, // 2 a minute
		"reset-email": {every: 10 * time.Minute, burst: 3},  // mails to one address
		"signup-ip":   {every: 30 * time.Second, burst: 10},
		"confirm-ip":  {every: 6 * time.Second, burst: 20},
		"verify-ip":   {every: 2 * time.Second, burst: 30}, // public checks: 30 a minute from one address
		// Claim codes (counter filing): 10 tries, then 2 a minute, from
		// one address; 5, then 1 every 2 minutes, per account.
		"claim-ip":      {every: 30 * time.Second, burst: 10},
		"claim-account": {every: 2 * time.Minute, burst: 5},
		// Second-factor codes, per account: 5 tries, then 1 every 30 s
		// (one time step), so guessing a 6-digit code takes years and a
		// staff member who mistyped waits half a minute, never longer.
		"second-factor": {every: 30 * time.Second, burst: 5},
		// Reports of problems and replies to them, from one address: 10,
		// then 1 a minute (a help point may send several for its visitors).
		"report-ip": {every: time.Minute, burst: 10},
		// Follow pages and typed follow codes (74 bits: guessing is
		// hopeless anyway), from one address: 30, then 1 every 2 s.
		"follow-ip": {every: 2 * time.Second, burst: 30},
	}}
}

// allow reports whether one more attempt of kind by key may go ahead.
func (l *limits) allow(kind, key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := kind + "\x00" + key
	lim, ok := l.seen[k]
	if !ok {
		if _, known := l.rules[kind]; !known {
			panic("web: no rate limit named " + kind) // a typo must not mean "no limit"
		}
		if len(l.seen) >= maxTracked {
			l.seen = map[string]*rate.Limiter{}
		}
		rule := l.rules[kind]
		lim = rate.NewLimiter(rate.Every(rule.every), rule.burst)
		l.seen[k] = lim
	}
	return lim.AllowN(l.clock.Now(), 1)
}

// check returns ERATELIMIT when any of the (kind, key) pairs is over its limit.
func (l *limits) check(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if !l.allow(pairs[i], pairs[i+1]) {
			return permit.Errorf(permit.ERATELIMIT, "error.rate_limited")
		}
	}
	return nil
}

// Limit returns ERATELIMIT when any of the (kind, key) pairs is over its
// limit; the kinds are the table of newLimits, and a typo panics.
func (s *Server) Limit(pairs ...string) error { return s.limits.check(pairs...) }

// ClientIP is the peer address. sejour does not trust X-Forwarded-For:
// behind a proxy, every client would otherwise choose its own address.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// RetryAfter is how long a client over the limit kind waits for its next
// attempt: the Retry-After of an API's 429.
func (s *Server) RetryAfter(kind string) time.Duration {
	rule, ok := s.limits.rules[kind]
	if !ok {
		panic("web: no rate limit named " + kind)
	}
	return rule.every
}
