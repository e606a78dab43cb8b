package web_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store/storetest"
	"github.com/sejour/sejour/internal/web"
)

// queueSite has a filed renewal in Paris (75) whose permit ends on 24
// February 2027, and logs in as an agent of Paris.
func queueSite(t *testing.T, s *site) (paris, other *permit.Prefecture, id int64) {
	t.Helper()
	paris, other = s.prefecture("75", "75"), s.prefecture("93", "93")
	id = s.applicantWithFiling("zoe@example.org")
	s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "agent75@example.org", permit.RoleAgent, paris.ID)}
	return paris, other, id
}

func TestQueuePage(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		_, _, id := queueSite(t, s)
		res, page := s.get(paths.Agent.String())
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d\n%s", res.StatusCode, page)
		}
		mustContain(t, page, `<caption id="file-legende">`, `<th scope="col">`, `<th scope="row"><a href="/agent/demandes/`+strconv.FormatInt(id, 10)+`">`,
			"<bdi>N&#39;Diaye</bdi> <bdi>Zoë</bdi>", "Renouvellement", "Titre expire le 24 février 2027", `class="fr-table__container"`,
			`href="/agent?state=submitted"`, `aria-current="page"`, "Toutes (1)", `href="/agent/export.csv"`,
			`<form method="get" action="/agent"`, `<label class="fr-label" for="from">`)
		// Three days after the permit ended (27 February), the row says so.
		s.clk.Set(s.clk.Now().AddDate(0, 3, 1))
		_, secret, err := s.uc.Accounts.LogIn(t.Context(), loginForm("agent75@example.org"), "")
		if err != nil {
			t.Fatal(err)
		}
		passSecondFactor(t, s, secret)
		s.cookie[web.SessionCookie] = secret
		_, page = s.get(paths.Agent.String() + "?state=submitted")
		mustContain(t, page, "Titre expiré depuis 3\u00a0jours", "Dépassée", `<input type="checkbox" id="state-submitted" name="state" value="submitted" checked>`)
		_, page = s.get(paths.Agent.String() + "?state=incomplete")
		mustContain(t, page, "Aucune demande ne correspond")
		mustNotContain(t, page, "N&#39;Diaye")
	})
}

func TestQueueBadFilterIsExplained(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		queueSite(t, s)
		for path, msg := range map[string]string{
			paths.Agent.String() + "?state=draft":        "Choisissez des états dans la liste.",
			paths.Agent.String() + "?from=31/02/2026":    "Saisissez une date valide",
			paths.Agent.String() + "?kind=x&ground=y":    "Choisissez un motif dans la liste.",
			paths.Agent.String() + "?after=nonsense":     "Ce lien de page n",
			paths.QueueExport.String() + "?to=yesterday": "Saisissez une date valide",
		} {
			res, page := s.get(path)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d", path, res.StatusCode)
			}
			mustContain(t, page, msg, `class="fr-alert fr-alert--error`)
		}
	})
}

func TestQueueIsOnlyForItsPrefecturesStaff(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		paris, other, _ := queueSite(t, s)
		// An agent of another prefecture sees an empty queue, and cannot
		// ask for Paris's.
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "agent93@example.org", permit.RoleAgent, other.ID)}
		_, page := s.get(paths.Agent.String())
		mustNotContain(t, page, "N&#39;Diaye")
		for _, p := range []string{paths.Agent.String() + "?prefecture=" + strconv.FormatInt(paris.ID, 10), paths.QueueExport.String() + "?prefecture=" + strconv.FormatInt(paris.ID, 10)} {
			if res, _ := s.get(p); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s as another prefecture's agent: %d", p, res.StatusCode)
			}
		}
		res, body := s.get(paths.QueueExport.String())
		if res.StatusCode != http.StatusOK || strings.Contains(body, "Diaye") {
			t.Errorf("another prefecture's export: %d\n%s", res.StatusCode, body)
		}
		// An applicant gets nothing.
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "someone@example.org", permit.RoleApplicant)}
		for _, p := range []string{paths.Agent.String(), paths.QueueExport.String()} {
			if res, _ := s.get(p); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s as an applicant: %d", p, res.StatusCode)
			}
		}
	})
}

func TestQueueExportCSV(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		_, _, id := queueSite(t, s)
		// Names that a spreadsheet would run as formulas.
		app, _ := s.db.Application(t.Context(), id)
		p, _ := s.db.Person(t.Context(), app.PersonID)
		// Set in the database directly: the filed identity is no longer
		// the applicant's to edit.
		if _, err := s.db.SQL().ExecContext(t.Context(), `UPDATE persons SET given_names = '=HYPERLINK("http://evil.example";"x")', surname = '@SUM(1;2)' WHERE id = `+strconv.FormatInt(p.ID, 10)); err != nil {
			t.Fatal(err)
		}
		res, body := s.get(paths.QueueExport.String() + "?kind=renewal")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d\n%s", res.StatusCode, body)
		}
		if ct := res.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="file-attente-2026-11-26.csv"` {
			t.Errorf("Content-Disposition %q", cd)
		}
		if !strings.HasPrefix(body, "\ufeff") {
			t.Fatal("no byte-order mark")
		}
		r := csv.NewReader(bytes.NewBufferString(strings.TrimPrefix(body, "\ufeff")))
		r.Comma = ';'
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0][0] != "Numéro" || rows[0][10] != "Prochaine échéance" {
			t.Fatalf("rows %q", rows)
		}
		want := []string{strconv.FormatInt(id, 10), "Préfecture 75", "'@SUM(1;2)", "'=HYPERLINK(\"http://evil.example\";\"x\")", "Étudiant",
			"Renouvellement", "Déposée", "2026-11-26", "2027-02-24", "90", "Titre expire le 24 février 2027"}
		for i, w := range want {
			if rows[1][i] != w {
				t.Errorf("cell %d (%s) = %q, want %q", i, rows[0][i], rows[1][i], w)
			}
		}
		if !strings.Contains(body, "\r\n") {
			t.Error("lines do not end with CRLF")
		}
		// Taking the list out is in the audit trail, with its filter.
		lines, err := s.db.Audit().AuditTrail(t.Context(), audit.Filter{Everywhere: true, Actions: []string{"queue_export"}, Limit: 10})
		if err != nil || len(lines) != 1 || lines[0].ActorEmail != "agent75@example.org" || lines[0].PrefectureID != app.PrefectureID ||
			!strings.Contains(lines[0].Detail, "renewal") {
			t.Fatalf("audit of the export: %+v, %v", lines, err)
		}
	})
}

func TestQueuePagingLinks(t *testing.T) {
	clk := clock.NewFixed(storetest.Start)
	s := newSite(t, storetest.SQLite(t, clk), clk)
	paris, _, _ := queueSite(t, s)
	agent := s.cookie
	for i := range casework.QueuePageSize {
		s.applicantWithFiling(fmt.Sprintf("p%d@example.org", i))
	}
	s.cookie = agent
	_, page := s.get(paths.Agent.String() + "?prefecture=" + strconv.FormatInt(paris.ID, 10))
	next := regexp.MustCompile(`<a class="fr-btn" href="(/agent\?after=[^"]+)">Page suivante</a>`).FindStringSubmatch(page)
	if next == nil || strings.Count(page, `<th scope="row">`) != casework.QueuePageSize {
		t.Fatalf("first page: %d rows, next link %v", strings.Count(page, `<th scope="row">`), next)
	}
	_, page = s.get(html.UnescapeString(next[1]))
	if strings.Count(page, `<th scope="row">`) != 1 || !strings.Contains(page, "Première page") || strings.Contains(page, "Page suivante") {
		t.Fatalf("second page:\n%s", page)
	}
}
