package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/permit"
)

// TestStatusPage: during an outage an administrator declared (and with an
// ended one in the history), a visitor on a phone without JavaScript sees
// the banner on the home page, follows it to the status page and reads
// each function's state, the outage with its effect on deadlines and the
// history, in French and in English; every page passes axe.
func TestStatusPage(t *testing.T) {
	m, base := startApp(t)
	now := m.Clock.Now()
	admin := &permit.Account{Email: "admin@exemple.fr", Role: permit.RoleAdmin, Lang: "fr", ConfirmedAt: &now}
	if err := m.DB.Accounts().CreateAccount(t.Context(), admin, "unused", nil, nil); err != nil {
		t.Fatal(err)
	}
	past, pastEnd, start := now.AddDate(0, 0, -20), now.AddDate(0, 0, -20).Add(3*time.Hour), now.Add(-time.Hour)
	for _, f := range []casework.OutageForm{
		{Kind: "declared", Functions: []string{"filing", "attestations"}, Start: casework.FormatOutageTime(&past),
			End: casework.FormatOutageTime(&pastEnd), Relieves: true, Reason: "incident clos",
			DescriptionFR: "Le stockage des documents était plein.", DescriptionEN: "Document storage was full."},
		{Kind: "declared", Functions: []string{"filing"}, Start: casework.FormatOutageTime(&start), Relieves: true, Reason: "incident",
			DescriptionFR: "Le dépôt en ligne est interrompu.", DescriptionEN: "Online filing is interrupted."},
	} {
		if _, err := m.UseCases.Outages.Declare(t.Context(), admin, f); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		lang, browserLang, heading, banner, link string
		texts                                    []string
	}{
		{"fr", "fr-FR", "État du service", "Le portail fonctionne en partie", "Voir l'état du service",
			[]string{"Dépôt des demandes en ligne", "EN PANNE depuis le", "FONCTIONNE", "Le dépôt en ligne est interrompu.",
				"Le stockage des documents était plein.", "comptera comme déposée à temps", "Pannes des 90 derniers jours"}},
		{"en", "en-GB", "Service status", "The portal partly works", "See the service status",
			[]string{"Filing applications online", "DOWN since", "WORKING", "Online filing is interrupted.",
				"Document storage was full.", "will count as filed in time", "Outages of the last 90 days"}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			b := newBrowser(t, base, options{dev: phone, lang: tc.browserLang, noScript: true})
			wantStatus(t, "home", b.open("/"), http.StatusOK)
			b.check("status-home", expected{lang: tc.lang, heading: map[string]string{"fr": french.homeHeading, "en": english.homeHeading}[tc.lang],
				texts: []string{tc.banner}})
			wantStatus(t, "status page", b.follow(link("main", tc.link)), http.StatusOK)
			b.check("status-page", expected{lang: tc.lang, heading: tc.heading, texts: tc.texts})
		})
	}
}
