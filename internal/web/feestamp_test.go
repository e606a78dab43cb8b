package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
	"github.com/sejour/sejour/internal/web/backoffice"
)

// TestFeeStampIsUsedOnce (issue 13, item 16): a timbre fiscal number one
// application holds is refused to any other, online and at the counter,
// with a message on the fee-stamp field that names nobody, and the number
// typed kept in the field.
func TestFeeStampIsUsedOnce(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		pref := s.prefecture("75", "75")
		first := s.applicantWithFiling("premier-timbre@example.org")
		taken := strings.ReplaceAll(feeStamp(first), " ", "")
		used := "Ce numéro de timbre fiscal a déjà servi pour une autre demande."

		// Another applicant, another prefecture's resident even: refused.
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "second-timbre@example.org", permit.RoleApplicant)}
		s.prefecture("69", "69")
		s.profileWithCard("69003", "student", 365, 90)
		second := s.start(permit.KindRenewal, "student")
		res, page := s.post(paths.FeeStamp.Format(second), url.Values{"fee_stamp": {taken}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a stamp used by another application: %d", res.StatusCode)
		}
		mustContain(t, page, used, `value="`+taken+`"`, `aria-invalid="true"`)
		mustNotContain(t, page, "premier-timbre", paths.Application.Format(first)+`"`)
		if a, _ := s.db.Application(t.Context(), second); a.FeeStamp != "" {
			t.Fatalf("the refused stamp was recorded: %q", a.FeeStamp)
		}
		// Its own stamp is accepted, and saving it again changes nothing.
		for range 2 {
			if res, page := s.post(paths.FeeStamp.Format(second), url.Values{"fee_stamp": {feeStamp(second)}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("the application's own stamp: %d\n%s", res.StatusCode, page)
			}
		}

		// At the counter, for a person without an account: refused too.
		s.counterAgent("guichet-timbre@prefecture.test", pref.ID)
		_, appID := s.counterDraft(permit.ChannelCounter, "")
		res, page = s.post(backoffice.CounterCaseURL(appID)+"/timbre", url.Values{"fee_stamp": {feeStamp(first)}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a used stamp at the counter: %d", res.StatusCode)
		}
		mustContain(t, page, used)
	})
}
