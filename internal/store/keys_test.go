package store_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/seal"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// kek is the key-encryption key of these tests.
var kek = bytes.Repeat([]byte{9}, seal.KEKSize)

func openKeys(t *testing.T, db *store.DB, clk clock.Clock) (*seal.Shared, error) {
	t.Helper()
	return seal.Open(context.Background(), seal.Options{Store: db.Keys(), KEK: kek, Clock: clk})
}

// sampleCode signs an attestation's claims with keys.
func sampleCode(t *testing.T, keys seal.Signer, clk clock.Clock) string {
	t.Helper()
	now := clk.Now()
	a := &permit.Attestation{Kind: permit.AttestationExtension, Number: "API-2026-0000001", Version: 1,
		ValidFrom: now, ValidUntil: now.AddDate(0, 2, 0), IssuedAt: now}
	appl := &permit.Application{Ground: "student", Kind: permit.KindRenewal}
	r, err := rules.MustLoad().Rights(a.Kind, appl.Ground, appl.Kind, &permit.Permit{Ground: "student"}, a.ValidUntil)
	if err != nil {
		t.Fatal(err)
	}
	code, err := seal.Sign(keys, seal.ClaimsOf(a, &permit.Person{GivenNames: "Awa", Surname: "Sow", BirthDate: "1990-01-02"}, appl,
		&permit.Prefecture{Code: "75", Name: "Préfecture de police"}, r))
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// TestFirstStartsTogetherMakeOneKey starts four keyrings at once on an
// empty database, two through each of two connections (two instances):
// exactly one key 1 is made, and all sign with it and publish it.
func TestFirstStartsTogetherMakeOneKey(t *testing.T) {
	storetest.EachPair(t, func(t *testing.T, a, b *store.DB, clk *clock.Fixed) {
		dbs := []*store.DB{a, b, a, b}
		rings := make([]*seal.Shared, len(dbs))
		errs := make([]error, len(dbs))
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, db := range dbs {
			wg.Go(func() {
				<-start
				rings[i], errs[i] = openKeys(t, db, clk)
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("start %d: %v", i, err)
			}
		}
		rows, err := a.Keys().SigningKeys(context.Background())
		if err != nil || len(rows) != 1 || rows[0].Seq != 1 {
			t.Fatalf("the database holds %d keys (%v), want key 1 only", len(rows), err)
		}
		want, _ := rings[0].PublicKeySet()
		for i, r := range rings {
			if got := r.Keyring(context.Background()).ActiveKeyID(); got != rows[0].ID {
				t.Errorf("start %d signs with %s, want %s", i, got, rows[0].ID)
			}
			if set, _ := r.PublicKeySet(); !bytes.Equal(set, want) {
				t.Errorf("start %d publishes\n%s\nwant\n%s", i, set, want)
			}
			code := sampleCode(t, r, clk)
			for j, other := range rings {
				if _, err := seal.Verify(code, other, clk.Now()); err != nil {
					t.Errorf("a code of start %d on start %d: %v", i, j, err)
				}
			}
		}
		again, err := openKeys(t, b, clk)
		if err != nil || again.Keyring(context.Background()).ActiveKeyID() != rows[0].ID {
			t.Errorf("a restart: %v", err)
		}
	})
}

// TestRotationSeenByOtherInstances rotates through one instance; the
// other, not reopened, verifies a code of the new key at once, then
// publishes both keys and signs with the new one.
func TestRotationSeenByOtherInstances(t *testing.T) {
	storetest.EachPair(t, func(t *testing.T, a, b *store.DB, clk *clock.Fixed) {
		one, err := openKeys(t, a, clk)
		if err != nil {
			t.Fatal(err)
		}
		other, err := openKeys(t, b, clk)
		if err != nil {
			t.Fatal(err)
		}
		oldKID := other.Keyring(context.Background()).ActiveKeyID()
		clk.Advance(time.Hour)
		rotated, err := one.Rotate(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		newKID := rotated.ActiveKeyID()
		code := sampleCode(t, one, clk)
		if res, err := seal.Verify(code, other, clk.Now()); err != nil || res.KeyID != newKID {
			t.Fatalf("a code of the new key on the other instance: %v, %v", res, err)
		}
		clk.Advance(time.Minute)
		set, err := other.PublicKeySet()
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := seal.ParseKeySet(set)
		if err != nil {
			t.Fatal(err)
		}
		if keys := parsed.Keys(); len(keys) != 2 || keys[0].ID != newKID || keys[1].ID != oldKID {
			t.Errorf("the other instance publishes %v, want %s then %s", keys, newKID, oldKID)
		}
		if res, err := seal.Verify(sampleCode(t, other, clk), parsed, clk.Now()); err != nil || res.KeyID != newKID {
			t.Errorf("the other instance signs with %v (%v), want %s", res, err, newKID)
		}
	})
}

func TestRetireSigningKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		keys, err := openKeys(t, db, clk)
		if err != nil {
			t.Fatal(err)
		}
		first := keys.Keyring(context.Background()).ActiveKeyID()
		if err := db.Keys().RetireSigningKey(context.Background(), first); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Errorf("retiring the signing key: %v, want a conflict", err)
		}
		if err := db.Keys().RetireSigningKey(context.Background(), "0123456789abcdef"); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("retiring an unknown key: %v, want not found", err)
		}
		if _, err := keys.Rotate(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := db.Keys().RetireSigningKey(context.Background(), first); err != nil {
			t.Fatal(err)
		}
		rows, _ := db.Keys().SigningKeys(context.Background())
		if len(rows) != 1 || rows[0].Seq != 2 {
			t.Errorf("after retiring key 1 the database holds %v", rows)
		}
	})
}
