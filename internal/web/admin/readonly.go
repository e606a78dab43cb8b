package admin

import (
	"net/http"

	"github.com/sejour/sejour/internal/health"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/web"
)

// readOnlyView is the admin's read-only switch, with why the mode is on
// and the state of each dependency the monitor probes.
type readOnlyView struct {
	*web.Page
	On     bool
	Reason string // translation key of why it is on
	Checks []health.Status
}

// CheckLine describes a dependency's state in words.
func (v *readOnlyView) CheckLine(st health.Status) string {
	since := v.Page.Date(st.Since) + " " + st.Since.Format("15:04:05 MST")
	if st.OK {
		return v.T("outage.admin.check_ok", string(st.Check), since)
	}
	return v.T("outage.admin.check_down", string(st.Check), since, st.Err)
}

func (s *Pages) readOnly(w http.ResponseWriter, r *http.Request) error {
	v := &readOnlyView{Page: s.Page(r, "outage.admin.title")}
	var why string
	v.On, why = s.Modes.ReadOnly()
	v.Reason = map[string]string{"admin": "outage.admin.by_admin", "writes": "outage.admin.by_monitor"}[why]
	if s.Health != nil {
		v.Checks = s.Health.Statuses()
	}
	w.Header().Set("Cache-Control", "no-store")
	s.Render(w, r, http.StatusOK, "readonly", v)
	return nil
}

// setReadOnly switches the admin's read-only mode on ("on=1") or off. It
// writes nothing to the database, which may be what fails: the decision
// goes to the log, with who took it.
func (s *Pages) setReadOnly(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	on := r.PostForm.Get("on") == "1"
	s.Modes.SetAdmin(on)
	s.Logger.Warn("read-only mode switched by an admin", "on", on, "admin", web.Account(r).ID)
	http.Redirect(w, r, paths.ReadOnly.String(), http.StatusSeeOther)
	return nil
}
