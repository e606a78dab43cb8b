package permit

import "time"

// AttestationDeclaration is the signed record of a pre-hire declaration
// (déclaration préalable à l'embauche d'un salarié étranger, Code du
// travail R.5221-41) once it has its outcome: covered at once, authorised
// or refused by the prefecture, or met by the prefecture's silence. It is
// signed like an attestation, in format 3 of the claims
// (docs/attestation-format.md, section 7c), and kept in declarations.
const AttestationDeclaration AttestationKind = "declaration"

// DeclarationNumberPrefix begins the number of a declaration
// (DEC-ABCD-EFGH).
const DeclarationNumberPrefix = "DEC"

// DeclarationStatus is where a declaration stands. Referred is the only
// open one; the four others are outcomes, each with a signed record.
type DeclarationStatus string

// The statuses of a declaration.
const (
	// DeclarationCovered: the worker's right to work covers the hire; the
	// answer was immediate.
	DeclarationCovered DeclarationStatus = "covered"
	// DeclarationReferred: sent to the competent prefecture, which answers
	// by the due day.
	DeclarationReferred DeclarationStatus = "referred"
	// DeclarationAuthorised and DeclarationRefused: the prefecture's
	// answer.
	DeclarationAuthorised DeclarationStatus = "authorised"
	DeclarationRefused    DeclarationStatus = "refused"
	// DeclarationSilence: the due day passed without an answer; silence
	// means the employer's duty is met (R.5221-41).
	DeclarationSilence DeclarationStatus = "silence"
)

// DeclarationOutcomes are the outcomes in the order of their wire codes
// (docs/attestation-format.md, table D): append, never reorder.
var DeclarationOutcomes = []DeclarationStatus{DeclarationCovered, DeclarationAuthorised, DeclarationRefused, DeclarationSilence}

// Closed reports whether the declaration has its outcome.
func (s DeclarationStatus) Closed() bool { return s != DeclarationReferred && s != "" }

// ReferralReason says why a declaration went to the prefecture.
type ReferralReason string

// The reasons of a referral. NoMatch is never shown to the employer as
// such: it learns only that the prefecture examines the declaration.
const (
	ReferralLimitedHours ReferralReason = "limited_hours" // more weekly hours than a limited right allows
	ReferralEndsBefore   ReferralReason = "ends_before"   // the right ends before the start
	ReferralRestricted   ReferralReason = "restricted"    // a right limited to a job or an activity, or none
	ReferralNoMatch      ReferralReason = "no_match"      // the share code and birth date did not match
)

// ContractKind is the contract a declaration names.
type ContractKind string

// The kinds of contract.
const (
	ContractPermanent      ContractKind = "permanent"      // CDI
	ContractFixedTerm      ContractKind = "fixed_term"     // CDD
	ContractTemporary      ContractKind = "temporary"      // intérim
	ContractApprenticeship ContractKind = "apprenticeship" // apprentissage
	ContractSeasonal       ContractKind = "seasonal"       // saisonnier
)

// ContractKinds lists the kinds, in the order the form offers them.
var ContractKinds = []ContractKind{ContractPermanent, ContractFixedTerm, ContractTemporary, ContractApprenticeship, ContractSeasonal}

// Valid reports whether k is a known kind of contract.
func (k ContractKind) Valid() bool {
	for _, x := range ContractKinds {
		if k == x {
			return true
		}
	}
	return false
}

// Declaration is one pre-hire declaration: who declared whom (the worker
// as the employer named them), the hire, and where it stands. PersonID
// is 0 when the share code and birth date matched no one; the worker is
// then only as declared, and the prefecture of the organisation's
// address examines it.
type Declaration struct {
	ID             int64
	Number         string
	OrganisationID int64
	Organisation   string // its name, read with the declaration
	SIRET          string
	AccountID      int64 // the member who declared, or 0
	APIKeyID       int64 // the key that declared, or 0
	PersonID       int64 // the worker matched, or 0
	DeclaredAt     time.Time
	// The worker as declared by the employer, and as the portal knows
	// them when matched (the record then states the portal's).
	GivenNames string
	Surname    string
	BirthDate  string
	// The hire.
	StartDate   time.Time // a day, midnight UTC
	Job         string
	WeeklyHours int
	Contract    ContractKind
	// The right found when matched: a rules.WorkKind and its hours, until.
	Work      string
	WorkHours int
	Until     time.Time
	Ground    GroundID

	Status         DeclarationStatus
	Reason         ReferralReason // why referred; empty when covered at once
	PrefectureID   int64
	PrefectureCode string
	PrefectureName string
	DueDate        time.Time // the last day to answer, when referred
	AnsweredAt     *time.Time
	AnsweredBy     int64  // the agent, for authorised and refused
	RefusalReason  string // the agent's reason, for refused
	Code           string // the signed record of the outcome; empty while referred
}

// Matched reports whether the share code and birth date matched a
// person.
func (d *Declaration) Matched() bool { return d.PersonID != 0 }
