package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// supervisorIn makes a confirmed supervisor of some prefectures and
// returns a session secret.
func supervisorIn(t *testing.T, s *site, email string, prefectures ...int64) string {
	t.Helper()
	now := s.clk.Now()
	a := &permit.Account{Email: email, Role: permit.RoleAgent, Supervisor: true, Lang: "fr", ConfirmedAt: &now, Prefectures: prefectures}
	if err := s.db.Accounts().CreateAccount(t.Context(), a, mustHash(t, goodPassword), nil, nil); err != nil {
		t.Fatal(err)
	}
	_, secret, err := s.uc.Accounts.LogIn(t.Context(), loginForm(email), "")
	if err != nil {
		t.Fatal(err)
	}
	passSecondFactor(t, s, secret)
	return secret
}

// TestJournalRecordsWhatStaffDo: an agent opens a file and a document,
// starts the review and writes; the supervisor of that prefecture reads
// it all in the journal, a supervisor of another prefecture reads none of
// it, and the applicant sees when their file was opened, by which role
// and prefecture, without the agent's address.
func TestJournalRecordsWhatStaffDo(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		pref := s.prefecture("75", "75")
		other := s.prefecture("69", "69")
		id := s.applicantWithFiling("zoe@example.org")
		applicant := s.cookie[web.SessionCookie]
		docs, err := s.db.Documents(t.Context(), id)
		if err != nil || len(docs) < 2 {
			t.Fatal(docs, err)
		}
		doc := func(i int) string { return paths.Case.Format(id) + "/fichiers/" + strconv.FormatInt(docs[i].ID, 10) }
		app := paths.Case.Format(id)
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "agent@pref.example", permit.RoleAgent, pref.ID)}
		for _, step := range []struct {
			method, path string
			want         int
		}{
			{"GET", app, http.StatusOK},
			{"GET", doc(0), http.StatusOK},
			{"GET", doc(1), http.StatusOK},
			{"GET", doc(0), http.StatusOK},
			{"POST", app + "/instruction", http.StatusSeeOther},
		} {
			var res *http.Response
			if step.method == "POST" {
				res, _ = s.post(step.path, url.Values{})
			} else {
				res, _ = s.get(step.path)
			}
			if res.StatusCode != step.want {
				t.Fatalf("%s %s: %d", step.method, step.path, res.StatusCode)
			}
		}
		// A second start of the review fails: it leaves no entry.
		if res, _ := s.post(app+"/instruction", url.Values{}); res.StatusCode == http.StatusSeeOther {
			t.Fatalf("second start of the review: %d", res.StatusCode)
		}
		res, _ := s.postMultipart(app+"/messages", map[string]string{"body": "Bien reçu."}, "attachment", "", nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("agent message: %d", res.StatusCode)
		}
		// The agent is not a supervisor: no journal.
		if res, _ := s.get(paths.Journal.String()); res.StatusCode != http.StatusNotFound {
			t.Errorf("journal as an agent: %d", res.StatusCode)
		}

		s.cookie = map[string]string{web.SessionCookie: supervisorIn(t, s, "chef@pref.example", pref.ID)}
		res, page := s.get(paths.Journal.String())
		if res.StatusCode != http.StatusOK {
			t.Fatalf("journal as supervisor: %d\n%s", res.StatusCode, page)
		}
		mustContain(t, page, "Dossier consulté", "Document consulté", "Examen commencé", "Message envoyé au demandeur",
			"agent@pref.example", `href="`+app+`"`, "Préfecture 75", "<caption>")
		// Filters: by application, and by an application with no entries.
		_, page = s.get(paths.Journal.String() + "?application=" + strconv.FormatInt(id, 10) + "&actor=AGENT@pref.example")
		mustContain(t, page, "Examen commencé")
		_, page = s.get(paths.Journal.String() + "?application=" + strconv.FormatInt(id+1, 10))
		mustContain(t, page, "Aucune action ne correspond")
		mustNotContain(t, page, "Examen commencé")

		s.cookie = map[string]string{web.SessionCookie: supervisorIn(t, s, "chef69@pref.example", other.ID)}
		_, page = s.get(paths.Journal.String())
		mustContain(t, page, "Aucune action ne correspond")
		mustNotContain(t, page, "agent@pref.example", "Examen commencé")
		if res, _ := s.get(paths.Journal.String() + "?prefecture=" + strconv.FormatInt(pref.ID, 10)); res.StatusCode != http.StatusNotFound {
			t.Errorf("journal of another prefecture: %d", res.StatusCode)
		}

		s.cookie = map[string]string{web.SessionCookie: applicant}
		if res, _ := s.get(paths.Journal.String()); res.StatusCode != http.StatusNotFound {
			t.Errorf("journal as the applicant: %d", res.StatusCode)
		}
		res, page = s.get(paths.Accesses.String())
		if res.StatusCode != http.StatusOK {
			t.Fatalf("accesses: %d", res.StatusCode)
		}
		// One visit, one line: the file, and the two documents it opened
		// (one of them twice); the trail keeps every entry.
		mustContain(t, page, "Le dossier de la demande n°\u00a0"+strconv.FormatInt(id, 10),
			"2 documents de la demande n°\u00a0"+strconv.FormatInt(id, 10), "Agent, Préfecture 75")
		if rows := strings.Count(page, "<tr>") - 1; rows != 1 { // the header's row aside
			t.Errorf("the agent's visit takes %d lines of the accesses, want 1:\n%s", rows, page)
		}
		mustNotContain(t, page, "agent@pref.example", "Examen commencé")
		if _, page := s.get("/tableau-de-bord"); !strings.Contains(page, `href="/consultations"`) {
			t.Error("the dashboard does not link to the accesses")
		}

		rep, err := s.db.Audit().VerifyAudit(t.Context())
		if err != nil || rep.Break != nil || rep.Count != 6 {
			t.Fatalf("trail after the visit: %+v, %v", rep, err)
		}
	})
}

// TestJournalFormAndPages: wrong filters come back with messages beside
// the fields and the input kept; a long journal has pages.
func TestJournalFormAndPages(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		pref := s.prefecture("75", "75")
		s.cookie = map[string]string{web.SessionCookie: supervisorIn(t, s, "chef@pref.example", pref.ID)}
		res, page := s.get(paths.Journal.String() + "?from=hier&application=12a")
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("bad filters: %d", res.StatusCode)
		}
		mustContain(t, page, `href="#from"`, `href="#application"`, `value="hier"`, `value="12a"`, `aria-invalid="true"`)

		for i := range 51 {
			e := audit.Entry{ActorAccountID: 1, Action: "case.view", PrefectureID: pref.ID, ApplicationID: 1000 + int64(i)}
			if err := s.db.RecordAudit(audit.With(t.Context(), e)); err != nil {
				t.Fatal(err)
			}
		}
		_, page = s.get(paths.Journal.String() + "?actor=")
		mustContain(t, page, "Page suivante", `href="/agent/journal?page=2"`, "Demande n°\u00a01050")
		mustNotContain(t, page, "Page précédente", "Demande n°\u00a01000<")
		_, page = s.get(paths.Journal.String() + "?page=2")
		mustContain(t, page, "Page précédente", "Demande n°\u00a01000<")
		mustNotContain(t, page, "Page suivante", "Demande n°\u00a01001<")
	})
}

// TestEveryActionHasALabel: each transition of the state machine, and
// each action recorded by the back office, is named in the journal.
func TestEveryActionHasALabel(t *testing.T) {
	p := web.NewPage("en", i18n.MustLoad())
	actions := []string{"case.view", "document.view", "message.post", "undo", "document_accepted", "document_rejected", "appointment_offered", "queue_export", "person.view"}
	seen := map[permit.Action]bool{}
	for _, st := range permit.States {
		for _, a := range permit.Actions(st) {
			if !seen[a] {
				seen[a] = true
				actions = append(actions, string(a))
			}
		}
	}
	for _, a := range actions {
		for _, lang := range []string{"fr", "en"} {
			p.Lang = lang
			if got := p.Action(a); got == a {
				t.Errorf("action %s has no label in %s", a, lang)
			}
		}
	}
	if got := p.Action("something.new"); got != "something.new" {
		t.Errorf("unknown action shown as %q", got)
	}
}
