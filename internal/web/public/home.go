package public

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/health"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

func (s *Pages) home(w http.ResponseWriter, r *http.Request) error {
	p := s.Page(r, "home.title")
	p.Banner = s.Banner(r)
	if r.URL.Query().Has("deconnecte") && p.Account == nil {
		p.Notice = "home.logged_out"
	}
	s.Render(w, r, http.StatusOK, "home", p)
	return nil
}

// switchLanguage remembers the reader's choice of language for a year and
// goes back to the page they were on. It is a plain link, so it works
// without JavaScript. A language the catalogue does not offer is not
// found.
func (s *Pages) switchLanguage(w http.ResponseWriter, r *http.Request) error {
	l := r.PathValue("lang")
	if !s.Tr.Known(l) {
		return permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	web.SetCookie(w, web.LangCookie, l, 365*24*time.Hour)
	if a := web.Account(r); a != nil && !crossSite(r) {
		// Remembered for the account: its other devices and its mails.
		// The switch is a link, which another site could make a browser
		// follow: the account keeps its language then, the cookie alone
		// changes.
		if err := s.Accounts.SetLanguage(r.Context(), a, l); err != nil {
			s.Logger.Warn("language not remembered for the account", "err", err)
		}
	}
	http.Redirect(w, r, web.NextTarget(r, "/"), http.StatusSeeOther)
	return nil
}

// crossSite reports whether the browser says the request came from
// another site (Sec-Fetch-Site); a client that says nothing is taken at
// its word.
func crossSite(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
		return false
	}
	return true
}

// healthz says the process is up; it checks nothing else.
func (s *Pages) healthz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("ok\n"))
	return nil
}

// readyz says the instance can take writes — the database commits one and
// the blob store flushes one — so that a load balancer stops sending
// requests to an instance that cannot serve them. Each probe is bounded
// (health.DefaultTimeout), so a frozen database gives a 503 in seconds,
// not a hung check. The body names the failing checks, not their errors,
// which would tell anyone the addresses behind the server.
func (s *Pages) readyz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(r.Context(), health.DefaultTimeout)
	defer cancel()
	var err error
	if s.Health != nil {
		err = s.Health.Ready(ctx)
	} else {
		err = s.DB.Ping(ctx)
	}
	if err != nil {
		w.Header().Set("Retry-After", web.RetryAfter)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("unavailable:" + failing(s.Health) + "\n"))
		return nil
	}
	w.Write([]byte("ready\n"))
	return nil
}

// failing lists the checks that are down, " database writes" or "" when
// no monitor tells.
func failing(m *health.Monitor) string {
	if m == nil {
		return " database"
	}
	var b strings.Builder
	for _, st := range m.Statuses() {
		if !st.OK && st.Check != health.Mail {
			b.WriteString(" " + string(st.Check))
		}
	}
	return b.String()
}
