package attest

import (
	"testing"
	"time"
)

func TestDateInWords(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	tests := []struct {
		t      time.Time
		fr, en string
	}{
		{time.Date(2026, 11, 26, 10, 0, 0, 0, cet), "26 novembre 2026", "26 November 2026"},
		{time.Date(2026, 3, 1, 0, 0, 0, 0, cet), "1er mars 2026", "1 March 2026"},
		{time.Date(2026, 8, 5, 0, 0, 0, 0, cet), "5 août 2026", "5 August 2026"},
		{time.Date(2027, 2, 1, 0, 0, 0, 0, cet), "1er février 2027", "1 February 2027"},
		{time.Date(2026, 12, 31, 23, 59, 0, 0, cet), "31 décembre 2026", "31 December 2026"},
		{time.Date(2026, 1, 11, 0, 0, 0, 0, cet), "11 janvier 2026", "11 January 2026"},
		// The day is the one of the time's own location: 23:30 UTC on
		// 30 November is already 1 December in Paris.
		{time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC).In(cet), "1er décembre 2026", "1 December 2026"},
	}
	for _, tt := range tests {
		if got := DateInWords(tt.t, "fr"); got != tt.fr {
			t.Errorf("DateInWords(%v, fr) = %q, want %q", tt.t, got, tt.fr)
		}
		if got := DateInWords(tt.t, "en"); got != tt.en {
			t.Errorf("DateInWords(%v, en) = %q, want %q", tt.t, got, tt.en)
		}
	}
}

func TestDateInWordsDefaultsToFrench(t *testing.T) {
	d := time.Date(2026, 7, 14, 0, 0, 0, 0, time.UTC)
	for _, lang := range []string{"", "fr", "de"} {
		if got := DateInWords(d, lang); got != "14 juillet 2026" {
			t.Errorf("DateInWords(%q) = %q, want French", lang, got)
		}
	}
}

func TestDateTimeInWords(t *testing.T) {
	d := time.Date(2026, 7, 1, 9, 5, 0, 0, time.FixedZone("CEST", 7200))
	if got, want := dateTimeInWords(d, "fr"), "1er juillet 2026 à 9 h 05"; got != want {
		t.Errorf("fr: got %q, want %q", got, want)
	}
	if got, want := dateTimeInWords(d, "en"), "1 July 2026 at 09:05"; got != want {
		t.Errorf("en: got %q, want %q", got, want)
	}
}
