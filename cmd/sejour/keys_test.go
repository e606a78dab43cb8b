package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/app"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/config"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/seal"
)

// TestKeysRotateAndVerifyOffline rotates the signing key with the command
// while a server's keyring is open on the same database, saves the key
// set that server publishes, and checks codes signed by the old and the
// new key offline; a changed code and a broken key set fail cleanly, and
// the leaked old key can be retired.
func TestKeysRotateAndVerifyOffline(t *testing.T) {
	dir := t.TempDir()
	getenv := env(map[string]string{"SEJOUR_DATA_DIR": dir})
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		t.Fatal(err)
	}
	server := app.New(cfg, slog.New(slog.DiscardHandler))
	clk := clock.NewFixed(time.Now())
	server.Clock = clk
	defer server.Close()
	if err := server.OpenDB(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := server.OpenKeys(context.Background()); err != nil {
		t.Fatal(err)
	}
	old := server.Keys
	oldKID := old.Keyring(context.Background()).ActiveKeyID()
	today := time.Now().UTC().Truncate(24 * time.Hour)
	a := &permit.Attestation{Kind: permit.AttestationExtension, Number: "API-2026-0000001", Version: 1,
		ValidFrom: today.AddDate(0, 0, -10), ValidUntil: today.AddDate(0, 2, 0), IssuedAt: time.Now()}
	holder := &permit.Person{GivenNames: "Zoë", Surname: "N'Diaye", BirthDate: "1999-02-03"}
	appl := &permit.Application{Ground: "student", Kind: permit.KindRenewal}
	pref := &permit.Prefecture{Code: "75", Name: "Préfecture de police"}
	r, err := rules.MustLoad().Rights(a.Kind, appl.Ground, appl.Kind, &permit.Permit{Ground: "student"}, a.ValidUntil)
	if err != nil {
		t.Fatal(err)
	}
	oldCode, err := seal.Sign(old, seal.ClaimsOf(a, holder, appl, pref, r))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"keys", "rotate"}, getenv, &out); err != nil || !strings.Contains(out.String(), "2 key(s) published") {
		t.Fatalf("rotate: %v %s", err, out.String())
	}
	clk.Advance(time.Minute) // the server reads the keys again
	newCode, _ := seal.Sign(server.Keys, seal.ClaimsOf(a, holder, appl, pref, r))
	if res, err := seal.Verify(newCode, server.Keys, time.Now()); err != nil || res.KeyID == oldKID {
		t.Fatalf("after the rotation the server signs with %v (%v), want the new key", res, err)
	}
	set, _ := server.Keys.PublicKeySet()
	keysFile := filepath.Join(t.TempDir(), "keys.json")
	os.WriteFile(keysFile, set, 0o644)

	for _, code := range []string{oldCode, newCode} {
		out.Reset()
		if err := run(context.Background(), []string{"verify", "--keys", keysFile, code}, getenv, &out); err != nil {
			t.Fatalf("verify: %v\n%s", err, out.String())
		}
		for _, want := range []string{"Attestation authentique et valable aujourd'hui", "Zoë N'Diaye", "964 heures par an", "hors ligne"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("verify output lacks %q:\n%s", want, out.String())
			}
		}
	}
	bad := []byte(newCode)
	bad[len(bad)-3] = 'Z'
	if bad[len(bad)-3] == newCode[len(newCode)-3] {
		bad[len(bad)-3] = 'Y'
	}
	out.Reset()
	err = run(context.Background(), []string{"verify", "--keys", keysFile, string(bad)}, getenv, &out)
	var e *exitError
	if !errors.As(err, &e) || e.code != 2 || strings.Contains(out.String(), "Zoë") {
		t.Fatalf("changed code: %v\n%s", err, out.String())
	}
	os.WriteFile(keysFile, []byte(`{"keys": "nope"}`), 0o644)
	err = run(context.Background(), []string{"verify", "--keys", keysFile, newCode}, getenv, &out)
	if !errors.As(err, &e) || e.code != 3 || !strings.Contains(err.Error(), "does not parse") {
		t.Fatalf("broken key set: %v", err)
	}

	out.Reset()
	if err := run(context.Background(), []string{"keys", "retire", oldKID}, getenv, &out); err != nil {
		t.Fatalf("retire: %v", err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"keys"}, getenv, &out); err != nil || strings.Contains(out.String(), oldKID) ||
		strings.Count(out.String(), "\n") != 1 || !strings.Contains(out.String(), "signs") {
		t.Errorf("keys after retiring the old one: %v\n%s", err, out.String())
	}
	if info, err := os.Stat(cfg.DefaultKEKFile()); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the key-encryption key of the data directory: %v %v, want a 0600 file", info, err)
	}
}

// The command-line verifier writes the birth date in words, as the pages
// and the PDFs do, in the language asked for.
func TestVerifyWritesTheBirthDateInWords(t *testing.T) {
	tr := i18n.MustLoad()
	res := &casework.CodeResult{Status: permit.AttestationValid, Kind: permit.AttestationExtension, Number: "API-2026-0000001",
		Version: 1, GivenNames: "Awa", Surname: "Diallo", BirthDate: "1994-12-08",
		ValidFrom: time.Date(2026, 3, 1, 0, 0, 0, 0, permit.Paris), ValidUntil: time.Date(2026, 5, 31, 0, 0, 0, 0, permit.Paris)}
	for lang, want := range map[string]string{"fr": "8 décembre 1994", "en": "8 December 1994"} {
		var out bytes.Buffer
		printResult(&out, func(key string, a ...any) string { return tr.T(lang, key, a...) }, lang, res)
		if !strings.Contains(out.String(), "Awa Diallo, "+tr.T(lang, "verify.born", want)) || strings.Contains(out.String(), "1994-12-08") {
			t.Errorf("%s: the birth date is not in words:\n%s", lang, out.String())
		}
	}
}

// TestVerifyStatesWhoChecked: a right-to-work check's record is printed
// with the organisation that checked, the day, and a pending renewal.
func TestVerifyStatesWhoChecked(t *testing.T) {
	tr := i18n.MustLoad()
	res := &casework.CodeResult{Status: permit.AttestationValid, Kind: permit.AttestationWorkCheck, Number: "VER-7KQM-2XHP",
		Version: 1, GivenNames: "Awa", Surname: "Diallo", BirthDate: "1994-12-08", ValidFrom: time.Date(2026, 12, 7, 0, 0, 0, 0, permit.Paris),
		ValidUntil: time.Date(2027, 3, 31, 0, 0, 0, 0, permit.Paris), IssuedAt: time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC),
		Check: &casework.CheckedBy{Organisation: "Boulangerie", SIRET: "73282932000074", PendingRenewal: true}}
	var out bytes.Buffer
	printResult(&out, func(key string, a ...any) string { return tr.T("en", key, a...) }, "en", res)
	for _, want := range []string{"Checked by Boulangerie (SIRET 73282932000074), 7 December 2026", tr.T("en", "pdf.workcheck.pending")} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("missing %q:\n%s", want, out.String())
		}
	}
}

// TestVerifyStatesADeclarationsOutcome: a pre-hire declaration's record
// is printed with who declared, the hire's first day and the outcome.
func TestVerifyStatesADeclarationsOutcome(t *testing.T) {
	tr := i18n.MustLoad()
	res := &casework.CodeResult{Status: permit.AttestationValid, Kind: permit.AttestationDeclaration, Number: "DEC-7KQM-2XHP",
		Version: 1, GivenNames: "Awa", Surname: "Diallo", BirthDate: "1994-12-08", ValidFrom: time.Date(2026, 12, 10, 0, 0, 0, 0, permit.Paris),
		Declaration: &casework.DeclaredBy{Organisation: "Boulangerie", SIRET: "73282932000074", Outcome: permit.DeclarationSilence,
			StartDate: time.Date(2026, 12, 14, 0, 0, 0, 0, time.UTC)}}
	var out bytes.Buffer
	printResult(&out, func(key string, a ...any) string { return tr.T("en", key, a...) }, "en", res)
	for _, want := range []string{"Declared by Boulangerie (SIRET 73282932000074)", "14 December 2026", "the employer's duty is met"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("missing %q:\n%s", want, out.String())
		}
	}
}
