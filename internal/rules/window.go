package rules

import (
	"github.com/sejour/sejour/internal/permit"
	"time"
)

// RenewalWindow is when a renewal should be filed (R.431-5): from
// OpensDaysBefore days before the current permit expires to
// ClosesDaysBefore days before, both days included. Filing inside it is
// what entitles the person to an extension attestation (attestation de
// prolongation d'instruction) if the decision is late; filing after it is
// still possible but costs a surcharge and loses that entitlement.
type RenewalWindow struct {
	OpensDaysBefore  int `json:"opens_days_before_expiry"`
	ClosesDaysBefore int `json:"closes_days_before_expiry"`
}

// WindowStatus places a filing date against the renewal window.
type WindowStatus string

// The positions of a filing date.
const (
	WindowTooEarly WindowStatus = "too_early" // before the window opens
	WindowOpen     WindowStatus = "in_window" // on time
	WindowLate     WindowStatus = "late"      // after the window closed, expired or not
)

// Window is the renewal window of one permit and where a filing date falls.
// Opens and Closes are the first and the last day of the window, as civil
// dates at midnight UTC.
type Window struct {
	Opens  time.Time
	Closes time.Time
	Status WindowStatus
	// Relief is set when a late filing counts as in time because an
	// outage stopped filing at the window's end (OutageRules.Relieve).
	Relief *Relief
}

// Assess computes the window of a permit whose last day of validity is
// expiry, and the status of a filing made on filed. It is a pure function
// of civil dates: each argument is reduced to its year, month and day in
// the location it carries, so pass instants in Europe/Paris, where the
// prefectures count days. The time of day never matters: a filing at
// 23:59 on the last day of the window is on time.
func (w RenewalWindow) Assess(expiry, filed time.Time) Window {
	end := permit.CivilDay(expiry)
	day := permit.CivilDay(filed)
	win := Window{
		Opens:  end.AddDate(0, 0, -w.OpensDaysBefore),
		Closes: end.AddDate(0, 0, -w.ClosesDaysBefore),
		Status: WindowOpen,
	}
	switch {
	case day.Before(win.Opens):
		win.Status = WindowTooEarly
	case day.After(win.Closes):
		win.Status = WindowLate
	}
	return win
}
