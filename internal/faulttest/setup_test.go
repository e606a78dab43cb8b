package faulttest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/app"
	"github.com/sejour/sejour/internal/app/apptest"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/config"
	"github.com/sejour/sejour/internal/notify/smtptest"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
)

// instance is what one run of the test works on: the environment the
// server is started with, and the database it writes.
type instance struct {
	vars map[string]string // SEJOUR_* variables of every run
	dsn  string            // empty for the SQLite file of the data directory
}

// newInstance chooses a port, a data directory, a key-encryption key and
// the mail relay for one run of the test, on dsn (empty: SQLite).
func newInstance(t *testing.T, dsn string, mail *smtptest.Server) *instance {
	t.Helper()
	kek := make([]byte, 32)
	rand.Read(kek)
	base := fmt.Sprintf("http://127.0.0.1:%d", freePort(t))
	return &instance{dsn: dsn, vars: map[string]string{
		"SEJOUR_ADDR":                  base[len("http://"):],
		"SEJOUR_BASE_URL":              base,
		"SEJOUR_DATA_DIR":              t.TempDir(),
		"SEJOUR_DATABASE_URL":          dsn,
		"SEJOUR_SMTP_HOST":             mail.Host,
		"SEJOUR_SMTP_PORT":             strconv.Itoa(mail.Port),
		"SEJOUR_KEY_ENCRYPTION_KEY":    base64.StdEncoding.EncodeToString(kek),
		"SEJOUR_LOG_LEVEL":             "info",
		"SEJOUR_ATTESTATION_LEAD_DAYS": "15",
	}}
}

// open connects the test to the instance's database, as a second
// process would.
func (in *instance) open(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), in.dsn, filepath.Join(in.vars["SEJOUR_DATA_DIR"], "sejour.db"), clock.System{})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// applicant is a person with a draft ready to file, and the secret of a
// session of theirs (the cookie a browser would hold).
type applicant struct {
	email   string
	appID   int64
	session string
}

// agent is a staff member of the prefecture whose session has passed
// the second factor.
type agent struct {
	email   string
	session string
}

// prepare makes, through the real use cases on the database the server
// will use, the agents and n applicants with a complete draft each
// (profile, every document, the fee stamp), checked by the first agent
// when there is one; the server files and decides.
// It assembles the program as the server does (app.Main), without
// serving, so that documents go to the same data directory and the
// signing key it makes is the one the server opens.
func prepare(t *testing.T, in *instance, db *store.DB, n, agents int) ([]applicant, []agent) {
	t.Helper()
	ctx := t.Context()
	m := openApp(t, in, db)
	pref := apptest.Paris(t, db)
	scan := apptest.Scan(t)
	var staff []agent
	var accounts []*permit.Account
	for i := range agents {
		now := time.Now()
		acc := &permit.Account{Email: fmt.Sprintf("agent%d@prefecture.example.org", i), Role: permit.RoleAgent,
			Lang: "fr", ConfirmedAt: &now, Prefectures: []int64{pref.ID}}
		if err := db.Accounts().CreateAccount(ctx, acc, "!", nil, nil); err != nil {
			t.Fatal(err)
		}
		staff, accounts = append(staff, agent{email: acc.Email, session: staffSession(t, db, acc.ID)}), append(accounts, acc)
	}
	var apps []applicant
	for i := range n {
		// A student card ending in three months.
		now := time.Now()
		acc, appID := apptest.Renewal(t, db, m.UseCases, m.Rules, i, now, now.AddDate(0, 3, 0), scan)
		// Its documents and identity are checked already, so that a
		// favourable decision is one request, the one the kills aim at.
		if len(accounts) > 0 {
			apptest.Checked(t, m.UseCases, accounts[0], appID)
		}
		apps = append(apps, applicant{email: acc.Email, appID: appID, session: newSession(t, db, acc.ID)})
	}
	return apps, staff
}

// newSession opens a session for an account, as logging in does, and
// returns its secret, the cookie's value.
func newSession(t *testing.T, db *store.DB, accountID int64) string {
	t.Helper()
	b := make([]byte, 32)
	rand.Read(b)
	secret := base64.RawURLEncoding.EncodeToString(b)
	now := time.Now()
	s := &permit.Session{Hash: casework.HashSecret(secret), AccountID: accountID, CreatedAt: now, ExpiresAt: now.Add(12 * time.Hour)}
	if err := db.Accounts().CreateSession(t.Context(), s, ""); err != nil {
		t.Fatal(err)
	}
	return secret
}

// staffSession opens a staff session and enrols the account's second
// factor with it, as the first log-in of an agent does: the session has
// passed the second factor.
func staffSession(t *testing.T, db *store.DB, accountID int64) string {
	t.Helper()
	secret := newSession(t, db, accountID)
	if err := db.Accounts().StartEnrolment(t.Context(), accountID, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"); err != nil {
		t.Fatal(err)
	}
	if err := db.Accounts().Enrol(t.Context(), accountID, casework.HashSecret(secret), 1, nil); err != nil {
		t.Fatal(err)
	}
	return secret
}

// openApp assembles the program as the server does (app.Main), on the
// instance's configuration and the test's database, without serving.
func openApp(t *testing.T, in *instance, db *store.DB) *app.Main {
	t.Helper()
	cfg, err := config.FromEnv(func(k string) string { return in.vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	m := app.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	m.DB = db
	if err := m.Open(t.Context()); err != nil {
		t.Fatal(err)
	}
	return m
}
