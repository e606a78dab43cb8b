package seal

import (
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

func testKeyring(t testing.TB) (*Keyring, string) {
	t.Helper()
	dir := t.TempDir() + "/keys"
	k, err := LoadOrCreate(dir, clock.NewFixed(t0))
	if err != nil {
		t.Fatal(err)
	}
	return k, dir
}
