package casework

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
)

// Queue lists the declarations waiting for an answer of the prefectures
// the agent works for, the soonest due first.
func (s *Declarations) Queue(ctx context.Context, acc *permit.Account) ([]*permit.Declaration, error) {
	if !acc.Staff() {
		return nil, errNotFound
	}
	prefs, err := s.People.Prefectures(ctx)
	if err != nil {
		return nil, err
	}
	var mine []int64
	for _, p := range prefs {
		if acc.WorksFor(p.ID) {
			mine = append(mine, p.ID)
		}
	}
	return s.Store.ReferredDeclarations(ctx, mine, maxListedChecks)
}

// ForAgent is one declaration of a prefecture the agent works for;
// another prefecture's is ENOTFOUND.
func (s *Declarations) ForAgent(ctx context.Context, acc *permit.Account, id int64) (*permit.Declaration, error) {
	if !acc.Staff() {
		return nil, errNotFound
	}
	d, err := s.Store.Declaration(ctx, id)
	if err != nil || !acc.WorksFor(d.PrefectureID) {
		return nil, errNotFound
	}
	return d, nil
}

// AnswerForm is the prefecture's answer: authorised, or refused with a
// reason.
type AnswerForm struct {
	Outcome string // "authorised" or "refused"
	Reason  string
}

// Answer records the prefecture's answer to a referred declaration: the
// signed record, the mail to the employer and the audit entry commit
// together. An answer after another (or after silence) is ECONFLICT.
func (s *Declarations) Answer(ctx context.Context, acc *permit.Account, id int64, f AnswerForm) (*permit.Declaration, error) {
	d, err := s.ForAgent(ctx, acc, id)
	if err != nil {
		return nil, err
	}
	errs := map[string]string{}
	outcome := permit.DeclarationStatus(f.Outcome)
	reason := strings.TrimSpace(f.Reason)
	if outcome != permit.DeclarationAuthorised && outcome != permit.DeclarationRefused {
		errs["outcome"] = "declaration.error.outcome"
	}
	if outcome == permit.DeclarationRefused && reason == "" {
		errs["reason"] = "declaration.error.reason_required"
	} else if utf8.RuneCountInString(reason) > maxRefusalReason {
		errs["reason"] = "declaration.error.too_long"
	}
	if err := permit.InvalidWith(errs, map[string][]any{"reason": {maxRefusalReason}}); err != nil {
		return nil, err
	}
	if d.Status != permit.DeclarationReferred {
		return nil, permit.Errorf(permit.ECONFLICT, "declaration.error.answered")
	}
	now := s.Clock.Now().UTC().Truncate(time.Microsecond)
	d.Status, d.AnsweredAt, d.AnsweredBy = outcome, &now, acc.ID
	if outcome == permit.DeclarationRefused {
		d.RefusalReason = reason
	}
	e := audit.Entry{Action: ActionDeclarationAnswer, ActorAccountID: acc.ID, PrefectureID: d.PrefectureID, PersonID: d.PersonID,
		Detail: d.Number + " " + string(outcome)}
	return d, s.close(audit.With(ctx, e), d, now)
}

// close signs a declaration's outcome and records it with the mail that
// tells the employer.
func (s *Declarations) close(ctx context.Context, d *permit.Declaration, now time.Time) error {
	var err error
	if d.Code, err = s.Sealer.SealDeclaration(d, now); err != nil {
		return err
	}
	m, err := s.outcomeMail(ctx, d)
	if err != nil {
		return err
	}
	return s.Store.CloseDeclaration(ctx, d, m)
}

// outcomeMail tells the employer a referred declaration's outcome: the
// member who declared, or, for a key's, the organisation's first admin.
func (s *Declarations) outcomeMail(ctx context.Context, d *permit.Declaration) (*permit.Mail, error) {
	members, err := s.Store.Members(ctx, d.OrganisationID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(members, func(a *permit.Account) bool { return a.ID == d.AccountID })
	if i < 0 {
		i = slices.IndexFunc(members, func(a *permit.Account) bool { return a.OrgAdmin })
	}
	if i < 0 {
		return nil, nil // no one to tell: the outcome is on the page and in the API
	}
	to := members[i]
	return &permit.Mail{To: to.Email, Subject: s.Tr.T(to.Lang, "declaration.mail.subject", d.Number),
		Text: s.Tr.T(to.Lang, "declaration.mail.body", d.Number, s.Tr.T(to.Lang, "declaration.status."+string(d.Status)),
			s.BaseURL+paths.EmployerDeclaration.Format(d.ID))}, nil
}

// SweepSilence closes as "silence: duty met" every declaration still
// referred after its due day (in Paris), each with its signed record and
// the mail to the employer in one transaction. It is idempotent and may
// die at any line: a declaration is closed only while still referred,
// so a run after a crash, or two at once, records each outcome once (a
// record signed by a run whose commit lost is dropped). It returns how
// many it closed.
func (s *Declarations) SweepSilence(ctx context.Context) (int, error) {
	now := s.Clock.Now()
	due, err := s.Store.SilentDeclarations(ctx, permit.ParisDay(now), silenceBatch)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range due {
		at := now.UTC().Truncate(time.Microsecond)
		d.Status, d.AnsweredAt = permit.DeclarationSilence, &at
		e := audit.Entry{Action: ActionDeclarationSilence, PrefectureID: d.PrefectureID, PersonID: d.PersonID, Detail: d.Number}
		err := s.close(audit.With(ctx, e), d, at)
		if permit.ErrorCode(err) == permit.ECONFLICT {
			continue // answered meanwhile, or closed by another run
		} else if err != nil {
			return n, err
		}
		n++
	}
	if len(due) == silenceBatch {
		return n, ErrSweepUnfinished
	}
	return n, nil
}
