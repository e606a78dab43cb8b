package backoffice

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/web"
)

// The counter's reception of a booked person (issue 18): the agent types
// (or a scanner types) the booking's counter code; the booking is shown
// to the agents of its prefecture only, the person's arrival is recorded
// and audited, and the page leads to the counter's filing.

// arrivalView is a booking as the counter sees it: who, when, why, what
// to bring, and where its filing starts.
type arrivalView struct {
	*web.Page
	Booking *permit.Booking
	Site    *rules.Site
	ToBring []*rules.Document
}

// When says a booking's day and time.
func (v *arrivalView) When() string {
	if v.Booking.StartsAt.IsZero() {
		return v.T("appointments.when_waiting", v.Date(v.Booking.Deadline))
	}
	t := v.Booking.StartsAt.In(permit.Paris)
	return v.T("appointments.when", v.Date(t), t.Format("15:04"))
}

// ArrivedAt says when the arrival was recorded, in Paris.
func (v *arrivalView) ArrivedAt() string {
	return v.Booking.ArrivedAt.In(permit.Paris).Format("15:04")
}

// StartFiling is the counter's search for the person, prefilled with the
// booking's last name (its last word) and e-mail address: the agent
// searches, or records the person, then starts the filing.
func (v *arrivalView) StartFiling() string {
	q := url.Values{}
	if words := strings.Fields(v.Booking.Name); len(words) > 0 {
		q.Set("surname", words[len(words)-1])
	}
	if v.Booking.Email != "" {
		q.Set("email", v.Booking.Email)
	}
	return paths.Counter.String() + "?" + q.Encode()
}

func (s *Pages) arrivalForm(w http.ResponseWriter, r *http.Request) error {
	p := s.Page(r, "counter_code.title")
	p.Staff, p.Values = true, map[string]string{}
	s.Render(w, r, http.StatusOK, "staff_arrival", p)
	return nil
}

// readCode reads a counter code: the booking of the agent's prefecture is
// marked arrived and its page shown; any other code is not found, said
// on the field.
func (s *Pages) readCode(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	code := strings.TrimSpace(r.PostForm.Get("code"))
	if len(code) > 4 && strings.EqualFold(code[:4], "RDV-") { // the prefix typed in lower case
		code = "RDV-" + code[4:]
	}
	var b *permit.Booking
	var err error = permit.Errorf(permit.EINVALID, "counter_code.error.empty")
	if code != "" {
		b, err = s.Appointments.Arrive(r.Context(), web.Account(r), code)
	}
	if err != nil {
		status := http.StatusUnprocessableEntity
		key := "counter_code.error.code"
		switch {
		case code == "":
			key = "counter_code.error.empty"
		case permit.ErrorCode(err) == permit.ENOTFOUND:
			status, key = http.StatusNotFound, "counter_code.error.not_found"
		case permit.ErrorCode(err) != permit.ECONFLICT:
			return err
		}
		p := s.Page(r, "counter_code.title")
		p.Staff, p.Values, p.Errors = true, map[string]string{"code": code}, map[string]string{"code": key}
		s.Render(w, r, status, "staff_arrival", p)
		return nil
	}
	http.Redirect(w, r, paths.StaffArrivalBooking.Format(b.ID), http.StatusSeeOther)
	return nil
}

func (s *Pages) arrivalBooking(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	b, err := s.Appointments.AtCounter(r.Context(), web.Account(r), id)
	if err != nil {
		return err
	}
	p := s.Page(r, "counter_code.booking.title")
	p.Staff = true
	v := &arrivalView{Page: p, Booking: b, Site: s.Appointments.Schedule.Site(b.PrefectureCode, b.Site)}
	if v.ToBring, err = s.Appointments.ToBring(r.Context(), b); err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "staff_arrival_booking", v)
	return nil
}
