package public

import (
	"context"
	"net/http"
	"strings"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/web"
)

// bookingView is the booking page (issue 18): first where and what for
// (a form sent by GET, so that it works without JavaScript), then the
// slots within the guaranteed delay, or the waiting list, with who to
// tell.
type bookingView struct {
	*web.Page
	Schedule     *rules.Schedule
	Choice       *casework.SlotChoice
	Kinds        []permit.BookingKind
	Reasons      []permit.BookingReason
	Applications []*permit.Application
	Agent        bool // an agent books for a caller
}

// Place is a site's value in the form: "prefecture/site".
func (v *bookingView) Place(p *rules.AppointmentPrefecture, s *rules.Site) string {
	return p.Prefecture + "/" + s.ID
}

// bookingForm reads the booking's fields from a query or a posted form.
func bookingForm(r *http.Request, values map[string][]string) casework.BookingForm {
	get := func(k string) string {
		if v := values[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	pref, site, _ := strings.Cut(get("place"), "/")
	return casework.BookingForm{Prefecture: pref, Site: site, Kind: get("kind"), Reason: get("reason"), ApplicationID: get("application"),
		PermitEnds: get("permit_ends"), Name: get("name"), Email: get("email"), Phone: get("phone"), Slot: get("slot"),
		Channel: get("channel"), Lang: web.Lang(r)}
}

func formValues(f casework.BookingForm, values map[string][]string) map[string]string {
	out := map[string]string{}
	for k, v := range values {
		if len(v) > 0 {
			out[k] = v[0]
		}
	}
	if f.Prefecture != "" {
		out["place"] = f.Prefecture + "/" + f.Site
	}
	return out
}

func (s *Pages) bookingPage(w http.ResponseWriter, r *http.Request) error {
	p := s.Page(r, "appointments.title")
	q := r.URL.Query()
	f := bookingForm(r, q)
	p.Values = formValues(f, q)
	var choice *casework.SlotChoice
	if f.Prefecture != "" || f.Kind != "" {
		c, err := s.Appointments.Choice(r.Context(), f)
		if err := web.FormError(p, err); err != nil {
			return err
		}
		choice = c
	}
	return s.renderBooking(w, r, http.StatusOK, p, choice)
}

func (s *Pages) renderBooking(w http.ResponseWriter, r *http.Request, status int, p *web.Page, choice *casework.SlotChoice) error {
	acc := web.Account(r)
	apps, err := s.Appointments.Applications(r.Context(), acc)
	if err != nil {
		return err
	}
	s.Render(w, r, status, "appointments", &bookingView{Page: p, Schedule: s.Appointments.Schedule, Choice: choice,
		Kinds: permit.BookingKinds, Reasons: permit.BookingReasons, Applications: apps, Agent: acc.Staff() && !casework.NeedsSecondFactor(acc, web.Session(r))})
	return nil
}

// book books the slot chosen, or the waiting list, and leads to the
// booking's own page (its signed link); a slot taken meanwhile shows the
// page again with the slots still free and the answer beside them.
func (s *Pages) book(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	acc := reporter(r)
	f := bookingForm(r, r.PostForm)
	id, err := s.Once(r, permit.ResendBooking, r.PostForm.Get(web.OnceField), func(ctx context.Context) (int64, error) {
		b, err := s.Appointments.Book(ctx, acc, f)
		if err != nil {
			return 0, err
		}
		return b.ID, nil
	})
	if err != nil {
		p := s.Page(r, "appointments.title")
		p.Values = formValues(f, r.PostForm)
		if err := web.FormError(p, err); err != nil {
			return err
		}
		choice, cerr := s.Appointments.Choice(r.Context(), f)
		if cerr != nil {
			choice = nil
		}
		return s.renderBooking(w, r, http.StatusUnprocessableEntity, p, choice)
	}
	http.Redirect(w, r, paths.AppointmentManage.Format(s.Appointments.ManageToken(&permit.Booking{ID: id})), http.StatusSeeOther)
	return nil
}

// manageView is a booking's own page: when and where, what to bring,
// the counter's code, and the forms to move or cancel it.
type manageView struct {
	*web.Page
	Booking *permit.Booking
	Site    *rules.Site
	Token   string
	Code    string
	ToBring []*rules.Document
	Choice  *casework.SlotChoice // other slots to move to
}

// When says when the booking is, or its waiting list's deadline.
func (v *manageView) When() string {
	if v.Booking.Held() {
		t := v.Booking.StartsAt.In(permit.Paris)
		return v.T("appointments.when", v.Date(t), t.Format("15:04"))
	}
	return v.T("appointments.when_waiting", v.Date(v.Booking.Deadline))
}

func (s *Pages) manage(w http.ResponseWriter, r *http.Request) error {
	return s.renderManage(w, r, http.StatusOK, s.Page(r, "appointments.manage.title"))
}

func (s *Pages) renderManage(w http.ResponseWriter, r *http.Request, status int, p *web.Page) error {
	token := r.PathValue("token")
	b, err := s.Appointments.ByToken(r.Context(), token)
	if err != nil {
		return err
	}
	v := &manageView{Page: p, Booking: b, Token: token, Code: s.Appointments.CounterCode(b),
		Site: s.Appointments.Schedule.Site(b.PrefectureCode, b.Site)}
	if v.ToBring, err = s.Appointments.ToBring(r.Context(), b); err != nil {
		return err
	}
	if b.Held() {
		c, err := s.Appointments.Choice(r.Context(), casework.BookingForm{Prefecture: b.PrefectureCode, Site: b.Site, Kind: string(b.Kind), Reason: string(b.Reason)})
		if err != nil {
			return err
		}
		v.Choice = c
	}
	s.Render(w, r, status, "appointment", v)
	return nil
}

func (s *Pages) cancelBooking(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	token := r.PathValue("token")
	if _, err := s.Appointments.Cancel(r.Context(), token); err != nil {
		return err
	}
	http.Redirect(w, r, paths.AppointmentManage.Format(token), http.StatusSeeOther)
	return nil
}

func (s *Pages) moveBooking(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	token := r.PathValue("token")
	_, err := s.Appointments.Reschedule(r.Context(), token, r.PostForm.Get("slot"))
	if err != nil {
		p := s.Page(r, "appointments.manage.title")
		if err := web.FormError(p, err); err != nil {
			return err
		}
		return s.renderManage(w, r, http.StatusUnprocessableEntity, p)
	}
	http.Redirect(w, r, paths.AppointmentManage.Format(token), http.StatusSeeOther)
	return nil
}

// slotText says a slot's day and time in words.
func slotText(p *web.Page, sl casework.Slot) string {
	t := sl.StartsAt.In(permit.Paris)
	return p.T("appointments.when", p.Date(t), t.Format("15:04"))
}

// SlotText says a slot's day and time in words.
func (v *bookingView) SlotText(sl casework.Slot) string { return slotText(v.Page, sl) }

// SlotText says a slot's day and time in words.
func (v *manageView) SlotText(sl casework.Slot) string { return slotText(v.Page, sl) }

// HiddenKeys are the first step's fields the second step's form carries.
func (v *bookingView) HiddenKeys() []string {
	return []string{"place", "kind", "reason", "permit_ends"}
}
