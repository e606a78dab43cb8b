package web_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/app"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/config"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/seal"
	"github.com/sejour/sejour/internal/store"
)

// BenchmarkAPIWorkCheck posts a matching right-to-work check with an API
// key through the whole server, wired as `sejour serve` wires it, on
// SQLite: authentication, the rate limits, the checks' read, the signed
// record (one ES256 signature), its transaction with the audit entry,
// and the JSON answer. The clock moves 3 s per check so that the limits
// never refuse one. BenchmarkBareES256 is the floor it is compared with:
// a bare net/http handler that decodes the same body, makes one ES256
// signature and answers JSON. docs/performance.md keeps the figures.
func BenchmarkAPIWorkCheck(b *testing.B) {
	clk := clock.NewFixed(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	m := openBenchApp(b, clk, nil)
	key, code := benchCheckFixture(b, m, clk)
	body := checkJSON(code, checkBirth)
	b.ReportAllocs()
	for b.Loop() {
		clk.Advance(3 * time.Second)
		req := httptest.NewRequest("POST", paths.APIWorkChecks.String(), strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+key)
		rec := httptest.NewRecorder()
		m.Web.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("check: %d %s", rec.Code, rec.Body)
		}
	}
}

// openBenchApp opens sejour as `sejour serve` wires it, on SQLite in a
// temporary directory, with clk and the settings of env added.
func openBenchApp(b *testing.B, clk *clock.Fixed, env map[string]string) *app.Main {
	vars := map[string]string{"SEJOUR_ADDR": "127.0.0.1:0", "SEJOUR_DATA_DIR": b.TempDir()}
	maps.Copy(vars, env)
	cfg, err := config.FromEnv(func(k string) string { return vars[k] })
	if err != nil {
		b.Fatal(err)
	}
	m := app.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	m.PasswordParams, m.Clock = cheap, clk
	b.Cleanup(func() { m.Close() })
	if err := m.Open(b.Context()); err != nil {
		b.Fatal(err)
	}
	return m
}

// benchCheckFixture makes an applicant with a profile and a work share
// code, and an organisation with an API key.
func benchCheckFixture(b *testing.B, m *app.Main, clk *clock.Fixed) (key, code string) {
	ctx := b.Context()
	now := clk.Now()
	hash := mustHash(b, goodPassword)
	if err := m.DB.Files().CreatePrefecture(ctx, &permit.Prefecture{Code: "75", Name: "Préfecture 75", Departments: []string{"75"}}); err != nil {
		b.Fatal(err)
	}
	app := &permit.Account{Email: "awa@example.org", Role: permit.RoleApplicant, Lang: "fr", ConfirmedAt: &now}
	if err := m.DB.Accounts().CreateAccount(ctx, app, hash, nil, nil); err != nil {
		b.Fatal(err)
	}
	if err := m.UseCases.Applications.SaveProfile(ctx, app, casework.ProfileForm{GivenNames: "Awa", Surname: "Diallo",
		BirthDate: checkBirth, BirthPlace: "Bamako", Nationality: "MLI", AddressLine: "1 rue de la Paix", Postcode: "75002", City: "Paris"}); err != nil {
		b.Fatal(err)
	}
	code, _, err := m.UseCases.WorkChecks.CreateShareCode(ctx, app, "work")
	if err != nil {
		b.Fatal(err)
	}
	o := &permit.Organisation{Name: "Boulangerie A", SIRET: "73282932000074", Address: permit.Address{Line: "2 rue du Bac", Postcode: "75007", City: "Paris"}}
	admin := &permit.Account{Email: "a@example.org", Lang: "fr", ConfirmedAt: &now}
	if err := (store.Employers{DB: m.DB}).SignUpOrganisation(ctx, o, admin, hash, nil, nil); err != nil {
		b.Fatal(err)
	}
	key, _, err = m.UseCases.Employers.CreateAPIKey(ctx, admin, "paie")
	if err != nil {
		b.Fatal(err)
	}
	return key, code
}

// BenchmarkBareES256 is a bare net/http handler doing the least a check
// must: decode the JSON body, sign its hash once with ES256 (ECDSA P-256,
// SHA-256) and answer the signature as JSON.
func BenchmarkBareES256(b *testing.B) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			ShareCode string `json:"share_code"`
			BirthDate string `json:"birth_date"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		sum := sha256.Sum256([]byte(in.ShareCode + in.BirthDate))
		sig, err := ecdsa.SignASN1(rand.Reader, priv, sum[:])
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"result": "match", "signature": base64.RawURLEncoding.EncodeToString(sig)})
	})
	body := checkJSON("K7MQ4X2HP", checkBirth)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", paths.APIWorkChecks.String(), strings.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("bare: %d", rec.Code)
		}
	}
}

// BenchmarkAPIVerify posts a genuine code to the public verifier through
// the whole server, wired as `sejour serve` wires it, on SQLite: the
// middleware, the address's rate limit (each request from an address of
// its own, as behind a proxy), the signature with the keys in memory, the
// one indexed lookup of the number's versions (a number this portal never
// issued: the lookup is the same, it finds nothing), and the JSON answer.
// BenchmarkBareES256Verify is its ceiling. tools/load -suite verify
// measures both over HTTP, with PocketBase beside them.
func BenchmarkAPIVerify(b *testing.B) {
	clk := clock.NewFixed(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	m := openBenchApp(b, clk, map[string]string{"SEJOUR_TRUSTED_PROXIES": "192.0.2.1"})
	code, err := seal.Sign(m.Keys, &seal.Claims{Kind: permit.AttestationExtension, Number: "EXT-2026-0000077", Version: 1,
		GivenNames: "Awa", Surname: "Diallo", BirthDate: checkBirth, Ground: "student", ApplicationKind: permit.KindRenewal,
		Rights:    seal.Rights{Work: rules.Work{Kind: rules.WorkLimitedHours, HoursPerYear: 964}, StayUntil: "2027-03-31"},
		ValidFrom: "2026-12-01", ValidUntil: "2027-03-31", Prefecture: seal.Prefecture{Code: "13", Name: "Préfecture des Bouches-du-Rhône"},
		IssuedAt: clk.Now().Add(-time.Hour)})
	if err != nil {
		b.Fatal(err)
	}
	body, _ := json.Marshal(map[string]string{"code": code})
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		req := httptest.NewRequest("POST", paths.APIVerify.String(), strings.NewReader(string(body)))
		req.RemoteAddr = "192.0.2.1:1234"
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.77.%d.%d", n>>8&255, n&255))
		rec := httptest.NewRecorder()
		m.Web.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"status":"valid"`) {
			b.Fatalf("verify: %d %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkBareES256Verify is a bare net/http handler doing the least a
// verification must: decode the JSON body, verify one ES256 signature
// (ECDSA P-256, SHA-256) of the code's digest, answer JSON.
func BenchmarkBareES256Verify(b *testing.B) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	code := "SJ1:" + strings.Repeat("6BFOXN*TS0BI$ZD", 25)
	digest := sha256.Sum256([]byte(code))
	sig, err := ecdsa.SignASN1(rand.Reader, priv, digest[:])
	if err != nil {
		b.Fatal(err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Code string `json:"code"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		sum := sha256.Sum256([]byte(in.Code))
		if !ecdsa.VerifyASN1(&priv.PublicKey, sum[:], sig) {
			http.Error(w, "forged", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "valid"})
	})
	body, _ := json.Marshal(map[string]string{"code": code})
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", paths.APIVerify.String(), strings.NewReader(string(body)))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("bare: %d", rec.Code)
		}
	}
}
