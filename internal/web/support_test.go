package web_test

import (
	"errors"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// supportReportFixture has the site's logged-in applicant report a
// problem about their application appID, with a screenshot; it returns
// the report and its follow code.
func supportReportFixture(t *testing.T, s *site, appID int64) (*permit.Report, string) {
	t.Helper()
	res, page := s.postMultipart(paths.Report.String(), map[string]string{"category": "attestation", "description": "L'attestation ne s'affiche pas",
		"application": strconv.FormatInt(appID, 10), "page": paths.Application.Format(appID)}, "screenshot", "écran.png", pngFile(t))
	return followed(t, s, res, page)
}

var followPath = regexp.MustCompile(`^/suivi/([A-Z0-9]{16})\?cree$`)

// followed checks that a report was accepted (a redirect to its follow
// page) and returns it with its code.
func followed(t *testing.T, s *site, res *http.Response, page string) (*permit.Report, string) {
	t.Helper()
	m := followPath.FindStringSubmatch(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("report: %d %q\n%s", res.StatusCode, res.Header.Get("Location"), page)
	}
	th, err := s.uc.Reports.ReporterThread(t.Context(), casework.ReporterKey{Code: m[1]})
	if err != nil {
		t.Fatal(err)
	}
	return th.Report, m[1]
}

// helpDesk logs a help-desk account in on a site of its own.
func (s *site) as(email string, role permit.Role, prefectures ...int64) *site {
	s.t.Helper()
	o := newSite(s.t, s.db, s.clk)
	o.uc.Documents.Blobs = s.uc.Documents.Blobs
	o.cookie[web.SessionCookie] = loggedIn(s.t, o, email, role, prefectures...)
	return o
}

// TestReportWithoutAccount: someone who cannot log in reports a problem
// from an error page, with a phone number only; they get a reference and
// a follow code, follow the answer, and reply. Without an e-mail address
// nothing is mailed.
func TestReportWithoutAccount(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		res, page := s.get(paths.Report.String() + "?page=%2Fconnexion%3Fsuite%3D%2Fx&ref=ERR-ABCD-EFGH&demande=1")
		if res.StatusCode != http.StatusOK || !strings.Contains(page, `value="/connexion"`) || !strings.Contains(page, `value="ERR-ABCD-EFGH"`) ||
			!strings.Contains(page, `id="category-site_fails" name="category" value="site_fails" checked`) {
			t.Fatalf("pre-filled form: %d\n%s", res.StatusCode, page)
		}
		// Without a way to answer, the report is refused beside the field.
		form := map[string]string{"category": "site_fails", "description": "La connexion échoue", "page": "/connexion", "error_ref": "ERR-ABCD-EFGH", "application": "1"}
		res, page = s.postMultipart(paths.Report.String(), form, "screenshot", "", nil)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Laissez une adresse électronique ou un numéro de téléphone") ||
			!strings.Contains(page, `aria-describedby="email-error"`) || !strings.Contains(page, "La connexion échoue") {
			t.Fatalf("no contact: %d\n%s", res.StatusCode, page)
		}
		for field, bad := range map[string]string{"error_ref": "ERR-0000-1111", "phone": "appelez-moi", "email": "pas une adresse", "category": "autre"} {
			f := map[string]string{"category": "site_fails", "description": "x", "phone": "0601020304"}
			f[field] = bad
			if res, page := s.postMultipart("/signaler", f, "screenshot", "", nil); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, field+"-error") {
				t.Errorf("bad %s %q: %d, no error beside the field", field, bad, res.StatusCode)
			}
		}
		form["phone"] = "06 01 02 03 04"
		r, code := reportAs(t, s, form)
		if r.AccountID != 0 || r.PersonID != 0 || r.ApplicationID != 0 || r.Phone != "06 01 02 03 04" || r.Page != "/connexion" || r.ErrorRef != "ERR-ABCD-EFGH" {
			t.Errorf("anonymous report linked or kept wrongly: %+v", r)
		}
		if mails, _ := s.db.Mails().RecentMails(t.Context(), 10); len(mails) != 0 {
			t.Errorf("mails without an address: %+v", mails)
		}
		res, page = s.get(paths.FollowCode.Format(code) + "?cree")
		if res.StatusCode != http.StatusOK || !strings.Contains(page, r.Reference) || !strings.Contains(page, casework.FormatClaim(code)) ||
			!strings.Contains(page, "ce code est le seul moyen") || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("follow page: %d\n%s", res.StatusCode, page)
		}
		// The code typed by hand, in lower case and with dashes, leads there.
		if res, _ := s.post(paths.Follow.String(), url.Values{"code": {strings.ToLower(casework.FormatClaim(code))}}); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/suivi/"+code {
			t.Errorf("typed code: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		if res, page := s.post("/suivi", url.Values{"code": {"ACDE-FGHJ-KMNP-QRTU"}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "ne correspond à aucun signalement") {
			t.Errorf("wrong code: %d", res.StatusCode)
		}
		if res, _ := s.get(paths.FollowCode.Format("ACDEFGHJKMNPQRTU")); res.StatusCode != http.StatusNotFound {
			t.Errorf("made-up follow code: %d", res.StatusCode)
		}
		// The help desk answers; the reporter reads it and replies.
		desk := s.as("aide@example.org", permit.RoleHelpDesk)
		if res, page := desk.post(paths.SupportAnswer.Format(r.ID), url.Values{"answer": {"Réessayez maintenant."}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("answer: %d\n%s", res.StatusCode, page)
		}
		if _, page := s.get("/suivi/" + code); !strings.Contains(page, "Réessayez maintenant.") || !strings.Contains(page, "Répondu, en attente de votre retour") {
			t.Errorf("the answer is not on the follow page:\n%s", page)
		}
		if res, _ := s.post(paths.FollowCode.Format(code), url.Values{"body": {""}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("empty reply: %d", res.StatusCode)
		}
		if res, _ := s.post(paths.FollowCode.Format(code), url.Values{"body": {"Ça marche, merci."}}); res.StatusCode != http.StatusSeeOther {
			t.Errorf("reply: %d", res.StatusCode)
		}
		got, _ := s.db.Support().Report(t.Context(), r.ID)
		if got.Status != permit.ReportInProgress || got.FirstAnswerAt == nil {
			t.Errorf("after the reply: %+v", got)
		}
	})
}

// reportAs sends a report without a file as the site's caller and
// returns it with its code.
func reportAs(t *testing.T, s *site, fields map[string]string) (*permit.Report, string) {
	t.Helper()
	res, page := s.postMultipartOK(paths.Report.String(), fields)
	return followed(t, s, res, page)
}

// postMultipartOK posts a multipart form without a file.
func (s *site) postMultipartOK(path string, fields map[string]string) (*http.Response, string) {
	return s.postMultipart(path, fields, "screenshot", "", nil)
}

func reportID(id int64) string { return strconv.FormatInt(id, 10) }

// TestReportLinksOnlyWhatTheReporterMaySee: an applicant's report is
// linked to them and to their own application; another's application is
// dropped without a word; support sees reports by scope, and only the
// agents of the application's prefecture get a link to its case.
func TestReportLinksOnlyWhatTheReporterMaySee(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		pref := s.prefecture("75", "75")
		other := s.prefecture("69", "69")
		mine := s.applicantWithFiling("amina@example.org")
		r, code := supportReportFixture(t, s, mine)
		app, _ := s.db.Application(t.Context(), mine)
		if r.ApplicationID != mine || r.PersonID != app.PersonID || r.PrefectureID != pref.ID || r.Email != "amina@example.org" || r.Screenshot == nil {
			t.Fatalf("report not linked: %+v", r)
		}
		mails, _ := s.db.Mails().RecentMails(t.Context(), 10)
		if len(mails) == 0 || mails[0].To != "amina@example.org" || !strings.Contains(mails[0].Text, "/suivi/"+code) || !strings.Contains(mails[0].Subject, r.Reference) {
			t.Errorf("the reporter is not mailed the follow link: %+v", mails)
		}
		if res, page := s.get("/mes-signalements"); res.StatusCode != http.StatusOK || !strings.Contains(page, r.Reference) {
			t.Errorf("my reports: %d\n%s", res.StatusCode, page)
		}
		// Another applicant names Amina's application: it is not linked.
		bob := s.as("bob@example.org", permit.RoleApplicant)
		r2, _ := reportAs(t, bob, map[string]string{"category": "other", "description": "Test",
			"application": reportID(mine)})
		if r2.ApplicationID != 0 || r2.PersonID != 0 || r2.PrefectureID != 0 {
			t.Errorf("someone else's application was linked: %+v", r2)
		}
		// An agent of the prefecture whose session has not passed the
		// second factor reports like anyone without an account: nothing of
		// the prefecture is linked.
		pending := newSite(t, s.db, s.clk)
		pendingAccount(t, pending, "pending-agent@example.org", permit.RoleAgent, pref.ID)
		_, secret, err := pending.uc.Accounts.LogIn(t.Context(), loginForm("pending-agent@example.org"), "")
		if err != nil {
			t.Fatal(err)
		}
		pending.cookie[web.SessionCookie] = secret
		r3, _ := reportAs(t, pending, map[string]string{"category": "other", "description": "Test",
			"application": reportID(mine), "email": "pending-agent@example.org"})
		if r3.ApplicationID != 0 || r3.PersonID != 0 || r3.PrefectureID != 0 || r3.AccountID != 0 {
			t.Errorf("a session without the second factor linked a file: %+v", r3)
		}
		for _, p := range []string{paths.MyReport.Format(r.ID), paths.MyReportShot.Format(r.ID)} {
			if res, _ := bob.get(p); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s by another applicant: %d", p, res.StatusCode)
			}
		}
		// The reporter downloads their screenshot as an attachment.
		res, _ := s.get(paths.MyReportShot.Format(r.ID))
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") ||
			!strings.Contains(res.Header.Get("Content-Security-Policy"), "sandbox") || res.Header.Get("Content-Type") != "image/png" {
			t.Errorf("screenshot for the reporter: %d %v", res.StatusCode, res.Header)
		}

		agent := s.as("agent75@example.org", permit.RoleAgent, pref.ID)
		_, page := agent.get(paths.Support.String())
		if !strings.Contains(page, r.Reference) || strings.Contains(page, r2.Reference) {
			t.Errorf("the agent's queue shows the wrong reports:\n%s", page)
		}
		res, page = agent.get(paths.SupportReport.Format(r.ID))
		if res.StatusCode != http.StatusOK || !strings.Contains(page, `href="/agent/demandes/`+reportID(mine)+`"`) || !strings.Contains(page, "<bdi>Zoë</bdi> <bdi>N&#39;Diaye</bdi>") {
			t.Errorf("the agent's report page: %d\n%s", res.StatusCode, page)
		}
		if res, _ := agent.get(paths.SupportReport.Format(r2.ID)); res.StatusCode != http.StatusNotFound {
			t.Errorf("an unlinked report for an agent: %d", res.StatusCode)
		}
		stranger := s.as("agent69@example.org", permit.RoleAgent, other.ID)
		for _, p := range []string{paths.SupportReport.Format(r.ID), paths.SupportShot.Format(r.ID), paths.Incidents.String()} {
			if res, _ := stranger.get(p); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s by another prefecture's agent: %d", p, res.StatusCode)
			}
		}
		if res, _ := stranger.post(paths.SupportAnswer.Format(r.ID), url.Values{"answer": {"x"}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("answer by another prefecture's agent: %d", res.StatusCode)
		}
		desk := s.as("aide@example.org", permit.RoleHelpDesk)
		res, page = desk.get(paths.SupportReport.Format(r.ID))
		if res.StatusCode != http.StatusOK || strings.Contains(page, `href="/agent/demandes/`) || !strings.Contains(page, "Demande n° "+reportID(mine)) {
			t.Errorf("the help desk's report page (no case link): %d\n%s", res.StatusCode, page)
		}
		if res, _ := desk.get(paths.Case.Format(mine)); res.StatusCode != http.StatusNotFound {
			t.Errorf("the help desk opened a case: %d", res.StatusCode)
		}
		if res, _ := desk.get(paths.SupportShot.Format(r.ID)); res.StatusCode != http.StatusOK {
			t.Errorf("screenshot for the help desk: %d", res.StatusCode)
		}
		lines, _ := s.db.Audit().AuditTrail(t.Context(), audit.Filter{Everywhere: true, Actions: []string{casework.ActionReportView}, Limit: 10})
		if len(lines) != 2 || lines[0].PersonID != app.PersonID {
			t.Errorf("report views recorded: %d lines", len(lines))
		}
	})
}

// TestSupportWorksAReport: triage, assign, answer (mailed), resolve with
// a note, reopen; each refused input gets its message, and each step is
// audited. The times are shown.
func TestSupportWorksAReport(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.prefecture("75", "75")
		mine := s.applicantWithFiling("amina@example.org")
		r, _ := supportReportFixture(t, s, mine)
		desk := s.as("aide@example.org", permit.RoleHelpDesk)
		other := s.as("aide2@example.org", permit.RoleHelpDesk)
		for _, tc := range []struct {
			action paths.ID
			form   url.Values
			status int
			text   string
		}{
			{paths.SupportTriage, url.Values{"category": {"nope"}, "priority": {"high"}}, 422, "Choisissez une catégorie."},
			{paths.SupportTriage, url.Values{"category": {"data_wrong"}, "priority": {"high"}}, 303, ""},
			{paths.SupportAssign, url.Values{"assignee": {"999"}}, 422, "Choisissez une personne de la liste."},
			{paths.SupportAssign, url.Values{"assignee": {reportID(other.account().ID)}}, 303, ""},
			{paths.SupportAssign, url.Values{"moi": {"1"}}, 303, ""},
			{paths.SupportReopen, url.Values{"reason": {"x"}}, 409, ""},
			{paths.SupportAnswer, url.Values{"answer": {"  "}}, 422, "Écrivez votre message."},
			{paths.SupportAnswer, url.Values{"answer": {"Nous corrigeons votre nom."}}, 303, ""},
			{paths.SupportResolve, url.Values{"note": {"Nom corrigé."}}, 303, ""},
			{paths.SupportAnswer, url.Values{"answer": {"Encore ?"}}, 409, ""},
			{paths.SupportReopen, url.Values{"reason": {"L'usager rappelle."}}, 303, ""},
		} {
			s.clk.Advance(30 * 60e9)
			res, page := desk.post(tc.action.Format(r.ID), tc.form)
			if res.StatusCode != tc.status || (tc.text != "" && !strings.Contains(html.UnescapeString(page), tc.text)) {
				t.Errorf("%s %v: %d, want %d with %q", tc.action.Format(r.ID), tc.form, res.StatusCode, tc.status, tc.text)
			}
		}
		got, _ := s.db.Support().Report(t.Context(), r.ID)
		if got.Category != permit.ReportDataWrong || got.Priority != permit.PriorityHigh || got.AssigneeID != desk.account().ID ||
			got.Status != permit.ReportInProgress || got.ResolvedAt != nil || got.FirstAnswerAt == nil {
			t.Errorf("after the steps: %+v", got)
		}
		mails, _ := s.db.Mails().RecentMails(t.Context(), 10)
		var answered, resolved bool
		for _, m := range mails {
			answered = answered || (m.To == "amina@example.org" && strings.Contains(m.Text, "Nous corrigeons votre nom."))
			resolved = resolved || (m.To == "amina@example.org" && strings.Contains(m.Text, "Nom corrigé."))
		}
		if !answered || !resolved {
			t.Errorf("answer mailed %v, resolution mailed %v", answered, resolved)
		}
		res, page := desk.get(paths.SupportReport.Format(r.ID) + "?fait=reopen")
		if res.StatusCode != http.StatusOK || !strings.Contains(page, "Le signalement est rouvert.") || !strings.Contains(page, "Délai de première réponse") ||
			!strings.Contains(page, "4 h 00") {
			t.Errorf("report page after the steps: %d\n%s", res.StatusCode, page)
		}
		// The reporter sees the answer, never the triage or who in support acted.
		_, page = s.get(paths.MyReport.Format(r.ID))
		if !strings.Contains(page, "Nous corrigeons votre nom.") || strings.Contains(page, "aide@example.org") || strings.Contains(page, "Tri") {
			t.Errorf("the reporter's page:\n%s", page)
		}
		lines, _ := s.db.Audit().AuditTrail(t.Context(), audit.Filter{Everywhere: true, Actions: []string{casework.ActionReportTriage, casework.ActionReportAssign,
			casework.ActionReportAnswer, casework.ActionReportResolve, casework.ActionReportReopen}, Limit: 20})
		if len(lines) != 6 {
			t.Errorf("audited steps: %d, want 6 (the refused ones leave none)", len(lines))
		}
		_, page = desk.get(paths.Support.String())
		if !strings.Contains(page, "médiane 4 h 00") {
			t.Errorf("the queue's figures:\n%s", page)
		}
		if res, _ := desk.get(paths.Support.String() + "?statut=perdu"); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("unknown status filter: %d", res.StatusCode)
		}
	})
}

// TestScreenshotChecksAndLimits: a screenshot that is not an image or a
// PDF is refused like a document; reports from one address are limited.
func TestScreenshotChecksAndLimits(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		form := map[string]string{"category": "other", "description": "x", "email": "x@example.org"}
		res, page := s.postMultipart(paths.Report.String(), form, "screenshot", "capture.png", []byte("not an image at all"))
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `screenshot-error`) {
			t.Errorf("bad screenshot: %d\n%s", res.StatusCode, page)
		}
		n := 1
		for ; n < 20; n++ {
			res, _ := s.postMultipartOK(paths.Report.String(), form)
			if res.StatusCode == http.StatusTooManyRequests {
				break
			}
		}
		if n != 10 {
			t.Errorf("the limit was reached at report %d, want 10", n+1)
		}
	})
}

// TestServerErrorsBecomeIncidents: a server error is kept as an incident
// under the reference the page shows, with the path without its query or
// secret; its page offers to report it, carrying the reference, the page
// and the application; the help desk sees it counted and beside a
// report quoting it, agents do not see the incidents page.
func TestServerErrorsBecomeIncidents(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/demandes/42/recepisse?jeton=secret", nil)
		s.srv.RenderError(rec, req, errors.New("database exploded"))
		page := rec.Body.String()
		ref := regexp.MustCompile(`ERR-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}`).FindString(page)
		if rec.Code != 500 || ref == "" || !strings.Contains(page, `href="/signaler?demande=42&amp;page=%2Fdemandes%2F42%2Frecepisse&amp;ref=`+ref+`"`) {
			t.Fatalf("error page: %d\n%s", rec.Code, page)
		}
		s.srv.RenderError(httptest.NewRecorder(), httptest.NewRequest("GET", "/reinitialiser/sometoken", nil), errors.New("boom"))
		ins, _ := s.db.Support().Incidents(t.Context(), "", 10)
		if len(ins) != 2 || ins[1].Reference != ref || ins[1].Path != "/demandes/42/recepisse" || ins[1].Cause != "database exploded" ||
			ins[1].Status != 500 || ins[0].Path != "/reinitialiser/" {
			t.Fatalf("incidents: %+v", ins)
		}
		// A not-found page is no incident.
		s.get("/nulle-part")
		if ins, _ := s.db.Support().Incidents(t.Context(), "", 10); len(ins) != 2 {
			t.Errorf("a 404 became an incident")
		}
		r, _ := reportAs(t, s, map[string]string{"category": "site_fails", "description": "Le récépissé plante",
			"phone": "0601020304", "error_ref": strings.ToLower(ref)})
		desk := s.as("aide@example.org", permit.RoleHelpDesk)
		_, page = desk.get(paths.SupportReport.Format(r.ID))
		if !strings.Contains(page, "database exploded") || !strings.Contains(page, "/demandes/42/recepisse") {
			t.Errorf("the incident is not beside the report quoting it:\n%s", page)
		}
		res, page := desk.get(paths.Incidents.String())
		if res.StatusCode != http.StatusOK || !strings.Contains(page, "<td>http_500</td><td>2</td>") {
			t.Errorf("incident counts: %d\n%s", res.StatusCode, page)
		}
		if res, page := desk.get("/support/incidents?ref=" + ref); res.StatusCode != http.StatusOK || !strings.Contains(page, "database exploded") || strings.Contains(page, "boom") {
			t.Errorf("incidents of a reference: %d\n%s", res.StatusCode, page)
		}
		agent := s.as("agent@example.org", permit.RoleAgent, s.prefecture("75", "75").ID)
		if res, _ := agent.get(paths.Incidents.String()); res.StatusCode != http.StatusNotFound {
			t.Errorf("incidents for an agent: %d", res.StatusCode)
		}
	})
}

// TestHelpDeskAccounts: an admin creates a help-desk account, which has
// no prefecture, must pass the second factor, and lands on the queue.
func TestHelpDeskAccounts(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		pref := s.prefecture("75", "75")
		admin := s.as("admin@example.org", permit.RoleAdmin)
		res, page := admin.post(paths.StaffAccounts.String(), url.Values{"email": {"aide@pref.example"}, "title": {"help_desk"}, "prefectures": {reportID(pref.ID)}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create help desk: %d\n%s", res.StatusCode, page)
		}
		a, _, err := s.db.Accounts().AccountByEmail(t.Context(), "aide@pref.example")
		if err != nil || a.Role != permit.RoleHelpDesk || len(a.Prefectures) != 0 {
			t.Fatalf("help-desk account: %+v, %v", a, err)
		}
		if _, page := admin.get("/admin/agents"); !strings.Contains(page, "Assistance (support)") {
			t.Errorf("the staff list does not name the help desk")
		}
		pending := newSite(t, s.db, s.clk)
		pendingAccount(t, pending, "aide2@pref.example", permit.RoleHelpDesk)
		_, secret, err := pending.uc.Accounts.LogIn(t.Context(), loginForm("aide2@pref.example"), "")
		if err != nil {
			t.Fatal(err)
		}
		pending.cookie[web.SessionCookie] = secret
		if res, _ := pending.get(paths.Support.String()); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), web.SecondFactorPath) {
			t.Errorf("help desk without a second factor: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		passSecondFactor(t, pending, secret)
		if res, _ := pending.get(paths.LogIn.String()); res.Header.Get("Location") != "/support" {
			t.Errorf("the help desk's home: %q", res.Header.Get("Location"))
		}
	})
}
