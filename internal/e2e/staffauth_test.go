package e2e

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/permit"
)

// TestStaffAdministration: an admin, enrolled beforehand, logs in with a
// code from their authenticator, creates an agent (a form with errors
// first), then disables the account, on a phone without JavaScript; every
// page passes axe-core.
func TestStaffAdministration(t *testing.T) {
	m, base := startApp(t)
	ctx := t.Context()
	pref := &permit.Prefecture{Code: "75", Name: prefectureName, Departments: []string{"75"}}
	if err := m.DB.Files().CreatePrefecture(ctx, pref); err != nil {
		t.Fatal(err)
	}
	hash, err := password.Hash(passphrase, password.DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	admin := &permit.Account{Email: "chef@prefecture.exemple.fr", Role: permit.RoleAdmin, Lang: "fr", ConfirmedAt: &now}
	if err := m.DB.Accounts().CreateAccount(ctx, admin, hash, nil, nil); err != nil {
		t.Fatal(err)
	}
	const secret = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"
	if err := m.DB.Accounts().StartEnrolment(ctx, admin.ID, secret); err != nil {
		t.Fatal(err)
	}
	if err := m.DB.Accounts().Enrol(ctx, admin.ID, "", 1, nil); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, base, options{dev: phone, lang: "fr-FR", noScript: true})
	wantStatus(t, "log-in form", b.open("/connexion"), http.StatusOK)
	b.fill("email", admin.Email)
	b.fill("password", passphrase)
	wantStatus(t, "log in", b.follow(button("main", french.logInSubmit)), http.StatusOK)
	b.check("second-factor", expected{lang: "fr", heading: "Code de vérification", texts: []string{"codes de secours"}})
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.fill("code", code)
	wantStatus(t, "the code", b.follow(button("main", "Vérifier")), http.StatusOK)
	b.check("agent-home", expected{lang: "fr", heading: frenchApp.agentHeading, header: []string{"Comptes"}})

	wantStatus(t, "staff accounts", b.follow(link("header", "Comptes")), http.StatusOK)
	b.check("staff-accounts", expected{lang: "fr", heading: "Comptes de la préfecture", texts: []string{admin.Email, "Votre compte"}})
	b.fill("email", "nouvel.agent@prefecture.exemple.fr")
	wantStatus(t, "create without a role", b.follow(button("main", "Créer le compte")), http.StatusUnprocessableEntity)
	b.check("staff-accounts-errors", expected{lang: "fr", heading: "Comptes de la préfecture", texts: []string{"Choisissez un rôle."}})
	b.tick("title-agent")
	b.tick("prefecture-" + strconv.FormatInt(pref.ID, 10))
	wantStatus(t, "create the agent", b.follow(button("main", "Créer le compte")), http.StatusOK)
	b.check("staff-created", expected{lang: "fr", heading: "Comptes de la préfecture",
		texts: []string{"Le compte est créé.", "nouvel.agent@prefecture.exemple.fr", prefectureName, "Pas encore activée"}})
	wantStatus(t, "disable the agent", b.follow(button("main", "Désactiver nouvel.agent@prefecture.exemple.fr")), http.StatusOK)
	b.check("staff-disabled", expected{lang: "fr", heading: "Comptes de la préfecture", texts: []string{"Le compte est désactivé", "Désactivé"}})
	if a, _, err := m.DB.Accounts().AccountByEmail(ctx, "nouvel.agent@prefecture.exemple.fr"); err != nil || a.DisabledAt == nil || !a.WorksFor(pref.ID) {
		t.Fatalf("the new agent: %+v, %v", a, err)
	}
}
