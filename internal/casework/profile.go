package casework

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sejour/sejour/internal/permit"
)

// ProfileForm is the civil identity, contact details and current permit
// an applicant declares.
type ProfileForm struct {
	GivenNames, Surname, BirthDate, BirthPlace, Nationality, ForeignerNumber string
	AddressLine, Postcode, City, Phone                                       string

	HasPermit                                        bool
	PermitGround, PermitNumber, PermitFrom, PermitTo string
}

// Profile is what the profile page shows.
type Profile struct {
	Person     *permit.Person // nil before the first save
	Permit     *permit.Permit // nil when none was declared
	Prefecture *permit.Prefecture
	// Locked says the identity and the declared permit are no longer
	// edited here: something was filed on them, or a prefecture confirmed
	// them. They are corrected through a request with evidence.
	Locked      bool
	Corrections []*permit.Correction  // newest first
	History     []permit.PersonChange // oldest first
}

// Pending returns the correction request awaiting a decision, if any.
func (p *Profile) Pending() *permit.Correction {
	for _, c := range p.Corrections {
		if c.Status == permit.CorrectionPending {
			return c
		}
	}
	return nil
}

// Profile returns the applicant's declared identity and permit.
func (s *Applications) Profile(ctx context.Context, acc *permit.Account) (*Profile, error) {
	p, err := s.applicantPerson(ctx, acc)
	if err != nil || p == nil {
		return &Profile{}, err
	}
	out := &Profile{Person: p}
	if pm, err := s.People.CurrentPermit(ctx, p.ID); err == nil {
		out.Permit = pm
	} else if permit.ErrorCode(err) != permit.ENOTFOUND {
		return nil, err
	}
	if p.PrefectureID != 0 {
		if out.Prefecture, err = s.People.Prefecture(ctx, p.PrefectureID); err != nil {
			return nil, err
		}
	}
	if out.Locked, err = s.IdentityLocked(ctx, p); err != nil {
		return nil, err
	}
	if out.Corrections, err = s.Cases.CorrectionsByPerson(ctx, p.ID); err != nil {
		return nil, err
	}
	if out.History, err = s.Cases.PersonChanges(ctx, p.ID); err != nil {
		return nil, err
	}
	return out, nil
}

// SaveProfile validates and saves the applicant's declarations. The first
// save records everything, and the department of the address decides the
// competent prefecture. After it, the contact details change only on
// their own page, after the password (ChangeContact); the identity and
// the declared permit change here only while nothing was filed on them
// (IdentityLocked), and through a correction request after. A form that
// tries to change what it may not is refused field by field, and nothing
// is saved.
func (s *Applications) SaveProfile(ctx context.Context, acc *permit.Account, f ProfileForm) error {
	old, err := s.applicantPerson(ctx, acc)
	if err != nil {
		return err
	}
	if old == nil {
		p, pm, err := s.validateProfile(ctx, f, nil)
		if err != nil {
			return err
		}
		p.AccountID = acc.ID
		return s.Store.SaveProfile(ctx, p, pm)
	}
	errs := map[string]string{}
	keep := func(field string, submitted *string, current string) {
		if strings.TrimSpace(*submitted) != "" && strings.TrimSpace(*submitted) != current {
			errs[field] = "profile.error.contact_elsewhere"
		}
		*submitted = current
	}
	keep("address_line", &f.AddressLine, old.Address.Line)
	keep("postcode", &f.Postcode, old.Address.Postcode)
	keep("city", &f.City, old.Address.City)
	keep("phone", &f.Phone, old.Phone)
	locked, err := s.IdentityLocked(ctx, old)
	if err != nil {
		return err
	}
	p, pm, err := s.validateProfile(ctx, f, errs)
	if err != nil {
		return err
	}
	p.ID, p.AccountID = old.ID, acc.ID
	if locked {
		for _, c := range p.Changes(old) {
			if permit.IsCivilField(c.Field) {
				errs[c.Field] = "profile.error.locked"
			}
		}
		if pm != nil {
			errs["permit_number"] = "profile.error.locked"
		}
		if err := permit.Invalid(errs); err != nil {
			return err
		}
		return nil // nothing it may change was changed
	}
	return s.Store.SaveProfile(ctx, p, pm)
}

// validateProfile checks a profile form, the applicant's or the one an
// agent fills at the counter, and places the person with the prefecture
// competent for their address. errs may carry the caller's own field
// errors, reported together with these.
func (s *core) validateProfile(ctx context.Context, f ProfileForm, errs map[string]string) (*permit.Person, *permit.Permit, error) {
	if errs == nil {
		errs = map[string]string{}
	}
	text := func(field, value string, required bool, max int) string {
		v := strings.TrimSpace(value)
		switch {
		case v == "" && required:
			errs[field] = "profile.error.required"
		case utf8.RuneCountInString(v) > max:
			errs[field] = "profile.error.too_long"
		}
		return v
	}
	p := &permit.Person{}
	s.validateCivil(p, f, errs)
	p.Address.Line = text("address_line", f.AddressLine, true, 200)
	p.Address.City = text("city", f.City, true, 100)
	p.Address.Postcode = strings.TrimSpace(f.Postcode)
	p.Phone = text("phone", f.Phone, false, 20)
	if p.Phone != "" && strings.Trim(p.Phone, "+0123456789 .-()") != "" {
		errs["phone"] = "profile.error.phone"
	}
	if _, ok := errs["postcode"]; !ok {
		if err := s.placePerson(ctx, p); err != nil {
			if permit.ErrorCode(err) != permit.EINVALID {
				return nil, nil, err
			}
			errs["postcode"], _ = permit.ErrorMessage(err)
		}
	}
	pm := s.declaredPermit(f, errs)
	if err := permit.Invalid(errs); err != nil {
		return nil, nil, err
	}
	return p, pm, nil
}

// validateCivil reads the civil identity of a form into p, as the
// profile, the counter and a correction request take it: names, birth
// date and place, nationality, foreigner number. Field errors go to errs.
func (s *core) validateCivil(p *permit.Person, f ProfileForm, errs map[string]string) {
	text := func(field, value string, max int) string {
		v := strings.TrimSpace(value)
		switch {
		case v == "":
			errs[field] = "profile.error.required"
		case utf8.RuneCountInString(v) > max:
			errs[field] = "profile.error.too_long"
		}
		return v
	}
	p.GivenNames = text("given_names", f.GivenNames, 100)
	p.Surname = text("surname", f.Surname, 100)
	p.BirthPlace = text("birth_place", f.BirthPlace, 100)
	p.Nationality = strings.ToUpper(strings.TrimSpace(f.Nationality))
	p.ForeignerNumber = strings.ReplaceAll(strings.TrimSpace(f.ForeignerNumber), " ", "")
	now := s.Clock.Now()
	if b, err := time.Parse(time.DateOnly, strings.TrimSpace(f.BirthDate)); err != nil || b.After(now) || b.Before(now.AddDate(-120, 0, 0)) {
		errs["birth_date"] = "profile.error.birth_date"
	} else {
		p.BirthDate = b.Format(time.DateOnly)
	}
	if len(p.Nationality) != 3 || strings.Trim(p.Nationality, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		errs["nationality"] = "profile.error.nationality"
	}
	if p.ForeignerNumber != "" && (len(p.ForeignerNumber) != 10 || strings.Trim(p.ForeignerNumber, "0123456789") != "") {
		errs["foreigner_number"] = "profile.error.foreigner_number"
	}
}

// placePerson sets the prefecture competent for the person's address.
func (s *core) placePerson(ctx context.Context, p *permit.Person) error {
	dept, ok := p.Address.Department()
	if !ok {
		return permit.Errorf(permit.EINVALID, "profile.error.postcode")
	}
	prefs, err := s.People.Prefectures(ctx)
	if err != nil {
		return err
	}
	for _, pref := range prefs {
		if pref.Serves(dept) {
			p.PrefectureID = pref.ID
			return nil
		}
	}
	return permit.Errorf(permit.EINVALID, "profile.error.no_prefecture")
}

// declaredPermit reads the current-permit part of the form, if filled.
func (s *core) declaredPermit(f ProfileForm, errs map[string]string) *permit.Permit {
	if !f.HasPermit {
		return nil
	}
	pm := &permit.Permit{Ground: permit.GroundID(f.PermitGround), Number: strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(f.PermitNumber), " ", ""))}
	if _, ok := s.Rules.Ground(pm.Ground); !ok {
		errs["permit_ground"] = "profile.error.permit_ground"
	}
	if pm.Number == "" || len(pm.Number) > 20 || strings.Trim(pm.Number, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		errs["permit_number"] = "profile.error.permit_number"
	}
	from, errFrom := time.Parse(time.DateOnly, strings.TrimSpace(f.PermitFrom))
	to, errTo := time.Parse(time.DateOnly, strings.TrimSpace(f.PermitTo))
	if errFrom != nil {
		errs["permit_from"] = "profile.error.date"
	}
	if errTo != nil {
		errs["permit_to"] = "profile.error.date"
	} else if errFrom == nil && !to.After(from) {
		errs["permit_to"] = "profile.error.permit_dates"
	}
	pm.ValidFrom, pm.ValidTo = from, to
	return pm
}
