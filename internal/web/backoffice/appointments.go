package backoffice

import (
	"net/http"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// agendaView is a prefecture's appointments for its staff (issue 18):
// the bookings of the coming days, the waiting list by urgency, and for
// supervisors the form that adds an extra session.
type agendaView struct {
	*web.Page
	*casework.Agenda
	Supervisor bool
}

// When says a booking's day and time.
func (v *agendaView) When(b *permit.Booking) string {
	t := b.StartsAt.In(permit.Paris)
	return v.T("appointments.when", v.Date(t), t.Format("15:04"))
}

// staffAgendas sends an agent to the agenda of their first prefecture.
func (s *Pages) staffAgendas(w http.ResponseWriter, r *http.Request) error {
	id, err := s.Appointments.FirstAgenda(r.Context(), web.Account(r))
	if err != nil {
		return err
	}
	http.Redirect(w, r, paths.StaffAgenda.Format(id), http.StatusSeeOther)
	return nil
}

func (s *Pages) staffAgenda(w http.ResponseWriter, r *http.Request) error {
	return s.renderAgenda(w, r, http.StatusOK, s.Page(r, "appointments.agenda.title"))
}

func (s *Pages) renderAgenda(w http.ResponseWriter, r *http.Request, status int, p *web.Page) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	acc := web.Account(r)
	ag, err := s.Appointments.Agenda(r.Context(), acc, id)
	if err != nil {
		return err
	}
	s.Render(w, r, status, "staff_appointments", &agendaView{Page: p, Agenda: ag, Supervisor: acc.Supervises()})
	return nil
}

// addSession adds a supervisor's extra session; the waiting list is
// offered its slots in the same transaction.
func (s *Pages) addSession(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	f := casework.SessionForm{Site: r.PostForm.Get("site"), Day: r.PostForm.Get("day"), From: r.PostForm.Get("from"),
		To: r.PostForm.Get("to"), Counters: r.PostForm.Get("counters")}
	if _, err := s.Appointments.AddSession(r.Context(), web.Account(r), id, f); err != nil {
		p := s.Page(r, "appointments.agenda.title")
		p.Values = map[string]string{"site": f.Site, "day": f.Day, "from": f.From, "to": f.To, "counters": f.Counters}
		if err := web.FormError(p, err); err != nil {
			return err
		}
		return s.renderAgenda(w, r, http.StatusUnprocessableEntity, p)
	}
	http.Redirect(w, r, paths.StaffAgenda.Format(id), http.StatusSeeOther)
	return nil
}

// addClosure enters a supervisor's closure of a site; the bookings
// already made in it are listed on the agenda to be moved.
func (s *Pages) addClosure(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	f := casework.ClosureForm{Site: r.PostForm.Get("closure_site"), From: r.PostForm.Get("closure_from"), To: r.PostForm.Get("closure_to")}
	if _, _, err := s.Appointments.AddClosure(r.Context(), web.Account(r), id, f); err != nil {
		p := s.Page(r, "appointments.agenda.title")
		p.Values = map[string]string{"closure_site": f.Site, "closure_from": f.From, "closure_to": f.To}
		if err := web.FormError(p, err); err != nil {
			return err
		}
		return s.renderAgenda(w, r, http.StatusUnprocessableEntity, p)
	}
	http.Redirect(w, r, paths.StaffAgenda.Format(id)+"#fermetures", http.StatusSeeOther)
	return nil
}

// Span says a closure's site and days in words.
func (v *agendaView) Span(c *permit.BookingSession) string {
	last := c.EndsAt.In(permit.Paris).Add(-time.Minute)
	return v.T("collection.closure.span", c.Site, v.Date(c.StartsAt.In(permit.Paris)), v.Date(last))
}

// noShow records that a person did not come.
func (s *Pages) noShow(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	acc := web.Account(r)
	if _, err := s.Appointments.NoShow(r.Context(), acc, id); err != nil {
		return err
	}
	http.Redirect(w, r, paths.StaffAppointments.String(), http.StatusSeeOther)
	return nil
}
