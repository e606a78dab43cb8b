package rules

import (
	"fmt"

	"github.com/sejour/sejour/internal/permit"
)

// PermitRights are the rights a residence card itself grants while it is
// valid: those of its ground, the stay until its last day. They are what
// a favourable-decision attestation of the same ground grants (Rights),
// so that a check answers the same for the card as for the attestation
// that announced it.
func (cat *Catalogue) PermitRights(p *permit.Permit) (Granted, error) {
	g, ok := cat.Ground(p.Ground)
	if !ok {
		return Granted{}, fmt.Errorf("rules: unknown ground %q of permit %d", p.Ground, p.ID)
	}
	r := Granted{Stay: g.Rights.Stay, Work: g.Rights.Work, TravelReentry: g.Rights.TravelReentry,
		SocialRightsContinue: g.Rights.SocialRightsContinue}
	if r.Stay {
		r.StayUntil = permit.CivilDay(p.ValidTo)
	}
	return r, nil
}
