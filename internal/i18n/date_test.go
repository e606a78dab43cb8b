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
