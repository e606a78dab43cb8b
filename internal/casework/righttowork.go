package casework

import (
	"context"
	"time"

	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// RightToWork is what a check answers about a person on a day: the right
// to work, until when, and what it rests on. It is derived from the
// catalogue as the attestations derive it (rules.Rights for a live
// extension or favourable-decision attestation, rules.PermitRights for a
// valid card), so a check and the attestation it rests on say the same.
// The pre-hire declaration (issue 14, part 4) asks the same question.
type RightToWork struct {
	Work  rules.Work
	Until time.Time // the last day of the stay it rests on; zero when there is no right
	Basis permit.WorkBasis
	// PendingRenewal: the right rests on the extension attestation of a
	// renewal not decided yet (R.431-15-2 carries the previous permit's
	// right over).
	PendingRenewal bool
	Ground         permit.GroundID // of the permit or application it rests on; empty for none
	Prefecture     *permit.Prefecture
}

// RightToWork derives a person's right to work at now: from the best of
// their valid card and their live attestations (those that prove a stay:
// extension and favourable decision), the one whose stay lasts longest,
// a right to work beating none; with neither, no right.
func (s *WorkChecks) RightToWork(ctx context.Context, p *permit.Person, now time.Time) (*RightToWork, error) {
	today := permit.ParisDay(now)
	pm, err := s.People.CurrentPermit(ctx, p.ID)
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		pm = nil
	} else if err != nil {
		return nil, err
	}
	best := &RightToWork{Work: rules.Work{Kind: rules.WorkNone}, Basis: permit.BasisNone, Prefecture: &permit.Prefecture{}}
	better := func(c *RightToWork) {
		cWorks, bestWorks := c.Work.Kind != rules.WorkNone, best.Work.Kind != rules.WorkNone
		if best.Basis == permit.BasisNone || (cWorks && !bestWorks) || (cWorks == bestWorks && c.Until.After(best.Until)) {
			best = c
		}
	}
	if pm != nil && !today.Before(permit.CivilDay(pm.ValidFrom)) && !today.After(permit.CivilDay(pm.ValidTo)) {
		g, err := s.Rules.PermitRights(pm)
		if err != nil {
			return nil, err
		}
		better(&RightToWork{Work: g.Work, Until: g.StayUntil, Basis: permit.BasisPermit, Ground: pm.Ground})
	}
	apps, err := s.People.ApplicationsByPerson(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	for _, app := range apps {
		atts, err := s.Cases.Attestations(ctx, app.ID)
		if err != nil {
			return nil, err
		}
		for _, a := range atts {
			if a.Kind != permit.AttestationExtension && a.Kind != permit.AttestationFavourable {
				continue
			}
			if a.Code == "" || a.RevokedAt != nil || a.SupersededAt != nil || today.Before(a.ValidFrom) || today.After(a.ValidUntil) {
				continue
			}
			g, err := s.Rules.Rights(a.Kind, app.Ground, app.Kind, pm, a.ValidUntil)
			if err != nil {
				return nil, err
			}
			c := &RightToWork{Work: g.Work, Until: g.StayUntil, Basis: permit.WorkBasis(a.Kind), Ground: app.Ground,
				PendingRenewal: a.Kind == permit.AttestationExtension && app.Kind == permit.KindRenewal}
			if !g.Stay {
				c.Until = a.ValidUntil
			}
			better(c)
		}
	}
	if best.Basis == permit.BasisNone {
		best.Until = time.Time{}
	}
	pref, err := s.People.Prefecture(ctx, p.PrefectureID)
	if err != nil {
		return nil, err
	}
	best.Prefecture = pref
	return best, nil
}
