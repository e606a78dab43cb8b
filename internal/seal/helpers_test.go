package seal

import (
	"bytes"
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// t0 is the fixed time of the tests.
var t0 = time.Date(2026, 7, 1, 9, 30, 0, 0, time.UTC)

// typicalClaims are those of an extension attestation of a student's
// renewal: the kind that is printed most and read by employers.
func typicalClaims() *Claims {
	return &Claims{
		Kind:            permit.AttestationExtension,
		Number:          "API-2026-000123",
		Version:         1,
		GivenNames:      "Aminata Fatou",
		Surname:         "Diallo",
		BirthDate:       "1999-03-12",
		ForeignerNumber: "7512345678",
		Ground:          "student",
		ApplicationKind: "renewal",
		Rights: Rights{
			StayUntil:            "2026-09-30",
			Work:                 rules.Work{Kind: rules.WorkLimitedHours, HoursPerYear: 964},
			TravelReentry:        true,
			SocialRightsContinue: true,
		},
		ValidFrom:  "2026-07-01",
		ValidUntil: "2026-09-30",
		Prefecture: Prefecture{Code: "33", Name: "Préfecture de la Gironde"},
		IssuedAt:   t0,
	}
}

func testKeyring(t testing.TB) *Keyring {
	t.Helper()
	k, err := NewKeyring(t0)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// memKeys is a KeyStore in memory, with the database's rule: a sequence
// number or a key id is stored once.
type memKeys struct {
	mu   sync.Mutex
	rows []permit.SigningKey
}

func (m *memKeys) SigningKeys(context.Context) ([]permit.SigningKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.rows), nil
}

func (m *memKeys) AddSigningKeys(_ context.Context, keys []permit.SigningKey) ([]permit.SigningKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		if !slices.ContainsFunc(m.rows, func(r permit.SigningKey) bool { return r.Seq == k.Seq || r.ID == k.ID }) {
			m.rows = append(m.rows, k)
		}
	}
	slices.SortFunc(m.rows, func(a, b permit.SigningKey) int { return a.Seq - b.Seq })
	return slices.Clone(m.rows), nil
}

func (m *memKeys) RetireSigningKey(_ context.Context, kid string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := slices.IndexFunc(m.rows, func(r permit.SigningKey) bool { return r.ID == kid })
	if i < 0 {
		return permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	m.rows = slices.Delete(m.rows, i, i+1)
	return nil
}

// testKEK is the key-encryption key of the tests.
var testKEK = bytes.Repeat([]byte{7}, KEKSize)

// openShared opens a shared keyring on store at the clock's time.
func openShared(t *testing.T, store KeyStore, clk clock.Clock, importDir string) *Shared {
	t.Helper()
	s, err := Open(context.Background(), Options{Store: store, KEK: testKEK, Clock: clk, ImportDir: importDir})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
