package casework

import (
	"context"
	"sort"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// figureDays is the window of the appointment figures: the requests made,
// and the appointments whose time came, in the last 30 days.
const figureDays = 30

// AppointmentFigures are a prefecture's appointment figures (issue 18,
// part 5), counts and durations only: nothing in them names a person.
// What each measures (docs/architecture.md, "Counter appointments"):
//
//   - Delay (Median, P90): the delay to the first free slot. For each
//     request made in the window that was given a slot (booked, or booked
//     and missed), the time from the request to the start of the first
//     slot free when it was made, whichever the person chose; for a
//     request that waited, to the start of the slot offered to it from the
//     waiting list. Nearest-rank percentiles; Measured requests.
//   - Within: of the requests made in the window that are decided, the
//     share whose slot starts by their guaranteed deadline. Decided are
//     the requests given a slot and those still waiting past their
//     deadline (never within); requests still waiting before their
//     deadline, and cancelled ones, are left out.
//   - Waiting, OldestWaiting: the requests on the waiting list now, and
//     how long the oldest has waited.
//   - NoShows of Passed: the appointments whose time began in the window,
//     and those of them recorded as no-shows.
type AppointmentFigures struct {
	PrefectureCode string
	Name           string // the prefecture's name (its code when unknown)
	Days           int
	Measured       int
	Median, P90    time.Duration
	Decided        int
	Within         int
	Waiting        int
	OldestWaiting  time.Duration
	Passed         int
	NoShows        int
}

// WithinPercent is the share of decided requests booked within the
// guaranteed delay, in whole percent (rounded down), or -1 when none is
// decided.
func (f *AppointmentFigures) WithinPercent() int {
	if f.Decided == 0 {
		return -1
	}
	return f.Within * 100 / f.Decided
}

// percentile is the nearest-rank p-th percentile (0 < p ≤ 100) of sorted
// durations.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

// appointmentFigures computes a prefecture's figures at now from its bookings.
func appointmentFigures(code string, bookings []*permit.Booking, now time.Time) *AppointmentFigures {
	f := &AppointmentFigures{PrefectureCode: code, Days: figureDays}
	since := now.AddDate(0, 0, -figureDays)
	var delays []time.Duration
	for _, b := range bookings {
		slotted := b.Status == permit.BookingBooked || b.Status == permit.BookingNoShow
		if !b.CreatedAt.Before(since) && !b.CreatedAt.After(now) {
			switch {
			case slotted:
				first := b.StartsAt // offered from the waiting list
				if !b.FirstFreeAt.IsZero() {
					first = b.FirstFreeAt
				}
				delays = append(delays, first.Sub(b.CreatedAt))
				f.Decided++
				if !b.StartsAt.After(b.Deadline) {
					f.Within++
				}
			case b.Status == permit.BookingWaiting && b.Deadline.Before(now):
				f.Decided++
			}
		}
		if b.Status == permit.BookingWaiting {
			f.Waiting++
			if age := now.Sub(b.CreatedAt); age > f.OldestWaiting {
				f.OldestWaiting = age
			}
		}
		if slotted && !b.StartsAt.Before(since) && b.StartsAt.Before(now) {
			f.Passed++
			if b.Status == permit.BookingNoShow {
				f.NoShows++
			}
		}
	}
	sort.Slice(delays, func(i, j int) bool { return delays[i] < delays[j] })
	f.Measured = len(delays)
	f.Median, f.P90 = percentile(delays, 50), percentile(delays, 90)
	return f
}

// prefectureFigures reads and computes one prefecture's figures.
func (s *Appointments) prefectureFigures(ctx context.Context, code string) (*AppointmentFigures, error) {
	now := s.Clock.Now()
	bs, err := s.Store.FigureBookings(ctx, code, now.AddDate(0, 0, -figureDays))
	if err != nil {
		return nil, err
	}
	return appointmentFigures(code, bs, now), nil
}

// PublicFigures are the figures of every prefecture with appointments,
// in the schedule's order, for the public status page: counts and
// durations, no personal data.
func (s *Appointments) PublicFigures(ctx context.Context) ([]*AppointmentFigures, error) {
	sched, err := s.schedule()
	if err != nil {
		return nil, err
	}
	all, err := s.People.Prefectures(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, p := range all {
		names[p.Code] = p.Name
	}
	var out []*AppointmentFigures
	for _, p := range sched.Prefectures {
		f, err := s.prefectureFigures(ctx, p.Prefecture)
		if err != nil {
			return nil, err
		}
		if f.Name = names[p.Prefecture]; f.Name == "" {
			f.Name = p.Prefecture
		}
		out = append(out, f)
	}
	return out, nil
}

// reminderBatch bounds the reminders one sweep writes; the sweep says
// when there are more (ErrSweepUnfinished) and runs again at once.
const reminderBatch = 200

// SendReminders writes the reminder mail of each booking held for
// tomorrow (the civil day in Paris) whose person gave an e-mail address,
// once per booking and time: each in its own transaction with the key
// that marks it written, so a sweep that dies at any line and runs again,
// or two at once, mail each person once. A person who gave only a phone
// number gets nothing (SMS-ready text is left for the SMS channel). It
// returns how many it wrote.
func (s *Appointments) SendReminders(ctx context.Context) (int, error) {
	if _, err := s.schedule(); err != nil || s.Tokens == nil {
		return 0, nil
	}
	day := permit.ParisDay(s.Clock.Now()).AddDate(0, 0, 1)
	from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, permit.Paris)
	to := time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, permit.Paris)
	due, err := s.Store.DueReminders(ctx, from, to, reminderBatch)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, b := range due {
		m := s.bookingMail(b, "appointment_reminder.mail")
		if m == nil {
			continue
		}
		wrote, err := s.Store.Remind(ctx, b, m)
		if err != nil {
			return n, err
		}
		if wrote {
			n++
		}
	}
	if len(due) == reminderBatch && n > 0 {
		return n, ErrSweepUnfinished
	}
	return n, nil
}
