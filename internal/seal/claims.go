package seal

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// Claims are what a code proves: the essential data of one version of
// one attestation, enough for a relying party to compare with the
// holder's passport and to know what the holder may do, without the
// portal. Dates are calendar dates written YYYY-MM-DD, with no time zone,
// as on the printed attestation.
type Claims struct {
	Kind            permit.AttestationKind
	Number          string          // the attestation's number, as printed
	Version         int             // 1, then 2, 3... when a correction replaces it
	GivenNames      string          // as on the passport; may be empty
	Surname         string          // as on the passport; may be empty, not both
	BirthDate       string          // YYYY-MM-DD; 00 or XX for an unknown month or day
	ForeignerNumber string          // numéro étranger (AGDREF), 10 digits; empty when unknown
	Ground          permit.GroundID // the legal ground of the application
	ApplicationKind permit.Kind
	Rights          Rights
	ValidFrom       string // first day the attestation is valid
	ValidUntil      string // last day it is valid; empty for no end date (filing receipts)
	Prefecture      Prefecture
	IssuedAt        time.Time // signed to the second, in UTC
	// Check is what only the record of a right-to-work check carries
	// (kind work_check, format 2); nil on every other kind.
	Check *CheckClaims
	// Declaration is what only the record of a pre-hire declaration
	// carries (kind declaration, format 3); nil on every other kind.
	Declaration *DeclarationClaims
}

// DeclarationClaims are the claims of a pre-hire declaration's record
// beyond the worker: who declared, the hire's first day, and the outcome.
type DeclarationClaims struct {
	Organisation string // the declaring organisation's name, ≤ 120 bytes
	SIRET        string // 14 digits with a valid key
	Outcome      permit.DeclarationStatus
	StartDate    string // the hire's first day, YYYY-MM-DD
}

// CheckClaims are the claims of a right-to-work check record beyond the
// holder and the answer: who checked, and whether the answer rests on a
// pending renewal.
type CheckClaims struct {
	Organisation   string // the organisation's name, ≤ 120 bytes
	SIRET          string // 14 digits with a valid key
	PendingRenewal bool   // the right rests on an extension attestation of a pending renewal
}

// Rights are the statements an attestation makes about what its holder
// may do, in the form a verifier can act on.
type Rights struct {
	// StayUntil is the last day of lawful stay the attestation proves;
	// empty when it proves none, as for a filing receipt, which by law
	// does not by itself prove lawful stay.
	StayUntil            string
	Work                 rules.Work
	TravelReentry        bool // may leave and re-enter France with the expired permit
	SocialRightsContinue bool
}

// Prefecture is the issuing authority.
type Prefecture struct {
	Code string // e.g. "75"
	Name string // e.g. "Préfecture de police"
}

// ClaimsOf gathers the claims of attestation a from the domain's records:
// its holder, its application, the issuing prefecture, and the rights the
// catalogue grants it (rules.Catalogue.Rights). The domain's days are
// midnight UTC of the Paris day, so their UTC date is the printed date.
func ClaimsOf(a *permit.Attestation, holder *permit.Person, app *permit.Application, pref *permit.Prefecture, r rules.Granted) *Claims {
	c := &Claims{
		Kind:            a.Kind,
		Number:          a.Number,
		Version:         a.Version,
		GivenNames:      holder.GivenNames,
		Surname:         holder.Surname,
		BirthDate:       holder.BirthDate,
		ForeignerNumber: holder.ForeignerNumber,
		Ground:          app.Ground,
		ApplicationKind: app.Kind,
		Rights: Rights{
			Work:                 r.Work,
			TravelReentry:        r.TravelReentry,
			SocialRightsContinue: r.SocialRightsContinue,
		},
		ValidFrom:  dateOf(a.ValidFrom),
		ValidUntil: dateOf(a.ValidUntil),
		Prefecture: Prefecture{Code: pref.Code, Name: pref.Name},
		IssuedAt:   a.IssuedAt.UTC().Truncate(time.Second),
	}
	if r.Stay {
		c.Rights.StayUntil = dateOf(r.StayUntil)
	}
	return c
}

// dateOf is the date of a domain day; the zero time has none.
func dateOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// Bounds on the claims, so that a code always fits a QR code a phone can
// read, and a verifier never handles unbounded text.
const (
	maxNameBytes   = 120
	maxNumberBytes = 40
	maxIDBytes     = 40
	maxHoursPerYr  = 8784         // hours in a leap year
	maxDay         = 2932896      // 9999-12-31, in days since 1970-01-01
	maxIssuedAt    = 253402300799 // 9999-12-31T23:59:59Z, in Unix seconds
)

// Validate reports every problem of the claims at once. Sign refuses
// claims that do not validate, and Verify reports signed claims that do
// not validate as malformed, so a verifier never shows half-checked data.
func (c *Claims) Validate() error {
	var problems []string
	bad := func(field, format string, args ...any) {
		problems = append(problems, field+": "+fmt.Sprintf(format, args...))
	}
	if toCode(kindCodes, c.Kind) == 0 {
		bad("kind", "%q is not a kind of attestation", c.Kind)
	}
	checkText(bad, "number", c.Number, maxNumberBytes, true)
	if c.Version < 1 || c.Version > 9999 {
		bad("version", "%d is not between 1 and 9999", c.Version)
	}
	checkText(bad, "given names", c.GivenNames, maxNameBytes, false)
	checkText(bad, "surname", c.Surname, maxNameBytes, false)
	if c.GivenNames == "" && c.Surname == "" {
		bad("surname", "a holder needs a surname or given names")
	}
	if !validBirthDate(c.BirthDate) {
		bad("birth date", "%q is not YYYY-MM-DD", c.BirthDate)
	}
	if c.ForeignerNumber != "" && (len(c.ForeignerNumber) != 10 || strings.Trim(c.ForeignerNumber, "0123456789") != "") {
		bad("foreigner number", "%q is not 10 digits", c.ForeignerNumber)
	}
	record := c.Kind == permit.AttestationWorkCheck || c.Kind == permit.AttestationDeclaration
	if !validID(string(c.Ground)) && (!record || c.Ground != "") {
		bad("ground", "%q is not a ground id (a-z, 0-9, _)", c.Ground)
	}
	if record && c.ApplicationKind != "" {
		bad("application kind", "a check record names no application")
	} else if !record && !c.ApplicationKind.Valid() {
		bad("application kind", "%q is not a kind of application", c.ApplicationKind)
	}
	c.Rights.validate(bad, c.Kind)
	c.validateCheck(bad)
	c.validateDeclaration(bad)
	from, okFrom := parseDay(c.ValidFrom)
	if !okFrom {
		bad("valid from", "%q is not a date YYYY-MM-DD after 1970", c.ValidFrom)
	}
	if c.ValidUntil == "" && !c.Kind.Open() && !(record && c.Rights.Work.Kind == rules.WorkNone) {
		bad("valid until", "only a filing receipt, an attestation of attempt or a check record answering no right may have no end date")
	} else if until, ok := parseDay(c.ValidUntil); c.ValidUntil != "" && !ok {
		bad("valid until", "%q is not a date YYYY-MM-DD after 1970", c.ValidUntil)
	} else if ok && okFrom && until.Before(from) {
		bad("valid until", "%s is before valid from %s", c.ValidUntil, c.ValidFrom)
	}
	checkText(bad, "prefecture code", c.Prefecture.Code, 8, true)
	checkText(bad, "prefecture name", c.Prefecture.Name, maxNameBytes, true)
	if c.IssuedAt.Unix() <= 0 || c.IssuedAt.Unix() > maxIssuedAt {
		bad("issued at", "missing or out of range")
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// validateCheck checks what only a check record carries, and that no
// other kind carries it.
func (c *Claims) validateCheck(bad func(string, string, ...any)) {
	if c.Kind != permit.AttestationWorkCheck {
		if c.Check != nil {
			bad("organisation", "only a check record names an organisation")
		}
		return
	}
	if c.Check == nil {
		bad("organisation", "a check record names the organisation that checked")
		return
	}
	checkText(bad, "organisation", c.Check.Organisation, maxNameBytes, true)
	if !permit.ValidSIRET(c.Check.SIRET) {
		bad("siret", "%q is not a SIRET (14 digits with a valid key)", c.Check.SIRET)
	}
	if c.Rights.TravelReentry || c.Rights.SocialRightsContinue {
		bad("rights", "a check record states the right to work only")
	}
	if c.Check.PendingRenewal && c.Rights.StayUntil == "" {
		bad("pending renewal", "a pending renewal is stated with the stay it proves")
	}
}

// validateDeclaration checks what only a declaration's record carries,
// and that no other kind carries it.
func (c *Claims) validateDeclaration(bad func(string, string, ...any)) {
	if c.Kind != permit.AttestationDeclaration {
		if c.Declaration != nil {
			bad("outcome", "only a declaration's record states an outcome")
		}
		return
	}
	d := c.Declaration
	if d == nil || c.Check != nil {
		bad("outcome", "a declaration's record states the declaring organisation and the outcome, and no check")
		return
	}
	checkText(bad, "organisation", d.Organisation, maxNameBytes, true)
	if !permit.ValidSIRET(d.SIRET) {
		bad("siret", "%q is not a SIRET (14 digits with a valid key)", d.SIRET)
	}
	if toCode(outcomeCodes, d.Outcome) == 0 {
		bad("outcome", "%q is not an outcome of a declaration", d.Outcome)
	}
	if _, ok := parseDay(d.StartDate); !ok {
		bad("start date", "%q is not a date YYYY-MM-DD after 1970", d.StartDate)
	}
	if c.ValidUntil != "" {
		bad("valid until", "a declaration's record has no end date")
	}
	if c.Rights.TravelReentry || c.Rights.SocialRightsContinue {
		bad("rights", "a declaration's record states the right to work only")
	}
}

func (r *Rights) validate(bad func(string, string, ...any), k permit.AttestationKind) {
	if r.StayUntil != "" {
		if _, ok := parseDay(r.StayUntil); !ok {
			bad("stay until", "%q is not a date YYYY-MM-DD after 1970", r.StayUntil)
		}
		if k.Open() {
			bad("stay until", "a filing receipt, an attestation of attempt or a declaration's record does not prove lawful stay")
		}
	}
	if !r.Work.Kind.Valid() {
		bad("work", "%q is not a kind of right to work", r.Work.Kind)
	}
	limited := r.Work.Kind == rules.WorkLimitedHours
	if limited && (r.Work.HoursPerYear < 1 || r.Work.HoursPerYear > maxHoursPerYr) {
		bad("work hours", "%d is not between 1 and %d hours a year", r.Work.HoursPerYear, maxHoursPerYr)
	} else if !limited && r.Work.HoursPerYear != 0 {
		bad("work hours", "set for a right to work that is not limited in hours")
	}
}

// checkText refuses text a printed attestation could not show faithfully:
// too long, invalid UTF-8, control characters, or surrounding spaces.
func checkText(bad func(string, string, ...any), field, s string, max int, required bool) {
	switch {
	case s == "" && required:
		bad(field, "missing")
	case len(s) > max:
		bad(field, "longer than %d bytes", max)
	case !utf8.ValidString(s):
		bad(field, "not UTF-8")
	case strings.TrimSpace(s) != s:
		bad(field, "%q has spaces around it", s)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		bad(field, "%q has a control character", s)
	}
}

func parseDate(s string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil && len(s) == len(time.DateOnly)
}

// parseDay parses a date that the wire can carry: after 1970-01-01.
func parseDay(s string) (time.Time, bool) {
	t, ok := parseDate(s)
	return t, ok && t.After(epoch)
}

// validBirthDate accepts a full date, or a partial one as passports print
// it: a month and day of 00 or XX when unknown.
func validBirthDate(s string) bool {
	if _, ok := parseDate(s); ok {
		return true
	}
	if len(s) != 10 || s[4] != '-' || s[7] != '-' || strings.Trim(s[:4], "0123456789") != "" {
		return false
	}
	month, day := s[5:7], s[8:10]
	unknown := func(p string) bool { return p == "00" || p == "XX" }
	if unknown(month) {
		return unknown(day)
	}
	if !unknown(day) {
		return false
	}
	_, err := time.Parse("2006-01", s[:7])
	return err == nil
}

func validID(s string) bool {
	return s != "" && len(s) <= maxIDBytes && strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == ""
}
