package web_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
	"github.com/sejour/sejour/internal/web"
)

// observed is a web.RequestObserver that keeps what it was told.
type observed struct {
	mu   sync.Mutex
	seen []string // "pattern status"
}

func (o *observed) ObserveRequest(pattern string, status int, elapsed time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if elapsed <= 0 {
		pattern += " (no time)"
	}
	o.seen = append(o.seen, pattern+" "+http.StatusText(status))
}

func (o *observed) last() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.seen) == 0 {
		return ""
	}
	return o.seen[len(o.seen)-1]
}

// TestTheObserverIsToldTheRoutePattern: every request is observed once,
// with the pattern of the route it reached (never its path, which holds
// ids and tokens), the status it was answered with, and a duration; one
// answered before routing is observed with no pattern.
func TestTheObserverIsToldTheRoutePattern(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		obs := &observed{}
		s := newSiteWith(t, db, clk, nil, func(_ *casework.Config, o *web.Options) { o.Observer = obs })
		for _, tt := range []struct{ path, want string }{
			{paths.Home.String(), paths.Get(paths.Home) + " OK"},
			{paths.Application.Format(424242), paths.Get(paths.Application) + " See Other"},
			{paths.Confirm.Format("jeton-inconnu"), paths.Get(paths.Confirm) + " "},
			{"/nulle-part/424242", "/ Not Found"},
		} {
			s.get(tt.path)
			if got := obs.last(); !strings.HasPrefix(got, tt.want) {
				t.Errorf("GET %s observed as %q, want %q", tt.path, got, tt.want)
			}
		}
		// A form posted from another site is refused before routing.
		req, _ := http.NewRequest("POST", "http://sejour.test"+paths.LogIn.String(), strings.NewReader("email=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		s.do(req)
		if got := obs.last(); got != " Forbidden" {
			t.Errorf("cross-site POST observed as %q, want no pattern, Forbidden", got)
		}
		if n := len(obs.seen); n != 5 {
			t.Errorf("%d requests observed, want 5: %q", n, obs.seen)
		}
	})
}
