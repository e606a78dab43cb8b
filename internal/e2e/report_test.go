package e2e

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sejour/sejour/internal/casework"
)

// TestReportFromErrorPage: someone without an account lands on an error
// page, on a phone and without JavaScript, and reports the problem from
// it. The form comes pre-filled with the error's reference and the page;
// without a way to answer them it says so beside the field; with a phone
// number the report is recorded, and its follow page gives the reference
// and the follow code. Every page passes axe-core, in both languages.
func TestReportFromErrorPage(t *testing.T) {
	for _, tc := range []struct {
		browserLang, lang                                string
		errorHeading, report, formHeading, submit        string
		summary, noContact, followHeading, created, keep string
	}{
		{"fr-FR", "fr", "Nous ne pouvons pas afficher cette page", "Signaler ce problème", "Signaler un problème", "Envoyer le signalement",
			"Le formulaire contient des erreurs", "Laissez une adresse électronique ou un numéro de téléphone pour que nous puissions vous répondre.",
			"Signalement ", "Votre signalement est enregistré", "Notez votre code de suivi"},
		{"en-GB", "en", "We cannot show this page", "Report this problem", "Report a problem", "Send the report",
			"There is a problem with the form", "Leave an e-mail address or a phone number so that we can answer you.",
			"Report ", "Your report is recorded", "Write down your follow code"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			m, base := startApp(t)
			b := newBrowser(t, base, options{dev: phone, lang: tc.browserLang, noScript: true})
			wantStatus(t, "unknown address", b.open("/demandes/7/nulle-part"), http.StatusNotFound)
			st := b.check("error-page", expected{lang: tc.lang, heading: tc.errorHeading, texts: []string{tc.report}})
			ref := reference.FindString(st.Text)
			if ref == "" {
				t.Fatalf("the error page shows no reference:\n%s", st.Text)
			}
			wantStatus(t, "report from the error page", b.follow(link("main", tc.report)), http.StatusOK)
			b.check("report-form", expected{lang: tc.lang, heading: tc.formHeading, texts: []string{"/demandes/7/nulle-part"}})
			var values []string
			b.withScripts("read the pre-filled form", func() {
				var err error
				values, err = run(b, chromedp.Evaluate[[]string](
					`[document.getElementById('error_ref').value, document.querySelector('input[name=page]').value]`))
				if err != nil {
					t.Fatal(err)
				}
			})
			if len(values) != 2 || values[0] != ref || values[1] != "/demandes/7/nulle-part" {
				t.Errorf("the form carries (reference, page) %q, want %q and the error's page", values, ref)
			}
			b.fill("description", "La page de ma demande ne s'affiche pas.")
			wantStatus(t, "send without contact", b.follow(button("main", tc.submit)), http.StatusUnprocessableEntity)
			b.check("report-no-contact", expected{lang: tc.lang, heading: tc.formHeading, texts: []string{tc.summary, tc.noContact}})
			checkFieldError(t, b, fieldError{summary: tc.summary, field: "email", message: tc.noContact,
				kept: map[string]string{"error_ref": ref, "phone": ""}, valid: []string{"phone", "error_ref"}})
			b.fill("phone", "06 12 34 56 78")
			wantStatus(t, "send the report", b.follow(button("main", tc.submit)), http.StatusOK)
			var url string
			b.withScripts("read the address", func() {
				var err error
				if url, err = run(b, chromedp.Evaluate[string](`location.href`)); err != nil {
					t.Fatal(err)
				}
			})
			code := regexp.MustCompile(`/suivi/([A-Z0-9]{16})`).FindStringSubmatch(url)
			if code == nil {
				t.Fatalf("the report did not lead to its follow page: %s", url)
			}
			th, err := m.UseCases.Reports.ReporterThread(t.Context(), casework.ReporterKey{Code: code[1]})
			if err != nil {
				t.Fatal(err)
			}
			if th.Report.ErrorRef != ref || th.Report.Phone != "06 12 34 56 78" || th.Report.ApplicationID != 0 {
				t.Errorf("recorded report: %+v", th.Report)
			}
			st = b.check("report-follow", expected{lang: tc.lang, heading: tc.followHeading + th.Report.Reference,
				texts: []string{tc.created, tc.keep, casework.FormatClaim(code[1])}})
			if !strings.Contains(st.Text, ref) {
				t.Errorf("the follow page does not recall the error reference %s", ref)
			}
			helpDeskAnswers(t, m, base, tc.lang, th.Report.Reference, b, url)
		})
	}
}
