package web

import (
	"container/list"
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
)

// limits are the rate limits of the routes that guess or cost: log-in,
// password reset and sign-up, the public checks, the API. With a shared
// store (Options.Limits: the database's rate_limits, which every instance
// on one PostgreSQL reads) every instance counts against the same
// buckets (issue 15, part 1); without one, or when the shared store does
// not answer, they are kept in memory, per process.
//
// The table is bounded: past its capacity it forgets the least recently
// used address keys first, and an account's keys (its ceiling, its second
// factor, its known addresses) only when no address key is left, so that
// requests from many addresses cannot wipe an account's limits
// (issue 13, item 5).
type limits struct {
	clock    clock.Clock
	mu       sync.Mutex
	rules    map[string]limitRule
	capacity int
	seen     map[string]*list.Element
	lru      [2]*list.List // per class, most recently used at the front

	shared    LimitStore // nil: memory only
	logger    *slog.Logger
	lastPurge atomic.Int64 // Unix seconds of the last purge of the shared store
	lastWarn  atomic.Int64 // Unix seconds of the last warning that it failed
	lastFail  atomic.Int64 // Unix seconds of its last failure: memory for a while
}

// LimitStore keeps token buckets where every instance sees them
// (store.Limits). Each call is one statement: two instances taking the
// last token of a key at once never both get it.
type LimitStore interface {
	// TakeLimit counts one attempt of kind by key at now against a
	// bucket of burst tokens, one coming back every every; it reports
	// whether it may go ahead and the tokens left.
	TakeLimit(ctx context.Context, kind, key string, burst int, every time.Duration, now time.Time) (bool, float64, error)
	// MarkLimit remembers key under kind until now+keep; HasLimit reads
	// it back.
	MarkLimit(ctx context.Context, kind, key string, now time.Time, keep time.Duration) error
	HasLimit(ctx context.Context, kind, key string, now time.Time) (bool, error)
	// PurgeLimits forgets the buckets whole again and the marks past.
	PurgeLimits(ctx context.Context, now time.Time) (int64, error)
}

const (
	// sharedLimitTimeout bounds one call to the shared store; past it
	// the attempt is counted in memory instead, and so are those of the
	// next sharedLimitPause, so that an outage of the database does not
	// slow every limited request by the timeout.
	sharedLimitTimeout = time.Second
	sharedLimitPause   = 30 * time.Second
	// knownAddressKeep is how long an account's usual address is
	// remembered in the shared store.
	knownAddressKeep = 180 * 24 * time.Hour
	// limitPurgeEvery is how often an instance purges the shared store.
	limitPurgeEvery = 10 * time.Minute
)

// The two classes of keys, in the order they are forgotten.
const (
	addressClass = iota // keyed on a client address (alone or with an account)
	accountClass        // keyed on an account alone
)

type limitRule struct {
	every time.Duration // one more attempt every...
	burst int           // ...after this many at once
	class int           // which keys are forgotten first
}

// tracked is one key of the table: its limiter, or none for a mark (an
// address an account logged in from).
type tracked struct {
	key   string
	class int
	lim   *rate.Limiter
}

// DefaultLimitCapacity is how many keys the limits keep at most.
const DefaultLimitCapacity = 100_000

// knownAddress marks an account's usual address: one it logged in from,
// or one where its owner followed a mailed unlock link. It is exempt from
// the account's global ceiling, so that nobody can lock the owner out of
// their usual address by guessing from elsewhere.
const knownAddress = "login-known"

// DefaultAPIKeyRate is the requests an API key may make a minute when
// the configuration says nothing (SEJOUR_API_KEY_RATE).
const DefaultAPIKeyRate = 60

func newLimits(clk clock.Clock, capacity, apiKeyRate int) *limits {
	if capacity <= 0 {
		capacity = DefaultLimitCapacity
	}
	if apiKeyRate <= 0 {
		apiKeyRate = DefaultAPIKeyRate
	}
	return &limits{clock: clk, capacity: capacity, seen: map[string]*list.Element{},
		lru: [2]*list.List{list.New(), list.New()}, rules: map[string]limitRule{
			"login-ip": {every: 6 * time.Second, burst: 20}, // 10 a minute from one address
			// Per account and address: 5 tries, then 1 a minute. A guesser
			// elsewhere does not slow the owner at their own address.
			"login-pair": {every: time.Minute, burst: 5},
			// Per account, from every address that is not one of its usual
			// ones: 30 tries, then 1 every 10 minutes (144 a day). Once it
			// is reached the owner is mailed an unlock link.
			"login-account": {every: 10 * time.Minute, burst: 30, class: accountClass},
			"unlock-mail":   {every: time.Hour, burst: 1, class: accountClass}, // one unlock mail an hour
			knownAddress:    {class: accountClass},
			"reset-ip":      {every: 30 * time.Second, burst: 10},                     // 2 a minute
			"reset-email":   {every: 10 * time.Minute, burst: 3, class: accountClass}, // mails to one address
			"reset-token":   {every: 30 * time.Second, burst: 10},                     // new passwords posted, from one address
			"signup-ip":     {every: 30 * time.Second, burst: 10},
			"confirm-ip":    {every: 6 * time.Second, burst: 20},
			"verify-ip":     {every: 2 * time.Second, burst: 30}, // public checks: 30 a minute from one address
			"status-ip":     {every: time.Second, burst: 60},     // the status page, feed and JSON: 60, then 1 a second
			// Claim codes (counter filing): 10 tries, then 2 a minute, from
			// one address; 5, then 1 every 2 minutes, per account.
			"claim-ip":      {every: 30 * time.Second, burst: 10},
			"claim-account": {every: 2 * time.Minute, burst: 5, class: accountClass},
			// Second-factor codes, per account: 5 tries, then 1 every 30 s
			// (one time step), so that a staff member who mistyped waits
			// half a minute; and a daily ceiling of 20, then 1 an hour.
			// A guess is right with chance 3/10^6 (the code of the step
			// before, now and after are accepted). At 1 every 30 s alone,
			// 30 days are 86,400 guesses: 1-(1-3e-6)^86400 ≈ 23%. With the
			// ceiling, 30 days allow at most 20+720 = 740 guesses:
			// 1-(1-3e-6)^740 ≈ 0.22%, and a year ≈ 2.6%
			// (TestSecondFactorCeiling counts them).
			"second-factor":       {every: 30 * time.Second, burst: 5, class: accountClass},
			"second-factor-daily": {every: time.Hour, burst: 20, class: accountClass},
			// Reports of problems and replies to them, from one address: 10,
			// then 1 a minute (a help point may send several for its visitors).
			"report-ip": {every: time.Minute, burst: 10},
			// Follow pages and typed follow codes (74 bits: guessing is
			// hopeless anyway), from one address: 30, then 1 every 2 s.
			"follow-ip": {every: 2 * time.Second, burst: 30},
			// Right-to-work checks (share codes of 45 bits, with the birth
			// date; docs/security.md has the arithmetic): per organisation
			// 60, then 1 every 2 s; per address 30, then 1 every 3 s.
			"workcheck-org": {every: 2 * time.Second, burst: 60},
			"workcheck-ip":  {every: 3 * time.Second, burst: 30},
			// The API (issue 14, part 6), per key: SEJOUR_API_KEY_RATE a
			// minute (60: 60 at once, then one a second); and per address
			// for the calls no other limit covers (no key, the OpenAPI
			// document, the preflight, an unknown route): 60, then 1 a second.
			LimitAPIKey: {every: time.Minute / time.Duration(apiKeyRate), burst: apiKeyRate},
			LimitAPIIP:  {every: time.Second, burst: 60},
		}}
}

// The API's own limits (api.go).
const (
	LimitAPIKey = "api-key"
	LimitAPIIP  = "api-ip"
)

// rule returns the rule of kind; a typo panics, since it must not mean
// "no limit".
func (l *limits) rule(kind string) limitRule {
	rule, ok := l.rules[kind]
	if !ok {
		panic("web: no rate limit named " + kind)
	}
	return rule
}

// entry returns the key of kind, made when create is set, and marks it
// used. It must be called with mu held.
func (l *limits) entry(kind, key string, create bool) *tracked {
	rule := l.rule(kind)
	k := kind + "\x00" + key
	if e, ok := l.seen[k]; ok {
		l.lru[rule.class].MoveToFront(e)
		return e.Value.(*tracked)
	}
	if !create {
		return nil
	}
	for len(l.seen) >= l.capacity {
		l.evict()
	}
	t := &tracked{key: k, class: rule.class}
	if rule.burst > 0 {
		t.lim = rate.NewLimiter(rate.Every(rule.every), rule.burst)
	}
	l.seen[k] = l.lru[rule.class].PushFront(t)
	return t
}

// evict forgets the least recently used key, an address key first.
func (l *limits) evict() {
	for _, q := range l.lru {
		if e := q.Back(); e != nil {
			q.Remove(e)
			delete(l.seen, e.Value.(*tracked).key)
			return
		}
	}
}

// share makes the limits count in store, shared by every instance.
func (l *limits) share(store LimitStore, logger *slog.Logger) {
	l.shared, l.logger = store, logger
}

// sharedCtx is the context of one call to the shared store: its own,
// bounded, so that a client who leaves does not cancel the count.
func sharedCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), sharedLimitTimeout)
}

// useShared reports whether to count in the shared store: there is one,
// and it has not failed in the last sharedLimitPause.
func (l *limits) useShared() bool {
	return l.shared != nil && l.clock.Now().Unix()-l.lastFail.Load() >= int64(sharedLimitPause/time.Second)
}

// failed notes that the shared store did not answer (at most one warning
// a minute); the caller then counts in memory, as do the calls of the
// next sharedLimitPause.
func (l *limits) failed(err error) {
	now := l.clock.Now().Unix()
	l.lastFail.Store(now)
	if last := l.lastWarn.Load(); now-last >= 60 && l.lastWarn.CompareAndSwap(last, now) && l.logger != nil {
		l.logger.Warn("rate limits: the shared store did not answer; counting in this instance's memory", "error", err)
	}
}

// takeShared counts one attempt in the shared store, and now and then
// purges it; ok is false when the store did not answer.
func (l *limits) takeShared(kind, key string, rule limitRule) (allowed bool, tokens float64, ok bool) {
	ctx, cancel := sharedCtx()
	defer cancel()
	now := l.clock.Now()
	allowed, tokens, err := l.shared.TakeLimit(ctx, kind, key, rule.burst, rule.every, now)
	if err != nil {
		l.failed(err)
		return false, 0, false
	}
	if last := l.lastPurge.Load(); now.Unix()-last >= int64(limitPurgeEvery/time.Second) && l.lastPurge.CompareAndSwap(last, now.Unix()) {
		go func() {
			ctx, cancel := sharedCtx()
			defer cancel()
			if _, err := l.shared.PurgeLimits(ctx, now); err != nil {
				l.failed(err)
			}
		}()
	}
	return allowed, tokens, true
}

// allow reports whether one more attempt of kind by key may go ahead.
func (l *limits) allow(kind, key string) bool {
	if l.useShared() {
		if allowed, _, ok := l.takeShared(kind, key, l.rule(kind)); ok {
			return allowed
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.entry(kind, key, true).lim.AllowN(l.clock.Now(), 1)
}

// mark remembers key under kind (a known address), and has reports
// whether it is remembered.
func (l *limits) mark(kind, key string) {
	if l.useShared() {
		ctx, cancel := sharedCtx()
		defer cancel()
		if err := l.shared.MarkLimit(ctx, kind, key, l.clock.Now(), knownAddressKeep); err != nil {
			l.failed(err)
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entry(kind, key, true)
}

func (l *limits) has(kind, key string) bool {
	if l.useShared() {
		ctx, cancel := sharedCtx()
		defer cancel()
		has, err := l.shared.HasLimit(ctx, kind, key, l.clock.Now())
		if err == nil {
			return has
		}
		l.failed(err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.entry(kind, key, false) != nil
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

// LogInLimit limits one log-in attempt on the account email from the
// client's address: per address, per account and address, and, unless the
// address is one of the account's usual ones, per account. It reports
// whether the account's own ceiling refused it (the owner may then be
// mailed an unlock link).
func (s *Server) LogInLimit(r *http.Request, email string) (accountLocked bool, err error) {
	ip := ClientIP(r)
	pair := email + "\x00" + ip
	if err := s.limits.check("login-ip", ip, "login-pair", pair); err != nil {
		return false, err
	}
	if s.limits.has(knownAddress, pair) {
		return false, nil
	}
	if err := s.limits.check("login-account", email); err != nil {
		return true, err
	}
	return false, nil
}

// KnownAddress remembers the client's address as one of the account's
// usual ones: after a successful log-in, or an unlock link followed.
func (s *Server) KnownAddress(r *http.Request, email string) {
	s.limits.mark(knownAddress, email+"\x00"+ClientIP(r))
}

// ClientIP is the client's address: the TCP peer, or, when the peer is
// one of the configured trusted proxies, the address the proxies say they
// received the request from (see clientAddress).
func ClientIP(r *http.Request) string {
	if ip, ok := r.Context().Value(clientKey).(string); ok {
		return ip
	}
	return peerIP(r)
}

// peerIP is the TCP peer's address.
func peerIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// forwardedClient is the client's address: walking X-Forwarded-For from
// the right (the hop nearest to us), it skips the trusted proxies and
// stops at the first address that is not one, which no client can forge.
// With no trusted proxy, or a peer that is not one, it is the peer.
func forwardedClient(r *http.Request, trusted []netip.Prefix) string {
	peer := peerIP(r)
	if !trustedAddr(peer, trusted) {
		return peer
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a garbled hop: stop at the last address we could trust
		}
		client = a.Unmap().String()
		if !trustedAddr(client, trusted) {
			break
		}
	}
	return client
}

func trustedAddr(s string, trusted []netip.Prefix) bool {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// loopback reports whether the request comes from this machine: the TCP
// peer is a loopback address, and so is every address a proxy says it
// forwarded for (a proxy on the same machine relaying others is not this
// machine). The development pages answer only to it.
func loopback(r *http.Request) bool {
	if r.Header.Get("Forwarded") != "" {
		return false
	}
	hops := []string{peerIP(r)}
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	for _, h := range hops {
		a, err := netip.ParseAddr(strings.TrimSpace(h))
		if err != nil || !a.Unmap().IsLoopback() {
			return false
		}
	}
	return true
}

// RetryAfter is how long a client over the limit kind waits for its next
// attempt: the Retry-After of an API's 429.
func (s *Server) RetryAfter(kind string) time.Duration { return s.limits.rule(kind).every }

// LimitState is one rate limit as an API answer states it (RateLimit-Policy
// and RateLimit, docs/employers.md): the policy's quota over its window,
// what is left, when the quota is whole again, and, when refused, when
// the next request may go.
type LimitState struct {
	Policy     string        // the limit's name, as the headers show it
	Quota      int           // requests at once...
	Window     time.Duration // ...made whole again in this time
	Remaining  int
	Reset      time.Duration // until the quota is whole again
	Allowed    bool
	RetryAfter time.Duration // until the next request may go, when refused
}

// take counts one request of kind by key and returns the limit's state.
// The quota is the rule's burst, and its window the time the bucket takes
// to fill from empty (burst × every).
func (l *limits) take(kind, key string) LimitState {
	rule := l.rule(kind)
	st := LimitState{Policy: kind, Quota: rule.burst, Window: time.Duration(rule.burst) * rule.every}
	var tokens float64
	shared := false
	if l.useShared() {
		st.Allowed, tokens, shared = l.takeShared(kind, key, rule)
	}
	if !shared {
		l.mu.Lock()
		lim := l.entry(kind, key, true).lim
		now := l.clock.Now()
		st.Allowed = lim.AllowN(now, 1)
		tokens = lim.TokensAt(now)
		l.mu.Unlock()
	}
	st.Remaining = max(int(tokens), 0)
	st.Reset = time.Duration((float64(rule.burst) - tokens) * float64(rule.every))
	if !st.Allowed {
		st.RetryAfter = time.Duration((1 - tokens) * float64(rule.every))
	}
	return st
}
