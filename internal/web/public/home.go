package public

import (
	"net/http"
	"time"

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
	http.Redirect(w, r, web.NextTarget(r, "/"), http.StatusSeeOther)
	return nil
}

// healthz says the process is up; it checks nothing else.
func (s *Pages) healthz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("ok\n"))
	return nil
}

// readyz says the database answers, so a load balancer can stop sending
// requests to an instance that cannot serve them.
func (s *Pages) readyz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.DB.Ping(r.Context()); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unavailable\n"))
		return nil
	}
	w.Write([]byte("ready\n"))
	return nil
}
