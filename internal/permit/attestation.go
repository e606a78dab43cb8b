package permit

import "time"

// AttestationKind is a kind of attestation.
type AttestationKind string

// The kinds of attestation.
const (
	// AttestationFilingReceipt is the attestation de dépôt: proof of
	// filing, not of legal stay.
	AttestationFilingReceipt AttestationKind = "filing_receipt"
	// AttestationExtension is the attestation de prolongation
	// d'instruction (R.431-15-1): with the expired permit, proof of legal
	// stay while a complete, in-time renewal is pending.
	AttestationExtension AttestationKind = "extension"
	// AttestationFavourable is the attestation de décision favorable:
	// proof of legal stay from a favourable decision until the card is
	// handed over.
	AttestationFavourable AttestationKind = "favourable_decision"
)

// AttestationKinds lists every kind of attestation the portal issues and
// keeps, with the prefix of its number (DEP-2026-0000012). Adding a kind
// starts here, in this file: its constant, its line below, its prefix and
// its wire code; the tests of the store, the catalogue, the signed code
// and the translations then name every other place that must learn it
// (docs/architecture.md, "How to add an attestation kind").
var AttestationKinds = []AttestationKind{AttestationFilingReceipt, AttestationExtension, AttestationFavourable}

var numberPrefixes = map[AttestationKind]string{
	AttestationFilingReceipt: "DEP",
	AttestationExtension:     "API",
	AttestationFavourable:    "ADF",
}

// WireKinds are the kinds a signed code can carry, in the order of their
// wire codes: a kind's code is its index plus one
// (docs/attestation-format.md). The list is part of the signed format:
// append to it, never reorder or remove. The proof of an attempted filing
// is signed but not kept as an attestation, so it is here and not in
// AttestationKinds; so is the record of a right-to-work check.
var WireKinds = []AttestationKind{AttestationFilingReceipt, AttestationExtension, AttestationFavourable, AttestationAttempt, AttestationWorkCheck, AttestationDeclaration}

// NumberPrefix returns the prefix of the kind's numbers, or "" for a kind
// that is not in AttestationKinds.
func (k AttestationKind) NumberPrefix() string { return numberPrefixes[k] }

// AttestationStatus is where an attestation stands. Expiry is computed
// from the validity; supersession and revocation are recorded.
type AttestationStatus string

// The statuses of an attestation.
const (
	AttestationValid      AttestationStatus = "valid"
	AttestationPending    AttestationStatus = "not_yet_valid"
	AttestationExpired    AttestationStatus = "expired"
	AttestationSuperseded AttestationStatus = "superseded"
	AttestationRevoked    AttestationStatus = "revoked"
)

// Attestation is one version of an attestation of one application. It is
// never edited: a correction is a new version with the same number, and
// the previous version is marked superseded.
type Attestation struct {
	ID            int64
	ApplicationID int64
	Kind          AttestationKind
	Number        string
	Version       int
	ValidFrom     time.Time // first day it proves something
	ValidUntil    time.Time // last day, inclusive
	AvailableFrom time.Time // when the holder can download it (before ValidFrom)
	IssuedAt      time.Time
	Code          string // the signed code printed as a QR code
	PDFSum        string // the blob of its PDF, kept once signed; empty until then
	SupersededAt  *time.Time
	RevokedAt     *time.Time
	RevokeReason  string
}

// VersionStanding is what the verifier needs of one version of an
// attestation number: whether the prefecture revoked it, and whether it
// is signed (only a signed newer version supersedes an older one).
type VersionStanding struct {
	Version int
	Revoked bool
	Signed  bool
}

// StillProves reports whether the attestation proves something on day t
// or will later (valid or not yet valid): what a change of the data it
// carries must reissue.
func (a *Attestation) StillProves(t time.Time) bool {
	st := a.Status(t)
	return st == AttestationValid || st == AttestationPending
}

// Status says whether the attestation proves something on day t.
func (a *Attestation) Status(t time.Time) AttestationStatus {
	switch {
	case a.RevokedAt != nil:
		return AttestationRevoked
	case a.SupersededAt != nil:
		return AttestationSuperseded
	case t.Before(a.ValidFrom):
		return AttestationPending
	case !t.Before(a.ValidUntil.AddDate(0, 0, 1)):
		return AttestationExpired
	}
	return AttestationValid
}

// Covers reports whether the attestation is in force (not superseded or
// revoked) on the civil day d.
func (a *Attestation) Covers(d time.Time) bool {
	return a.SupersededAt == nil && a.RevokedAt == nil && !d.Before(a.ValidFrom) && !d.After(a.ValidUntil)
}
