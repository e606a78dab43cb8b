package permit

import (
	"time"
	_ "time/tzdata" // Europe/Paris on any machine
)

// Paris is where prefectures count days: a filing at 23:30 UTC in winter
// is filed on the next day there. It is the program's one Europe/Paris
// location; pages, documents, use cases and the store all count with it.
var Paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic("permit: no Europe/Paris time zone: " + err.Error())
	}
	return loc
}()

// ParisDay returns the civil day an instant falls on in Europe/Paris, at
// midnight UTC: a filing at 23:30 UTC in winter is on the next day.
func ParisDay(t time.Time) time.Time { return CivilDay(t.In(Paris)) }

// CivilDay returns the calendar day of t in its own location, at midnight
// UTC: dates stored as days (a permit's last day, a due day) keep theirs,
// and day arithmetic is free of time zones and daylight saving.
func CivilDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
