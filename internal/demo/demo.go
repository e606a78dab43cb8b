// Package demo loads demonstration data: prefectures, an agent, a
// supervisor, an admin and a help desk with their second factor enrolled,
// and applicants in situations worth showing (a renewal in its window, a
// late one, two applications on different grounds). It is idempotent: run
// twice, it finds what it made the first time.
package demo

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"io"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/permit"
)

// Store is what loading the demonstration needs: the accounts' room and
// the files' room of the database.
type Store struct {
	Accounts AccountStore
	Files    FileStore
}

// AccountStore creates the demonstration accounts and their second factor.
type AccountStore interface {
	CreateAccount(ctx context.Context, a *permit.Account, passwordHash string, tok *permit.Token, m *permit.Mail) error
	AccountByEmail(ctx context.Context, email string) (*permit.Account, string, error)
	SecondFactor(ctx context.Context, accountID int64) (*permit.SecondFactor, error)
	StartEnrolment(ctx context.Context, accountID int64, secret string) error
	Enrol(ctx context.Context, accountID int64, sessionHash string, step int64, recoveryHashes []string) error
}

// FileStore creates the demonstration prefectures, persons, permits and
// applications.
type FileStore interface {
	Prefectures(ctx context.Context) ([]*permit.Prefecture, error)
	CreatePrefecture(ctx context.Context, p *permit.Prefecture) error
	CreatePerson(ctx context.Context, p *permit.Person) error
	CreatePermit(ctx context.Context, p *permit.Permit) error
	CreateApplication(ctx context.Context, a *permit.Application, actor permit.Actor) error
}

// Password is the password of every demonstration account. It is printed,
// so it is no secret: never load the demonstration on a real instance.
const Password = "demo sejour mot de passe"

// person is one demonstration applicant and their situation.
type person struct {
	email, given, surname, birth, birthPlace, nationality, story string
	permitGround                                                 permit.GroundID
	permitEndsIn                                                 int // days from now; 0 means no permit
	apps                                                         []app
}

type app struct {
	ground permit.GroundID
	kind   permit.Kind
}

var people = []person{
	{"amina.diallo@demo.sejour.localhost", "Amina", "Diallo", "2001-04-12", "Dakar, Sénégal", "SEN",
		"student whose permit ends in 100 days: her renewal window is open", "student", 100, nil},
	{"nguyen.van.an@demo.sejour.localhost", "Van An", "Nguyen", "1996-09-30", "Hanoï, Viêt Nam", "VNM",
		"student becoming an employee: a renewal as student and a change of status, side by side", "student", 75,
		[]app{{"student", permit.KindRenewal}, {"employee", permit.KindChangeOfStatus}}},
	{"carlos.mendes@demo.sejour.localhost", "Carlos", "Mendes", "1988-01-05", "Recife, Brésil", "BRA",
		"employee whose permit ends in 30 days: his renewal is late but still possible", "employee", 30, nil},
	{"leila.haddad@demo.sejour.localhost", "Leïla", "Haddad", "1992-11-21", "Alep, Syrie", "SYR",
		"newly recognised refugee with no permit yet", "", 0, nil},
}

// Load creates the demonstration data when it is missing, and writes the
// log-in details to out.
func Load(ctx context.Context, st Store, clk clock.Clock, params password.Params, out io.Writer) error {
	pref, err := prefecture(ctx, st)
	if err != nil {
		return err
	}
	hash, err := password.Hash(Password, params)
	if err != nil {
		return err
	}
	now := clk.Now()
	fmt.Fprintf(out, "Demonstration accounts (password for all: %q)\n\n", Password)
	fmt.Fprintf(out, "Prefecture staff log in with a second factor: add the secret shown to an\n"+
		"authenticator app (or run: oathtool --totp -b SECRET) and type its 6-digit code.\n\n")
	staff := []*permit.Account{
		{Email: "agent@demo.sejour.localhost", Role: permit.RoleAgent, Prefectures: []int64{pref.ID}},
		{Email: "superviseur@demo.sejour.localhost", Role: permit.RoleAgent, Supervisor: true, Prefectures: []int64{pref.ID}},
		{Email: "admin@demo.sejour.localhost", Role: permit.RoleAdmin},
		{Email: "assistance@demo.sejour.localhost", Role: permit.RoleHelpDesk},
	}
	for _, a := range staff {
		if _, err := account(ctx, st, a, hash, now); err != nil {
			return err
		}
		secret, err := enrol(ctx, st, a)
		if err != nil {
			return err
		}
		where := "all prefectures"
		if a.HelpDesk() {
			where = "reports of all prefectures, no case files"
		} else if !a.Admin() {
			where = pref.Name
		}
		fmt.Fprintf(out, "  %-40s %s (%s)\n  %-40s second-factor secret: %s\n", a.Email, title(a), where, "", secret)
	}
	fmt.Fprintln(out)
	for _, p := range people {
		if err := loadPerson(ctx, st, pref, p, hash, now); err != nil {
			return err
		}
		fmt.Fprintf(out, "  %-40s applicant: %s\n", p.email, p.story)
	}
	return nil
}

func prefecture(ctx context.Context, st Store) (*permit.Prefecture, error) {
	all, err := Prefectures(ctx, st)
	if err != nil {
		return nil, err
	}
	for _, p := range all {
		if p.Code == "75" {
			return p, nil
		}
	}
	return all[0], nil
}

// Prefectures returns the prefectures, after creating the
// demonstration's three (Paris, Rhône, Seine-Saint-Denis) when Paris is
// not among them. `sejour populate` starts from them too.
func Prefectures(ctx context.Context, st Store) ([]*permit.Prefecture, error) {
	all, err := st.Files.Prefectures(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range all {
		if p.Code == "75" {
			return all, nil
		}
	}
	for _, p := range []*permit.Prefecture{
		{Code: "75", Name: "Préfecture de police de Paris", Departments: []string{"75"}},
		{Code: "69", Name: "Préfecture du Rhône", Departments: []string{"69"}},
		{Code: "93", Name: "Préfecture de la Seine-Saint-Denis", Departments: []string{"93"}},
	} {
		if err := st.Files.CreatePrefecture(ctx, p); err != nil {
			return nil, err
		}
		all = append(all, p)
	}
	return all, nil
}

// account creates a confirmed account, or reports that it existed.
func account(ctx context.Context, st Store, a *permit.Account, hash string, now time.Time) (created bool, err error) {
	if existing, _, err := st.Accounts.AccountByEmail(ctx, a.Email); err == nil {
		*a = *existing
		return false, nil
	} else if permit.ErrorCode(err) != permit.ENOTFOUND {
		return false, err
	}
	a.Lang, a.ConfirmedAt = "fr", &now
	return true, st.Accounts.CreateAccount(ctx, a, hash, nil, nil)
}

// enrol gives a demonstration staff account a second factor, the same on
// every load (derived from the address), and returns its secret.
func enrol(ctx context.Context, st Store, a *permit.Account) (string, error) {
	f, err := st.Accounts.SecondFactor(ctx, a.ID)
	if err != nil {
		return "", err
	}
	if f.EnrolledAt == nil {
		sum := sha256.Sum256([]byte("sejour demo second factor " + a.Email))
		if err := st.Accounts.StartEnrolment(ctx, a.ID, base32.StdEncoding.EncodeToString(sum[:20])); err != nil {
			return "", err
		}
		// Step 1 lies in 1970: every code of today comes later.
		if err := st.Accounts.Enrol(ctx, a.ID, "", 1, nil); err != nil {
			return "", err
		}
		if f, err = st.Accounts.SecondFactor(ctx, a.ID); err != nil {
			return "", err
		}
	}
	return f.Secret, nil
}

// title is a staff account's role as the pages name it.
func title(a *permit.Account) string {
	switch {
	case a.Admin():
		return "admin"
	case a.Supervises():
		return "supervisor"
	case a.HelpDesk():
		return "help desk"
	}
	return "agent"
}

func loadPerson(ctx context.Context, st Store, pref *permit.Prefecture, p person, hash string, now time.Time) error {
	acc := &permit.Account{Email: p.email, Role: permit.RoleApplicant}
	created, err := account(ctx, st, acc, hash, now)
	if err != nil || !created {
		return err
	}
	per := &permit.Person{AccountID: acc.ID, GivenNames: p.given, Surname: p.surname, BirthDate: p.birth,
		BirthPlace: p.birthPlace, Nationality: p.nationality, PrefectureID: pref.ID,
		Address: permit.Address{Line: "12 rue de la Roquette", Postcode: "75011", City: "Paris"}}
	if err := st.Files.CreatePerson(ctx, per); err != nil {
		return err
	}
	if p.permitEndsIn > 0 {
		end := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, p.permitEndsIn)
		pm := &permit.Permit{PersonID: per.ID, Ground: p.permitGround, Number: fmt.Sprintf("75%08d", per.ID),
			ValidFrom: end.AddDate(-1, 0, 0), ValidTo: end}
		if err := st.Files.CreatePermit(ctx, pm); err != nil {
			return err
		}
	}
	for _, a := range p.apps {
		application := &permit.Application{PersonID: per.ID, PrefectureID: pref.ID, Ground: a.ground, Kind: a.kind, State: permit.StateDraft}
		if err := st.Files.CreateApplication(ctx, application, permit.Actor{Kind: permit.ActorApplicant, AccountID: acc.ID}); err != nil {
			return err
		}
	}
	return nil
}
