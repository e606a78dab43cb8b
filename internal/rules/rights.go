package attest

import (
	"fmt"
	"time"

	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// Kind is a kind of attestation.
type Kind string

// The kinds of attestation.
const (
	// KindFilingReceipt is the attestation de dépôt: proof of filing,
	// not of legal stay.
	KindFilingReceipt Kind = "filing_receipt"
	// KindExtension is the attestation de prolongation d'instruction
	// (R.431-15-1): with the expired permit, proof of legal stay while a
	// complete, in-time renewal is pending.
	KindExtension Kind = "extension"
	// KindFavourable is the attestation de décision favorable: proof of
	// legal stay from a favourable decision until the card is handed over.
	KindFavourable Kind = "favourable_decision"
)

// Kinds lists every kind of attestation.
var Kinds = []Kind{KindFilingReceipt, KindExtension, KindFavourable}

// Rights are what an attestation grants, as data: they are derived from
// the catalogue when the attestation is shown or printed, so a change of
// the catalogue changes the wording of every valid attestation.
type Rights struct {
	Stay                 bool      // proves legal stay...
	StayUntil            time.Time // ...until this day (zero when Stay is false)
	Work                 rules.Work
	TravelReentry        bool // may leave France and come back, with the expired permit
	SocialRightsContinue bool
}

// DeriveRights computes the rights an attestation of kind grants for an
// application (its ground and kind), given the permit held before it (nil
// for a first application) and the attestation's last valid day:
//   - a filing receipt grants nothing by itself;
//   - an extension attestation of a renewal or change of status carries
//     over the right to work of the previous permit (R.431-15-2); for a
//     first application, only grounds marked so in the catalogue give work;
//   - a favourable decision grants the rights of the ground decided.
//
// Travel and re-entry need the expired permit to go with the attestation,
// so a first application never has them.
func DeriveRights(cat *rules.Catalogue, kind Kind, ground permit.GroundID, appKind permit.Kind, previous *permit.Permit, validUntil time.Time) (Rights, error) {
	g, ok := cat.Ground(ground)
	if !ok {
		return Rights{}, fmt.Errorf("attest: unknown ground %q", ground)
	}
	none := rules.Work{Kind: rules.WorkNone}
	switch kind {
	case KindFilingReceipt:
		return Rights{Work: none}, nil
	case KindExtension, KindFavourable:
	default:
		return Rights{}, fmt.Errorf("attest: unknown kind of attestation %q", kind)
	}
	r := Rights{Stay: g.Rights.Stay, StayUntil: validUntil, SocialRightsContinue: g.Rights.SocialRightsContinue,
		TravelReentry: previous != nil && g.Rights.TravelReentry}
	if !r.Stay {
		r.StayUntil = time.Time{}
	}
	switch {
	case kind == KindFavourable:
		r.Work = g.Rights.Work
	case appKind == permit.KindFirstIssue:
		r.Work = none
		if g.FirstIssueAttestationWork {
			r.Work = g.Rights.Work
		}
	default:
		if previous == nil {
			return Rights{}, fmt.Errorf("attest: a %s extension attestation needs the previous permit", appKind)
		}
		pg, ok := cat.Ground(previous.Ground)
		if !ok {
			return Rights{}, fmt.Errorf("attest: unknown ground %q of the previous permit", previous.Ground)
		}
		r.Work = pg.Rights.Work
	}
	return r, nil
}

// Words says the rights in plain words, one line each, through a
// translator (the catalogue keys rights.*).
func (r Rights) Words(t func(key string, args ...any) string, date func(time.Time) string) []string {
	var lines []string
	if r.Stay {
		lines = append(lines, t("rights.stay", date(r.StayUntil)))
	} else {
		lines = append(lines, t("rights.no_stay"))
	}
	switch r.Work.Kind {
	case rules.WorkLimitedHours:
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
