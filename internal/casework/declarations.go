package casework

import (
	"context"
	"crypto/subtle"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// DeclarationStore is what pre-hire declarations need from the database.
type DeclarationStore interface {
	CreateDeclaration(ctx context.Context, d *permit.Declaration) error
	CloseDeclaration(ctx context.Context, d *permit.Declaration, m *permit.Mail) error
	Declaration(ctx context.Context, id int64) (*permit.Declaration, error)
	OrganisationDeclarations(ctx context.Context, organisationID int64, limit int) ([]*permit.Declaration, error)
	PersonDeclarations(ctx context.Context, personID int64, limit int) ([]*permit.Declaration, error)
	ReferredDeclarations(ctx context.Context, prefectureIDs []int64, limit int) ([]*permit.Declaration, error)
	SilentDeclarations(ctx context.Context, day time.Time, limit int) ([]*permit.Declaration, error)
	Members(ctx context.Context, organisationID int64) ([]*permit.Account, error)
}

// Declarations are the pre-hire declarations of R.5221-41: the employer
// declares a hire with the worker's share code and birth date; when the
// worker's right to work covers it the answer is immediate and signed,
// otherwise the competent prefecture answers within two working days,
// and its silence then meets the employer's duty (SweepSilence). Who
// declares is a Checker, as for a check.
type Declarations struct {
	*core
	Store  DeclarationStore
	checks *WorkChecks
}

// The audit trail's actions of declarations. ActionDeclaration is in the
// worker's "who opened my file" when it matched them.
const (
	ActionDeclaration        = "declaration"
	ActionDeclarationAnswer  = "declaration_answer"
	ActionDeclarationSilence = "declaration_silence"
)

// Bounds of a declaration's form.
const (
	maxDeclaredName  = 120
	maxJob           = 120
	maxRefusalReason = 1000
	maxWeeklyHours   = 48 // the legal weekly maximum (L.3121-20)
	silenceBatch     = 100
)

// DeclarationForm is what the employer types.
type DeclarationForm struct {
	ShareCode   string
	BirthDate   string // YYYY-MM-DD
	GivenNames  string // the worker as on their papers
	Surname     string
	StartDate   string // YYYY-MM-DD
	Job         string
	WeeklyHours string
	Contract    string
}

// declared is a form read into its values.
type declared struct {
	code  string
	start time.Time
	hours int
}

// validate reads the form. The start must leave the catalogue's notice
// (two working days) between today and the hire, and be within a year.
func (s *Declarations) validate(f DeclarationForm, now time.Time) (declared, error) {
	var v declared
	code, err := CheckForm{ShareCode: f.ShareCode, BirthDate: f.BirthDate}.validate(now)
	v.code = code
	errs, args := map[string]string{}, map[string][]any{}
	var inv *permit.Error
	if errors.As(err, &inv) {
		for k, msg := range inv.Fields {
			errs[k] = msg
		}
	}
	text := func(field, s string, max int, required bool) {
		s = strings.TrimSpace(s)
		switch {
		case s == "" && required:
			errs[field] = "declaration.error." + field + "_required"
		case utf8.RuneCountInString(s) > max:
			errs[field] = "declaration.error.too_long"
			args[field] = []any{max}
		}
	}
	text("surname", f.Surname, maxDeclaredName, true)
	text("given_names", f.GivenNames, maxDeclaredName, false)
	text("job", f.Job, maxJob, true)
	today := permit.ParisDay(now)
	start, perr := time.Parse(time.DateOnly, strings.TrimSpace(f.StartDate))
	earliest, eerr := s.Rules.Declarations.EarliestStart(today)
	switch {
	case strings.TrimSpace(f.StartDate) == "":
		errs["start_date"] = "declaration.error.start_required"
	case perr != nil:
		errs["start_date"] = "declaration.error.start_format"
	case eerr != nil || start.After(today.AddDate(1, 0, 0)):
		errs["start_date"] = "declaration.error.start_far"
	case start.Before(earliest):
		errs["start_date"] = "declaration.error.start_too_soon"
		args["start_date"] = []any{s.Rules.Declarations.NoticeWorkingDays, earliest.Format("02/01/2006")}
	}
	v.start = start
	n, herr := strconv.Atoi(strings.TrimSpace(f.WeeklyHours))
	if herr != nil || n < 1 || n > maxWeeklyHours {
		errs["weekly_hours"] = "declaration.error.hours"
		args["weekly_hours"] = []any{maxWeeklyHours}
	}
	v.hours = n
	if !permit.ContractKind(f.Contract).Valid() {
		errs["contract"] = "declaration.error.contract"
	}
	return v, permit.InvalidWith(errs, args)
}

// authorised reports whether a checker is one: an organisation with
// either its member or its key.
func (by Checker) authorised() bool {
	return by.Organisation != nil && (by.Account == nil) != (by.Key == nil) &&
		(by.Account == nil || (by.Account.Employer() && by.Account.OrganisationID == by.Organisation.ID)) &&
		(by.Key == nil || by.Key.OrganisationID == by.Organisation.ID)
}

// Declare records a pre-hire declaration. When the share code and birth
// date match a live work code, the worker's right to work (as a check
// derives it) decides: a right that covers the hire (full, or limited in
// hours that the declared week fits, lasting at least until the start)
// closes it at once as covered, signed; anything else refers it to the
// prefecture of the worker's file. When they do not match, it is referred
// to the prefecture of the organisation's address, with the worker as
// declared, and the employer is told only that the prefecture examines it,
// as for any referral: nothing about any person. The declaration, its
// audit entry and the key's last use commit together.
func (s *Declarations) Declare(ctx context.Context, by Checker, f DeclarationForm) (*permit.Declaration, error) {
	if !by.authorised() {
		return nil, errNotFound
	}
	now := s.Clock.Now()
	v, err := s.validate(f, now)
	if err != nil {
		return nil, err
	}
	d := &permit.Declaration{Number: permit.NewReference(permit.DeclarationNumberPrefix), OrganisationID: by.Organisation.ID,
		Organisation: by.Organisation.Name, SIRET: by.Organisation.SIRET, DeclaredAt: now.UTC().Truncate(time.Microsecond),
		GivenNames: strings.TrimSpace(f.GivenNames), Surname: strings.TrimSpace(f.Surname), BirthDate: strings.TrimSpace(f.BirthDate),
		StartDate: v.start, Job: strings.TrimSpace(f.Job), WeeklyHours: v.hours, Contract: permit.ContractKind(f.Contract)}
	if by.Account != nil {
		d.AccountID = by.Account.ID
	} else {
		d.APIKeyID = by.Key.ID
	}
	p, err := s.match(ctx, v.code, d.BirthDate, now)
	if err != nil {
		return nil, err
	}
	var pref *permit.Prefecture
	if p != nil {
		if pref, err = s.assess(ctx, d, p, now); err != nil {
			return nil, err
		}
	} else if pref, err = s.prefectureOf(ctx, by.Organisation); err != nil {
		return nil, err
	}
	d.Reason = permit.ReferralNoMatch
	if p != nil {
		d.Reason = referral(d, s.Rules.Declarations)
	}
	d.PrefectureID, d.PrefectureCode, d.PrefectureName = pref.ID, pref.Code, pref.Name
	if d.Reason == "" {
		d.Status, d.AnsweredAt = permit.DeclarationCovered, &d.DeclaredAt
		if d.Code, err = s.Sealer.SealDeclaration(d, now); err != nil {
			return nil, err
		}
	} else {
		d.Status = permit.DeclarationReferred
		if d.DueDate, err = s.Rules.Declarations.AnswerDue(permit.ParisDay(now)); err != nil {
			return nil, err
		}
	}
	e := audit.Entry{Action: ActionDeclaration, PersonID: d.PersonID, PrefectureID: d.PrefectureID,
		Detail: by.Organisation.Name + " (SIRET " + by.Organisation.SIRET + ") " + d.Number}
	if by.Account != nil {
		e.ActorAccountID = by.Account.ID
	}
	if err := s.Store.CreateDeclaration(audit.With(ctx, e), d); err != nil {
		return nil, err
	}
	return d, nil
}

// match returns the holder of a live work share code whose birth date is
// the one typed, or nil: the same single read whatever was wrong.
func (s *Declarations) match(ctx context.Context, code, birth string, now time.Time) (*permit.Person, error) {
	sc, born, err := s.checks.Store.ShareCodeByHash(ctx, HashSecret(code))
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(born), []byte(birth)) != 1 || !sc.Live(now) || sc.Purpose != permit.ShareWork {
		return nil, nil
	}
	return s.People.Person(ctx, sc.PersonID)
}

// assess puts the worker's right to work on the declaration, with the
// worker as the portal knows them, and returns their prefecture.
func (s *Declarations) assess(ctx context.Context, d *permit.Declaration, p *permit.Person, now time.Time) (*permit.Prefecture, error) {
	r, err := s.checks.RightToWork(ctx, p, now)
	if err != nil {
		return nil, err
	}
	d.PersonID, d.GivenNames, d.Surname, d.BirthDate = p.ID, p.GivenNames, p.Surname, p.BirthDate
	d.Work, d.WorkHours, d.Until, d.Ground = string(r.Work.Kind), r.Work.HoursPerYear, r.Until, r.Ground
	return r.Prefecture, nil
}

// referral says why a matched declaration goes to the prefecture, or ""
// when the right covers it: a full right, or one limited in hours whose
// weekly share (the catalogue's hours a year over its weeks) the declared
// week fits, lasting at least until the start.
func referral(d *permit.Declaration, r *rules.Declarations) permit.ReferralReason {
	switch rules.WorkKind(d.Work) {
	case rules.WorkFull, rules.WorkLimitedHours:
	default:
		return permit.ReferralRestricted
	}
	if d.Until.IsZero() || d.Until.Before(d.StartDate) {
		return permit.ReferralEndsBefore
	}
	if rules.WorkKind(d.Work) == rules.WorkLimitedHours && d.WeeklyHours*60 > r.WeeklyMinutes(d.WorkHours) {
		return permit.ReferralLimitedHours
	}
	return ""
}

// prefectureOf is the prefecture of the département of the organisation's
// address: the one that examines a declaration matching no one.
func (s *Declarations) prefectureOf(ctx context.Context, o *permit.Organisation) (*permit.Prefecture, error) {
	dept, ok := o.Address.Department()
	prefs, err := s.People.Prefectures(ctx)
	if err != nil {
		return nil, err
	}
	for _, pref := range prefs {
		if ok && pref.Serves(dept) {
			return pref, nil
		}
	}
	return nil, permit.Errorf(permit.ECONFLICT, "declaration.error.no_prefecture")
}

// organisationOf is the organisation whose declarations a checker may
// read, or 0.
func (by Checker) organisationOf() int64 {
	switch {
	case by.Account != nil && by.Account.Employer():
		return by.Account.OrganisationID
	case by.Key != nil:
		return by.Key.OrganisationID
	}
	return 0
}

// List is the checker's organisation's declarations, newest first.
func (s *Declarations) List(ctx context.Context, by Checker) ([]*permit.Declaration, error) {
	org := by.organisationOf()
	if org == 0 {
		return nil, errNotFound
	}
	return s.Store.OrganisationDeclarations(ctx, org, maxListedChecks)
}

// Get is one of the checker's organisation's declarations; another
// organisation's is ENOTFOUND.
func (s *Declarations) Get(ctx context.Context, by Checker, id int64) (*permit.Declaration, error) {
	org := by.organisationOf()
	d, err := s.Store.Declaration(ctx, id)
	if org == 0 || err != nil || d.OrganisationID != org {
		return nil, errNotFound
	}
	return d, nil
}

// ForWorker lists the declarations an applicant was matched to, newest
// first: the worker sees who declared hiring them.
func (s *Declarations) ForWorker(ctx context.Context, acc *permit.Account) ([]*permit.Declaration, error) {
	if acc == nil || acc.Role != permit.RoleApplicant {
		return nil, errNotFound
	}
	p, err := s.People.PersonByAccount(ctx, acc.ID)
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return s.Store.PersonDeclarations(ctx, p.ID, maxListedChecks)
}
