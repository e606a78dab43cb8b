package rules

import "time"

// PublicHoliday reports whether a Paris day is a French public holiday
// (jour férié), on which no counter opens. It is the one place the
// appointments ask; the fixed days and those that follow Easter are
// computed here until the catalogue carries the holidays as data (the
// working-day counting of branch `declarations`), when this function
// should ask that data instead.
func PublicHoliday(day time.Time) bool {
	m, d := day.Month(), day.Day()
	switch {
	case m == time.January && d == 1, m == time.May && (d == 1 || d == 8), m == time.July && d == 14,
		m == time.August && d == 15, m == time.November && (d == 1 || d == 11), m == time.December && d == 25:
		return true
	}
	easter := easterSunday(day.Year())
	for _, after := range []int{1, 39, 50} { // Easter Monday, Ascension, Whit Monday
		h := easter.AddDate(0, 0, after)
		if h.Month() == m && h.Day() == d {
			return true
		}
	}
	return false
}

// easterSunday is the Gregorian Easter of a year (the anonymous
// Gregorian algorithm).
func easterSunday(year int) time.Time {
	a, b, c := year%19, year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}
