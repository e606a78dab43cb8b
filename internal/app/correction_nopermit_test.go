package app

import (
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/app/apptest"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/notify/smtptest"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// A person who declared no residence permit asks for its dates to be
// corrected: the request is refused with the translated error
// correction.error.no_permit beside the end date, in French and in
// English, and nothing is recorded for an agent to review.
func TestPermitDatesCorrectionWithoutAPermit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, _ *clock.Fixed) {
		m, _ := opened(t, db, smtptest.Start(t), clock.NewFixed(time.Now()))
		ctx := t.Context()
		if err := db.Files().CreatePrefecture(ctx, &permit.Prefecture{Code: "75", Name: "Préfecture de police de Paris", Departments: []string{"75"}}); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		acc := &permit.Account{Email: "sanstitre@example.org", Role: permit.RoleApplicant, Lang: "fr", ConfirmedAt: &now}
		if err := db.Accounts().CreateAccount(ctx, acc, "!", nil, nil); err != nil {
			t.Fatal(err)
		}
		f := apptest.Identity(31, "")
		f.AddressLine, f.Postcode, f.City = "1 rue de la Paix", "75002", "Paris"
		if err := m.UseCases.Applications.SaveProfile(ctx, acc, f); err != nil {
			t.Fatal(err)
		}
		end := time.Now().AddDate(0, 6, 0).Format(time.DateOnly)
		_, err := m.UseCases.Corrections.RequestCorrection(ctx, acc, casework.CorrectionForm{
			Identity: apptest.Identity(31, end), Explanation: "Mon titre se termine le " + end + ".", Filename: "titre.png", Evidence: apptest.Scan(t)})
		if permit.ErrorCode(err) != permit.EINVALID {
			t.Fatalf("dates of a permit never declared: %v, want invalid", err)
		}
		key := permit.FieldErrors(err)["permit_to"]
		if key != "correction.error.no_permit" {
			t.Fatalf("field errors %v, want correction.error.no_permit on permit_to", permit.FieldErrors(err))
		}
		for lang, word := range map[string]string{"fr": "titre de séjour", "en": "residence permit"} {
			if msg := m.Tr.T(lang, key); msg == key || !strings.Contains(msg, word) {
				t.Errorf("%s: %q is not the translated message", lang, msg)
			}
		}
		agent := &permit.Account{Email: "agent31@prefecture.example.org", Role: permit.RoleAgent, Lang: "fr", ConfirmedAt: &now}
		prefs, err := db.Prefectures(ctx)
		if err != nil {
			t.Fatal(err)
		}
		agent.Prefectures = []int64{prefs[0].ID}
		if err := db.Accounts().CreateAccount(ctx, agent, "!", nil, nil); err != nil {
			t.Fatal(err)
		}
		if pending, err := m.UseCases.Corrections.PendingCorrections(ctx, agent); err != nil || len(pending) != 0 {
			t.Fatalf("a refused request was recorded: %v %v", pending, err)
		}
	})
}
