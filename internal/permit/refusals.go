package permit

import "fmt"

// The refusals below are errors a caller acts on, not only shows: a page
// links to the open application, a form sends the applicant to their
// profile, a verifier says "malformed" rather than "forged". Each carries
// what the caller needs as data, read with errors.As, and unwraps to the
// *Error that gives its code and its message, so that ErrorCode and
// ErrorMessage, and so the words users read, are those of the rest.

// DuplicateError refuses a second open application on one ground.
// Existing is the open one, which the applicant is sent to.
type DuplicateError struct {
	Ground   GroundID
	Existing int64
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("sejour error: application %d is already open on ground %s", e.Existing, e.Ground)
}

// Unwrap gives the conflict and its message, which names the application.
func (e *DuplicateError) Unwrap() error {
	return Errorf(ECONFLICT, "start.error.duplicate", e.Existing)
}

// ProfileFirstError refuses to start an application for a person whose
// profile does not say where they live yet: the competent prefecture
// depends on it. Person is 0 when there is no profile at all.
type ProfileFirstError struct {
	Person int64
}

func (e *ProfileFirstError) Error() string {
	return fmt.Sprintf("sejour error: person %d has no profile with an address yet", e.Person)
}

// Unwrap gives an invalid input and its message.
func (e *ProfileFirstError) Unwrap() error { return Errorf(EINVALID, "start.error.profile_first") }

// ClaimBlockedError refuses to link a file started at the counter to an
// account whose own person already has data or applications: two
// identities are never merged silently. Person is that account's person.
type ClaimBlockedError struct {
	Person int64
}

func (e *ClaimBlockedError) Error() string {
	return fmt.Sprintf("sejour error: the claiming account's person %d already has data", e.Person)
}

// Unwrap gives the conflict and its message.
func (e *ClaimBlockedError) Unwrap() error { return Errorf(ECONFLICT, "claim.error.has_profile") }

// CorrectionDecidedError refuses to decide a correction request that is
// no longer pending: another agent, or the applicant withdrawing it, was
// first.
type CorrectionDecidedError struct {
	Correction int64
}

func (e *CorrectionDecidedError) Error() string {
	return fmt.Sprintf("sejour error: correction %d is no longer pending", e.Correction)
}

// Unwrap gives the conflict and its message.
func (e *CorrectionDecidedError) Unwrap() error { return Errorf(ECONFLICT, "correction.error.decided") }

// UncheckedError refuses a favourable decision on a file the prefecture
// has not checked as the catalogue requires (rules.DecisionRules): a
// signed attestation would otherwise certify documents nobody accepted
// or an identity nobody compared with the passport. It lists what is
// missing, so the case page can name it.
type UncheckedError struct {
	Documents []UncheckedDocument // required documents not accepted, in the checklist's order
	Identity  bool                // the identity is not confirmed yet
}

// UncheckedDocument is a required document that is not accepted.
type UncheckedDocument struct {
	Slot     string // the catalogue's document id
	Version  int64  // its current version, 0 when none was given
	Rejected bool   // the current version was rejected; otherwise not reviewed yet
}

func (e *UncheckedError) Error() string {
	return fmt.Sprintf("sejour error: %d documents not accepted, identity unconfirmed %t", len(e.Documents), e.Identity)
}

// Unwrap gives the conflict and its message.
func (e *UncheckedError) Unwrap() error { return Errorf(ECONFLICT, "grant.error.unchecked") }

// FeeStampUsedError refuses a timbre fiscal number that another
// application holds: a stamp pays for one application, once, across the
// portal. It says nothing of that application, which may be anyone's.
type FeeStampUsedError struct{}

func (e *FeeStampUsedError) Error() string {
	return "sejour error: the fee stamp is held by another application"
}

// Unwrap gives an error on the fee stamp's field.
func (e *FeeStampUsedError) Unwrap() error {
	return Invalid(map[string]string{"fee_stamp": "fee.error.used"})
}

// The outcomes of a code that could not be checked at all.
const (
	CodeMalformed = "malformed" // not an attestation code
	CodeForged    = "forged"    // a code whose signature or key does not hold
)

// CodeError refuses an attestation code before any of its content is
// read. Outcome is CodeMalformed or CodeForged, which verifiers show.
type CodeError struct {
	Outcome string
}

func (e *CodeError) Error() string { return "sejour error: attestation code " + e.Outcome }

// Unwrap gives an invalid input and the message of its outcome.
func (e *CodeError) Unwrap() error {
	if e.Outcome == CodeMalformed {
		return Errorf(EINVALID, "verify.malformed")
	}
	return Errorf(EINVALID, "verify.forged")
}
