package rules

import (
	"slices"
	"time"
)

// Declarations are the rules of the pre-hire declaration (déclaration
// préalable à l'embauche d'un étranger, Code du travail R.5221-41): the
// employer sends it at least NoticeWorkingDays working days before the
// hire; the prefecture answers within AnswerWorkingDays working days, and
// its silence then means the employer has done its duty.
//
// Working days are Monday to Friday except the national public holidays
// (jours fériés, Code du travail L.3133-1), listed here as data for the
// years PublicHolidaysFrom to PublicHolidaysUntil; the catalogue refuses
// a list that misses one (the fixed dates and Easter Monday, Ascension
// and Whit Monday computed from Easter). Alsace-Moselle's two extra days
// are not national and are not counted.
type Declarations struct {
	NoticeWorkingDays   int      `json:"notice_working_days"`
	AnswerWorkingDays   int      `json:"answer_working_days"`
	WeeksPerYear        int      `json:"weeks_per_year"`
	PublicHolidaysFrom  int      `json:"public_holidays_from"`
	PublicHolidaysUntil int      `json:"public_holidays_until"`
	PublicHolidays      []string `json:"public_holidays"` // YYYY-MM-DD, ascending

	holidays map[time.Time]bool
}

// fixedHolidays are the public holidays of fixed date, as MM-DD.
var fixedHolidays = []string{"01-01", "05-01", "05-08", "07-14", "08-15", "11-01", "11-11", "12-25"}

// Easter returns Easter Sunday of a Gregorian year (the anonymous
// Gregorian algorithm, "Meeus/Jones/Butcher"), midnight UTC.
func Easter(year int) time.Time {
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

// expectedHolidays are the national public holidays of a year.
func expectedHolidays(year int) []string {
	var out []string
	for _, md := range fixedHolidays {
		out = append(out, time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006")+"-"+md)
	}
	e := Easter(year)
	for _, n := range []int{1, 39, 50} { // Easter Monday, Ascension, Whit Monday
		out = append(out, e.AddDate(0, 0, n).Format(time.DateOnly))
	}
	slices.Sort(out)
	return out
}

func (ch *checker) declarations(d *Declarations) {
	if d.NoticeWorkingDays < 1 || d.NoticeWorkingDays > 10 || d.AnswerWorkingDays < 1 || d.AnswerWorkingDays > 10 {
		ch.add("declarations: notice_working_days and answer_working_days must be between 1 and 10 (got %d, %d)",
			d.NoticeWorkingDays, d.AnswerWorkingDays)
	}
	if d.WeeksPerYear < 1 || d.WeeksPerYear > 53 {
		ch.add("declarations: weeks_per_year must be between 1 and 53 (got %d)", d.WeeksPerYear)
	}
	if d.PublicHolidaysFrom < 2000 || d.PublicHolidaysUntil < d.PublicHolidaysFrom || d.PublicHolidaysUntil > 2200 {
		ch.add("declarations: public holidays from %d until %d is not a range of years", d.PublicHolidaysFrom, d.PublicHolidaysUntil)
		return
	}
	d.holidays = map[time.Time]bool{}
	for i, s := range d.PublicHolidays {
		t, err := time.Parse(time.DateOnly, s)
		switch {
		case err != nil:
			ch.add("declarations: public holiday %q is not a date (YYYY-MM-DD)", s)
		case i > 0 && s <= d.PublicHolidays[i-1]:
			ch.add("declarations: public holiday %s is not after %s (ascending, once each)", s, d.PublicHolidays[i-1])
		case t.Year() < d.PublicHolidaysFrom || t.Year() > d.PublicHolidaysUntil:
			ch.add("declarations: public holiday %s is outside the years %d-%d", s, d.PublicHolidaysFrom, d.PublicHolidaysUntil)
		}
		d.holidays[t] = err == nil
	}
	for y := d.PublicHolidaysFrom; y <= d.PublicHolidaysUntil; y++ {
		for _, s := range expectedHolidays(y) {
			if !slices.Contains(d.PublicHolidays, s) {
				ch.add("declarations: public holiday %s is missing", s)
			}
		}
	}
}

// WorkingDay reports whether a day (its calendar date; the time is
// ignored) is a working day: Monday to Friday and not a public holiday.
// A day outside the catalogue's years of holidays is ErrNoHolidays.
func (d *Declarations) WorkingDay(day time.Time) (bool, error) {
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	if day.Year() < d.PublicHolidaysFrom || day.Year() > d.PublicHolidaysUntil {
		return false, ErrNoHolidays
	}
	wd := day.Weekday()
	return wd != time.Saturday && wd != time.Sunday && !d.holidays[day], nil
}

// ErrNoHolidays: the catalogue does not list the public holidays of the
// year asked about, so working days cannot be counted there.
var ErrNoHolidays = errNoHolidays{}

type errNoHolidays struct{}

func (errNoHolidays) Error() string { return "rules: public holidays not listed for that year" }

// AddWorkingDays returns the day n working days after day (n ≥ 0), at
// midnight UTC: with n = 2, from a Thursday, the next Monday, or the
// Tuesday when that Monday is a holiday. The day itself does not count,
// as a delay in days does not count the day it starts from.
func (d *Declarations) AddWorkingDays(day time.Time, n int) (time.Time, error) {
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		ok, err := d.WorkingDay(day)
		if err != nil {
			return time.Time{}, err
		}
		if ok {
			n--
		}
	}
	return day, nil
}

// EarliestStart is the first start date a declaration sent on day may
// name: NoticeWorkingDays working days must lie strictly between the
// sending and the hire (R.5221-41, "au moins deux jours ouvrables avant"),
// so the hire is on the day after the last of them at the earliest.
func (d *Declarations) EarliestStart(day time.Time) (time.Time, error) {
	last, err := d.AddWorkingDays(day, d.NoticeWorkingDays)
	if err != nil {
		return time.Time{}, err
	}
	return last.AddDate(0, 0, 1), nil
}

// AnswerDue is the last day the prefecture may answer a declaration
// received on day: AnswerWorkingDays working days later. At the end of
// that day, silence means the employer's duty is met.
func (d *Declarations) AnswerDue(day time.Time) (time.Time, error) {
	return d.AddWorkingDays(day, d.AnswerWorkingDays)
}

// WeeklyMinutes is the most time a week a right limited to hoursPerYear
// allows, spread over the catalogue's weeks (964 h over 52 weeks: 18 h
// 32 min, about 60 % of full time), in minutes, rounded down.
func (d *Declarations) WeeklyMinutes(hoursPerYear int) int {
	return hoursPerYear * 60 / d.WeeksPerYear
}
