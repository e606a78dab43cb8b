package i18n

import (
	"fmt"
	"strconv"
	"sync"
	"time"
)

// Date writes a civil date in words, as people read it in lang: "1er mars
// 2027", "26 novembre 2026", "26 November 2026". The words and their order
// are data: "date.long" takes the day, the month's name and the year;
// "date.day_one" is how the first of a month is written; "date.month.01"
// to "date.month.12" name the months.
func (c *Catalogue) Date(lang string, t time.Time) string {
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = c.T(lang, "date.day_one")
	}
	month := c.T(lang, fmt.Sprintf("date.month.%02d", int(t.Month())))
	return c.T(lang, "date.long", day, month, t.Year())
}

var embedded = sync.OnceValue(MustLoad)

// Date is Catalogue.Date on the embedded catalogue, for code that prints
// without a catalogue at hand (the PDFs).
func Date(lang string, t time.Time) string { return embedded().Date(lang, t) }

// Day is Date for a civil day written YYYY-MM-DD, the way the domain keeps
// a birth date or a permit's dates: every page, document and command that
// shows one to a person writes it in words, like every other date. A value
// that is not such a day (a partial birth date "1990-00-00", an empty
// field) is returned as it is.
func (c *Catalogue) Day(lang, s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return c.Date(lang, t)
}

// Day is Catalogue.Day on the embedded catalogue.
func Day(lang, s string) string { return embedded().Day(lang, s) }
