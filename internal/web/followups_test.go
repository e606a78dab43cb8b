package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
	"github.com/sejour/sejour/internal/web"
)

// TestFollowUpPages: after a check, A asks to follow; B can neither ask
// after A's check, nor fetch its proof, nor end it; another person
// cannot answer; the person accepts on /partage; A then downloads the
// current signed proof on the page and through the API (B's key: 404);
// A registers a webhook (a private address refused, the secret shown
// once); the person ends the follow-up, and the proof is gone.
func TestFollowUpPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		s := newCheckSite(t, db, clk)
		s.lang = "en"
		as := func(email string, second bool) {
			_, secret, err := s.uc.Accounts.LogIn(t.Context(), loginForm(email), "")
			if err != nil {
				t.Fatal(err)
			}
			if second {
				passSecondFactor(t, s.site, secret)
			}
			s.cookie[web.SessionCookie] = secret
		}
		as("a@example.org", true)
		res, page := s.post(paths.EmployerCheck.String(), url.Values{"share_code": {s.code}, "birth_date": {checkBirth}})
		if res.StatusCode != http.StatusOK || !strings.Contains(page, "Ask to follow this right to work") {
			t.Fatalf("the check's answer offers no follow-up: %d", res.StatusCode)
		}
		hist, _ := s.uc.WorkChecks.History(t.Context(), s.adminA)
		ask := paths.FollowUpAsk.Format(hist[0].ID)

		as("b@example.org", true)
		if res, _ := s.post(ask, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("B asks after A's check: %d", res.StatusCode)
		}
		as("a@example.org", true)
		if res, _ := s.post(ask, nil); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != paths.FollowUps.String()+"?demande" {
			t.Fatalf("A asks: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if res, _ := s.post(ask, nil); res.Header.Get("Location") != paths.FollowUps.String()+"?deja" {
			t.Errorf("A asks again: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		_, list := s.get(paths.FollowUps.String())
		if !strings.Contains(list, "Diallo") || !strings.Contains(list, "waiting for the person") || strings.Contains(list, "preuve.pdf") {
			t.Errorf("A's follow-ups before the answer:\n%s", list)
		}
		mine, _ := s.uc.FollowUps.Organisation(t.Context(), s.adminA)
		id := mine[0].ID

		as("b@example.org", true)
		for _, try := range []func() (*http.Response, string){
			func() (*http.Response, string) { return s.get(paths.FollowUpProof.Format(id)) },
			func() (*http.Response, string) { return s.post(paths.FollowUpEnd.Format(id), nil) },
		} {
			if res, _ := try(); res.StatusCode != http.StatusNotFound {
				t.Errorf("B on A's follow-up: %d", res.StatusCode)
			}
		}
		loggedIn(t, s.site, "other@example.org", permit.RoleApplicant)
		as("other@example.org", false)
		if res, _ := s.post(paths.FollowUpAccept.Format(id), nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("another person accepts: %d", res.StatusCode)
		}

		s.cookie[web.SessionCookie] = s.applicantSID
		_, share := s.get(paths.Share.String())
		if !strings.Contains(share, "Boulangerie A") || !strings.Contains(share, "This employer asks to follow your right to work") {
			t.Fatalf("/partage does not show the request:\n%s", share)
		}
		if res, _ := s.post(paths.FollowUpAccept.Format(id), nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("the person accepts: %d", res.StatusCode)
		}
		if _, share = s.get(paths.Share.String() + "?suivi-accepte"); !strings.Contains(share, "Active since") || !strings.Contains(share, "You accepted the follow-up.") {
			t.Errorf("/partage after accepting:\n%s", share)
		}

		as("a@example.org", true)
		if res, _ := s.get(paths.FollowUpProof.Format(id)); res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
			t.Errorf("A's proof PDF: %d", res.StatusCode)
		}
		api := func(key string) (int, map[string]any) {
			req := httptest.NewRequest("GET", paths.APIFollowUpProof.Format(id), nil)
			req.Header.Set("Authorization", "Bearer "+key)
			res := s.do(req)
			var out map[string]any
			_ = json.Unmarshal([]byte(body(t, res)), &out)
			return res.StatusCode, out
		}
		if code, out := api(s.keyA); code != http.StatusOK || out["result"] != "match" || out["person"].(map[string]any)["surname"] != "Diallo" {
			t.Errorf("A's proof by the API: %d %v", code, out)
		}
		if code, out := api(s.keyB); code != http.StatusNotFound || out["error"] != "not_found" {
			t.Errorf("A's proof by B's key: %d %v", code, out)
		}
		if h, _ := s.uc.WorkChecks.History(t.Context(), s.adminA); len(h) != 3 {
			t.Errorf("A's history holds %d records, want the check and two proofs", len(h))
		}

		res, page = s.post(paths.EmployerWebhook.String(), url.Values{"url": {"https://192.168.1.10/hook"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "must begin with https://") {
			t.Errorf("a private address: %d", res.StatusCode)
		}
		res, page = s.post(paths.EmployerWebhook.String(), url.Values{"url": {"https://hooks.example.com/sejour"}})
		if res.StatusCode != http.StatusOK || !strings.Contains(page, "whsec_") {
			t.Errorf("registering a webhook: %d", res.StatusCode)
		}
		if _, page = s.get(paths.EmployerWebhook.String()); strings.Contains(page, "whsec_") || !strings.Contains(page, "hooks.example.com") {
			t.Error("the webhook page shows the secret again, or not the address")
		}

		s.cookie[web.SessionCookie] = s.applicantSID
		if res, _ := s.post(paths.FollowUpWorkerEnd.Format(id), nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("the person ends it: %d", res.StatusCode)
		}
		if code, _ := api(s.keyA); code != http.StatusNotFound {
			t.Errorf("a proof after the end: %d", code)
		}
		as("a@example.org", true)
		if _, list = s.get(paths.FollowUps.String()); !strings.Contains(list, "Ended by the person") {
			t.Errorf("A's list after the end:\n%s", list)
		}
	})
}
