package casework

import (
	"context"
	"crypto/subtle"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/permit"
)

// WorkCheckStore is what share codes and right-to-work checks need from
// the database.
type WorkCheckStore interface {
	CreateShareCode(ctx context.Context, c *permit.ShareCode, hash string) error
	ShareCodes(ctx context.Context, personID int64) ([]*permit.ShareCode, error)
	RevokeShareCode(ctx context.Context, personID, id int64) error
	ShareCodeByHash(ctx context.Context, hash string) (*permit.ShareCode, string, error)
	RecordWorkCheck(ctx context.Context, w *permit.WorkCheck) error
	OrganisationChecks(ctx context.Context, organisationID int64, limit int) ([]*permit.WorkCheck, error)
	PersonChecks(ctx context.Context, personID int64, limit int) ([]*permit.WorkCheck, error)
	WorkCheck(ctx context.Context, id int64) (*permit.WorkCheck, error)
	Organisation(ctx context.Context, id int64) (*permit.Organisation, error)
}

// WorkChecks are share codes (the person's side) and the right-to-work
// checks made with them (the employer's side, on the page or through the
// API), each producing a signed record.
type WorkChecks struct {
	*core
	Store WorkCheckStore
}

// ShareAlphabet is the alphabet of share codes: 32 symbols without 0, O,
// 1 and I, so that a code read aloud or copied by hand is not mistyped.
// Nine of them make 45 bits (docs/security.md has the arithmetic).
const ShareAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// Share codes' shape and limits.
const (
	ShareCodeLength = 9
	maxLiveCodes    = 10  // live codes a person may hold at once
	maxListedChecks = 500 // checks listed on a page
	// ActionWorkCheck is the audit trail's action of a check: the person
	// sees it in "who opened my file".
	ActionWorkCheck = "work_check"
)

// randomCode draws n symbols of ShareAlphabet from crypto/rand.
func randomCode(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = ShareAlphabet[randIndex(len(ShareAlphabet))]
	}
	return string(b)
}

// FormatShareCode shows a code in three groups: ABC-DEF-GHJ.
func FormatShareCode(code string) string {
	if len(code) != ShareCodeLength {
		return code
	}
	return code[:3] + "-" + code[3:6] + "-" + code[6:]
}

// NormalizeShareCode reads a code as typed: any case, with or without
// dashes and spaces. It reports false when what is left is not nine
// symbols of the alphabet.
func NormalizeShareCode(s string) (string, bool) {
	s = strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "\u00a0", "", "\t", "").Replace(strings.TrimSpace(s)))
	if len(s) != ShareCodeLength || strings.Trim(s, ShareAlphabet) != "" {
		return "", false
	}
	return s, true
}

// ShareCodeView is one of a person's codes with the checks made with it.
type ShareCodeView struct {
	*permit.ShareCode
	Live   bool
	Checks []*permit.WorkCheck
}

// sharer returns the person of an applicant's account, or ENOTFOUND; an
// applicant without a profile yet is told to fill it in first.
func (s *WorkChecks) sharer(ctx context.Context, acc *permit.Account) (*permit.Person, error) {
	if acc == nil || acc.Role != permit.RoleApplicant {
		return nil, errNotFound
	}
	p, err := s.People.PersonByAccount(ctx, acc.ID)
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		return nil, permit.Errorf(permit.ECONFLICT, "share.error.profile_first")
	}
	return p, err
}

// CreateShareCode makes a share code for a purpose, valid for the
// catalogue's days, and returns it in clear, this once: only its SHA-256
// is kept.
func (s *WorkChecks) CreateShareCode(ctx context.Context, acc *permit.Account, purpose string) (string, *permit.ShareCode, error) {
	p, err := s.sharer(ctx, acc)
	if err != nil {
		return "", nil, err
	}
	if !permit.SharePurpose(purpose).Valid() {
		return "", nil, permit.Invalid(map[string]string{"purpose": "share.error.purpose"})
	}
	codes, err := s.Store.ShareCodes(ctx, p.ID)
	if err != nil {
		return "", nil, err
	}
	now, live := s.Clock.Now(), 0
	for _, c := range codes {
		if c.Live(now) {
			live++
		}
	}
	if live >= maxLiveCodes {
		return "", nil, permit.InvalidWith(map[string]string{"purpose": "share.error.too_many"}, map[string][]any{"purpose": {maxLiveCodes}})
	}
	c := &permit.ShareCode{PersonID: p.ID, Purpose: permit.SharePurpose(purpose), CreatedAt: now,
		ExpiresAt: now.AddDate(0, 0, s.Rules.ShareCodes.ValidityDays)}
	for range 3 { // a code drawn twice (2^-45 a try) is drawn again
		code := randomCode(ShareCodeLength)
		if err = s.Store.CreateShareCode(ctx, c, HashSecret(code)); permit.ErrorCode(err) != permit.ECONFLICT {
			return code, c, err
		}
	}
	return "", nil, err
}

// ShareCodes lists the person's codes, newest first, each with the checks
// made with it (which organisation, when).
func (s *WorkChecks) ShareCodes(ctx context.Context, acc *permit.Account) ([]ShareCodeView, error) {
	p, err := s.sharer(ctx, acc)
	if permit.ErrorCode(err) == permit.ECONFLICT {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	codes, err := s.Store.ShareCodes(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	checks, err := s.Store.PersonChecks(ctx, p.ID, maxListedChecks)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	out := make([]ShareCodeView, 0, len(codes))
	for _, c := range codes {
		v := ShareCodeView{ShareCode: c, Live: c.Live(now)}
		for _, w := range checks {
			if w.ShareCodeID == c.ID {
				v.Checks = append(v.Checks, w)
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// RevokeShareCode ends one of the person's codes at once; the checks made
// with it stay recorded.
func (s *WorkChecks) RevokeShareCode(ctx context.Context, acc *permit.Account, id int64) error {
	p, err := s.sharer(ctx, acc)
	if permit.ErrorCode(err) == permit.ECONFLICT {
		return errNotFound // no profile, so no code of theirs
	} else if err != nil {
		return err
	}
	return s.Store.RevokeShareCode(ctx, p.ID, id)
}

// Checker is who checks: an organisation, through one of its members (on
// the page) or one of its API keys.
type Checker struct {
	Organisation *permit.Organisation
	Account      *permit.Account // the member, or nil
	Key          *permit.APIKey  // the API key, or nil
}

// ErrNoMatch is the one answer to a check whose code is unknown, revoked,
// expired, made for another purpose, or whose birth date differs: the
// caller learns nothing of which.
var ErrNoMatch = permit.Errorf(permit.ENOTFOUND, "workcheck.no_match")

// CheckForm is what a checker types: the code and the birth date.
type CheckForm struct {
	ShareCode string
	BirthDate string // YYYY-MM-DD
}

// validate reads the form into the code, or field errors about its
// shape only, which say nothing of any code.
func (f CheckForm) validate(now time.Time) (string, error) {
	errs := map[string]string{}
	code, ok := NormalizeShareCode(f.ShareCode)
	if strings.TrimSpace(f.ShareCode) == "" {
		errs["share_code"] = "workcheck.error.code_required"
	} else if !ok {
		errs["share_code"] = "workcheck.error.code_format"
	}
	born, err := time.Parse(time.DateOnly, strings.TrimSpace(f.BirthDate))
	if strings.TrimSpace(f.BirthDate) == "" {
		errs["birth_date"] = "workcheck.error.birth_date_required"
	} else if err != nil || born.After(now) || born.Before(now.AddDate(-120, 0, 0)) {
		errs["birth_date"] = "workcheck.error.birth_date"
	}
	return code, permit.Invalid(errs)
}

// Check answers a right-to-work check. When the code is live, made for
// work, and the birth date is its holder's, it records the check (the
// signed record, the audit entry that puts it in the person's list of
// accesses, the key's last use, in one transaction) and returns the
// record: the answer is given only once it is committed. Otherwise it is
// ErrNoMatch, after the same single read whatever was wrong.
func (s *WorkChecks) Check(ctx context.Context, by Checker, f CheckForm) (*permit.WorkCheck, error) {
	if by.Organisation == nil || (by.Account == nil) == (by.Key == nil) ||
		(by.Account != nil && (!by.Account.Employer() || by.Account.OrganisationID != by.Organisation.ID)) ||
		(by.Key != nil && by.Key.OrganisationID != by.Organisation.ID) {
		return nil, errNotFound
	}
	now := s.Clock.Now()
	code, err := f.validate(now)
	if err != nil {
		return nil, err
	}
	sc, born, err := s.Store.ShareCodeByHash(ctx, HashSecret(code))
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		return nil, ErrNoMatch
	} else if err != nil {
		return nil, err
	}
	same := subtle.ConstantTimeCompare([]byte(born), []byte(strings.TrimSpace(f.BirthDate))) == 1
	if !same || !sc.Live(now) || sc.Purpose != permit.ShareWork {
		return nil, ErrNoMatch
	}
	w, err := s.answer(ctx, by, sc, now)
	if err != nil {
		return nil, err
	}
	detail := by.Organisation.Name + " (SIRET " + by.Organisation.SIRET + ") " + w.Number
	e := audit.Entry{Action: ActionWorkCheck, PersonID: sc.PersonID, Detail: detail}
	if by.Account != nil {
		e.ActorAccountID = by.Account.ID
	}
	err = s.Store.RecordWorkCheck(audit.With(ctx, e), w)
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		return nil, ErrNoMatch // revoked meanwhile
	}
	return w, err
}

// answer derives the answer for the holder of a share code and signs its
// record.
func (s *WorkChecks) answer(ctx context.Context, by Checker, sc *permit.ShareCode, now time.Time) (*permit.WorkCheck, error) {
	p, err := s.People.Person(ctx, sc.PersonID)
	if err != nil {
		return nil, err
	}
	r, err := s.RightToWork(ctx, p, now)
	if err != nil {
		return nil, err
	}
	w := &permit.WorkCheck{Number: permit.NewReference(permit.WorkCheckNumberPrefix), OrganisationID: by.Organisation.ID,
		Organisation: by.Organisation.Name, SIRET: by.Organisation.SIRET, ShareCodeID: sc.ID, PersonID: p.ID,
		CheckedAt: now.UTC().Truncate(time.Second), GivenNames: p.GivenNames, Surname: p.Surname, BirthDate: p.BirthDate,
		Work: string(r.Work.Kind), WorkHours: r.Work.HoursPerYear, Until: r.Until, Basis: r.Basis,
		PendingRenewal: r.PendingRenewal, Ground: r.Ground, PrefectureCode: r.Prefecture.Code, PrefectureName: r.Prefecture.Name}
	if by.Account != nil {
		w.AccountID = by.Account.ID
	} else {
		w.APIKeyID = by.Key.ID
	}
	if w.Code, err = s.Sealer.SealWorkCheck(w); err != nil {
		return nil, err
	}
	return w, nil
}

// History lists the member's organisation's checks, newest first.
func (s *WorkChecks) History(ctx context.Context, acc *permit.Account) ([]*permit.WorkCheck, error) {
	if !acc.Employer() {
		return nil, errNotFound
	}
	return s.Store.OrganisationChecks(ctx, acc.OrganisationID, maxListedChecks)
}

// Record returns one of the organisation's check records: a member's, or
// an API key's. Another organisation's is ENOTFOUND.
func (s *WorkChecks) Record(ctx context.Context, by Checker, id int64) (*permit.WorkCheck, error) {
	var org int64
	switch {
	case by.Account != nil && by.Account.Employer():
		org = by.Account.OrganisationID
	case by.Key != nil:
		org = by.Key.OrganisationID
	default:
		return nil, errNotFound
	}
	w, err := s.Store.WorkCheck(ctx, id)
	if err != nil || w.OrganisationID != org {
		return nil, errNotFound
	}
	return w, nil
}

// Organisation is a checker's organisation, read for the page's checks.
func (s *WorkChecks) Organisation(ctx context.Context, acc *permit.Account) (*permit.Organisation, error) {
	if !acc.Employer() {
		return nil, errNotFound
	}
	return s.Store.Organisation(ctx, acc.OrganisationID)
}
