package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/qr"
	"github.com/sejour/sejour/internal/web"
)

var (
	secretRe   = regexp.MustCompile(`id="totp-secret"[^>]*>([A-Z2-7 ]+)<`)
	recoveryRe = regexp.MustCompile(`<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>`)
)

// code is the TOTP code of secret at t.
func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enrolThroughPages logs a new agent in, follows the guard to the
// enrolment page, reads the secret off it and confirms it with a code. It
// returns the secret and the recovery codes shown.
func enrolThroughPages(t *testing.T, s *site, email string) (string, []string) {
	t.Helper()
	if res := s.logIn(email, goodPassword); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/agent" {
		t.Fatalf("log-in: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	res, _ := s.get(paths.Agent.String())
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != web.SecondFactorPath+"?suite=%2Fagent" {
		t.Fatalf("pending session on /agent: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	res, page := s.get(res.Header.Get("Location"))
	if res.StatusCode != 200 {
		t.Fatalf("enrolment page: %d", res.StatusCode)
	}
	mustContain(t, page, "<h1>Activer la double authentification</h1>", `src="/agent/double-authentification/qr.png"`,
		`action="/agent/double-authentification/enrolement?suite=%2Fagent"`, `autocomplete="one-time-code"`)
	m := secretRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no secret on the enrolment page:\n%s", page)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	if len(secret) < 16 || !strings.Contains(m[1], " ") {
		t.Fatalf("secret %q is not grouped for typing", m[1])
	}
	// The QR code carries the same secret.
	res, png := s.get(paths.SecondFactorQR.String())
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" || !strings.Contains(res.Header.Get("Cache-Control"), "no-store") {
		t.Fatalf("QR code: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	text, err := qr.DecodeBytes([]byte(png))
	if err != nil || !strings.HasPrefix(text, "otpauth://totp/") || !strings.Contains(text, "secret="+secret) {
		t.Fatalf("QR code reads %q, %v", text, err)
	}
	// A wrong code keeps the page, with the error beside the field.
	res, page = s.post(paths.SecondFactorEnrol.String()+"?suite=%2Fagent", url.Values{"code": {"000000"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("wrong enrolment code: %d", res.StatusCode)
	}
	mustContain(t, page, "Ce code n&#39;est pas valable", `href="#code"`, secret[:4])
	res, page = s.post(paths.SecondFactorEnrol.String()+"?suite=%2Fagent", url.Values{"code": {code(t, secret, s.clk.Now())}})
	if res.StatusCode != 200 {
		t.Fatalf("enrolment: %d\n%s", res.StatusCode, page)
	}
	var codes []string
	for _, m := range recoveryRe.FindAllStringSubmatch(page, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes shown:\n%s", len(codes), page)
	}
	mustContain(t, page, "Ils ne seront plus jamais affichés", `href="/agent"`)
	return secret, codes
}

func TestSecondFactorEnrolmentAndCodes(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		pref := s.prefecture("75", "75")
		pendingAccount(t, s, "agent@pref.example", permit.RoleAgent, pref.ID)
		secret, codes := enrolThroughPages(t, s, "agent@pref.example")
		if res, _ := s.get(paths.Agent.String()); res.StatusCode != 200 {
			t.Fatalf("back office after enrolment: %d", res.StatusCode)
		}
		// Enrolled: the second-factor pages send home, the QR code is gone.
		if res, _ := s.get(web.SecondFactorPath); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/agent" {
			t.Fatalf("second-factor page once passed: %d %q", res.StatusCode, res.Header.Get("Location"))
		}

		relogin := func() {
			t.Helper()
			s.post(paths.LogOut.String(), nil)
			s.logIn("agent@pref.example", goodPassword)
			if res, _ := s.get(paths.Agent.String()); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("a new session skipped the second factor: %d", res.StatusCode)
			}
		}
		try := func(c string, want int) string {
			t.Helper()
			res, page := s.post(web.SecondFactorPath+"?suite=%2Fagent", url.Values{"code": {c}})
			if res.StatusCode != want {
				t.Fatalf("code %q: %d, want %d\n%s", c, res.StatusCode, want, page)
			}
			return page
		}

		// The code used to enrol cannot be replayed, even in a new session.
		relogin()
		_, page := s.get(web.SecondFactorPath)
		mustContain(t, page, "<h1>Code de vérification</h1>")
		mustNotContain(t, page, "totp-secret", "qr.png")
		if res, _ := s.get(paths.SecondFactorQR.String()); res.StatusCode != http.StatusNotFound {
			t.Fatalf("QR code of an enrolled account: %d", res.StatusCode)
		}
		page = try(code(t, secret, s.clk.Now()), http.StatusUnprocessableEntity)
		mustContain(t, page, "Ce code n&#39;est pas valable", `aria-invalid="true"`)
		try("123", http.StatusUnprocessableEntity)

		// A code of the next step passes, once.
		s.clk.Advance(30 * time.Second)
		next := code(t, secret, s.clk.Now())
		try(next, http.StatusSeeOther)
		if res, _ := s.get(paths.Agent.String()); res.StatusCode != 200 {
			t.Fatalf("back office after the code: %d", res.StatusCode)
		}
		relogin()
		try(next, http.StatusUnprocessableEntity)

		// One step of skew is allowed either way; two are not.
		s.clk.Advance(5 * time.Minute)
		try(code(t, secret, s.clk.Now().Add(-60*time.Second)), http.StatusUnprocessableEntity)
		try(code(t, secret, s.clk.Now().Add(-30*time.Second)), http.StatusSeeOther)
		relogin()
		try(code(t, secret, s.clk.Now().Add(60*time.Second)), http.StatusUnprocessableEntity)
		try(code(t, secret, s.clk.Now().Add(30*time.Second)), http.StatusSeeOther)

		// A recovery code works once, typed in capitals with spaces too.
		s.clk.Advance(10 * time.Minute)
		relogin()
		try(" "+strings.ToUpper(strings.Replace(codes[0], "-", " ", 1))+" ", http.StatusSeeOther)
		relogin()
		try(codes[0], http.StatusUnprocessableEntity)
		try(codes[1], http.StatusSeeOther)
		if n, _ := s.db.Accounts().RecoveryCodesLeft(t.Context(), account1(t, s, "agent@pref.example").ID); n != 8 {
			t.Fatalf("%d recovery codes left, want 8", n)
		}
	})
}

func account1(t *testing.T, s *site, email string) *permit.Account {
	t.Helper()
	a, _, err := s.db.Accounts().AccountByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestSecondFactorRateLimited: guessing is slowed down per account, and
// nothing stays locked: a step later, one more try is allowed.
func TestSecondFactorRateLimited(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		pref := s.prefecture("75", "75")
		pendingAccount(t, s, "agent@pref.example", permit.RoleAgent, pref.ID)
		secret, _ := enrolThroughPages(t, s, "agent@pref.example")
		s.post(paths.LogOut.String(), nil)
		s.logIn("agent@pref.example", goodPassword)
		s.clk.Advance(2 * time.Minute) // the enrolment's tries are forgotten
		for i := range 5 {
			if res, _ := s.post(web.SecondFactorPath, url.Values{"code": {"000000"}}); res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("try %d: %d", i+1, res.StatusCode)
			}
		}
		if res, _ := s.post(web.SecondFactorPath, url.Values{"code": {code(t, secret, s.clk.Now())}}); res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("sixth try at once: %d, want 429", res.StatusCode)
		}
		s.clk.Advance(30 * time.Second)
		if res, _ := s.post(web.SecondFactorPath, url.Values{"code": {code(t, secret, s.clk.Now())}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("a step later: %d", res.StatusCode)
		}
	})
}

// TestApplicantsNeverSeeTheSecondFactor: an applicant logs in straight to
// their dashboard, and the second-factor pages do not exist for them.
func TestApplicantsNeverSeeTheSecondFactor(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.signUp("zoe@example.org", goodPassword)
		if res := s.logIn("zoe@example.org", goodPassword); res.Header.Get("Location") != "/tableau-de-bord" {
			t.Fatalf("log-in sends to %q", res.Header.Get("Location"))
		}
		if res, _ := s.get(paths.Dashboard.String()); res.StatusCode != 200 {
			t.Fatalf("dashboard: %d", res.StatusCode)
		}
		for _, p := range []string{web.SecondFactorPath, web.SecondFactorPath + "/qr.png"} {
			if res, _ := s.get(p); res.StatusCode != http.StatusNotFound {
				t.Fatalf("%s as an applicant: %d", p, res.StatusCode)
			}
		}
	})
}

// TestAdminCreatesStaffWhoChoosesAPassword: the invitation link sets the
// password once, and the new agent then has to enrol a second factor.
func TestAdminCreatesStaffWhoChoosesAPassword(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		pref := s.prefecture("75", "75")
		s.prefecture("69", "69")
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "admin@pref.example", permit.RoleAdmin)}
		_, page := s.get(paths.StaffAccounts.String())
		mustContain(t, page, "<h1>Comptes de la préfecture</h1>", "admin@pref.example", "Votre compte", `name="prefectures"`)
		mustNotContain(t, page, "/desactivation") // not for the admin's own account

		// Errors are beside the fields, with what was typed.
		res, page := s.post(paths.StaffAccounts.String(), url.Values{"email": {"nouvel.agent@pref.example"}, "title": {"agent"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("agent without a prefecture: %d", res.StatusCode)
		}
		mustContain(t, page, "Choisissez au moins une préfecture", `href="#prefectures"`, `value="nouvel.agent@pref.example"`, `value="agent" checked`)
		res, page = s.post(paths.StaffAccounts.String(), url.Values{"email": {"admin@pref.example"}, "title": {"admin"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Cette adresse a déjà un compte.") {
			t.Fatalf("taken address: %d", res.StatusCode)
		}

		form := url.Values{"email": {"Nouvel.Agent@pref.example"}, "title": {"supervisor"}, "prefectures": {strconv.FormatInt(pref.ID, 10)}}
		if res, _ := s.post(paths.StaffAccounts.String(), form); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/agents?cree" {
			t.Fatalf("create: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		_, page = s.get(paths.StaffAccounts.String() + "?cree")
		mustContain(t, page, "Le compte est créé.", "nouvel.agent@pref.example", "Superviseur ou superviseuse",
			"Préfecture 75", "Invité, mot de passe pas encore choisi", "Pas encore activée")
		a := account1(t, s, "nouvel.agent@pref.example")
		if !a.Supervises() || a.Admin() || !a.WorksFor(pref.ID) || len(a.Prefectures) != 1 || a.Confirmed() {
			t.Fatalf("created account: %+v", a)
		}
		// No password until the link is followed.
		s.cookie = map[string]string{}
		if res := s.logIn("nouvel.agent@pref.example", goodPassword); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("log-in before choosing a password: %d", res.StatusCode)
		}
		link := s.lastLink("nouvel.agent@pref.example", "/reinitialiser/")
		pw := url.Values{"password": {goodPassword}, "confirm": {goodPassword}}
		if res, _ := s.post(link, pw); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("choose the password: %d", res.StatusCode)
		}
		if res, _ := s.post(link, url.Values{"password": {"un autre mot de passe long"}, "confirm": {"un autre mot de passe long"}}); res.StatusCode != http.StatusNotFound {
			t.Fatalf("the invitation link worked twice: %d", res.StatusCode)
		}
		enrolThroughPages(t, s, "nouvel.agent@pref.example")
	})
}

// TestDisablingEndsSessionsAtOnce: the disabled agent's next request is
// anonymous, log-in is refused, and enabling again lets them back.
func TestDisablingEndsSessionsAtOnce(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		pref := s.prefecture("75", "75")
		admin := loggedIn(t, s, "admin@pref.example", permit.RoleAdmin)
		agentSession := loggedIn(t, s, "agent@pref.example", permit.RoleAgent, pref.ID)
		agent := account1(t, s, "agent@pref.example")
		self := account1(t, s, "admin@pref.example")
		other := newSite(t, s.db, s.clk)
		other.cookie[web.SessionCookie] = agentSession
		if res, _ := other.get(paths.Agent.String()); res.StatusCode != 200 {
			t.Fatalf("agent before: %d", res.StatusCode)
		}

		s.cookie = map[string]string{web.SessionCookie: admin}
		if res, _ := s.post(paths.StaffDisable.Format(agent.ID), nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("disable: %d", res.StatusCode)
		}
		res, _ := other.get(paths.Agent.String())
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/connexion") {
			t.Fatalf("disabled agent's session: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		if _, ok := other.cookie[web.SessionCookie]; ok {
			t.Fatal("the dead session's cookie was kept")
		}
		if _, a, err := s.db.Accounts().Session(t.Context(), casework.HashSecret(agentSession)); err == nil || a != nil {
			t.Fatal("the session row survived")
		}
		if res := other.logIn("agent@pref.example", goodPassword); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("disabled agent logs in: %d", res.StatusCode)
		}
		_, page := s.get(paths.StaffAccounts.String() + "?desactive")
		mustContain(t, page, "Le compte est désactivé", "Désactivé", paths.StaffEnable.Format(agent.ID))

		// An admin cannot disable themself, even by posting the form.
		res, _ = s.post(paths.StaffDisable.Format(self.ID), nil)
		if res.StatusCode != http.StatusForbidden || account1(t, s, "admin@pref.example").DisabledAt != nil {
			t.Fatalf("self-disable: %d", res.StatusCode)
		}
		// Nor is an applicant's account a staff account to disable.
		zoe := pendingAccount(t, s, "zoe@example.org", permit.RoleApplicant)
		if res, _ := s.post(paths.StaffDisable.Format(zoe.ID), nil); res.StatusCode != http.StatusNotFound {
			t.Fatalf("disable an applicant: %d", res.StatusCode)
		}

		if res, _ := s.post(paths.StaffEnable.Format(agent.ID), nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("enable: %d", res.StatusCode)
		}
		if res := other.logIn("agent@pref.example", goodPassword); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("enabled agent logs in: %d", res.StatusCode)
		}
	})
}

// TestOnlyAdminsReachStaffAdministration: agents and supervisors, past
// their second factor, get "not found" from every admin page.
func TestOnlyAdminsReachStaffAdministration(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		pref := s.prefecture("75", "75")
		target := pendingAccount(t, s, "target@pref.example", permit.RoleAgent, pref.ID)
		agent := loggedIn(t, s, "agent@pref.example", permit.RoleAgent, pref.ID)
		now := s.clk.Now()
		sup := &permit.Account{Email: "sup@pref.example", Role: permit.RoleAgent, Supervisor: true, Lang: "fr", ConfirmedAt: &now, Prefectures: []int64{pref.ID}}
		if err := s.db.Accounts().CreateAccount(t.Context(), sup, mustHash(t, goodPassword), nil, nil); err != nil {
			t.Fatal(err)
		}
		_, supSession, err := s.uc.Accounts.LogIn(t.Context(), loginForm("sup@pref.example"), "")
		if err != nil {
			t.Fatal(err)
		}
		passSecondFactor(t, s, supSession)
		for name, sess := range map[string]string{"agent": agent, "supervisor": supSession} {
			s.cookie = map[string]string{web.SessionCookie: sess}
			if res, _ := s.get(paths.Agent.String()); res.StatusCode != 200 {
				t.Fatalf("%s on /agent: %d", name, res.StatusCode)
			}
			for _, try := range []func() *http.Response{
				func() *http.Response { res, _ := s.get(paths.StaffAccounts.String()); return res },
				func() *http.Response {
					res, _ := s.post(paths.StaffAccounts.String(), url.Values{"email": {"x@pref.example"}, "title": {"admin"}})
					return res
				},
				func() *http.Response { res, _ := s.post(paths.StaffDisable.Format(target.ID), nil); return res },
			} {
				if res := try(); res.StatusCode != http.StatusNotFound {
					t.Errorf("%s reached an admin page: %d", name, res.StatusCode)
				}
			}
		}
		if a := account1(t, s, "target@pref.example"); a.DisabledAt != nil {
			t.Fatal("the target was disabled")
		}
		if _, _, err := s.db.Accounts().AccountByEmail(t.Context(), "x@pref.example"); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Fatal("an account was created")
		}
	})
}
