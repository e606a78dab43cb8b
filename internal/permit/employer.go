package permit

import (
	"strings"
	"time"
)

// Organisation is an employer (or any organisation that checks a
// person's right to work): a company identified by its SIRET, with member
// accounts (RoleEmployer) and API keys. What it sees of persons is only
// what their share codes let it check.
type Organisation struct {
	ID        int64
	Name      string
	SIRET     string // 14 digits: the SIREN (9) and the establishment's number (5)
	Address   Address
	CreatedAt time.Time
}

// laPosteSIREN is the SIREN of La Poste, whose establishments' SIRETs do
// not follow the Luhn key: their digits add up to a multiple of 5
// (INSEE's rule for this one company, which has more establishments than
// the Luhn key can number); its head office, 356 000 000 00048, keeps the
// Luhn key.
const laPosteSIREN = "356000000"

// ValidSIRET reports whether s is 14 digits with a valid key: the Luhn
// key, or for La Poste's establishments a sum of digits that is a
// multiple of 5. The SIREN alone must pass the Luhn key too (La Poste's
// does).
func ValidSIRET(s string) bool {
	if len(s) != 14 || strings.Trim(s, "0123456789") != "" {
		return false
	}
	if !luhn(s[:9]) {
		return false
	}
	if luhn(s) {
		return true
	}
	if s[:9] != laPosteSIREN {
		return false
	}
	sum := 0
	for _, c := range s {
		sum += int(c - '0')
	}
	return sum%5 == 0
}

// luhn reports whether a string of digits passes the Luhn check: from the
// right, every second digit doubled (minus 9 above 9), the sum a multiple
// of 10.
func luhn(s string) bool {
	sum := 0
	for i := range len(s) {
		d := int(s[len(s)-1-i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// NormalizeSIRET drops the spaces, dots and dashes people type between
// the groups of a SIRET ("552 100 554 00025").
func NormalizeSIRET(s string) string {
	return strings.NewReplacer(" ", "", "\u00a0", "", ".", "", "-", "").Replace(strings.TrimSpace(s))
}

// APIKey is an organisation's key to the API. Only the hash of its secret
// is kept; the prefix identifies it in lists and logs, and is the part of
// the key before its secret (sjk_<prefix>_<secret>).
type APIKey struct {
	ID             int64
	OrganisationID int64
	Name           string
	Prefix         string
	CreatedBy      int64
	CreatedAt      time.Time
	LastUsedAt     *time.Time
	RevokedAt      *time.Time
}

// SharePurpose says what a person made a share code for.
type SharePurpose string

// The purposes of share codes.
const (
	ShareWork    SharePurpose = "work"
	ShareHousing SharePurpose = "housing"
	ShareOther   SharePurpose = "other"
)

// SharePurposes lists the purposes, in the order the form offers them.
var SharePurposes = []SharePurpose{ShareWork, ShareHousing, ShareOther}

// Valid reports whether p is a known purpose.
func (p SharePurpose) Valid() bool {
	for _, x := range SharePurposes {
		if p == x {
			return true
		}
	}
	return false
}

// ShareCode is a code a person created so that someone can check their
// right to work with it and their birth date. Only its hash is kept.
type ShareCode struct {
	ID        int64
	PersonID  int64
	Purpose   SharePurpose
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
}

// Live reports whether the code may be used at t.
func (c *ShareCode) Live(t time.Time) bool { return c.RevokedAt == nil && t.Before(c.ExpiresAt) }

// AttestationWorkCheck is the signed record of a right-to-work check
// (relevé de vérification du droit au travail): which organisation
// checked whom, when, and what it was answered. It is signed like an
// attestation, in format 2 of the claims (docs/attestation-format.md),
// and kept in work_checks, not among any application's attestations.
const AttestationWorkCheck AttestationKind = "work_check"

// WorkCheckNumberPrefix begins the number of a check record
// (VER-ABCD-EFGH).
const WorkCheckNumberPrefix = "VER"

// WorkBasis is what a check's answer rests on.
type WorkBasis string

// The bases of an answer: a current permit, a live attestation, or
// nothing that proves a right.
const (
	BasisPermit     WorkBasis = "permit"
	BasisExtension  WorkBasis = "extension"
	BasisFavourable WorkBasis = "favourable_decision"
	BasisNone       WorkBasis = "none"
)

// WorkCheck is the record of one right-to-work check: which organisation
// checked whom, when, by which member or API key, with which share code,
// and what it was answered. The answer is kept as it was given (the PDF
// is rendered again from it), with its signed code.
type WorkCheck struct {
	ID             int64
	Number         string
	OrganisationID int64
	Organisation   string // its name, read with the record
	SIRET          string
	AccountID      int64 // the member who checked on the page, or 0
	APIKeyID       int64 // the key that checked through the API, or 0
	ShareCodeID    int64
	PersonID       int64
	CheckedAt      time.Time
	GivenNames     string
	Surname        string
	BirthDate      string
	Work           string // a rules.WorkKind
	WorkHours      int    // hours a year, for a right limited in hours
	Until          time.Time
	Basis          WorkBasis
	PendingRenewal bool // the answer rests on an extension attestation of a pending renewal
	Ground         GroundID
	PrefectureCode string
	PrefectureName string
	Code           string // the signed code of the record
}
