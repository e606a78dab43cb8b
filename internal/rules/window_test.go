package rules

import (
	"github.com/sejour/sejour/internal/permit"
	"testing"
	"time"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestRenewalWindowBoundaries(t *testing.T) {
	w := MustLoad().RenewalWindow
	expiry := day(2027, time.January, 31)
	// Counted by hand: 2026-10-03 is the 120th day before 2027-01-31, and
	// 2026-12-02 the 60th.
	opens, closes := day(2026, time.October, 3), day(2026, time.December, 2)
	tests := []struct {
		name  string
		filed time.Time
		want  WindowStatus
	}{
		{"day before the 120th day", day(2026, time.October, 2), WindowTooEarly},
		{"120th day", opens, WindowOpen},
		{"mid-window", day(2026, time.November, 15), WindowOpen},
		{"60th day", closes, WindowOpen},
		{"60th day, late evening", closes.Add(23*time.Hour + 59*time.Minute), WindowOpen},
		{"day after the 60th day", day(2026, time.December, 3), WindowLate},
		{"expiry day", expiry, WindowLate},
		{"after expiry", day(2027, time.March, 1), WindowLate},
		{"months too early", day(2026, time.January, 1), WindowTooEarly},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := w.Assess(expiry, tt.filed)
			if !got.Opens.Equal(opens) || !got.Closes.Equal(closes) {
				t.Errorf("window = %s..%s, want %s..%s", got.Opens.Format(time.DateOnly), got.Closes.Format(time.DateOnly),
					opens.Format(time.DateOnly), closes.Format(time.DateOnly))
			}
			if got.Status != tt.want {
				t.Errorf("status = %s, want %s", got.Status, tt.want)
			}
		})
	}
}

// TestRenewalWindowCivilDates checks that days are counted on the calendar
// of the location a time carries, not on UTC instants or 24-hour spans.
func TestRenewalWindowCivilDates(t *testing.T) {
	paris := permit.Paris
	w := RenewalWindow{OpensDaysBefore: 120, ClosesDaysBefore: 60}

	// 00:30 in Paris on the 120th day is still the previous day in UTC.
	expiry := time.Date(2027, time.January, 31, 0, 0, 0, 0, paris)
	filed := time.Date(2026, time.October, 3, 0, 30, 0, 0, paris)
	if got := w.Assess(expiry, filed).Status; got != WindowOpen {
		t.Errorf("filed 00:30 Paris on the 120th day: status = %s, want %s", got, WindowOpen)
	}
	// 23:30 in Paris on the day after the 60th day.
	filed = time.Date(2026, time.December, 3, 23, 30, 0, 0, paris)
	if got := w.Assess(expiry, filed).Status; got != WindowLate {
		t.Errorf("filed 23:30 Paris the day after the 60th day: status = %s, want %s", got, WindowLate)
	}

	// A window across the March change to summer time and a non-leap
	// February: 2025-12-31 is the 120th day before 2026-04-30, 2026-03-01
	// the 60th.
	got := w.Assess(time.Date(2026, time.April, 30, 12, 0, 0, 0, paris), day(2026, time.March, 2))
	if !got.Opens.Equal(day(2025, time.December, 31)) || !got.Closes.Equal(day(2026, time.March, 1)) || got.Status != WindowLate {
		t.Errorf("window = %s..%s %s, want 2025-12-31..2026-03-01 late",
			got.Opens.Format(time.DateOnly), got.Closes.Format(time.DateOnly), got.Status)
	}
}
