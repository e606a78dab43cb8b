package rules

import (
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// Appeals are the delays to challenge a refusal, counted from the day of
// the decision (its notification through the portal). They are data of
// the catalogue, like every legal number, so that pages, mails and the
// case's deadlines say the same thing.
type Appeals struct {
	// AdministrativeMonths is the delay of a recours gracieux (to the
	// prefect) or hiérarchique (to the minister).
	AdministrativeMonths int `json:"administrative_months"`
	// CourtMonths is the delay of a recours contentieux at the
	// administrative court.
	CourtMonths int `json:"court_months"`
	// CourtDaysWithOQTF replaces CourtMonths when the refusal carries an
	// obligation to leave France (OQTF); an administrative appeal does
	// not extend it.
	CourtDaysWithOQTF int `json:"court_days_with_oqtf"`
}

// Deadlines returns the last days of the administrative appeal and of the
// court appeal against a refusal decided on the civil day decided.
func (a Appeals) Deadlines(decided time.Time, oqtf bool) (administrative, court time.Time) {
	administrative = decided.AddDate(0, a.AdministrativeMonths, 0)
	court = decided.AddDate(0, a.CourtMonths, 0)
	if oqtf {
		court = decided.AddDate(0, 0, a.CourtDaysWithOQTF)
	}
	return administrative, court
}

// Delays returns the catalogue's delays that the domain counts with
// (permit.NextDeadline, the store's due dates): permit cannot import
// rules, so the values are handed to it.
func (c *Catalogue) Delays() permit.Delays {
	return permit.Delays{ImplicitRejectionMonths: c.ImplicitRejectionMonths}
}

// Rule returns the catalogue's rule for one kind of attestation.
func (a Attestations) Rule(kind permit.AttestationKind) (AttestationRule, bool) {
	switch kind {
	case permit.AttestationFilingReceipt:
		return a.FilingReceipt, true
	case permit.AttestationExtension:
		return a.Extension, true
	case permit.AttestationFavourable:
		return a.FavourableDecision, true
	}
	return AttestationRule{}, false
}
