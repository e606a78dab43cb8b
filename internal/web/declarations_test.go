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

// TestDeclarationJourney: employer A declares a hire on the page (a start
// too soon is refused beside its field; a resent form makes one
// declaration) and through the API; B's key cannot read it; the agent of
// another prefecture neither sees nor answers it; the worker's prefecture
// refuses it with a reason; A then sees the outcome and downloads the
// signed record; the worker sees the declaration on their dashboard.
func TestDeclarationJourney(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		s := newCheckSite(t, db, clk)
		s.lang = "en"
		prefs, err := db.Prefectures(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		lyon := s.prefecture("69", "69")
		earliest, _ := s.uc.Rules.Declarations.EarliestStart(permit.ParisDay(clk.Now()))
		_, secret, err := s.uc.Accounts.LogIn(t.Context(), loginForm("a@example.org"), "")
		if err != nil {
			t.Fatal(err)
		}
		s.cookie[web.SessionCookie] = secret
		form := url.Values{"share_code": {s.code}, "birth_date": {checkBirth}, "surname": {"Diallo"}, "given_names": {"Awa"},
			"start_date": {earliest.AddDate(0, 0, -1).Format(time.DateOnly)}, "job": {"Baker"}, "weekly_hours": {"35"},
			"contract": {"permanent"}, web.OnceField: {casework.NewResendKey()}}
		res, page := s.post(paths.EmployerDeclarations.String(), form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "the earliest possible start date is") {
			t.Fatalf("a start too soon: %d\n%s", res.StatusCode, page)
		}
		form.Set("start_date", earliest.Format(time.DateOnly))
		res, _ = s.post(paths.EmployerDeclarations.String(), form)
		again, _ := s.post(paths.EmployerDeclarations.String(), form)
		where := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || again.Header.Get("Location") != where {
			t.Fatalf("declare, then resend: %d %q, %q", res.StatusCode, where, again.Header.Get("Location"))
		}
		list, _ := s.uc.Declarations.List(t.Context(), checkerOf(s.adminA))
		if len(list) != 1 || list[0].Status != permit.DeclarationReferred {
			t.Fatalf("%d declarations, want 1 referred: %+v", len(list), list)
		}
		d := list[0]
		if _, page := s.get(where); !strings.Contains(page, "sent to the prefecture") || !strings.Contains(page, d.Number) {
			t.Errorf("the detail page:\n%s", page)
		}

		// Through the API, with A's key; B's key reads none of it.
		in, _ := json.Marshal(map[string]any{"share_code": s.code, "birth_date": checkBirth, "surname": "Diallo",
			"start_date": earliest.Format(time.DateOnly), "job": "Baker", "weekly_hours": 20, "contract": "fixed_term"})
		req := httptest.NewRequest("POST", paths.APIDeclarations.String(), strings.NewReader(string(in)))
		req.Header.Set("Authorization", "Bearer "+s.keyA)
		req.Header.Set("Content-Type", "application/json")
		res = s.do(req)
		var got struct {
			ID      int64
			Status  string
			DueDate string `json:"due_date"`
		}
		if text := body(t, res); res.StatusCode != http.StatusCreated || json.Unmarshal([]byte(text), &got) != nil || got.Status != "referred" || got.DueDate == "" {
			t.Errorf("API declaration: %d %s", res.StatusCode, text)
		}
		for key, want := range map[string]int{s.keyA: http.StatusOK, s.keyB: http.StatusNotFound} {
			req := httptest.NewRequest("GET", paths.APIDeclaration.Format(got.ID), nil)
			req.Header.Set("Authorization", "Bearer "+key)
			if res := s.do(req); res.StatusCode != want {
				t.Errorf("GET the declaration: %d, want %d", res.StatusCode, want)
			}
		}

		// Lyon's agent neither sees nor answers it; Paris's refuses it.
		s.cookie[web.SessionCookie] = loggedIn(t, s.site, "agent69@example.org", permit.RoleAgent, lyon.ID)
		if _, page := s.get(paths.AgentDeclarations.String()); strings.Contains(page, d.Number) {
			t.Errorf("Lyon's queue lists Paris's declaration")
		}
		if res, _ := s.get(paths.AgentDeclaration.Format(d.ID)); res.StatusCode != http.StatusNotFound {
			t.Errorf("Lyon opens it: %d", res.StatusCode)
		}
		if res, _ := s.post(paths.AgentDeclarationAnswer.Format(d.ID), url.Values{"outcome": {"authorised"}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("Lyon answers it: %d", res.StatusCode)
		}
		s.cookie[web.SessionCookie] = loggedIn(t, s.site, "agent75@example.org", permit.RoleAgent, prefs[0].ID)
		if _, page := s.get(paths.AgentDeclarations.String()); !strings.Contains(page, d.Number) {
			t.Errorf("Paris's queue lacks the declaration:\n%s", page)
		}
		res, page = s.post(paths.AgentDeclarationAnswer.Format(d.ID), url.Values{"outcome": {"refused"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Give the reason for the refusal.") {
			t.Errorf("a refusal without reason: %d", res.StatusCode)
		}
		res, _ = s.post(paths.AgentDeclarationAnswer.Format(d.ID), url.Values{"outcome": {"refused"}, "reason": {"No right to work"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("the refusal: %d", res.StatusCode)
		}

		s.cookie[web.SessionCookie] = secret
		if _, page := s.get(where); !strings.Contains(page, "refused by the prefecture") || !strings.Contains(page, "No right to work") {
			t.Errorf("the outcome on the employer's page:\n%s", page)
		}
		if res, _ := s.get(paths.EmployerDeclarationRecord.Format(d.ID)); res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
			t.Errorf("the record: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		s.cookie[web.SessionCookie] = s.applicantSID
		if _, page := s.get(paths.Dashboard.String()); !strings.Contains(page, d.Number) || !strings.Contains(page, "Boulangerie A") {
			t.Errorf("the worker's dashboard lacks the declaration")
		}
	})
}

// checkerOf is a member as a checker, for the use cases' reads.
func checkerOf(a *permit.Account) casework.Checker { return casework.Checker{Account: a} }
