package store_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

func TestAttestationsIssueOncePerPeriod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		_, _, _, app := fixture(t, db)
		from := time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)
		mk := func() *permit.Attestation {
			return &permit.Attestation{ApplicationID: app.ID, Kind: permit.AttestationExtension, ValidFrom: from,
				ValidUntil: from.AddDate(0, 3, -1), AvailableFrom: from.AddDate(0, 0, -15)}
		}
		a := mk()
		if err := db.Issuance().IssueAttestation(ctx, a, &permit.Mail{To: "f@example.org", Subject: "API", Text: "..."}); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(a.Number, "API-2027-") || a.Version != 1 || a.ID == 0 {
			t.Fatalf("issued %+v", a)
		}
		if err := db.Issuance().IssueAttestation(ctx, mk(), nil); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Fatalf("second attestation for the same period: %v", err)
		}
		if err := db.Issuance().SetAttestationCode(ctx, a.ID, "SJ1:CODE"); err != nil {
			t.Fatal(err)
		}
		if err := db.Issuance().SetAttestationCode(ctx, a.ID, "SJ1:OTHER"); err != nil {
			t.Fatal(err)
		}
		got, err := db.Attestations(ctx, app.ID)
		if err != nil || len(got) != 1 || got[0].Code != "SJ1:CODE" || !got[0].ValidFrom.Equal(from) {
			t.Fatalf("Attestations = %+v, %v (a code, once set, never changes)", got, err)
		}
		if got[0].Status(from.AddDate(0, 0, -1)) != permit.AttestationPending || got[0].Status(from) != permit.AttestationValid ||
			got[0].Status(from.AddDate(0, 3, -1)) != permit.AttestationValid || got[0].Status(from.AddDate(0, 3, 0)) != permit.AttestationExpired {
			t.Fatal("status by day is wrong")
		}
		ids, err := db.Issuance().PendingApplicationIDs(ctx)
		if err != nil || len(ids) != 0 {
			t.Fatalf("a draft is not pending: %v %v", ids, err)
		}
	})
}

// TestAttestationStanding reads what the verifier reads of each version
// of a number: signed or not, revoked or not, oldest first; a number
// never issued is ENOTFOUND.
func TestAttestationStanding(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		_, _, _, app := fixture(t, db)
		st := &store.Standings{DB: db}
		from := time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)
		a := &permit.Attestation{ApplicationID: app.ID, Kind: permit.AttestationExtension, ValidFrom: from,
			ValidUntil: from.AddDate(0, 3, -1), AvailableFrom: from.AddDate(0, 0, -15)}
		if err := db.Issuance().IssueAttestation(ctx, a, nil); err != nil {
			t.Fatal(err)
		}
		check := func(when string, want ...permit.VersionStanding) {
			t.Helper()
			got, err := st.AttestationStanding(ctx, a.Number)
			if err != nil || !slices.Equal(got, want) {
				t.Fatalf("%s: standing %+v, %v; want %+v", when, got, err, want)
			}
		}
		check("issued", permit.VersionStanding{Version: 1})
		if err := db.Issuance().SetAttestationCode(ctx, a.ID, "SJ1:CODE"); err != nil {
			t.Fatal(err)
		}
		check("signed", permit.VersionStanding{Version: 1, Signed: true})
		next := &permit.Attestation{ValidFrom: from, ValidUntil: from.AddDate(0, 3, -1), AvailableFrom: from.AddDate(0, 0, -15)}
		if err := db.Issuance().Supersede(ctx, a, next, nil); err != nil {
			t.Fatal(err)
		}
		check("superseded by an unsigned version", permit.VersionStanding{Version: 1, Signed: true}, permit.VersionStanding{Version: 2})
		if err := db.Issuance().SetAttestationCode(ctx, next.ID, "SJ1:NEXT"); err != nil {
			t.Fatal(err)
		}
		if err := db.Issuance().Revoke(ctx, next.ID, "erreur"); err != nil {
			t.Fatal(err)
		}
		check("new version signed, then revoked", permit.VersionStanding{Version: 1, Signed: true}, permit.VersionStanding{Version: 2, Revoked: true, Signed: true})
		if _, err := st.AttestationStanding(ctx, "EXT-2027-9999999"); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Fatalf("unknown number: %v", err)
		}
	})
}

// An attestation issued signed has its code in the same transaction,
// signed over its number and time of issue; a signature that fails leaves
// no attestation and no mail.
func TestIssueSignedCommitsTheCodeWithTheAttestation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		_, _, _, app := fixture(t, db)
		from := time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)
		mk := func() *permit.Attestation {
			return &permit.Attestation{ApplicationID: app.ID, Kind: permit.AttestationExtension, ValidFrom: from,
				ValidUntil: from.AddDate(0, 3, -1), AvailableFrom: from.AddDate(0, 0, -15)}
		}
		mails := func() int {
			t.Helper()
			var n int
			if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM mails`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := mails()
		failing := func(*permit.Attestation) (string, error) { return "", errors.New("no key") }
		if err := db.Issuance().IssueSigned(ctx, mk(), &permit.Mail{To: "f@example.org", Subject: "s", Text: "t"}, failing); err == nil {
			t.Fatal("a failed signature issued the attestation")
		}
		if got, err := db.Attestations(ctx, app.ID); err != nil || len(got) != 0 || mails() != before {
			t.Fatalf("after a failed signature: %d attestations, %d mails more (%v)", len(got), mails()-before, err)
		}
		a := mk()
		sign := func(at *permit.Attestation) (string, error) {
			return "SJ1:" + at.Number + "@" + at.IssuedAt.UTC().Format(time.RFC3339), nil
		}
		if err := db.Issuance().IssueSigned(ctx, a, &permit.Mail{To: "f@example.org", Subject: "s", Text: "t"}, sign); err != nil {
			t.Fatal(err)
		}
		got, err := db.Attestations(ctx, app.ID)
		want := "SJ1:" + a.Number + "@" + clk.Now().UTC().Format(time.RFC3339)
		if err != nil || len(got) != 1 || got[0].Code != want || a.Code != want || !strings.HasPrefix(a.Number, "API-2027-") || mails() != before+1 {
			t.Fatalf("issued signed: %+v (%v), want the code %q", got, err, want)
		}
	})
}
