package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
)

// TestOfflineVerifierReadsEmployersRecords: with the network gone, the
// offline verifier reads an employer's signed records as /verifier does
// — a right-to-work check's (kind 5, format 2) and a pre-hire
// declaration's (kind 6, format 3): who checked or declared, whom, the
// answer, the start of the hire — and refuses a record changed by one
// character. Before formats 2 and 3, it answered "malformed" to both
// (docs/attestation-format.md, sections 7b, 7c and 10).
func TestOfflineVerifierReadsEmployersRecords(t *testing.T) {
	m, base := startApp(t)
	seed(t, m, "travailleuse@exemple.fr")
	worker, employer := employerSeed(t, m)
	ctx := t.Context()
	wacc, _, err := m.DB.Accounts().AccountByEmail(ctx, worker)
	if err != nil {
		t.Fatal(err)
	}
	eacc, _, err := m.DB.Accounts().AccountByEmail(ctx, employer)
	if err != nil {
		t.Fatal(err)
	}
	code, _, err := m.UseCases.WorkChecks.CreateShareCode(ctx, wacc, "work")
	if err != nil {
		t.Fatal(err)
	}
	org, err := m.UseCases.WorkChecks.Organisation(ctx, eacc)
	if err != nil {
		t.Fatal(err)
	}
	by := casework.Checker{Organisation: org, Account: eacc}
	check, err := m.UseCases.WorkChecks.Check(ctx, by, casework.CheckForm{ShareCode: code, BirthDate: workerBirth})
	if err != nil || check.Code == "" {
		t.Fatalf("check: %+v %v", check, err)
	}
	start, err := m.Rules.Declarations.EarliestStart(permit.ParisDay(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	decl, err := m.UseCases.Declarations.Declare(ctx, by, casework.DeclarationForm{ShareCode: code, BirthDate: workerBirth,
		GivenNames: "Awa", Surname: "Diallo", StartDate: start.Format(time.DateOnly), Job: "Vendeuse", WeeklyHours: "10", Contract: "permanent"})
	if err != nil || decl.Status != permit.DeclarationCovered || decl.Code == "" {
		t.Fatalf("declaration: %+v %v, want covered at once with its record", decl, err)
	}

	front := frontProxy(t, base)
	b := newBrowser(t, front.URL, options{dev: phone, lang: "fr-FR"})
	wantStatus(t, "offline verifier", b.open(paths.VerifyOffline.String()), http.StatusOK)
	b.waitReady("online")
	b.offline()
	front.CloseClientConnections()
	front.Close()
	wantStatus(t, "reload offline", b.open(paths.VerifyOffline.String()), http.StatusOK)
	b.waitReady("offline")

	organisation := "Boulangerie E2E (SIRET 73282932000074)"
	person := "Awa Diallo, né(e) le " + inWords("fr", time.Date(1994, 5, 17, 0, 0, 0, 0, time.UTC))
	b.verifyHere(check.Code, "valid_unchecked")
	b.check("offline-check-record", expected{lang: "fr", heading: frenchOffline.heading, texts: []string{
		"Relevé de vérification authentique", frenchOffline.checkedOffline, "Vérifié par", organisation, person, check.Number,
		"964 heures par an au plus"}})
	wantOutcome(t, b, "offline-check-record", "Relevé de vérification authentique", "warning") // as /verifier styles it

	b.verifyHere(decl.Code, "valid_unchecked")
	b.check("offline-declaration-record", expected{lang: "fr", heading: frenchOffline.heading, texts: []string{
		"Relevé de déclaration préalable authentique", "Déclarée par", organisation, person, decl.Number,
		inWords("fr", start), "couverte par le droit au travail du salarié : réponse immédiate"}})
	wantOutcome(t, b, "offline-declaration-record", "Relevé de déclaration préalable authentique", "success")

	forged := oneCharacterChanged(t, m, decl.Code)
	b.verifyHere(forged, "forged")
	st := b.check("offline-declaration-forged", expected{lang: "fr", heading: frenchOffline.heading, texts: []string{frenchOffline.forged}})
	if strings.Contains(st.Text, decl.Number) {
		t.Errorf("the answer to a changed record shows its number")
	}
}
