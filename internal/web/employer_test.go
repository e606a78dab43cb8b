package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
	"github.com/sejour/sejour/internal/web"
)

// organisation signs an organisation up at the store with its admin,
// confirmed, whose password is goodPassword.
func organisation(t *testing.T, s *site, name, siret, adminEmail string) (*permit.Organisation, *permit.Account) {
	t.Helper()
	now := s.clk.Now()
	o := &permit.Organisation{Name: name, SIRET: siret, Address: permit.Address{Line: "2 rue du Bac", Postcode: "75007", City: "Paris"}}
	a := &permit.Account{Email: adminEmail, Lang: "fr", ConfirmedAt: &now}
	if err := (store.Employers{DB: s.db}).SignUpOrganisation(t.Context(), o, a, mustHash(t, goodPassword), nil, nil); err != nil {
		t.Fatal(err)
	}
	return o, a
}

// member adds a confirmed account to an organisation.
func member(t *testing.T, s *site, o *permit.Organisation, email string, admin bool) *permit.Account {
	t.Helper()
	now := s.clk.Now()
	a := &permit.Account{Email: email, Role: permit.RoleEmployer, Lang: "fr", ConfirmedAt: &now, OrganisationID: o.ID, OrgAdmin: admin}
	if err := s.db.Accounts().CreateAccount(t.Context(), a, mustHash(t, goodPassword), nil, nil); err != nil {
		t.Fatal(err)
	}
	return a
}

// employerFixture makes, for the route test, employer A (the callers
// asEmpAdmin and asEmpPending), employer B (asEmpMember), a share code
// of the applicant born on birth, a check of A with it and a key of A.
// It returns, per path prefix, the id its {id} stands for.
func employerFixture(t *testing.T, s *site, birth string) map[string]int64 {
	t.Helper()
	ctx := t.Context()
	a, admin := organisation(t, s, "Boulangerie A", "73282932000074", string(asEmpAdmin)+"@example.org")
	member(t, s, a, string(asEmpPending)+"@example.org", true)
	b, bAcc := organisation(t, s, "Poste B", "35600000000048", "b-admin@example.org")
	member(t, s, b, string(asEmpMember)+"@example.org", false)
	applicant, _, err := s.db.Accounts().AccountByEmail(ctx, string(asApp)+"@example.org")
	if err != nil {
		t.Fatal(err)
	}
	code, sc, err := s.uc.WorkChecks.CreateShareCode(ctx, applicant, "work")
	if err != nil {
		t.Fatal(err)
	}
	rec, err := s.uc.WorkChecks.Check(ctx, casework.Checker{Organisation: a, Account: admin}, casework.CheckForm{ShareCode: code, BirthDate: birth})
	if err != nil {
		t.Fatal(err)
	}
	_, key, err := s.uc.Employers.CreateAPIKey(ctx, admin, "paie")
	if err != nil {
		t.Fatal(err)
	}
	d := declared(t, s, casework.Checker{Organisation: a, Account: admin}, code, birth, "35")
	agent, _, err := s.db.Accounts().AccountByEmail(ctx, string(asAgent)+"@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.uc.Declarations.Answer(ctx, agent, d.ID, casework.AnswerForm{Outcome: "authorised"}); err != nil {
		t.Fatal(err)
	}
	// A follow-up asked by B, for the person to answer and end; one of
	// A, accepted, for A's proof and end; and A's webhook.
	recB, err := s.uc.WorkChecks.Check(ctx, casework.Checker{Organisation: b, Account: bAcc}, casework.CheckForm{ShareCode: code, BirthDate: birth})
	if err != nil {
		t.Fatal(err)
	}
	asked, err := s.uc.FollowUps.Ask(ctx, bAcc, recB.ID)
	if err != nil {
		t.Fatal(err)
	}
	followed, err := s.uc.FollowUps.Ask(ctx, admin, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.uc.FollowUps.Answer(ctx, applicant, followed.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.uc.FollowUps.SetWebhook(ctx, admin, "https://hooks.example.com/sejour"); err != nil {
		t.Fatal(err)
	}
	return map[string]int64{"/partage/": sc.ID, "/employeur/historique/": rec.ID, "/employeur/cles/": key.ID, "/api/v1/work-checks/": rec.ID,
		"/employeur/declarations/": d.ID, "/api/v1/declarations/": d.ID, "/agent/declarations/": d.ID,
		"/partage/suivis/": asked.ID, "/employeur/suivis/": followed.ID, "/api/v1/follow-ups/": followed.ID}
}

// declared makes a declaration of a hire at the earliest start the
// catalogue allows.
func declared(t *testing.T, s *site, by casework.Checker, code, birth, hours string) *permit.Declaration {
	t.Helper()
	start, err := s.uc.Rules.Declarations.EarliestStart(permit.ParisDay(s.clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.uc.Declarations.Declare(t.Context(), by, casework.DeclarationForm{ShareCode: code, BirthDate: birth, Surname: "Diallo",
		StartDate: start.Format(time.DateOnly), Job: "Vendeuse", WeeklyHours: hours, Contract: "permanent"})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// checkSite is a site with an applicant who has a profile (born
// 1990-01-01, no permit), a share code of theirs, and employers A and B
// with a key each.
type checkSite struct {
	*site
	code         string
	keyA, keyB   string
	adminA       *permit.Account
	applicant    *permit.Account
	applicantSID string
}

const checkBirth = "1990-01-01"

func newCheckSite(t *testing.T, db *store.DB, clk *clock.Fixed) *checkSite {
	t.Helper()
	s := newSite(t, db, clk)
	s.prefecture("75", "75")
	cs := &checkSite{site: s}
	cs.applicantSID = loggedIn(t, s, "awa@example.org", permit.RoleApplicant)
	cs.applicant, _, _ = db.Accounts().AccountByEmail(t.Context(), "awa@example.org")
	if err := s.uc.Applications.SaveProfile(t.Context(), cs.applicant, casework.ProfileForm{GivenNames: "Awa", Surname: "Diallo",
		BirthDate: checkBirth, BirthPlace: "Bamako", Nationality: "MLI", AddressLine: "1 rue de la Paix", Postcode: "75002", City: "Paris"}); err != nil {
		t.Fatal(err)
	}
	var err error
	if cs.code, _, err = s.uc.WorkChecks.CreateShareCode(t.Context(), cs.applicant, "work"); err != nil {
		t.Fatal(err)
	}
	_, cs.adminA = organisation(t, s, "Boulangerie A", "73282932000074", "a@example.org")
	_, adminB := organisation(t, s, "Poste B", "35600000000048", "b@example.org")
	if cs.keyA, _, err = s.uc.Employers.CreateAPIKey(t.Context(), cs.adminA, "paie"); err != nil {
		t.Fatal(err)
	}
	if cs.keyB, _, err = s.uc.Employers.CreateAPIKey(t.Context(), adminB, "paie"); err != nil {
		t.Fatal(err)
	}
	return cs
}

// api posts a check with a key.
func (s *checkSite) api(key, in string) (*http.Response, string) {
	req := httptest.NewRequest("POST", paths.APIWorkChecks.String(), strings.NewReader(in))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res := s.do(req)
	return res, body(s.t, res)
}

func checkJSON(code, birth string) string {
	b, _ := json.Marshal(map[string]string{"share_code": code, "birth_date": birth})
	return string(b)
}

// TestWorkCheckAPI: a key checks and gets the answer and its record's
// PDF; every way of not matching gets the same status and body; no key,
// a wrong key and a revoked key get 401; another organisation's key
// cannot fetch the record; the check is in the person's accesses.
func TestWorkCheckAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		s := newCheckSite(t, db, clk)
		res, text := s.api(s.keyA, checkJSON(casework.FormatShareCode(s.code), checkBirth))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("a matching check: %d %s", res.StatusCode, text)
		}
		var got struct {
			Result      string
			Number      string
			RightToWork struct {
				Work  struct{ Kind string }
				Basis string
			} `json:"right_to_work"`
			Person struct{ Surname string }
			Record struct{ Code, PDF string }
		}
		if err := json.Unmarshal([]byte(text), &got); err != nil {
			t.Fatal(err)
		}
		// The applicant holds no permit: a match says so, with no right.
		if got.Result != "match" || got.Person.Surname != "Diallo" || got.RightToWork.Work.Kind != "none" || got.RightToWork.Basis != "none" ||
			!strings.HasPrefix(got.Record.Code, "SJ1:") {
			t.Errorf("answer %s", text)
		}
		pdfPath := strings.TrimPrefix(got.Record.PDF, "http://sejour.test")
		get := func(key string) *http.Response {
			req := httptest.NewRequest("GET", pdfPath, nil)
			req.Header.Set("Authorization", "Bearer "+key)
			return s.do(req)
		}
		if r := get(s.keyA); r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "application/pdf" {
			t.Errorf("A's record by A's key: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
		}
		if r := get(s.keyB); r.StatusCode != http.StatusNotFound {
			t.Errorf("A's record by B's key: %d", r.StatusCode)
		}
		var noMatch string
		for name, b := range map[string]string{
			"wrong date":   checkJSON(s.code, "1990-01-02"),
			"unknown code": checkJSON("ZZZ-ZZZ-ZZZ", checkBirth),
		} {
			res, text := s.api(s.keyA, b)
			if res.StatusCode != http.StatusNotFound || (noMatch != "" && text != noMatch) {
				t.Errorf("%s: %d %s (others: %s)", name, res.StatusCode, text, noMatch)
			}
			noMatch = text
		}
		if res, text := s.api(s.keyA, checkJSON("ABC", "17/05/1994")); res.StatusCode != http.StatusBadRequest ||
			!strings.Contains(text, `"share_code"`) || !strings.Contains(text, `"birth_date"`) {
			t.Errorf("bad input: %d %s", res.StatusCode, text)
		}
		if res, _ := s.api(s.keyA, `{"share_code": 3}`); res.StatusCode != http.StatusBadRequest {
			t.Errorf("a body not of the shape: %d", res.StatusCode)
		}
		for _, key := range []string{"", "sjk_nope_nope", s.keyA + "x"} {
			if res, _ := s.api(key, checkJSON(s.code, checkBirth)); res.StatusCode != http.StatusUnauthorized || res.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("key %q: %d", key, res.StatusCode)
			}
		}
		s.cookie[web.SessionCookie] = s.applicantSID
		if _, page := s.get(paths.Accesses.String()); !strings.Contains(page, "Boulangerie A") {
			t.Errorf("the check is not in the person's accesses:\n%s", page)
		}
		if _, page := s.get(paths.Share.String()); !strings.Contains(page, "Boulangerie A") {
			t.Errorf("the check is not beside its code on /partage")
		}
	})
}

// TestWorkCheckRateLimit: past the organisation's limit, checks are
// refused with 429 and Retry-After, right code or not.
func TestWorkCheckRateLimit(t *testing.T) {
	s := newCheckSite(t, storetest.SQLite(t, clock.NewFixed(storetest.Start)), clock.NewFixed(storetest.Start))
	limited := 0
	for i := range 100 {
		s.ip = "192.0.2." + string(rune('1'+i%9)) // several addresses: the organisation's limit is reached first
		res, _ := s.api(s.keyA, checkJSON("ZZZ-ZZZ-ZZZ", checkBirth))
		if res.StatusCode == http.StatusTooManyRequests {
			limited++
			if res.Header.Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
		}
	}
	if limited == 0 {
		t.Error("100 checks at once were never limited")
	}
	if res, _ := s.api(s.keyA, checkJSON(s.code, checkBirth)); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the right code past the limit: %d", res.StatusCode)
	}
	if res, _ := s.api(s.keyB, checkJSON(s.code, checkBirth)); res.StatusCode != http.StatusOK {
		t.Errorf("another organisation is limited by A's checks: %d", res.StatusCode)
	}
}

// TestWorkCheckPage: a member checks on the page; a wrong code gives the
// one "no match" page; bad input comes back translated beside its field
// with what was typed; the record downloads; a revoked code no longer
// matches.
func TestWorkCheckPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		s := newCheckSite(t, db, clk)
		s.lang = "en"
		_, secret, err := s.uc.Accounts.LogIn(t.Context(), loginForm("a@example.org"), "")
		if err != nil {
			t.Fatal(err)
		}
		s.cookie[web.SessionCookie] = secret
		res, page := s.post(paths.EmployerCheck.String(), url.Values{"share_code": {"abc"}, "birth_date": {"nope"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "A share code has 9 characters") ||
			!strings.Contains(page, `value="abc"`) || !strings.Contains(page, "Enter a date of birth as YYYY-MM-DD") {
			t.Errorf("bad input: %d\n%s", res.StatusCode, page)
		}
		res, wrong := s.post(paths.EmployerCheck.String(), url.Values{"share_code": {s.code}, "birth_date": {"1990-01-02"}})
		if res.StatusCode != http.StatusNotFound || !strings.Contains(wrong, "No match") {
			t.Errorf("a wrong date: %d", res.StatusCode)
		}
		res, page = s.post(paths.EmployerCheck.String(), url.Values{"share_code": {s.code}, "birth_date": {checkBirth}})
		if res.StatusCode != http.StatusOK || !strings.Contains(page, "Match found") || !strings.Contains(page, "Diallo") {
			t.Fatalf("a match: %d\n%s", res.StatusCode, page)
		}
		hist, _ := s.uc.WorkChecks.History(t.Context(), s.adminA)
		if len(hist) != 1 {
			t.Fatalf("history: %+v", hist)
		}
		if res, _ := s.get(paths.EmployerRecord.Format(hist[0].ID)); res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
			t.Errorf("the record's PDF: %d", res.StatusCode)
		}
		if _, page := s.get(paths.EmployerHistory.String()); !strings.Contains(page, hist[0].Number) {
			t.Error("the history does not list the check")
		}
		codes, _ := s.uc.WorkChecks.ShareCodes(t.Context(), s.applicant)
		if err := s.uc.WorkChecks.RevokeShareCode(t.Context(), s.applicant, codes[0].ID); err != nil {
			t.Fatal(err)
		}
		res, revoked := s.post(paths.EmployerCheck.String(), url.Values{"share_code": {s.code}, "birth_date": {checkBirth}})
		if res.StatusCode != http.StatusNotFound || stripValues(revoked) != stripValues(wrong) {
			t.Errorf("a revoked code does not answer as a wrong date: %d", res.StatusCode)
		}
	})
}

// stripValues drops what differs between two "no match" pages only by
// what was typed.
func stripValues(page string) string {
	for _, v := range []string{"1990-01-02", checkBirth} {
		page = strings.ReplaceAll(page, v, "")
	}
	return page
}
