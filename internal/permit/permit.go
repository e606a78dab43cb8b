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

// The roles. An agent is scoped to one or more prefectures. The help
// desk answers reports of problems for every prefecture's users without
// opening case files; the database keeps it as an agent account with a
// flag (decision 0003), and the store gives it this role.
const (
	RoleApplicant Role = "applicant"
	RoleAgent     Role = "agent"
	RoleAdmin     Role = "admin"
	RoleHelpDesk  Role = "help_desk"
	// RoleEmployer is a member of an employer's organisation
	// (permit/employer.go); the database keeps it as an applicant account
	// with a membership row, as it keeps the help desk (decision 0003).
	RoleEmployer Role = "employer"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	return r == RoleApplicant || r == RoleAgent || r == RoleAdmin || r == RoleHelpDesk || r == RoleEmployer
}

// Prefecture is the authority that decides on applications of the people
// living in its departments.
type Prefecture struct {
	ID          int64
	Code        string // stable short code, e.g. "75" for Paris
	Name        string
	Departments []string // department codes it is competent for
	Email       string   // where mails for the prefecture go (messages from applicants)
}

// Account is a way to log in. Applicants have a Person; agents have
// prefecture scopes.
type Account struct {
	ID          int64
	Email       string
	Role        Role
	Lang        string // preferred language of pages and mails: one of the translation catalogue's (i18n), e.g. "fr"
	ConfirmedAt *time.Time
	DisabledAt  *time.Time
	CreatedAt   time.Time
	Prefectures []int64 // for agents: the prefectures they work for
	// Supervisor marks an agent who may also undo a mistaken step and
	// read the audit trail of their prefectures. Admins may do both.
	Supervisor bool
	// EnrolledAt is when a staff account enrolled its second factor
	// (TOTP); nil until then.
	EnrolledAt *time.Time
	// OrganisationID is the employer's organisation of a member
	// (RoleEmployer); OrgAdmin marks who administers it (members, API
	// keys), and must pass the second factor to do so.
	OrganisationID int64
	OrgAdmin       bool
}

// Staff reports whether the account works for a prefecture (agent,
// supervisor or admin).
func (a *Account) Staff() bool { return a != nil && (a.Role == RoleAgent || a.Role == RoleAdmin) }

// HelpDesk reports whether the account is the help desk's.
func (a *Account) HelpDesk() bool { return a != nil && a.Role == RoleHelpDesk }

// Backoffice reports whether the account works in the back office at
// all: staff or help desk. Every such account passes a second factor.
func (a *Account) Backoffice() bool { return a.Staff() || a.HelpDesk() }

// Employer reports whether the account is a member of an employer's
// organisation.
func (a *Account) Employer() bool { return a != nil && a.Role == RoleEmployer && a.OrganisationID != 0 }

// SecondFactorRequired reports whether the account has a second factor
// to pass before some of its pages answer: every back-office account, and
// the administrators of an employer's organisation (for the members and
// API keys; their checks need none).
func (a *Account) SecondFactorRequired() bool { return a.Backoffice() || (a.Employer() && a.OrgAdmin) }

// Supervises reports whether the account may undo steps and read the audit
// trail: a supervisor, or an admin.
func (a *Account) Supervises() bool {
	return a != nil && (a.Role == RoleAdmin || (a.Role == RoleAgent && a.Supervisor))
}

// Admin reports whether the account administers the portal.
func (a *Account) Admin() bool { return a != nil && a.Role == RoleAdmin }

// WorksFor reports whether a staff account may see the cases of a
// prefecture: an agent of that prefecture, or an admin.
func (a *Account) WorksFor(prefectureID int64) bool {
	if a == nil {
		return false
	}
	if a.Role == RoleAdmin {
		return true
	}
	if a.Role != RoleAgent {
		return false
	}
	for _, p := range a.Prefectures {
		if p == prefectureID {
			return true
		}
	}
	return false
}

// StaffTitle is the translation key of a staff account's role as shown.
func (a *Account) StaffTitle() string {
	switch {
	case a.Role == RoleAdmin:
		return "role.admin"
	case a.Role == RoleHelpDesk:
		return "role.help_desk"
	case a.Supervisor:
		return "role.supervisor"
	}
	return "role.agent"
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
	Address         Address
	Phone           string
	// ContactEmail is an address an agent recorded for a person who has
	// no account, so that mails about their file still reach them.
	ContactEmail string
	// ConfirmedAt is when a prefecture checked the identity against the
	// passport; until then everything above is shown as "declared".
	ConfirmedAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Address is a postal address in France; its department decides the
// competent prefecture.
type Address struct {
	Line     string
	Postcode string
	City     string
}

// Department returns the department of a French postcode: its first two
// digits, three for overseas departments, 2A or 2B for Corsica. It
// returns false when the postcode is not five digits.
func (a Address) Department() (string, bool) {
	pc := strings.TrimSpace(a.Postcode)
	if len(pc) != 5 || strings.Trim(pc, "0123456789") != "" {
		return "", false
	}
	switch {
	case strings.HasPrefix(pc, "97"), strings.HasPrefix(pc, "98"):
		return pc[:3], true
	case strings.HasPrefix(pc, "200"), strings.HasPrefix(pc, "201"):
		return "2A", true
	case strings.HasPrefix(pc, "20"):
		return "2B", true
	case strings.HasPrefix(pc, "00"):
		return "", false
	}
	return pc[:2], true
}

// Serves reports whether the prefecture is competent for a department.
func (p *Prefecture) Serves(department string) bool {
	for _, d := range p.Departments {
		if d == department {
			return true
		}
	}
	return false
}

// Permit is a titre de séjour: the one a person holds now, or held before.
type Permit struct {
	ID        int64
	PersonID  int64
	Ground    GroundID
	Number    string
	ValidFrom time.Time
	ValidTo   time.Time
	// ConfirmedAt is when a prefecture confirmed the permit; until then
	// it is as declared by the applicant.
	ConfirmedAt *time.Time
}

// Expired reports whether the permit is past its last day at t.
func (p *Permit) Expired(t time.Time) bool { return t.After(p.ValidTo.AddDate(0, 0, 1)) }
