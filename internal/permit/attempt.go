package permit

import "time"

// AttestationAttempt is the attestation of an attempted filing
// (attestation de tentative de dépôt): given at once to a person whose
// filing the portal could not take because one of its parts failed (the
// database, the disk). It proves that they tried, when, and what; the
// filing is completed as of that moment when the portal recovers. It is
// signed like the other kinds but belongs to no application's
// attestations (it is not in AttestationKinds): its record is the local
// journal of attempts, then the filing_attempts table once replayed.
const AttestationAttempt AttestationKind = "filing_attempt"

// AttemptNumberPrefix begins the number of an attestation of attempt:
// TEN-, then the attempt's id in upper case (TEN-3F2A9C01B2D4E6F8).
const AttemptNumberPrefix = "TEN"

// AttemptOutcome is what became of an attempted filing once replayed.
type AttemptOutcome string

// The outcomes of a replayed attempt.
const (
	// AttemptFiled: the application was filed, dated at the attempt.
	AttemptFiled AttemptOutcome = "filed"
	// AttemptRefused: it could not be filed any more (withdrawn, filed
	// meanwhile, its documents changed); Reason says why.
	AttemptRefused AttemptOutcome = "refused"
)

// FilingAttempt is an attempted filing as the database recorded its
// replay, exactly once (its ID is the journal record's).
type FilingAttempt struct {
	ID            string
	Number        string
	AccountID     int64
	PersonID      int64
	ApplicationID int64
	AttemptedAt   time.Time
	Code          string // the signed code the person was given
	Outcome       AttemptOutcome
	Reason        string // a translation key, for a refusal
	FilingID      int64  // the filing it made, when filed
	ReplayedAt    time.Time
}

// Open reports whether attestations of the kind have no end date and
// prove no lawful stay: the filing receipt and the attestation of
// attempt prove a filing, or an attempt to file, not a right; the record
// of a pre-hire declaration proves a declaration and its outcome.
func (k AttestationKind) Open() bool {
	return k == AttestationFilingReceipt || k == AttestationAttempt || k == AttestationDeclaration
}
