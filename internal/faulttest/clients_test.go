package faulttest

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// ledger is what the clients were told: an action counts as acknowledged
// only when the server answered it with its success redirect.
type ledger struct {
	mu         sync.Mutex
	filed      map[int64]bool // acknowledged filings, by application
	granted    map[int64]bool // acknowledged favourable decisions
	refused    map[int64]bool // acknowledged refusals
	unanswered int            // requests cut by a kill or sent while the server was down
	declined   map[string]int // other answers, by action and status (a retry of a step that was done)
}

func newLedger() *ledger {
	return &ledger{filed: map[int64]bool{}, granted: map[int64]bool{}, refused: map[int64]bool{}, declined: map[string]int{}}
}

func (l *ledger) record(f func(l *ledger)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f(l)
}

// browser is one person's browser: their session cookie, and the headers
// a browser sends with a form of the site itself (http.CrossOriginProtection
// lets same-origin requests through).
type browser struct {
	base   string
	cookie string
	http   *http.Client
}

func newBrowser(base, session string) *browser {
	return &browser{base: base, cookie: "__Host-sejour_session=" + session, http: &http.Client{
		Timeout:       20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// post sends a form and returns the status and the redirect's target.
func (b *browser) post(ctx context.Context, path string, form url.Values) (int, string, error) {
	return b.send(ctx, path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
}

// send posts a body of a content type as a form of the site would be.
func (b *browser) send(ctx context.Context, path, contentType string, body io.Reader) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.base+path, body)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Cookie", b.cookie)
	req.Header.Set("Origin", b.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := b.http.Do(req)
	if err != nil {
		return 0, "", err
	}
	res.Body.Close()
	return res.StatusCode, res.Header.Get("Location"), nil
}

// act sends a form until the server answers, as a person does who sees
// the page fail and presses the button again: no answer (the server was
// killed, or is starting) means send it again; the success redirect to
// want means acknowledged; any other answer means not acknowledged.
func (b *browser) act(ctx context.Context, l *ledger, name, path string, form url.Values, want string) bool {
	for ctx.Err() == nil {
		status, loc, err := b.post(ctx, path, form)
		if err != nil || gatewayError(status) {
			l.record(func(l *ledger) { l.unanswered++ })
			pause(ctx, 50*time.Millisecond, 150*time.Millisecond)
			continue
		}
		if status == http.StatusSeeOther && loc == want {
			return true
		}
		l.record(func(l *ledger) { l.declined[fmt.Sprintf("%s %d", name, status)]++ })
		return false
	}
	return false
}

// gatewayError reports whether a reverse proxy answered for want of an
// answer from the server behind it (killed, or starting): as no answer.
func gatewayError(status int) bool {
	return status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}

// fileAll files each applicant's draft in turn, from their own browser,
// until stop is closed, and hands each acknowledged filing to the agents.
func fileAll(ctx context.Context, base string, l *ledger, apps []applicant, stop <-chan struct{}, filed chan<- int64) {
	for _, a := range apps {
		select {
		case <-stop:
			return
		default:
		}
		pause(ctx, 50*time.Millisecond, 250*time.Millisecond)
		path := fmt.Sprintf("/demandes/%d/deposer", a.appID)
		if newBrowser(base, a.session).act(ctx, l, "file", path, nil, fmt.Sprintf("/demandes/%d/recepisse", a.appID)) {
			l.record(func(l *ledger) { l.filed[a.appID] = true })
			filed <- a.appID
		}
	}
}

// decideAll takes each filed application into review and decides it,
// favourably for two in three, until filed is closed and drained.
func decideAll(ctx context.Context, base string, l *ledger, ag agent, filed <-chan int64) {
	b := newBrowser(base, ag.session)
	for id := range filed {
		pause(ctx, 20*time.Millisecond, 120*time.Millisecond)
		page := fmt.Sprintf("/agent/demandes/%d", id)
		// A review already started (its answer was lost to a kill) is
		// declined; the decision that follows is what counts.
		b.act(ctx, l, "review", page+"/instruction", nil, page+"?instruit")
		if rand.IntN(3) > 0 {
			if b.act(ctx, l, "grant", page+"/decision/favorable", url.Values{"favourable_note": {""}}, page+"?favorable") {
				l.record(func(l *ledger) { l.granted[id] = true })
			}
			continue
		}
		form := url.Values{"reasons": {"insufficient_resources"}, "note": {"Les ressources déclarées ne couvrent pas la durée des études."}}
		if b.act(ctx, l, "refuse", page+"/decision/defavorable", form, page+"?defavorable") {
			l.record(func(l *ledger) { l.refused[id] = true })
		}
	}
}

// pause waits a random time between lo and hi, or until ctx ends.
func pause(ctx context.Context, lo, hi time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(lo + rand.N(hi-lo)):
	}
}
