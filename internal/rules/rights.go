package rules

import (
	"fmt"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// Granted are the rights an attestation grants, as data: they are derived
// from the catalogue when the attestation is shown, printed or signed, so
// a change of the catalogue changes the wording of every valid attestation.
type Granted struct {
	Stay                 bool      // proves legal stay...
	StayUntil            time.Time // ...until this day (zero when Stay is false)
	Work                 Work
	TravelReentry        bool // may leave France and come back, with the expired permit
	SocialRightsContinue bool
}

// AttestationKinds lists every kind of attestation (permit's list).
var AttestationKinds = permit.AttestationKinds

// Rights computes the rights an attestation of kind grants for an
// application (its ground and kind), given the permit held before it (nil
// for a first application) and the attestation's last valid day:
//   - a filing receipt grants nothing by itself;
//   - an extension attestation of a renewal or change of status carries
//     over the right to work of the previous permit (R.431-15-2); for a
//     first application, only grounds marked so in the catalogue give work;
//   - a favourable decision grants the rights of the ground decided.
//
// Travel and re-entry need the permit (expired or not) to go with the
// attestation, so a first application never has them. The stay is stated
// until the later of the attestation's last day and the permit's, the
// permit's grace included for a multi-year card being renewed (CardGrace).
func (cat *Catalogue) Rights(kind permit.AttestationKind, ground permit.GroundID, appKind permit.Kind, previous *permit.Permit, validUntil time.Time) (Granted, error) {
	g, ok := cat.Ground(ground)
	if !ok {
		return Granted{}, fmt.Errorf("rules: unknown ground %q", ground)
	}
	none := Work{Kind: WorkNone}
	switch kind {
	case permit.AttestationFilingReceipt:
		return Granted{Work: none}, nil
	case permit.AttestationExtension, permit.AttestationFavourable:
	default:
		return Granted{}, fmt.Errorf("rules: unknown kind of attestation %q", kind)
	}
	r := Granted{Stay: g.Rights.Stay, StayUntil: validUntil, SocialRightsContinue: g.Rights.SocialRightsContinue,
		TravelReentry: previous != nil && g.Rights.TravelReentry}
	// The stay is lawful until the best of what the holder has: a permit
	// that runs past the attestation (a favourable decision taken before
	// the permit ends) still proves it until its own last day.
	if previous != nil && permit.CivilDay(previous.ValidTo).After(r.StayUntil) {
		r.StayUntil = permit.CivilDay(previous.ValidTo)
	}
	// An extension attestation is owed only to an in-time renewal; while
	// it is pending, an expired multi-year card itself stays valid for the
	// catalogue's grace (L.433-3).
	if kind == permit.AttestationExtension && appKind == permit.KindRenewal {
		if grace, ok := cat.CardGrace(previous); ok && grace.After(r.StayUntil) {
			r.StayUntil = grace
		}
	}
	if !r.Stay {
		r.StayUntil = time.Time{}
	}
	switch {
	case kind == permit.AttestationFavourable:
		r.Work = g.Rights.Work
	case appKind == permit.KindFirstIssue:
		r.Work = none
		if g.FirstIssueAttestationWork {
			r.Work = g.Rights.Work
		}
	default:
		if previous == nil {
			return Granted{}, fmt.Errorf("rules: a %s extension attestation needs the previous permit", appKind)
		}
		pg, ok := cat.Ground(previous.Ground)
		if !ok {
			return Granted{}, fmt.Errorf("rules: unknown ground %q of the previous permit", previous.Ground)
		}
		r.Work = pg.Rights.Work
	}
	return r, nil
}

// Words says the rights in plain words, one line each, through a
// translator (the catalogue keys rights.*).
func (r Granted) Words(t func(key string, args ...any) string, date func(time.Time) string) []string {
	var lines []string
	if r.Stay {
		lines = append(lines, t("rights.stay", date(r.StayUntil)))
	} else {
		lines = append(lines, t("rights.no_stay"))
	}
	switch r.Work.Kind {
	case WorkLimitedHours:
		lines = append(lines, t("rights.work.limited_hours", r.Work.HoursPerYear))
	default:
		lines = append(lines, t("rights.work."+string(r.Work.Kind)))
	}
	if r.Stay {
		if r.TravelReentry {
			lines = append(lines, t("rights.travel"))
		} else {
			lines = append(lines, t("rights.no_travel"))
		}
	}
	if r.SocialRightsContinue {
		lines = append(lines, t("rights.social"))
	}
	return lines
}
