package rules

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

//go:embed appointments.json
var embeddedAppointments []byte

// Schedule is the counters' calendar as data (issue 18): how long each
// kind of appointment lasts, and per prefecture its guaranteed delays and
// its sites with their counters and weekly hours. Slots are computed from
// it (casework) minus the bookings, plus the extra sessions supervisors
// add in the database.
type Schedule struct {
	Note        string                     `json:"note"`
	StepMinutes int                        `json:"step_minutes"`
	HorizonDays int                        `json:"horizon_days"` // how far ahead slots are offered
	Kinds       map[permit.BookingKind]int `json:"kinds"`        // minutes per kind
	Prefectures []*AppointmentPrefecture   `json:"prefectures"`
	byCode      map[string]*AppointmentPrefecture
}

// AppointmentPrefecture is one prefecture's part of the schedule.
type AppointmentPrefecture struct {
	Prefecture string          `json:"prefecture"` // its code, as in the database
	Delays     GuaranteedDelay `json:"delays"`
	Sites      []*Site         `json:"sites"`
}

// GuaranteedDelay is how soon a prefecture guarantees an appointment:
// StandardDays, or UrgentDays when the person's permit ends sooner or an
// outage blocked online filing.
type GuaranteedDelay struct {
	StandardDays int `json:"standard_days"`
	UrgentDays   int `json:"urgent_days"`
}

// Site is a place with counters: the prefecture or a sub-prefecture.
type Site struct {
	ID       string                 `json:"id"`
	Name     Text                   `json:"name"`
	Address  string                 `json:"address"`
	Counters int                    `json:"counters"`
	Kinds    []permit.BookingKind   `json:"kinds"`
	Hours    map[string][][2]string `json:"hours"` // "mon".."sun" → [["09:00", "12:00"], ...], Paris time
}

// weekdays are the keys of Site.Hours, indexed by time.Weekday.
var weekdays = [...]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// Appointments returns the embedded schedule, read and checked once; the
// program refuses to start when it is wrong (app.Open).
var Appointments = sync.OnceValues(func() (*Schedule, error) { return ParseAppointments(embeddedAppointments) })

// ParseAppointments reads a schedule in the format of appointments.json
// and checks it whole, naming every problem at once.
func ParseAppointments(data []byte) (*Schedule, error) {
	var s Schedule
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("appointments: %w", err)
	}
	if errs := s.validate(); len(errs) > 0 {
		return nil, fmt.Errorf("appointments: %w", errors.Join(errs...))
	}
	s.byCode = map[string]*AppointmentPrefecture{}
	for _, p := range s.Prefectures {
		s.byCode[p.Prefecture] = p
	}
	return &s, nil
}

func (s *Schedule) validate() []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if s.StepMinutes < 5 || 60%s.StepMinutes != 0 {
		bad("step_minutes is %d: it must divide an hour and be at least 5", s.StepMinutes)
		s.StepMinutes = 0
	}
	if s.HorizonDays < 1 || s.HorizonDays > 366 {
		bad("horizon_days is %d: it must be between 1 and 366", s.HorizonDays)
	}
	for _, k := range permit.BookingKinds {
		m, ok := s.Kinds[k]
		switch {
		case !ok:
			bad("kinds: %q has no length", k)
		case m <= 0 || m > 240 || (s.StepMinutes > 0 && m%s.StepMinutes != 0):
			bad("kinds: %q lasts %d minutes: it must be a positive multiple of step_minutes, at most 240", k, m)
		}
	}
	for k := range s.Kinds {
		if !k.Valid() {
			bad("kinds: %q is not a kind of appointment", k)
		}
	}
	if len(s.Prefectures) == 0 {
		bad("no prefecture listed")
	}
	seen := map[string]bool{}
	for i, p := range s.Prefectures {
		name := fmt.Sprintf("prefecture %d (%q)", i, p.Prefecture)
		if p.Prefecture == "" || seen[p.Prefecture] {
			bad("%s: the code is empty or listed twice", name)
		}
		seen[p.Prefecture] = true
		d := p.Delays
		if d.UrgentDays < 1 || d.StandardDays < d.UrgentDays || d.StandardDays > s.HorizonDays {
			bad("%s: delays %d and %d days: urgent_days must be at least 1 and at most standard_days, standard_days at most horizon_days", name, d.StandardDays, d.UrgentDays)
		}
		if len(p.Sites) == 0 {
			bad("%s: no site", name)
		}
		ids := map[string]bool{}
		for _, site := range p.Sites {
			errs = append(errs, site.validate(name, s.StepMinutes, ids)...)
		}
	}
	return errs
}

func (site *Site) validate(pref string, step int, ids map[string]bool) []error {
	var errs []error
	name := fmt.Sprintf("%s, site %q", pref, site.ID)
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(name+": "+format, args...)) }
	if site.ID == "" || ids[site.ID] || strings.ContainsAny(site.ID, "/ ") {
		bad("the id is empty, has a slash or a space, or is listed twice")
	}
	ids[site.ID] = true
	if site.Name["fr"] == "" || site.Name["en"] == "" || site.Address == "" {
		bad("a name in French and English and an address are required")
	}
	if site.Counters < 1 || site.Counters > 99 {
		bad("counters is %d: between 1 and 99", site.Counters)
	}
	if len(site.Kinds) == 0 {
		bad("offers no kind of appointment")
	}
	for _, k := range site.Kinds {
		if !k.Valid() {
			bad("kind %q is not a kind of appointment", k)
		}
	}
	days := map[string]bool{}
	for _, d := range weekdays {
		days[d] = true
	}
	for day, spans := range site.Hours {
		if !days[day] {
			bad("hours: %q is not a day (mon, tue, wed, thu, fri, sat, sun)", day)
			continue
		}
		last := -1
		for _, span := range spans {
			from, ok1 := clockMinutes(span[0])
			to, ok2 := clockMinutes(span[1])
			switch {
			case !ok1 || !ok2:
				bad("hours %s: %q to %q is not HH:MM to HH:MM", day, span[0], span[1])
			case from >= to || from < last:
				bad("hours %s: %s to %s ends before it starts or overlaps the span before", day, span[0], span[1])
			case step > 0 && (from%step != 0 || to%step != 0):
				bad("hours %s: %s to %s is not on the %d-minute step", day, span[0], span[1], step)
			}
			last = to
		}
	}
	if len(site.Hours) == 0 {
		bad("no opening hours")
	}
	return errs
}

// clockMinutes reads "HH:MM" as minutes after midnight.
func clockMinutes(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// Prefecture returns a prefecture's part of the schedule, or nil when it
// offers no appointments.
func (s *Schedule) Prefecture(code string) *AppointmentPrefecture { return s.byCode[code] }

// Site returns one of a prefecture's sites, or nil.
func (s *Schedule) Site(code, id string) *Site {
	p := s.Prefecture(code)
	if p == nil {
		return nil
	}
	for _, site := range p.Sites {
		if site.ID == id {
			return site
		}
	}
	return nil
}

// Step is the grid every slot starts on and every booking's cells follow.
func (s *Schedule) Step() time.Duration { return time.Duration(s.StepMinutes) * time.Minute }

// Length is how long an appointment of a kind lasts.
func (s *Schedule) Length(k permit.BookingKind) time.Duration {
	return time.Duration(s.Kinds[k]) * time.Minute
}

// Offers reports whether the site gives appointments of kind k.
func (site *Site) Offers(k permit.BookingKind) bool {
	for _, v := range site.Kinds {
		if v == k {
			return true
		}
	}
	return false
}

// Opening returns the spans a site is open on a day (any time on that
// Paris day), as instants; none on a public holiday.
func (site *Site) Opening(day time.Time) [][2]time.Time {
	d := day.In(permit.Paris)
	if PublicHoliday(d) {
		return nil
	}
	var out [][2]time.Time
	for _, span := range site.Hours[weekdays[d.Weekday()]] {
		from, _ := clockMinutes(span[0])
		to, _ := clockMinutes(span[1])
		midnight := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, permit.Paris)
		out = append(out, [2]time.Time{midnight.Add(time.Duration(from) * time.Minute), midnight.Add(time.Duration(to) * time.Minute)})
	}
	return out
}

// Deadline is the end of the last Paris day the guaranteed delay allows
// for a request made at now.
func (d GuaranteedDelay) Deadline(now time.Time, urgent bool) time.Time {
	days := d.StandardDays
	if urgent {
		days = d.UrgentDays
	}
	t := now.In(permit.Paris)
	return time.Date(t.Year(), t.Month(), t.Day()+days+1, 0, 0, 0, 0, permit.Paris)
}
