package casework

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// Agenda is a prefecture's appointments as its agents see them: the
// bookings of the coming days, and the waiting list by urgency with how
// many requests are past their guaranteed delay.
type Agenda struct {
	Prefecture *permit.Prefecture
	Sites      []*rules.Site
	Bookings   []*permit.Booking
	Waiting    []*permit.Booking
	Overdue    int                 // waiting requests whose deadline has passed
	Figures    *AppointmentFigures // for a supervisor only
	// Closures are the sites' closures to come, and ToMove the bookings
	// already made in them, which a supervisor moves: a closure never
	// cancels a booking by itself.
	Closures []*permit.BookingSession
	ToMove   []*permit.Booking
}

// agendaDays is how far the agents' list looks ahead.
const agendaDays = 30

// staffPrefecture returns a prefecture a staff account works for, with
// its part of the schedule; anything else is not found.
func (s *Appointments) staffPrefecture(ctx context.Context, acc *permit.Account, prefID int64) (*permit.Prefecture, *rules.AppointmentPrefecture, error) {
	if !acc.Staff() || !acc.WorksFor(prefID) {
		return nil, nil, errNotFound
	}
	sched, err := s.schedule()
	if err != nil {
		return nil, nil, err
	}
	p, err := s.People.Prefecture(ctx, prefID)
	if err != nil {
		return nil, nil, err
	}
	ap := sched.Prefecture(p.Code)
	if ap == nil {
		return nil, nil, errNotFound
	}
	return p, ap, nil
}

// Agenda returns a prefecture's bookings and waiting list, for its staff.
func (s *Appointments) Agenda(ctx context.Context, acc *permit.Account, prefID int64) (*Agenda, error) {
	p, ap, err := s.staffPrefecture(ctx, acc, prefID)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	from := permit.ParisDay(now)
	from = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, permit.Paris)
	a := &Agenda{Prefecture: p, Sites: ap.Sites}
	if a.Bookings, err = s.Store.Agenda(ctx, p.Code, from, from.AddDate(0, 0, agendaDays)); err != nil {
		return nil, err
	}
	if a.Waiting, err = s.Store.WaitingList(ctx, p.Code); err != nil {
		return nil, err
	}
	for _, w := range a.Waiting {
		if w.Deadline.Before(now) {
			a.Overdue++
		}
	}
	if acc.Supervises() {
		if a.Figures, err = s.prefectureFigures(ctx, p.Code); err != nil {
			return nil, err
		}
	}
	if a.Closures, err = s.Store.Closures(ctx, p.Code, now); err != nil {
		return nil, err
	}
	if a.ToMove, err = s.Store.ClosedBookings(ctx, p.Code, now); err != nil {
		return nil, err
	}
	return a, nil
}

// staffBooking returns a booking of a prefecture the account works for,
// or not found.
func (s *Appointments) staffBooking(ctx context.Context, acc *permit.Account, id int64) (*permit.Booking, error) {
	if !acc.Staff() {
		return nil, errNotFound
	}
	b, err := s.Store.Booking(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.agentFor(ctx, acc, b.PrefectureCode); err != nil {
		return nil, err
	}
	return b, nil
}

// NoShow records that the person of a booking did not come, once its
// time has begun; it returns the booking's prefecture code.
func (s *Appointments) NoShow(ctx context.Context, acc *permit.Account, id int64) (*permit.Booking, error) {
	b, err := s.staffBooking(ctx, acc, id)
	if err != nil {
		return nil, err
	}
	if !b.Held() || b.Arrived() || s.Clock.Now().Before(b.StartsAt) {
		return nil, permit.Errorf(permit.ECONFLICT, "appointments.error.not_yet")
	}
	ctx = audit.With(ctx, audit.Entry{ActorAccountID: acc.ID, Action: "appointment_no_show", Detail: "#" + strconv.FormatInt(id, 10)})
	return b, s.Store.MarkNoShow(ctx, id)
}

// Arrive reads a booking's counter code for an agent of its prefecture
// (another prefecture's code, or a code not signed, is not found) and,
// when the booking holds a slot, records that the person arrived, once,
// with its audit entry; a booking cancelled, waiting or marked absent is
// returned as it is, nothing recorded.
func (s *Appointments) Arrive(ctx context.Context, acc *permit.Account, code string) (*permit.Booking, error) {
	if !acc.Staff() {
		return nil, errNotFound
	}
	b, err := s.ByCode(ctx, acc, code)
	if err != nil || !b.Held() || b.Arrived() {
		return b, err
	}
	ctx = audit.With(context.WithoutCancel(ctx), audit.Entry{ActorAccountID: acc.ID, Action: "appointment_arrived",
		Detail: "#" + strconv.FormatInt(b.ID, 10)})
	if b.ArrivedAt, err = s.Store.MarkArrived(ctx, b.ID); err != nil {
		return nil, err
	}
	return b, nil
}

// AtCounter returns a booking to the counter's agent of its prefecture
// (the page the code leads to); anyone else is told not found.
func (s *Appointments) AtCounter(ctx context.Context, acc *permit.Account, id int64) (*permit.Booking, error) {
	return s.staffBooking(ctx, acc, id)
}

// SessionForm is an extra session a supervisor adds: a site, a day, the
// hours (HH:MM) and how many counters.
type SessionForm struct {
	Site, Day, From, To, Counters string
}

// AddSession adds an extra session to one of a prefecture's sites (a
// supervisor of that prefecture only) and, in the same transaction,
// offers its slots to the waiting list.
func (s *Appointments) AddSession(ctx context.Context, acc *permit.Account, prefID int64, f SessionForm) (*permit.BookingSession, error) {
	if !acc.Supervises() {
		return nil, errNotFound
	}
	p, _, err := s.staffPrefecture(ctx, acc, prefID)
	if err != nil {
		return nil, err
	}
	errs := map[string]string{}
	if s.Schedule.Site(p.Code, f.Site) == nil {
		errs["site"] = "appointments.error.site"
	}
	day, err := time.ParseInLocation(time.DateOnly, f.Day, permit.Paris)
	if err != nil || !day.After(s.Clock.Now()) {
		errs["day"] = "appointments.error.future_day"
	}
	from, ok1 := clockOf(f.From, s.Schedule.StepMinutes)
	to, ok2 := clockOf(f.To, s.Schedule.StepMinutes)
	if !ok1 || !ok2 || to <= from {
		errs["to"] = "appointments.error.hours"
	}
	n, err := strconv.Atoi(f.Counters)
	if err != nil || n < 1 || n > 20 {
		errs["counters"] = "appointments.error.counters"
	}
	if len(errs) > 0 {
		return nil, permit.Invalid(errs)
	}
	se := &permit.BookingSession{PrefectureCode: p.Code, Site: f.Site, StartsAt: atClock(day, from), EndsAt: atClock(day, to), Counters: n, AddedBy: acc.ID}
	ctx = audit.With(ctx, audit.Entry{ActorAccountID: acc.ID, Action: "appointment_session", PrefectureID: p.ID,
		Detail: f.Site + " " + f.Day + " " + f.From + "-" + f.To})
	return se, s.Store.AddSession(ctx, se, s.offer())
}

// ClosureForm is a closure a supervisor enters: a site and a day, or a
// span of days (To, optional, the last day closed).
type ClosureForm struct {
	Site, From, To string
}

// maxClosureDays bounds one closure.
const maxClosureDays = 366

// AddClosure closes one of a prefecture's sites for a day or a span of
// whole days (a supervisor of that prefecture only): its slots there are
// no longer offered. It returns the closure and the bookings already
// made in it, for the supervisor to move; none is cancelled.
func (s *Appointments) AddClosure(ctx context.Context, acc *permit.Account, prefID int64, f ClosureForm) (*permit.BookingSession, []*permit.Booking, error) {
	if !acc.Supervises() {
		return nil, nil, errNotFound
	}
	p, _, err := s.staffPrefecture(ctx, acc, prefID)
	if err != nil {
		return nil, nil, err
	}
	errs := map[string]string{}
	if s.Schedule.Site(p.Code, f.Site) == nil {
		errs["closure_site"] = "appointments.error.site"
	}
	today := permit.ParisDay(s.Clock.Now())
	from, err := time.Parse(time.DateOnly, strings.TrimSpace(f.From))
	if err != nil || from.Before(today) {
		errs["closure_from"] = "collection.error.closure_from"
	}
	to := from
	if strings.TrimSpace(f.To) != "" {
		to, err = time.Parse(time.DateOnly, strings.TrimSpace(f.To))
		if err != nil || to.Before(from) || to.After(from.AddDate(0, 0, maxClosureDays)) {
			errs["closure_to"] = "collection.error.closure_to"
		}
	}
	if len(errs) > 0 {
		return nil, nil, permit.Invalid(errs)
	}
	c := &permit.BookingSession{PrefectureCode: p.Code, Site: f.Site, Closed: true, AddedBy: acc.ID,
		StartsAt: time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, permit.Paris).UTC(),
		EndsAt:   time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, permit.Paris).UTC()}
	ctx = audit.With(ctx, audit.Entry{ActorAccountID: acc.ID, Action: "appointment_closure", PrefectureID: p.ID,
		Detail: f.Site + " " + from.Format(time.DateOnly) + ".." + to.Format(time.DateOnly)})
	if err := s.Store.AddClosure(ctx, c); err != nil {
		return nil, nil, err
	}
	all, err := s.Store.ClosedBookings(ctx, p.Code, s.Clock.Now())
	if err != nil {
		return c, nil, err
	}
	var in []*permit.Booking
	for _, b := range all {
		if b.Site == c.Site && b.StartsAt.Before(c.EndsAt) && b.EndsAt.After(c.StartsAt) {
			in = append(in, b)
		}
	}
	return c, in, nil
}

// clockOf reads HH:MM on the schedule's step as a duration after midnight.
func clockOf(s string, step int) (time.Duration, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil || step <= 0 || (t.Hour()*60+t.Minute())%step != 0 {
		return 0, false
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, true
}

// atClock is a Paris day at a time of day, whatever the day's length.
func atClock(day time.Time, d time.Duration) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), int(d/time.Hour), int(d%time.Hour/time.Minute), 0, 0, permit.Paris)
}

// FirstAgenda is the first prefecture with appointments a staff account
// works for (any, for an admin), where its agenda opens.
func (s *Appointments) FirstAgenda(ctx context.Context, acc *permit.Account) (int64, error) {
	sched, err := s.schedule()
	if err != nil || !acc.Staff() {
		return 0, errNotFound
	}
	all, err := s.People.Prefectures(ctx)
	if err != nil {
		return 0, err
	}
	for _, p := range all {
		if acc.WorksFor(p.ID) && sched.Prefecture(p.Code) != nil {
			return p.ID, nil
		}
	}
	return 0, errNotFound
}
