package rules

import (
	"strings"
	"testing"
	"time"
)

func isoDay(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestAddWorkingDays counts working days around weekends and public
// holidays of the embedded catalogue.
func TestAddWorkingDays(t *testing.T) {
	d := MustLoad().Declarations
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-12-07", 0, "2026-12-07"}, // Monday, nothing to add
		{"2026-12-07", 2, "2026-12-09"}, // Monday → Wednesday
		{"2026-12-10", 2, "2026-12-14"}, // Thursday → Monday, over the weekend
		{"2026-12-12", 1, "2026-12-14"}, // Saturday → Monday
		{"2026-12-23", 2, "2026-12-28"}, // over Christmas (Friday 25th) and the weekend
		{"2026-04-02", 2, "2026-04-07"}, // over Easter Monday 2026-04-06
		{"2026-05-13", 1, "2026-05-15"}, // over Ascension, Thursday 2026-05-14
		{"2026-05-22", 1, "2026-05-26"}, // over Whit Monday 2026-05-25
		{"2026-07-13", 1, "2026-07-15"}, // over 14 July
		{"2027-12-30", 2, "2028-01-03"}, // Thursday 30th → Friday 31st, then 1 January, a weekend: Monday 3rd
		{"2030-06-07", 1, "2030-06-11"}, // over Whit Monday 2030-06-10
		{"2026-11-10", 1, "2026-11-12"}, // over 11 November
	} {
		got, err := d.AddWorkingDays(isoDay(tc.from), tc.n)
		if err != nil || got.Format(time.DateOnly) != tc.want {
			t.Errorf("AddWorkingDays(%s, %d) = %s, %v; want %s", tc.from, tc.n, got.Format(time.DateOnly), err, tc.want)
		}
	}
	if _, err := d.AddWorkingDays(isoDay("2030-12-31"), 1); err != ErrNoHolidays {
		t.Errorf("beyond the listed years: %v, want ErrNoHolidays", err)
	}
}

// TestEarliestStartAndDue: two working days lie between the declaration
// and the hire; the answer is due two working days after receipt.
func TestEarliestStartAndDue(t *testing.T) {
	d := MustLoad().Declarations
	for _, tc := range []struct{ sent, start, due string }{
		{"2026-12-07", "2026-12-10", "2026-12-09"}, // Monday: Tue, Wed free; hire Thursday
		{"2026-12-10", "2026-12-15", "2026-12-14"}, // Thursday: Fri, Mon; hire Tuesday
		{"2026-12-23", "2026-12-29", "2026-12-28"}, // Wed 23: Thu 24, Mon 28 (Fri 25 is Christmas)
	} {
		start, err := d.EarliestStart(isoDay(tc.sent))
		if err != nil || start.Format(time.DateOnly) != tc.start {
			t.Errorf("EarliestStart(%s) = %s, %v; want %s", tc.sent, start.Format(time.DateOnly), err, tc.start)
		}
		due, err := d.AnswerDue(isoDay(tc.sent))
		if err != nil || due.Format(time.DateOnly) != tc.due {
			t.Errorf("AnswerDue(%s) = %s, %v; want %s", tc.sent, due.Format(time.DateOnly), err, tc.due)
		}
	}
	if got := d.WeeklyMinutes(964); got != 1112 { // 18 h 32 min
		t.Errorf("WeeklyMinutes(964) = %d, want 1112", got)
	}
}

// TestHolidaysAreChecked: a catalogue missing a holiday, or with one out
// of order, is refused with the day named.
func TestHolidaysAreChecked(t *testing.T) {
	data := strings.Replace(minimal, `"2026-05-14", `, ``, 1)
	if _, err := Parse([]byte(data)); err == nil || !strings.Contains(err.Error(), "public holiday 2026-05-14 is missing") {
		t.Errorf("Ascension dropped: %v", err)
	}
	data = strings.Replace(minimal, `"2026-01-01", "2026-04-06"`, `"2026-04-06", "2026-01-01"`, 1)
	if _, err := Parse([]byte(data)); err == nil || !strings.Contains(err.Error(), "ascending") {
		t.Errorf("out of order: %v", err)
	}
	for y, want := range map[int]string{2026: "2026-04-05", 2027: "2027-03-28", 2030: "2030-04-21", 2038: "2038-04-25"} {
		if got := Easter(y).Format(time.DateOnly); got != want {
			t.Errorf("Easter(%d) = %s, want %s", y, got, want)
		}
	}
}
