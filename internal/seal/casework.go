package seal

import (
	"errors"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// Sealer signs casework's attestations with the newest key of a keyring:
// the portal's Shared one, or a Keyring in tests.
type Sealer struct{ Keys Signer }

// Seal signs the essential data of an attestation.
func (s Sealer) Seal(c *casework.Case, a *permit.Attestation, r rules.Granted) (string, error) {
	return Sign(s.Keys, ClaimsOf(a, c.Person, c.App, c.Prefecture, r))
}

// Checker verifies codes for casework with a key source: the keyring of
// the portal itself, or a saved key set offline.
type Checker struct{ Keys KeySource }

// Check verifies a code and turns its claims into casework's terms.
func (ch Checker) Check(code string, now time.Time) (*casework.CodeResult, error) {
	res, err := Verify(code, ch.Keys, now)
	switch {
	case errors.Is(err, ErrMalformed):
		return nil, &permit.CodeError{Outcome: permit.CodeMalformed}
	case errors.Is(err, ErrForged), errors.Is(err, ErrUnknownKey):
		return nil, &permit.CodeError{Outcome: permit.CodeForged}
	case err != nil:
		return nil, err
	}
	c := res.Claims
	out := &casework.CodeResult{Status: res.Status, Kind: c.Kind, Number: c.Number, Version: c.Version,
		GivenNames: c.GivenNames, Surname: c.Surname, BirthDate: c.BirthDate, Ground: c.Ground, ApplicationKind: c.ApplicationKind,
		Prefecture: c.Prefecture.Name, IssuedAt: c.IssuedAt,
		Rights: rules.Granted{Work: c.Rights.Work, TravelReentry: c.Rights.TravelReentry, SocialRightsContinue: c.Rights.SocialRightsContinue}}
	out.ValidFrom, _ = parseDay(c.ValidFrom)
	if c.ValidUntil != "" {
		out.ValidUntil, _ = parseDay(c.ValidUntil)
	}
	if c.Rights.StayUntil != "" {
		out.Rights.Stay = true
		out.Rights.StayUntil, _ = parseDay(c.Rights.StayUntil)
	}
	if ch := c.Check; ch != nil {
		out.Check = &casework.CheckedBy{Organisation: ch.Organisation, SIRET: ch.SIRET, PendingRenewal: ch.PendingRenewal}
	}
	if d := c.Declaration; d != nil {
		out.Declaration = &casework.DeclaredBy{Organisation: d.Organisation, SIRET: d.SIRET, Outcome: d.Outcome}
		out.Declaration.StartDate, _ = parseDay(d.StartDate)
	}
	return out, nil
}

// SealWorkCheck signs the record of a right-to-work check: the holder,
// the answer (the right to work, until when, on a pending renewal or
// not), the organisation that checked, valid from the day of the check
// until the last day of the right it showed (no end when it showed none).
func (s Sealer) SealWorkCheck(w *permit.WorkCheck) (string, error) {
	return Sign(s.Keys, ClaimsOfCheck(w))
}

// ClaimsOfCheck gathers the claims of a check record.
func ClaimsOfCheck(w *permit.WorkCheck) *Claims {
	c := &Claims{Kind: permit.AttestationWorkCheck, Number: w.Number, Version: 1,
		GivenNames: w.GivenNames, Surname: w.Surname, BirthDate: w.BirthDate, Ground: w.Ground,
		Rights:     Rights{Work: rules.Work{Kind: rules.WorkKind(w.Work), HoursPerYear: w.WorkHours}},
		ValidFrom:  dateOf(permit.ParisDay(w.CheckedAt)),
		Prefecture: Prefecture{Code: w.PrefectureCode, Name: w.PrefectureName},
		IssuedAt:   w.CheckedAt.UTC().Truncate(time.Second),
		Check:      &CheckClaims{Organisation: w.Organisation, SIRET: w.SIRET, PendingRenewal: w.PendingRenewal}}
	if !w.Until.IsZero() {
		c.ValidUntil = dateOf(w.Until)
		c.Rights.StayUntil = dateOf(w.Until)
	}
	return c
}

// SealDeclaration signs the record of a pre-hire declaration's outcome:
// the worker (as the portal knows them when matched, else as declared),
// the right found, the declaring organisation, the hire's first day and
// the outcome, valid from the day of the outcome with no end date.
func (s Sealer) SealDeclaration(d *permit.Declaration, at time.Time) (string, error) {
	return Sign(s.Keys, ClaimsOfDeclaration(d, at))
}

// ClaimsOfDeclaration gathers the claims of a declaration's record, with
// its outcome given at at.
func ClaimsOfDeclaration(d *permit.Declaration, at time.Time) *Claims {
	work := rules.Work{Kind: rules.WorkKind(d.Work), HoursPerYear: d.WorkHours}
	if !d.Matched() || !work.Kind.Valid() {
		work = rules.Work{Kind: rules.WorkNone}
	}
	return &Claims{Kind: permit.AttestationDeclaration, Number: d.Number, Version: 1,
		GivenNames: d.GivenNames, Surname: d.Surname, BirthDate: d.BirthDate, Ground: d.Ground,
		Rights:     Rights{Work: work},
		ValidFrom:  dateOf(permit.ParisDay(at)),
		Prefecture: Prefecture{Code: d.PrefectureCode, Name: d.PrefectureName},
		IssuedAt:   at.UTC().Truncate(time.Second),
		Declaration: &DeclarationClaims{Organisation: d.Organisation, SIRET: d.SIRET, Outcome: d.Status,
			StartDate: dateOf(d.StartDate)}}
}

// SealAttempt signs an attestation of attempted filing: no end date, no
// lawful stay, valid from the day of the attempt, signed at its moment.
func (s Sealer) SealAttempt(p *casework.AttemptProof) (string, error) {
	return Sign(s.Keys, &Claims{Kind: permit.AttestationAttempt, Number: p.Number, Version: 1,
		GivenNames: p.GivenNames, Surname: p.Surname, BirthDate: p.BirthDate, ForeignerNumber: p.ForeignerNumber,
		Ground: p.Ground, ApplicationKind: p.Kind,
		Rights:     Rights{Work: p.Rights.Work, TravelReentry: p.Rights.TravelReentry, SocialRightsContinue: p.Rights.SocialRightsContinue},
		ValidFrom:  dateOf(permit.ParisDay(p.At)),
		Prefecture: Prefecture{Code: p.PrefectureCode, Name: p.PrefectureName},
		IssuedAt:   p.At.UTC().Truncate(time.Second)})
}
