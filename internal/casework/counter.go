package casework

import (
	"context"
	"crypto/rand"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// CounterStore is what the backup channel needs besides the applicant's
// file: applications started on a person's behalf, finding persons, and
// claim codes.
type CounterStore interface {
	CreateOnBehalf(ctx context.Context, a *permit.Application, ob *permit.OnBehalf, actor permit.Actor) error
	// OnBehalf returns how an application came in; ENOTFOUND if it does not exist.
	FindPersons(ctx context.Context, q permit.PersonQuery, prefectureIDs []int64, limit int) ([]*permit.Person, error)
	IssueClaimCode(ctx context.Context, c *permit.ClaimCode) error
	// ClaimCodeByHash returns a code, used or not, or ENOTFOUND.
	ClaimCodeByHash(ctx context.Context, hash string) (*permit.ClaimCode, error)
	// ActiveClaimCode returns the person's code that still works, or ENOTFOUND.
	ActiveClaimCode(ctx context.Context, personID int64) (*permit.ClaimCode, error)
	// Claim links the person to the account and uses the code; ECONFLICT
	// when the code or the person was taken meanwhile.
	Claim(ctx context.Context, codeID, personID, accountID, emptyPersonID int64) error
}

// ClaimTTL is how long a claim code works.
const ClaimTTL = 90 * 24 * time.Hour

// claimAlphabet has no letters or digits that read alike (0/O, 1/I/L, 5/S, 2/Z,
// 8/B): a code is read aloud at a counter and typed from paper.
const claimAlphabet = "ACDEFGHJKMNPQRTUVWXY34679"

// claimLength is the number of characters of a code: 25^12 ≈ 2^55.
const claimLength = 12

// searchLimit bounds the persons a search lists.
const searchLimit = 50

// counterPrefectures are the prefectures whose persons an account may
// find: an agent's own, every one for an admin.
func (s *core) counterPrefectures(ctx context.Context, acc *permit.Account) ([]int64, error) {
	if !acc.Staff() {
		return nil, errNotFound
	}
	if !acc.Admin() {
		return acc.Prefectures, nil
	}
	prefs, err := s.People.Prefectures(ctx)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, p := range prefs {
		ids = append(ids, p.ID)
	}
	return ids, nil
}

// FindPersons looks persons up for staff: by foreigner number exactly, or
// by surname and birth date together, or by e-mail. Only persons whose
// competent prefecture is one of the agent's are found; others are not,
// as if they did not exist.
func (s *Counter) FindPersons(ctx context.Context, acc *permit.Account, q permit.PersonQuery) ([]*permit.Person, error) {
	prefs, err := s.counterPrefectures(ctx, acc)
	if err != nil {
		return nil, err
	}
	q = permit.PersonQuery{ForeignerNumber: stripSpaces(strings.TrimSpace(q.ForeignerNumber)), Surname: strings.TrimSpace(q.Surname),
		BirthDate: strings.TrimSpace(q.BirthDate), Email: permit.NormalizeEmail(q.Email)}
	errs := map[string]string{}
	switch {
	case q.ForeignerNumber != "":
		if len(q.ForeignerNumber) != 10 || strings.Trim(q.ForeignerNumber, "0123456789") != "" {
			errs["foreigner_number"] = "profile.error.foreigner_number"
		}
	case q.Surname != "" || q.BirthDate != "":
		if q.Surname == "" {
			errs["surname"] = "counter.error.surname_and_birth"
		}
		if _, err := time.Parse(time.DateOnly, q.BirthDate); err != nil {
			errs["birth_date"] = "counter.error.surname_and_birth"
		}
	case q.Email != "":
		if !plausibleEmail(q.Email) {
			errs["email"] = "counter.error.email"
		}
	default:
		errs["foreigner_number"] = "counter.error.no_criterion"
	}
	if err := permit.Invalid(errs); err != nil {
		return nil, err
	}
	return s.Store.FindPersons(ctx, q, prefs, searchLimit)
}

func plausibleEmail(e string) bool {
	at := strings.LastIndexByte(e, '@')
	return at > 0 && at < len(e)-1 && len(e) <= 254 && !strings.ContainsAny(e, " \t\r\n<>,;")
}

// CreatePerson records a person who comes to the counter, with or without
// an account elsewhere: the same checks as the applicant's own profile,
// plus an optional contact address for mails. The person must live in one
// of the agent's prefectures.
func (s *Counter) CreatePerson(ctx context.Context, acc *permit.Account, f ProfileForm, contactEmail string) (*permit.Person, error) {
	if !acc.Staff() {
		return nil, errNotFound
	}
	errs := map[string]string{}
	contactEmail = permit.NormalizeEmail(contactEmail)
	if contactEmail != "" && !plausibleEmail(contactEmail) {
		errs["contact_email"] = "counter.error.email"
	}
	p, pm, err := s.validateProfile(ctx, f, errs)
	if err != nil {
		return nil, err
	}
	if !acc.WorksFor(p.PrefectureID) {
		return nil, permit.Invalid(map[string]string{"postcode": "counter.error.other_prefecture"})
	}
	p.ContactEmail = contactEmail
	ctx = audit.With(ctx, audit.Entry{ActorAccountID: acc.ID, Action: "counter_create_person", PrefectureID: p.PrefectureID,
		Resolve: func(e *audit.Entry) { e.PersonID = p.ID }})
	if err := s.Profiles.SaveProfile(ctx, p, pm); err != nil {
		return nil, err
	}
	return p, nil
}

// CounterPerson is a person as the counter sees them: identity, their
// applications with how each came in, and whether they can claim online.
type CounterPerson struct {
	Person     *permit.Person
	Permit     *permit.Permit
	Prefecture *permit.Prefecture
	Apps       []CounterApp
	HasAccount bool
	// CodeExpires is when the person's current claim code stops working;
	// nil when they have none.
	CodeExpires *time.Time
}

// CounterApp is one application of a person at the counter.
type CounterApp struct {
	App      *permit.Application
	Ground   *rules.Ground
	OnBehalf *permit.OnBehalf
}

// counterPerson returns a person of one of the agent's prefectures, or
// ENOTFOUND.
func (s *core) counterPerson(ctx context.Context, acc *permit.Account, personID int64) (*permit.Person, error) {
	if !acc.Staff() {
		return nil, errNotFound
	}
	p, err := s.People.Person(ctx, personID)
	if err != nil || !acc.WorksFor(p.PrefectureID) {
		return nil, errNotFound
	}
	return p, nil
}

// StaffPerson returns a person and their applications for the counter.
func (s *Counter) StaffPerson(ctx context.Context, acc *permit.Account, personID int64) (*CounterPerson, error) {
	p, err := s.counterPerson(ctx, acc, personID)
	if err != nil {
		return nil, err
	}
	// Opening a person's page is opening their file: recorded before it is shown.
	e := audit.Entry{ActorAccountID: acc.ID, Action: ActionPersonView, PrefectureID: p.PrefectureID, PersonID: p.ID}
	if err := s.People.RecordAudit(audit.With(ctx, e)); err != nil {
		return nil, err
	}
	out := &CounterPerson{Person: p, HasAccount: p.AccountID != 0}
	if pm, err := s.People.CurrentPermit(ctx, p.ID); err == nil {
		out.Permit = pm
	} else if permit.ErrorCode(err) != permit.ENOTFOUND {
		return nil, err
	}
	if out.Prefecture, err = s.People.Prefecture(ctx, p.PrefectureID); err != nil {
		return nil, err
	}
	apps, err := s.People.ApplicationsByPerson(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	for _, a := range apps {
		g, _ := s.Rules.Ground(a.Ground)
		ob, err := s.People.OnBehalf(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		out.Apps = append(out.Apps, CounterApp{App: a, Ground: g, OnBehalf: ob})
	}
	if c, err := s.Store.ActiveClaimCode(ctx, p.ID); err == nil {
		out.CodeExpires = &c.ExpiresAt
	} else if permit.ErrorCode(err) != permit.ENOTFOUND {
		return nil, err
	}
	return out, nil
}

// OnBehalfForm is an application an agent starts for a person: what it
// is, how it came in, and how the person consented.
type OnBehalfForm struct {
	StartForm
	Channel    permit.Channel
	Consent    bool   // the agent ticks that the person consents
	ConsentHow string // one of permit.ConsentWays
}

// StartOnBehalf opens a draft for a person, at the counter, by phone or
// from a paper form. The person's consent is required and recorded with
// the agent who took it; every rule of Start applies unchanged (profile,
// ground and kind, declared permit, one open application per ground).
func (s *Counter) StartOnBehalf(ctx context.Context, acc *permit.Account, personID int64, f OnBehalfForm) (*permit.Application, error) {
	p, err := s.counterPerson(ctx, acc, personID)
	if err != nil {
		return nil, err
	}
	errs := map[string]string{}
	if !slices.Contains(permit.OnBehalfChannels, f.Channel) {
		errs["channel"] = "counter.error.channel"
	}
	if !f.Consent {
		errs["consent"] = "counter.error.consent"
	}
	if !slices.Contains(permit.ConsentWays, f.ConsentHow) {
		errs["consent_how"] = "counter.error.consent_how"
	}
	now := s.Clock.Now()
	return s.apps.open(ctx, p, f.StartForm, errs, func(a *permit.Application) error {
		ob := &permit.OnBehalf{Channel: f.Channel, By: acc.ID, ConsentAt: &now, ConsentBy: acc.ID, ConsentHow: f.ConsentHow}
		ctx := audit.With(ctx, audit.Entry{ActorAccountID: acc.ID, Action: "counter_start", PrefectureID: a.PrefectureID, PersonID: p.ID,
			Detail: string(f.Channel) + "; consent " + f.ConsentHow, Resolve: func(e *audit.Entry) { e.ApplicationID = a.ID }})
		return s.Store.CreateOnBehalf(ctx, a, ob, actorOf(acc))
	})
}

// FileOnBehalf files an application an agent prepared for a person, once
// the agent confirms the person agrees to file it as it stands. The
// checks are those of File, which it calls.
func (s *Counter) FileOnBehalf(ctx context.Context, acc *permit.Account, appID int64, confirmed bool) (*permit.Filing, error) {
	if _, _, err := s.applicantSide(ctx, acc, appID); err != nil {
		return nil, err
	}
	if !confirmed {
		return nil, permit.Invalid(map[string]string{"confirm": "counter.error.confirm"})
	}
	return s.apps.File(ctx, acc, appID)
}

// CounterCase is an application as the counter agent prepares it.
type CounterCase struct {
	*Case
	OnBehalf *permit.OnBehalf
}

// CounterView returns an application of the agent's prefectures with how
// it came in; the page offers editing only while it is Assisted.
func (s *Counter) CounterView(ctx context.Context, acc *permit.Account, appID int64) (*CounterCase, error) {
	c, err := s.desk.StaffView(ctx, acc, appID)
	if err != nil {
		return nil, err
	}
	ob, err := s.People.OnBehalf(ctx, appID)
	if err != nil {
		return nil, err
	}
	return &CounterCase{Case: c, OnBehalf: ob}, nil
}

// StaffReceipt returns the filing receipt of an application of the
// agent's prefectures, to print it for the person. With a claim code (as
// just issued to the agent), the code is printed on it too, if it is the
// person's code that still works.
func (s *Counter) StaffReceipt(ctx context.Context, acc *permit.Account, appID int64, code string) (*Receipt, error) {
	c, err := s.desk.StaffView(ctx, acc, appID)
	if err != nil {
		return nil, err
	}
	rc, err := s.receiptOf(ctx, c)
	if err != nil {
		return nil, err
	}
	if code != "" {
		cc, err := s.Store.ClaimCodeByHash(ctx, HashSecret(normalizeClaim(code)))
		if err != nil || cc.PersonID != c.Person.ID || cc.UsedAt != nil || !cc.ExpiresAt.After(s.Clock.Now()) {
			return nil, permit.Invalid(map[string]string{"code": "claim.error.wrong"})
		}
		rc.ClaimCode, rc.ClaimExpires = FormatClaim(normalizeClaim(code)), cc.ExpiresAt
	}
	return rc, nil
}

// IssueClaimCode makes a new claim code for a person without an account,
// replacing any earlier one. The code is returned once, to be handed to
// the person; only its hash is kept.
func (s *Counter) IssueClaimCode(ctx context.Context, acc *permit.Account, personID int64) (string, time.Time, error) {
	p, err := s.counterPerson(ctx, acc, personID)
	if err != nil {
		return "", time.Time{}, err
	}
	if p.AccountID != 0 {
		return "", time.Time{}, permit.Errorf(permit.ECONFLICT, "counter.error.has_account")
	}
	code := newClaimCode()
	c := &permit.ClaimCode{Hash: HashSecret(code), PersonID: p.ID, IssuedBy: acc.ID, ExpiresAt: s.Clock.Now().Add(ClaimTTL)}
	ctx = audit.With(ctx, audit.Entry{ActorAccountID: acc.ID, Action: "counter_claim_code", PrefectureID: p.PrefectureID, PersonID: p.ID})
	if err := s.Store.IssueClaimCode(ctx, c); err != nil {
		return "", time.Time{}, err
	}
	return FormatClaim(code), c.ExpiresAt, nil
}

// Claim gives the signed-in applicant the person a claim code was issued
// for, with all their applications and history. The account must have no
// profile of its own yet: two identities are never merged silently.
func (s *Counter) Claim(ctx context.Context, acc *permit.Account, code string) (*permit.Person, error) {
	if acc == nil || acc.Role != permit.RoleApplicant {
		return nil, errNotFound
	}
	code = normalizeClaim(code)
	if len(code) != claimLength || strings.Trim(code, claimAlphabet) != "" {
		return nil, permit.Invalid(map[string]string{"code": "claim.error.wrong"})
	}
	cc, err := s.Store.ClaimCodeByHash(ctx, HashSecret(code))
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		return nil, permit.Invalid(map[string]string{"code": "claim.error.wrong"})
	} else if err != nil {
		return nil, err
	}
	switch {
	case cc.UsedAt != nil:
		return nil, permit.Invalid(map[string]string{"code": "claim.error.used"})
	case !cc.ExpiresAt.After(s.Clock.Now()):
		return nil, permit.Invalid(map[string]string{"code": "claim.error.expired"})
	}
	var empty int64
	if own, err := s.People.PersonByAccount(ctx, acc.ID); err == nil {
		apps, err := s.People.ApplicationsByPerson(ctx, own.ID)
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(own.Surname+own.GivenNames) != "" || len(apps) > 0 {
			return nil, &permit.ClaimBlockedError{Person: own.ID}
		}
		empty = own.ID
	} else if permit.ErrorCode(err) != permit.ENOTFOUND {
		return nil, err
	}
	if err := s.Store.Claim(ctx, cc.ID, cc.PersonID, acc.ID, empty); err != nil {
		if permit.ErrorCode(err) == permit.ECONFLICT {
			return nil, permit.Invalid(map[string]string{"code": "claim.error.used"})
		}
		return nil, err
	}
	return s.People.Person(ctx, cc.PersonID)
}

// newClaimCode returns claimLength random characters of claimAlphabet,
// drawn without bias.
func newClaimCode() string { return newCode(claimLength) }

// newCode returns n random characters of claimAlphabet, drawn without
// bias: claim codes, and the follow codes of reports of problems.
func newCode(n int) string {
	out := make([]byte, 0, n)
	b := make([]byte, 1)
	limit := 256 - 256%len(claimAlphabet)
	for len(out) < n {
		rand.Read(b) // never fails: crypto/rand panics rather than return an error
		if int(b[0]) < limit {
			out = append(out, claimAlphabet[int(b[0])%len(claimAlphabet)])
		}
	}
	return string(out)
}

// FormatClaim groups a code by four for reading: "ACDE-FGHJ-KMNP".
func FormatClaim(code string) string {
	var b strings.Builder
	for i, r := range code {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// normalizeClaim reads a code as typed: any case, with or without the
// dashes and spaces between groups.
func normalizeClaim(code string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		if r == '-' || r == ' ' || r == '\u00a0' {
			continue
		}
		if utf8.RuneLen(r) == 1 {
			b.WriteRune(r)
		} else {
			b.WriteByte('?')
		}
	}
	return b.String()
}
