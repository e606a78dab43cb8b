// Package permit is the vocabulary of sejour: persons, accounts,
// prefectures, permits (titres de séjour), applications (demandes) and the
// state machine they follow. It imports only the standard library; the
// store, the web and the job queue depend on it, never the other way round.
package permit

import (
	"strings"
	"time"
)

// GroundID names a legal ground (motif) of the rules catalogue, such as
// "student" or "employee". The catalogue itself lives in package rules.
type GroundID string

// Role is what an account may do.
type Role string

// The roles. An agent is scoped to one or more prefectures.
const (
	RoleApplicant Role = "applicant"
	RoleAgent     Role = "agent"
	RoleAdmin     Role = "admin"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	return r == RoleApplicant || r == RoleAgent || r == RoleAdmin
}

// Prefecture is the authority that decides on applications of the people
// living in its departments.
type Prefecture struct {
	ID          int64
	Code        string // stable short code, e.g. "75" for Paris
	Name        string
	Departments []string // department codes it is competent for
}

// Account is a way to log in. Applicants have a Person; agents have
// prefecture scopes.
type Account struct {
	ID          int64
	Email       string
	Role        Role
	Lang        string // preferred language of mails: "fr" or "en"
	ConfirmedAt *time.Time
	DisabledAt  *time.Time
	CreatedAt   time.Time
	Prefectures []int64 // for agents: the prefectures they work for
}

// Confirmed reports whether the account's e-mail address was confirmed.
func (a *Account) Confirmed() bool { return a.ConfirmedAt != nil }

// CanAct reports whether the account may log in at all.
func (a *Account) CanAct() bool { return a.Confirmed() && a.DisabledAt == nil }

// NormalizeEmail returns the form of an e-mail address used to find an
// account: trimmed and lower-cased.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Person is the civil identity of an applicant, as declared on the
// passport. Declared data is shown as such until a prefecture confirms it.
type Person struct {
	ID              int64
	AccountID       int64
	GivenNames      string
	Surname         string
	BirthDate       string // YYYY-MM-DD; a string because partial dates exist
	BirthPlace      string
	Nationality     string // ISO 3166-1 alpha-3
	ForeignerNumber string // numéro étranger (AGDREF), 10 digits, when known
	PrefectureID    int64  // the competent prefecture, from the home address
	CreatedAt       time.Time
}

// Permit is a titre de séjour: the one a person holds now, or held before.
type Permit struct {
	ID        int64
	PersonID  int64
	Ground    GroundID
	Number    string
	ValidFrom time.Time
	ValidTo   time.Time
}

// Expired reports whether the permit is past its last day at t.
func (p *Permit) Expired(t time.Time) bool { return t.After(p.ValidTo.AddDate(0, 0, 1)) }
