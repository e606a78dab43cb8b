package i18n

import (
	"testing"
	"time"
)

func TestDate(t *testing.T) {
	tests := []struct {
		lang string
		t    time.Time
		want string
	}{
		{"fr", time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), "26 novembre 2026"},
		{"fr", time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), "1er mars 2027"},
		{"fr", time.Date(2027, 8, 2, 0, 0, 0, 0, time.UTC), "2 août 2027"},
		{"en", time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), "1 March 2027"},
		{"xx", time.Date(2027, 2, 14, 0, 0, 0, 0, time.UTC), "14 février 2027"},
	}
	c := MustLoad()
	for _, tt := range tests {
		if got := c.Date(tt.lang, tt.t); got != tt.want {
			t.Errorf("Date(%s, %v) = %q, want %q", tt.lang, tt.t, got, tt.want)
		}
		if got := Date(tt.lang, tt.t); got != tt.want {
			t.Errorf("package Date(%s, %v) = %q, want %q", tt.lang, tt.t, got, tt.want)
		}
	}
}

// A day kept as YYYY-MM-DD reads in words; what is not a whole day is
// shown as typed.
func TestDay(t *testing.T) {
	tests := []struct{ lang, in, want string }{
		{"fr", "1994-12-08", "8 décembre 1994"},
		{"fr", "2001-05-01", "1er mai 2001"},
		{"en", "1994-12-08", "8 December 1994"},
		{"fr", "1990-00-00", "1990-00-00"},
		{"en", "", ""},
	}
	c := MustLoad()
	for _, tt := range tests {
		if got := c.Day(tt.lang, tt.in); got != tt.want {
			t.Errorf("Day(%s, %q) = %q, want %q", tt.lang, tt.in, got, tt.want)
		}
		if got := Day(tt.lang, tt.in); got != tt.want {
			t.Errorf("package Day(%s, %q) = %q, want %q", tt.lang, tt.in, got, tt.want)
		}
	}
}
