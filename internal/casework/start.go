package casework

import (
	"context"

	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// StartForm is the choice of a kind of application and a ground.
type StartForm struct {
	Kind   permit.Kind
	Ground permit.GroundID
}

// Start opens a draft. It refuses only what the law or the data require:
// a profile first (the prefecture depends on the address), a ground that
// allows the kind, a declared permit for a renewal or a change of status,
// and no second open application on the same ground. Nothing about other
// applications, or about earlier permits, stands in the way.
func (s *Applications) Start(ctx context.Context, acc *permit.Account, f StartForm) (*permit.Application, error) {
	if acc == nil || acc.Role != permit.RoleApplicant {
		return nil, errNotFound
	}
	p, err := s.People.PersonByAccount(ctx, acc.ID)
	if err == nil && p.PrefectureID == 0 {
		return nil, &permit.ProfileFirstError{Person: p.ID}
	} else if permit.ErrorCode(err) == permit.ENOTFOUND {
		return nil, &permit.ProfileFirstError{}
	} else if err != nil {
		return nil, err
	}
	return s.open(ctx, p, f, nil, func(a *permit.Application) error { return s.Store.CreateApplication(ctx, a, actorOf(acc)) })
}

// open checks a start form for a person and creates the draft with
// create: the applicant's own, or one an agent starts on their behalf.
// errs may carry the caller's own field errors, reported with these.
func (s *Applications) open(ctx context.Context, p *permit.Person, f StartForm, errs map[string]string, create func(*permit.Application) error) (*permit.Application, error) {
	if errs == nil {
		errs = map[string]string{}
	}
	g, ok := s.Rules.Ground(f.Ground)
	if !f.Kind.Valid() {
		errs["kind"] = "start.error.kind"
	}
	if !ok {
		errs["ground"] = "start.error.ground"
	} else if f.Kind.Valid() && !g.Allows(f.Kind) {
		errs["ground"] = "start.error.kind_not_allowed"
	}
	if err := permit.Invalid(errs); err != nil {
		return nil, err
	}
	if err := s.checkPermitFor(ctx, p, f); err != nil {
		return nil, err
	}
	if open, err := s.Store.OpenApplicationOnGround(ctx, p.ID, f.Ground); err == nil {
		return nil, &permit.DuplicateError{Ground: f.Ground, Existing: open.ID}
	} else if permit.ErrorCode(err) != permit.ENOTFOUND {
		return nil, err
	}
	a := &permit.Application{PersonID: p.ID, PrefectureID: p.PrefectureID, Ground: f.Ground, Kind: f.Kind, State: permit.StateDraft}
	if err := create(a); err != nil {
		if permit.ErrorCode(err) == permit.ECONFLICT {
			// Two drafts started at once on one ground: the index kept one.
			if open, err := s.Store.OpenApplicationOnGround(ctx, p.ID, f.Ground); err == nil {
				return nil, &permit.DuplicateError{Ground: f.Ground, Existing: open.ID}
			}
		}
		return nil, err
	}
	return a, nil
}

// checkPermitFor requires the permit a renewal renews, or the one a change
// of status leaves; a first application needs none.
func (s *Applications) checkPermitFor(ctx context.Context, p *permit.Person, f StartForm) error {
	if f.Kind == permit.KindFirstIssue {
		return nil
	}
	pm, err := s.People.CurrentPermit(ctx, p.ID)
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		return permit.Invalid(map[string]string{"kind": "start.error.permit_first"})
	} else if err != nil {
		return err
	}
	if f.Kind == permit.KindRenewal && pm.Ground != f.Ground {
		return permit.Invalid(map[string]string{"ground": "start.error.renewal_ground"})
	}
	if f.Kind == permit.KindChangeOfStatus && pm.Ground == f.Ground {
		return permit.Invalid(map[string]string{"ground": "start.error.change_same_ground"})
	}
	return nil
}

// Choices are the kinds and grounds a start form offers.
func (s *Applications) Choices() ([]permit.Kind, []*rules.Ground) {
	return permit.Kinds, s.Rules.Grounds()
}
