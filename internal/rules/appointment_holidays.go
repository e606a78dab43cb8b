package rules

import (
	"slices"
	"time"
)

// PublicHoliday reports whether a Paris day is a French public holiday
// (jour férié), on which no counter opens. It is the one place the
// appointments ask. It follows the rule the catalogue's list of holidays
// (declarations.public_holidays, the working days of R.5221-41) is
// checked against at load — the fixed days, and Easter Monday, Ascension
// and Whit Monday from Easter — so that the two agree on every year the
// list covers, and the counters still close on a holiday of a year past
// the list.
func PublicHoliday(day time.Time) bool {
	return slices.Contains(expectedHolidays(day.Year()), day.Format(time.DateOnly))
}
