package web

import (
	"net/http"
	"sync/atomic"

	"github.com/sejour/sejour/internal/health"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// outageView is the page of a 503: what happened, that what was just
// sent may or may not have been saved, what still works (verification,
// the status page, the paper form) and how to reach each prefecture. It
// needs neither the database nor a session: its data are the binary's.
type outageView struct {
	*Page
	Reference string
	ReadOnly  bool // the refusal of a form in read-only mode, rather than an outage
	Channels  []rules.BackupChannel
}

// renderOutage writes the outage page with a 503 and Retry-After.
func (s *Server) renderOutage(w http.ResponseWriter, r *http.Request, ref string, readOnly bool) {
	p := s.Page(r, "outage.title")
	chans, err := rules.BackupChannels()
	if err != nil { // the embedded file is checked by its test; say it, show the rest
		s.Logger.Error("backup channels", "err", err)
	}
	w.Header().Set("Retry-After", RetryAfter)
	w.Header().Set("Cache-Control", "no-store")
	s.Render(w, r, http.StatusServiceUnavailable, "outage", &outageView{Page: p, Reference: ref, ReadOnly: readOnly, Channels: chans})
}

// paperForm serves the backup paper form, rendered once at start-up
// (Options.PaperForm): it must download when nothing else works.
func (s *Server) paperForm(w http.ResponseWriter, r *http.Request) error {
	if len(s.opts.PaperForm) == 0 {
		return permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="formulaire-papier-sejour.pdf"`)
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, err := w.Write(s.opts.PaperForm)
	return err
}

// Modes is the read-only mode: switched by an admin, or entered by
// itself while the database reads but does not write (the monitor's
// "writes" check failing while "database" works), left when writes work
// again. It lives in the process: each instance follows its own monitor,
// and an admin's switch holds on the instance that served it until the
// next restart (docs/operations.md).
type Modes struct {
	admin atomic.Bool
	auto  atomic.Bool
}

// ReadOnly tells whether forms are refused now, and why: "admin",
// "writes" or "".
func (m *Modes) ReadOnly() (bool, string) {
	switch {
	case m.admin.Load():
		return true, "admin"
	case m.auto.Load():
		return true, "writes"
	}
	return false, ""
}

// SetAdmin switches the read-only mode by an admin's decision.
func (m *Modes) SetAdmin(on bool) { m.admin.Store(on) }

// follow keeps the automatic read-only mode in step with the monitor.
func (m *Modes) follow(h *health.Monitor) {
	h.OnChange(func(health.Status) {
		writes, reads := h.Status(health.Writes), h.Status(health.Database)
		m.auto.Store(!writes.OK && reads.OK)
	})
}

// readOnly refuses the requests that would write while the read-only
// mode is on, with the outage page's explanation and a 503; reading
// goes on. When the mode was entered because writes fail, a filing still
// reaches its handler, which records it as an attempt (decision 0009). The admin's switch itself, logging out and the verifiers
// (which write nothing) stay open.
func (s *Server) readOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if on, why := s.Modes.ReadOnly(); on && writes(r) && !(why == "writes" && s.attemptRoute(r)) {
			s.renderOutage(w, r, "", true)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// writes tells whether a request may change something: any method but
// GET, HEAD and OPTIONS, outside the paths that never write.
func writes(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	switch r.URL.Path {
	case paths.ReadOnly.String(), paths.LogOut.String(), paths.Verify.String(), paths.APIVerify.String():
		return false
	}
	return true
}

// attemptRoute tells whether r is one of the routes that record or serve
// a filing attempt (outageRoutes).
func (s *Server) attemptRoute(r *http.Request) bool {
	_, pattern := s.outage.Handler(r)
	return pattern != ""
}
