package permit

import (
	"slices"
	"strconv"
	"time"
)

// ChangeSource says how a person's data came to change.
type ChangeSource string

const (
	// ChangeByApplicant is the applicant's own form: contact details at
	// any time, identity only while nothing was filed on it.
	ChangeByApplicant ChangeSource = "applicant"
	// ChangeAtCounter is an agent recording a person at the counter.
	ChangeAtCounter ChangeSource = "counter"
	// ChangeByCorrection is an accepted civil-data correction request.
	ChangeByCorrection ChangeSource = "correction"
	// ChangeByMove is the competent prefecture following a new address.
	ChangeByMove ChangeSource = "move"
	// ChangeByPrefecture is a prefecture confirming or fixing a record.
	ChangeByPrefecture ChangeSource = "prefecture"
)

// ChangeSources lists every source, for the catalogue's keys.
var ChangeSources = []ChangeSource{ChangeByApplicant, ChangeAtCounter, ChangeByCorrection, ChangeByMove, ChangeByPrefecture}

// PersonChange is one field of a person's data that changed, with the
// former value kept. The history is append-only.
type PersonChange struct {
	ID       int64
	PersonID int64
	Field    string // one of PersonFields' names, or FieldEmail
	Old, New string
	Source   ChangeSource
	// SourceRef is the record that caused the change, when one did: the
	// correction request for ChangeByCorrection.
	SourceRef int64
	ActorID   int64 // the account that made the change; 0 for the system
	At        time.Time
}

// The fields of a person's data the history names. Civil fields are the
// identity on the passport; contact fields are how to reach the person.
const (
	FieldGivenNames      = "given_names"
	FieldSurname         = "surname"
	FieldBirthDate       = "birth_date"
	FieldBirthPlace      = "birth_place"
	FieldNationality     = "nationality"
	FieldForeignerNumber = "foreigner_number"
	FieldAddressLine     = "address_line"
	FieldPostcode        = "postcode"
	FieldCity            = "city"
	FieldPhone           = "phone"
	FieldContactEmail    = "contact_email"
	FieldPrefecture      = "prefecture_id"
	// FieldEmail is the account's e-mail address, kept on the account
	// rather than the person, but part of the person's history.
	FieldEmail = "email"
	// FieldConfirmedAt is the day a prefecture checked the identity
	// against the passport.
	FieldConfirmedAt = "confirmed_at"
)

// CivilFields are the fields an applicant corrects only through a
// request with evidence, once something was filed on them.
var CivilFields = []string{FieldGivenNames, FieldSurname, FieldBirthDate, FieldBirthPlace, FieldNationality, FieldForeignerNumber}

// The declared current permit's dates, which decide the renewal window,
// lateness and the extension attestations: once filed on, they too are
// corrected only through a request with evidence (issue 11 §8).
const (
	FieldPermitValidFrom = "permit_valid_from"
	FieldPermitValidTo   = "permit_valid_to"
)

// PermitFields are the fields of the current permit a correction request
// may change.
var PermitFields = []string{FieldPermitValidFrom, FieldPermitValidTo}

// CorrectableFields are every field a correction request may change, in
// the order they are shown.
var CorrectableFields = append(append([]string{}, CivilFields...), PermitFields...)

// IsDateField reports whether name's values are civil days written
// YYYY-MM-DD (a birth date, a permit's dates, the day the identity was
// checked), which pages show in words.
func IsDateField(name string) bool {
	return name == FieldBirthDate || name == FieldConfirmedAt || IsPermitField(name)
}

// IsPermitField reports whether name is one of PermitFields.
func IsPermitField(name string) bool { return slices.Contains(PermitFields, name) }

// IsCivilField reports whether name is one of CivilFields.
func IsCivilField(name string) bool {
	for _, f := range CivilFields {
		if f == name {
			return true
		}
	}
	return false
}

// PersonField is one named value of a person's record.
type PersonField struct{ Name, Value string }

// Fields returns the person's data as named values, in a fixed order: the
// form the history compares and records.
func (p *Person) Fields() []PersonField {
	pref := ""
	if p.PrefectureID != 0 {
		pref = strconv.FormatInt(p.PrefectureID, 10)
	}
	return []PersonField{
		{FieldGivenNames, p.GivenNames},
		{FieldSurname, p.Surname},
		{FieldBirthDate, p.BirthDate},
		{FieldBirthPlace, p.BirthPlace},
		{FieldNationality, p.Nationality},
		{FieldForeignerNumber, p.ForeignerNumber},
		{FieldAddressLine, p.Address.Line},
		{FieldPostcode, p.Address.Postcode},
		{FieldCity, p.Address.City},
		{FieldPhone, p.Phone},
		{FieldContactEmail, p.ContactEmail},
		{FieldPrefecture, pref},
	}
}

// Changes lists the fields whose value differs from old to p, as changes
// (without source, actor or time).
func (p *Person) Changes(old *Person) []PersonChange {
	was := old.Fields()
	var out []PersonChange
	for i, f := range p.Fields() {
		if f.Value != was[i].Value {
			out = append(out, PersonChange{PersonID: old.ID, Field: f.Name, Old: was[i].Value, New: f.Value})
		}
	}
	return out
}
