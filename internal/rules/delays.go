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

// CardGrace is the last day an expired multi-year or resident card stays
// valid while an in-time renewal is pending (L.433-3): the catalogue's
// expired_card_grace_months after its own last day. A card that runs
// longer than one year is multi-year; ok is false for any other (or a
// card whose first day is not known, or a catalogue without grace).
func (c *Catalogue) CardGrace(card *permit.Permit) (until time.Time, ok bool) {
	if card == nil || card.ValidFrom.IsZero() || c.ExpiredCardGraceMonths <= 0 {
		return time.Time{}, false
	}
	last := permit.CivilDay(card.ValidTo)
	if !last.After(permit.CivilDay(card.ValidFrom).AddDate(1, 0, 0)) {
		return time.Time{}, false
	}
	return last.AddDate(0, c.ExpiredCardGraceMonths, 0), true
}

// Rule returns the catalogue's rule for one kind of attestation.
func (a Attestations) Rule(kind permit.AttestationKind) (AttestationRule, bool) {
	r, ok := a[kind]
	return r, ok
}
