package permit

import "time"

// Delays are the legal delays the domain counts an application's dates
// with. Their values are the legal catalogue's (rules.Catalogue.Delays):
// permit holds no legal number of its own, so a change of the law is a
// change of catalogue.json only.
type Delays struct {
	// ImplicitRejectionMonths is how long the prefecture may stay silent
	// before silence counts as a refusal (R.432-1/2).
	ImplicitRejectionMonths int
}

// Set reports whether the delays were filled in: zero months would make
// every filing rejected on the day it is filed.
func (d Delays) Set() bool { return d.ImplicitRejectionMonths > 0 }

// ImplicitRejection returns the civil day on which the prefecture's
// silence on an application filed at the instant filed becomes an
// implicit rejection (décision implicite de rejet): the Paris day of the
// filing plus the catalogue's months. Every page, document and deadline
// uses it, so they cannot disagree by a day.
func (d Delays) ImplicitRejection(filed time.Time) time.Time {
	return ParisDay(filed).AddDate(0, d.ImplicitRejectionMonths, 0)
}
