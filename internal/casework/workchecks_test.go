package casework_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/blob"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/seal"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/rooms"
	"github.com/sejour/sejour/internal/store/storetest"
	"github.com/sejour/sejour/internal/upload"
)

// checkWorld is the real use cases on a real store, with a person who
// holds a student card and two employers' organisations.
type checkWorld struct {
	t      *testing.T
	db     *store.DB
	clk    *clock.Fixed
	uc     *casework.UseCases
	ring   *seal.Keyring
	worker *permit.Account
	end    time.Time // the last day of the worker's card
}

const (
	workerBirth = "1994-05-17"
	sirenA      = "73282932000074"
	sirenB      = "35600000000048" // La Poste's head office
)

func newCheckWorld(t *testing.T, db *store.DB, clk *clock.Fixed) *checkWorld {
	t.Helper()
	blobs, err := blob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tr, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	ring, err := seal.NewKeyring(clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	acc := &casework.Accounts{Store: db.Accounts(), Resets: db.Accounts(), Tr: tr, Clock: clk, Logger: discard(),
		BaseURL: "https://sejour.example", SessionTTL: time.Hour,
		Params: password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}
	cfg := casework.Config{Blobs: blobs, Rules: rules.MustLoad(), Tr: tr, Clock: clk, Logger: discard(), BaseURL: "https://sejour.example",
		Limits: upload.DefaultLimits, Quota: 50 << 20, LeadDays: 15, Sealer: seal.Sealer{Keys: ring}, Codes: seal.Checker{Keys: ring}}
	w := &checkWorld{t: t, db: db, clk: clk, uc: casework.New(cfg, rooms.Of(db), acc), ring: ring}
	if err := db.Files().CreatePrefecture(ctx, &permit.Prefecture{Code: "75", Name: "Préfecture de police", Departments: []string{"75"}}); err != nil {
		t.Fatal(err)
	}
	w.end = permit.ParisDay(clk.Now()).AddDate(0, 0, 200)
	w.worker = &permit.Account{Email: "awa@example.org", Role: permit.RoleApplicant, Lang: "fr", ConfirmedAt: new(clk.Now())}
	if err := db.Accounts().CreateAccount(ctx, w.worker, "!", nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.uc.Applications.SaveProfile(ctx, w.worker, casework.ProfileForm{GivenNames: "Awa", Surname: "Diallo", BirthDate: workerBirth,
		BirthPlace: "Bamako, Mali", Nationality: "MLI", AddressLine: "1 rue de la Paix", Postcode: "75002", City: "Paris",
		HasPermit: true, PermitGround: "student", PermitNumber: "TS00000001", PermitFrom: w.end.AddDate(-1, 0, 0).Format(time.DateOnly),
		PermitTo: w.end.Format(time.DateOnly)}); err != nil {
		t.Fatal(err)
	}
	return w
}

// employer signs an organisation up and returns its admin, confirmed.
func (w *checkWorld) employer(name, siret, email string) *permit.Account {
	w.t.Helper()
	f := casework.EmployerSignUpForm{Name: name, SIRET: siret, AddressLine: "2 rue du Bac", Postcode: "75007", City: "Paris",
		Email: email, Password: "une phrase de passe assez longue", Confirm: "une phrase de passe assez longue", Lang: "fr"}
	if err := w.uc.Employers.SignUp(ctx, f); err != nil {
		w.t.Fatal(err)
	}
	a, _, err := w.db.Accounts().AccountByEmail(ctx, email)
	if err != nil {
		w.t.Fatal(err)
	}
	if !a.Employer() || !a.OrgAdmin || a.Confirmed() {
		w.t.Fatalf("a signed-up employer is %+v, want an unconfirmed organisation admin", a)
	}
	return a
}

func (w *checkWorld) checker(a *permit.Account) casework.Checker {
	w.t.Helper()
	o, err := w.uc.WorkChecks.Organisation(ctx, a)
	if err != nil {
		w.t.Fatal(err)
	}
	return casework.Checker{Organisation: o, Account: a}
}

func (w *checkWorld) code(purpose string) (string, *permit.ShareCode) {
	w.t.Helper()
	code, sc, err := w.uc.WorkChecks.CreateShareCode(ctx, w.worker, purpose)
	if err != nil {
		w.t.Fatal(err)
	}
	return code, sc
}

// TestWorkCheckAnswersAndRecords: a check with the code (typed in any
// case, with spaces) and the birth date answers the card's right to work,
// signs a record naming the organisation, and puts the check in the
// person's accesses, the organisation's history and the code's list;
// another organisation sees none of it.
func TestWorkCheckAnswersAndRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newCheckWorld(t, db, clk)
		a, b := w.employer("Boulangerie A", sirenA, "rh@a.example"), w.employer("Poste B", sirenB, "rh@b.example")
		code, sc := w.code("work")
		if len(code) != casework.ShareCodeLength || strings.Trim(code, casework.ShareAlphabet) != "" || strings.ContainsAny(code, "01IO") {
			t.Fatalf("code %q is not 9 characters of the alphabet", code)
		}
		typed := strings.ToLower(strings.ReplaceAll(casework.FormatShareCode(code), "-", " "))
		rec, err := w.uc.WorkChecks.Check(ctx, w.checker(a), casework.CheckForm{ShareCode: typed, BirthDate: workerBirth})
		if err != nil {
			t.Fatal(err)
		}
		if rec.Work != "limited_hours" || rec.WorkHours != 964 || !rec.Until.Equal(w.end) || rec.Basis != permit.BasisPermit ||
			rec.PendingRenewal || rec.Surname != "Diallo" || rec.Organisation != "Boulangerie A" || rec.ShareCodeID != sc.ID {
			t.Errorf("record %+v", rec)
		}
		res, err := seal.Checker{Keys: w.ring}.Check(rec.Code, clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		if res.Kind != permit.AttestationWorkCheck || res.Check == nil || res.Check.Organisation != "Boulangerie A" || res.Check.SIRET != sirenA ||
			res.Rights.Work.HoursPerYear != 964 || !res.ValidUntil.Equal(w.end) || res.Number != rec.Number || res.Surname != "Diallo" {
			t.Errorf("the signed record says %+v (%+v)", res, res.Check)
		}
		accesses, err := w.uc.Journal.FileAccesses(ctx, w.worker)
		if err != nil {
			t.Fatal(err)
		}
		if len(accesses) != 1 || !strings.Contains(accesses[0].WorkCheck, "Boulangerie A") || !strings.Contains(accesses[0].WorkCheck, rec.Number) {
			t.Errorf("the person's accesses: %+v", accesses)
		}
		codes, err := w.uc.WorkChecks.ShareCodes(ctx, w.worker)
		if err != nil || len(codes) != 1 || len(codes[0].Checks) != 1 || codes[0].Checks[0].Organisation != "Boulangerie A" {
			t.Errorf("the person's codes: %+v, %v", codes, err)
		}
		if h, _ := w.uc.WorkChecks.History(ctx, a); len(h) != 1 || h[0].ID != rec.ID {
			t.Errorf("A's history: %+v", h)
		}
		if h, _ := w.uc.WorkChecks.History(ctx, b); len(h) != 0 {
			t.Errorf("B sees A's checks: %+v", h)
		}
		if _, err := w.uc.WorkChecks.Record(ctx, casework.Checker{Account: b}, rec.ID); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("B reads A's record: %v", err)
		}
		if got, err := w.uc.WorkChecks.Record(ctx, casework.Checker{Account: a}, rec.ID); err != nil || got.Code != rec.Code {
			t.Errorf("A's record: %v", err)
		}
		// A member cannot check in another organisation's name.
		by := w.checker(a)
		by.Account = b
		if _, err := w.uc.WorkChecks.Check(ctx, by, casework.CheckForm{ShareCode: code, BirthDate: workerBirth}); permit.ErrorCode(err) != permit.ENOTFOUND || errors.Is(err, casework.ErrNoMatch) {
			t.Errorf("B checks as A: %v", err)
		}
	})
}

// TestWorkCheckNoMatchIsOneAnswer: whatever is wrong (the code, the date,
// the purpose, revoked, expired), the answer is the same error, and
// nothing is recorded.
func TestWorkCheckNoMatchIsOneAnswer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newCheckWorld(t, db, clk)
		by := w.checker(w.employer("Boulangerie A", sirenA, "rh@a.example"))
		code, _ := w.code("work")
		housing, _ := w.code("housing")
		revoked, rsc := w.code("work")
		if err := w.uc.WorkChecks.RevokeShareCode(ctx, w.worker, rsc.ID); err != nil {
			t.Fatal(err)
		}
		unknown := "23456789A"
		if unknown == code {
			unknown = "A98765432"
		}
		cases := map[string]casework.CheckForm{
			"wrong birth date": {ShareCode: code, BirthDate: "1994-05-18"},
			"unknown code":     {ShareCode: unknown, BirthDate: workerBirth},
			"housing code":     {ShareCode: housing, BirthDate: workerBirth},
			"revoked code":     {ShareCode: revoked, BirthDate: workerBirth},
		}
		for name, f := range cases {
			if _, err := w.uc.WorkChecks.Check(ctx, by, f); err != casework.ErrNoMatch {
				t.Errorf("%s: %v, want the no-match answer", name, err)
			}
		}
		clk.Set(clk.Now().AddDate(0, 0, rules.MustLoad().ShareCodes.ValidityDays).Add(time.Minute))
		if _, err := w.uc.WorkChecks.Check(ctx, by, casework.CheckForm{ShareCode: code, BirthDate: workerBirth}); err != casework.ErrNoMatch {
			t.Errorf("expired code: %v", err)
		}
		if h, _ := w.uc.WorkChecks.History(ctx, by.Account); len(h) != 0 {
			t.Errorf("checks that did not match were recorded: %+v", h)
		}
		if revokeAgain := w.uc.WorkChecks.RevokeShareCode(ctx, w.worker, rsc.ID); permit.ErrorCode(revokeAgain) != permit.ENOTFOUND {
			t.Errorf("revoking twice: %v", revokeAgain)
		}
	})
}

// TestWorkCheckBadInput: a code or a date of the wrong shape is a field
// error, which says nothing of any code.
func TestWorkCheckBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newCheckWorld(t, db, clk)
		by := w.checker(w.employer("Boulangerie A", sirenA, "rh@a.example"))
		for _, c := range []struct {
			form          casework.CheckForm
			field, reason string
		}{
			{casework.CheckForm{ShareCode: "", BirthDate: workerBirth}, "share_code", "workcheck.error.code_required"},
			{casework.CheckForm{ShareCode: "ABC-DEF-GH0", BirthDate: workerBirth}, "share_code", "workcheck.error.code_format"},
			{casework.CheckForm{ShareCode: "ABCDEFGHJK", BirthDate: workerBirth}, "share_code", "workcheck.error.code_format"},
			{casework.CheckForm{ShareCode: "ABC-DEF-GHJ", BirthDate: "17/05/1994"}, "birth_date", "workcheck.error.birth_date"},
			{casework.CheckForm{ShareCode: "ABC-DEF-GHJ", BirthDate: ""}, "birth_date", "workcheck.error.birth_date_required"},
		} {
			_, err := w.uc.WorkChecks.Check(ctx, by, c.form)
			if got := permit.FieldErrors(err)[c.field]; got != c.reason {
				t.Errorf("%+v: %q (%v), want %q", c.form, got, err, c.reason)
			}
		}
		if _, _, err := w.uc.WorkChecks.CreateShareCode(ctx, w.worker, "lottery"); permit.FieldErrors(err)["purpose"] != "share.error.purpose" {
			t.Errorf("a code for no known purpose: %v", err)
		}
	})
}

// TestEmployerSignUpAndKeys: the SIRET's key is checked; an organisation
// signs up once; an admin's API key is shown once, authenticates, records
// its last use with a check, and stops working when revoked; another
// organisation's admin can neither list nor revoke it.
func TestEmployerSignUpAndKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newCheckWorld(t, db, clk)
		bad := casework.EmployerSignUpForm{Name: "X", SIRET: "73282932000075", AddressLine: "1 rue", Postcode: "750", City: "Paris",
			Email: "x@x.example", Password: "une phrase de passe assez longue", Confirm: "une phrase de passe assez longue"}
		fields := permit.FieldErrors(w.uc.Employers.SignUp(ctx, bad))
		if fields["siret"] != "employers.error.siret" || fields["postcode"] != "employers.error.postcode" {
			t.Errorf("bad SIRET and postcode: %v", fields)
		}
		a := w.employer("Boulangerie A", sirenA, "rh@a.example")
		again := bad
		again.SIRET, again.Postcode = "732 829 320 00074", "75001"
		if f := permit.FieldErrors(w.uc.Employers.SignUp(ctx, again)); f["siret"] != "employers.error.siret_taken" {
			t.Errorf("a second sign-up of the SIRET: %v", f)
		}
		b := w.employer("Poste B", sirenB, "rh@b.example")
		text, k, err := w.uc.Employers.CreateAPIKey(ctx, a, "paie")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(text, "sjk_"+k.Prefix+"_") {
			t.Errorf("key %q does not begin with its prefix %s", text, k.Prefix)
		}
		key, org, err := w.uc.Employers.AuthenticateKey(ctx, text)
		if err != nil || org.SIRET != sirenA || key.ID != k.ID {
			t.Fatalf("the key authenticates as %+v: %v", org, err)
		}
		for _, wrong := range []string{"", "sjk_" + k.Prefix + "_x", text + "x", "Bearer " + text} {
			if _, _, err := w.uc.Employers.AuthenticateKey(ctx, wrong); permit.ErrorCode(err) != permit.EUNAUTHORIZED {
				t.Errorf("key %q: %v", wrong, err)
			}
		}
		code, _ := w.code("work")
		clk.Advance(time.Hour)
		rec, err := w.uc.WorkChecks.Check(ctx, casework.Checker{Organisation: org, Key: key}, casework.CheckForm{ShareCode: code, BirthDate: workerBirth})
		if err != nil || rec.APIKeyID != k.ID || rec.AccountID != 0 {
			t.Fatalf("a check by key: %+v, %v", rec, err)
		}
		keys, err := w.uc.Employers.APIKeys(ctx, a)
		if err != nil || len(keys) != 1 || keys[0].LastUsedAt == nil || !keys[0].LastUsedAt.Equal(rec.CheckedAt) {
			t.Errorf("A's keys after a check: %+v, %v", keys, err)
		}
		if keys, _ := w.uc.Employers.APIKeys(ctx, b); len(keys) != 0 {
			t.Errorf("B lists A's keys: %+v", keys)
		}
		if err := w.uc.Employers.RevokeAPIKey(ctx, b, k.ID); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("B revokes A's key: %v", err)
		}
		if err := w.uc.Employers.RevokeAPIKey(ctx, a, k.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.uc.Employers.AuthenticateKey(ctx, text); permit.ErrorCode(err) != permit.EUNAUTHORIZED {
			t.Errorf("a revoked key: %v", err)
		}
		if err := w.uc.Employers.Invite(ctx, a, "collegue@a.example", "en"); err != nil {
			t.Fatal(err)
		}
		members, err := w.uc.Employers.Members(ctx, a)
		if err != nil || len(members) != 2 {
			t.Fatalf("A's members: %+v, %v", members, err)
		}
		for _, m := range members {
			if m.OrganisationID != a.OrganisationID || (m.Email == "collegue@a.example") == m.OrgAdmin {
				t.Errorf("member %+v", m)
			}
		}
		if err := w.uc.Employers.Invite(ctx, a, "awa@example.org", "fr"); permit.FieldErrors(err)["email"] != "employers.error.email_taken" {
			t.Errorf("inviting an address that has an account: %v", err)
		}
		member := members[0]
		if member.OrgAdmin {
			member = members[1]
		}
		if _, _, err := w.uc.Employers.CreateAPIKey(ctx, member, "x"); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("a member who is not admin makes a key: %v", err)
		}
	})
}
