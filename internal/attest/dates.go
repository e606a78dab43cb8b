package attest

import (
	"strconv"
	"time"
)

// frMonths are the French month names, which attestations spell out:
// a date in words cannot be misread the way 03/04/2026 can.
var frMonths = [12]string{
	"janvier", "février", "mars", "avril", "mai", "juin",
	"juillet", "août", "septembre", "octobre", "novembre", "décembre",
}

// DateInWords writes the calendar day of t in words: "26 novembre 2026"
// or "1er mars 2026" in French, "26 November 2026" in English. Like
// rules.Text.In, lang "en" gives English and anything else French. The
// day is the one of t's own location, so pass t in the time zone of the
// prefecture.
func DateInWords(t time.Time, lang string) string {
	y, m, d := t.Date()
	if lang == "en" {
		return strconv.Itoa(d) + " " + m.String() + " " + strconv.Itoa(y)
	}
	day := strconv.Itoa(d)
	if d == 1 {
		day = "1er"
	}
	return day + " " + frMonths[m-1] + " " + strconv.Itoa(y)
}

// dateTimeInWords is DateInWords followed by the time of day, written the
// French way ("à 9 h 05") or the English way ("at 09:05").
func dateTimeInWords(t time.Time, lang string) string {
	if lang == "en" {
		return DateInWords(t, lang) + " at " + t.Format("15:04")
	}
	return DateInWords(t, lang) + " à " + strconv.Itoa(t.Hour()) + " h " + t.Format("04")
}
