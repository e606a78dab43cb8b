package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/permit"
)

// TestJournalPages: a supervisor reads the journal of actions (a table,
// then the same filters with a wrong number), and an applicant the times
// the prefecture opened their file. On a phone without JavaScript, every
// page passes axe-core.
func TestJournalPages(t *testing.T) {
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
	chief := &permit.Account{Email: "cheffe@prefecture.exemple.fr", Role: permit.RoleAgent, Supervisor: true, Lang: "fr", ConfirmedAt: &now, Prefectures: []int64{pref.ID}}
	zoe := &permit.Account{Email: "zoe-journal@exemple.fr", Role: permit.RoleApplicant, Lang: "fr", ConfirmedAt: &now}
	for _, a := range []*permit.Account{chief, zoe} {
		if err := m.DB.Accounts().CreateAccount(ctx, a, hash, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	const secret = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"
	if err := m.DB.Accounts().StartEnrolment(ctx, chief.ID, secret); err != nil {
		t.Fatal(err)
	}
	if err := m.DB.Accounts().Enrol(ctx, chief.ID, "", 1, nil); err != nil {
		t.Fatal(err)
	}
	person := &permit.Person{AccountID: zoe.ID, GivenNames: givenNames, Surname: surname, PrefectureID: pref.ID}
	if err := m.DB.Files().CreatePerson(ctx, person); err != nil {
		t.Fatal(err)
	}
	for _, action := range []string{"case.view", "document.view", "start_review"} {
		e := audit.Entry{ActorAccountID: chief.ID, Action: action, PrefectureID: pref.ID, PersonID: person.ID, ApplicationID: 41, Detail: "passport"}
		if err := m.DB.RecordAudit(audit.With(ctx, e)); err != nil {
			t.Fatal(err)
		}
	}

	logIn := func(email string) *browser {
		b := newBrowser(t, base, options{dev: phone, lang: "fr-FR", noScript: true})
		wantStatus(t, "log-in form", b.open("/connexion"), http.StatusOK)
		b.fill("email", email)
		b.fill("password", passphrase)
		wantStatus(t, "log in as "+email, b.follow(button("main", "Se connecter")), http.StatusOK)
		if email == chief.Email {
			code, err := totp.GenerateCode(secret, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			b.fill("code", code)
			wantStatus(t, "the second factor", b.follow(button("main", "Vérifier")), http.StatusOK)
		}
		return b
	}
	b := logIn(chief.Email)
	wantStatus(t, "journal", b.follow(link("header", "Journal")), http.StatusOK)
	b.check("journal", expected{lang: "fr", heading: "Journal des actions",
		texts: []string{"Dossier consulté", "Document consulté", "Examen commencé", chief.Email, "Demande n° 41", prefectureName}})
	b.fill("application", "12a")
	wantStatus(t, "journal with a wrong number", b.follow(button("main", "Filtrer")), http.StatusUnprocessableEntity)
	b.check("journal-error", expected{lang: "fr", heading: "Journal des actions", texts: []string{"Saisissez un numéro, en chiffres."}})

	b = logIn(zoe.Email)
	// (The dashboard links to it once there is an application.)
	wantStatus(t, "accesses", b.open("/consultations"), http.StatusOK)
	st := b.check("accesses", expected{lang: "fr", heading: "Qui a consulté mon dossier",
		texts: []string{"Le dossier de la demande n° 41", "Un document de la demande n° 41", "Superviseur ou superviseuse, " + prefectureName}})
	for _, secret := range []string{chief.Email, "Examen commencé"} {
		if strings.Contains(st.Text, secret) {
			t.Errorf("the applicant's page shows %q:\n%s", secret, st.Text)
		}
	}
}
