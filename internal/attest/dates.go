package attest

import (
	"strconv"
	"time"

	"github.com/sejour/sejour/internal/i18n"
)

// DateInWords writes the calendar day of t in words ("26 novembre 2026",
// "1er mars 2026", "26 November 2026"): a date in words cannot be misread
// the way 03/04/2026 can. It is i18n.Date, so pages and documents agree;
// the day is the one of t's own location, so pass t in the time zone of
// the prefecture.
func DateInWords(t time.Time, lang string) string { return i18n.Date(lang, t) }

// dateTimeInWords is DateInWords followed by the time of day, written the
// French way ("à 9 h 05") or the English way ("at 09:05").
func dateTimeInWords(t time.Time, lang string) string {
	if lang == "en" {
		return DateInWords(t, lang) + " at " + t.Format("15:04")
	}
	return DateInWords(t, lang) + " à " + strconv.Itoa(t.Hour()) + " h " + t.Format("04")
}
