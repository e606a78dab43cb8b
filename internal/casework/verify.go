package casework

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// CodeResult is what the signed code of an attestation says, once its
// signature has verified.
type CodeResult struct {
	Status                permit.AttestationStatus // from the signed dates only: valid, not yet valid, expired
	Kind                  permit.AttestationKind
	Number                string
	Version               int
	GivenNames, Surname   string
	BirthDate             string // YYYY-MM-DD
	Ground                permit.GroundID
	ApplicationKind       permit.Kind
	ValidFrom, ValidUntil time.Time
	Rights                rules.Granted
	Prefecture            string
	IssuedAt              time.Time // when the code was signed: the moment of an attempt, of a check
	// Check is what a right-to-work check record adds: who checked, and
	// whether the answer rests on a pending renewal; nil for attestations.
	Check *CheckedBy
	// Declaration is what a pre-hire declaration's record adds: who
	// declared, the hire's first day, the outcome; nil otherwise.
	Declaration *DeclaredBy
}

// DeclaredBy is the organisation a declaration's record names, the hire's
// first day and the declaration's outcome.
type DeclaredBy struct {
	Organisation, SIRET string
	StartDate           time.Time
	Outcome             permit.DeclarationStatus
}

// CheckedBy is the organisation a check record names, and whether the
// right it showed rested on a pending renewal.
type CheckedBy struct {
	Organisation, SIRET string
	PendingRenewal      bool
}

// VersionStore reads, by an attestation's number, the standing of each
// of its versions: one indexed lookup per verification, the only one
// (the signature is checked with keys held in memory).
type VersionStore interface {
	// AttestationStanding returns every version of number, oldest
	// first, or ENOTFOUND.
	AttestationStanding(ctx context.Context, number string) ([]permit.VersionStanding, error)
}

// CodeChecker verifies a signed code offline. Its errors are domain
// errors with the keys verify.forged (the signature does not verify, or
// the key is unknown) or verify.malformed (not a code at all).
type CodeChecker interface {
	Check(code string, now time.Time) (*CodeResult, error)
}

// OutcomeUnchecked is the answer for a genuine code, within its dates,
// whose revocation and supersession could not be checked because the
// database did not answer: never "valid" without that caveat.
const OutcomeUnchecked = "valid_unchecked"

// Outcomes are every answer Verify gives, as the API and
// docs/openapi.yaml spell them.
var Outcomes = []string{
	string(permit.AttestationValid), OutcomeUnchecked, string(permit.AttestationPending), string(permit.AttestationExpired),
	string(permit.AttestationSuperseded), string(permit.AttestationRevoked), permit.CodeForged, permit.CodeMalformed,
}

// lookupWait bounds the revocation lookup: past it the answer is given
// without it, from the signature alone.
const lookupWait = 2 * time.Second

// Verification is the answer given to whoever checks an attestation.
type Verification struct {
	// Outcome is one of Outcomes.
	Outcome string
	Result  *CodeResult // nil when forged or malformed: nothing unverified is shown
	// Unchecked says that the code is genuine but whether it was revoked
	// or superseded could not be read now (the database is down).
	Unchecked bool
}

// pastedCode undoes what copying a code from the PDF may bring: its line
// breaks, and the sign it prints for spaces (U+2423). Made once: a
// replacer is built on its first use and costs more than it saves when
// made for every verification.
var pastedCode = strings.NewReplacer("\r", "", "\n", "", "\u2423", " ")

// Verify checks a code: its signature and dates offline, then, online,
// whether the prefecture revoked it or a newer version replaced it. It
// never says valid for anything it could not fully check: when the
// database fails or takes longer than lookupWait, a genuine code within
// its dates is OutcomeUnchecked, and only a fault of the signing keys
// themselves is an error.
func (s *Verifier) Verify(ctx context.Context, code string) (*Verification, error) {
	code = strings.TrimSpace(pastedCode.Replace(code))
	if code == "" {
		return nil, permit.Invalid(map[string]string{"code": "verify.error.empty"})
	}
	res, err := s.Codes.Check(code, s.Clock.Now().In(permit.Paris))
	if err != nil {
		var bad *permit.CodeError
		if errors.As(err, &bad) {
			return &Verification{Outcome: bad.Outcome}, nil
		}
		return nil, err
	}
	v := &Verification{Outcome: string(res.Status), Result: res}
	// The lookup does not depend on the client staying: a database that
	// hangs costs lookupWait, whoever asked.
	lookup, cancel := context.WithTimeout(context.WithoutCancel(ctx), lookupWait)
	defer cancel()
	versions, err := s.Store.AttestationStanding(lookup, res.Number)
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		return v, nil // issued elsewhere, or by a copy of this portal: the signature is all there is
	} else if err != nil {
		s.Logger.Warn("verify: revocation not checked", "number", res.Number, "err", err)
		v.Unchecked = true
		if v.Outcome == string(permit.AttestationValid) {
			v.Outcome = OutcomeUnchecked
		}
		return v, nil
	}
	for _, a := range versions {
		switch {
		case a.Version == res.Version && a.Revoked:
			v.Outcome = string(permit.AttestationRevoked)
		case a.Version > res.Version && a.Signed && v.Outcome != string(permit.AttestationRevoked):
			// Only a newer version that is signed replaces this one: until
			// its code exists (signing failed and waits for the retry), the
			// holder has nothing else to show, and this one still says what
			// it said.
			v.Outcome = string(permit.AttestationSuperseded)
		}
	}
	return v, nil
}
