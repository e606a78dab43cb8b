package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

func TestAppointmentsDataIsValid(t *testing.T) {
	s, err := Appointments()
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"75", "69", "93"} { // the demonstration's prefectures
		if s.Prefecture(code) == nil {
			t.Errorf("prefecture %s has no appointments", code)
		}
	}
	site := s.Site("75", "cite")
	if site == nil || !site.Offers(permit.BookingFiling) || s.Length(permit.BookingFiling) != 30*time.Minute {
		t.Fatalf("Paris's site = %+v", site)
	}
	// Monday 7 December 2026: two spans; Friday 25 December: closed.
	mon := site.Opening(time.Date(2026, 12, 7, 12, 0, 0, 0, permit.Paris))
	if len(mon) != 2 || mon[0][0].In(permit.Paris).Format("15:04") != "09:00" || mon[1][1].In(permit.Paris).Format("15:04") != "16:00" {
		t.Errorf("Monday's opening = %v", mon)
	}
	if got := site.Opening(time.Date(2026, 12, 25, 12, 0, 0, 0, permit.Paris)); got != nil {
		t.Errorf("Christmas opening = %v, want none", got)
	}
	d := s.Prefecture("75").Delays
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, permit.Paris)
	if got := d.Deadline(now, false); !got.Equal(time.Date(2026, 12, 23, 0, 0, 0, 0, permit.Paris)) {
		t.Errorf("standard deadline = %v", got)
	}
	if got := d.Deadline(now, true); !got.Equal(time.Date(2026, 12, 13, 0, 0, 0, 0, permit.Paris)) {
		t.Errorf("urgent deadline = %v", got)
	}
}

func TestPublicHolidays(t *testing.T) {
	for _, day := range []string{"2026-01-01", "2026-04-06", "2026-05-14", "2026-05-25", "2026-07-14", "2027-03-29", "2027-05-06"} {
		d, _ := time.Parse(time.DateOnly, day)
		if !PublicHoliday(d) {
			t.Errorf("%s is a public holiday", day)
		}
	}
	for _, day := range []string{"2026-04-05", "2026-12-07", "2026-05-15"} {
		d, _ := time.Parse(time.DateOnly, day)
		if PublicHoliday(d) {
			t.Errorf("%s is not a public holiday", day)
		}
	}
}

// A wrong schedule is refused with a message naming what is wrong.
func TestBadAppointmentsAreRefused(t *testing.T) {
	const good = `{"step_minutes": 15, "horizon_days": 60,
		"kinds": {"counter_filing": 30, "document_check": 15, "card_collection": 15, "portal_help": 30},
		"prefectures": [{"prefecture": "75", "delays": {"standard_days": 15, "urgent_days": 5},
		  "sites": [{"id": "cite", "name": {"fr": "C", "en": "C"}, "address": "A", "counters": 2, "kinds": ["counter_filing"],
		  "hours": {"mon": [["09:00", "12:00"]]}}]}]}`
	if _, err := ParseAppointments([]byte(good)); err != nil {
		t.Fatalf("the good schedule is refused: %v", err)
	}
	for _, tc := range []struct{ from, to, want string }{
		{`"counter_filing": 30,`, `"counter_filing": 20,`, `"counter_filing" lasts 20 minutes`},
		{`"portal_help": 30`, `"portal_help": 30, "coffee": 15`, `"coffee" is not a kind`},
		{`"portal_help": 30`, `"card_collection": 15`, `"portal_help" has no length`},
		{`"urgent_days": 5`, `"urgent_days": 20`, `urgent_days must be at least 1`},
		{`"counters": 2`, `"counters": 0`, `counters is 0`},
		{`[["09:00", "12:00"]]`, `[["12:00", "09:00"]]`, `ends before it starts`},
		{`[["09:00", "12:00"]]`, `[["09:10", "12:00"]]`, `not on the 15-minute step`},
		{`[["09:00", "12:00"]]`, `[["9h", "12:00"]]`, `not HH:MM`},
		{`"mon":`, `"lundi":`, `"lundi" is not a day`},
		{`"kinds": ["counter_filing"]`, `"kinds": ["visit"]`, `kind "visit" is not a kind`},
		{`"address": "A",`, `"address": "A", "fax": "1",`, `unknown field "fax"`},
		{`"name": {"fr": "C", "en": "C"}`, `"name": {"fr": "C"}`, `French and English`},
	} {
		data := strings.Replace(good, tc.from, tc.to, 1)
		_, err := ParseAppointments([]byte(data))
		if err == nil || !strings.HasPrefix(err.Error(), "appointments: ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s → %s: err = %v, want one saying %q", tc.from, tc.to, err, tc.want)
		}
	}
	// Two prefectures with the same code, and a site listed twice.
	twice := strings.Replace(good, `"prefectures": [`, `"prefectures": [{"prefecture": "75", "delays": {"standard_days": 15, "urgent_days": 5}, "sites": []},`, 1)
	if _, err := ParseAppointments([]byte(twice)); err == nil || !strings.Contains(err.Error(), "listed twice") || !strings.Contains(err.Error(), "no site") {
		t.Errorf("a prefecture listed twice: %v", err)
	}
}
