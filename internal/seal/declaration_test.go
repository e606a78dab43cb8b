package seal

import (
	"reflect"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

func declarationClaims() *Claims {
	d := &permit.Declaration{Number: "DEC-7KQM-2XHP", Organisation: "Boulangerie Démo", SIRET: "73282932000074",
		PersonID: 7, GivenNames: "Amina", Surname: "Diallo", BirthDate: "2001-04-12",
		StartDate: time.Date(2026, 12, 14, 0, 0, 0, 0, time.UTC), Work: "limited_hours", WorkHours: 964, Ground: "student",
		Status: permit.DeclarationSilence, PrefectureCode: "75", PrefectureName: "Préfecture de police"}
	return ClaimsOfDeclaration(d, time.Date(2026, 12, 10, 23, 0, 5, 0, time.UTC))
}

// TestDeclarationClaims: a declaration's record is kind 6 in format 3,
// with its outcome (key 24) and start day (key 25); it round-trips, and
// its keys are refused on any other kind or format.
func TestDeclarationClaims(t *testing.T) {
	c := declarationClaims()
	if c.ValidFrom != "2026-12-11" || c.ValidUntil != "" || c.Rights.StayUntil != "" {
		t.Errorf("dates: from %q until %q stay %q; want the Paris day of the outcome, no end, no stay", c.ValidFrom, c.ValidUntil, c.Rights.StayUntil)
	}
	data, err := marshalClaims(c)
	if err != nil {
		t.Fatal(err)
	}
	m := map[int]any{}
	if err := formatDec.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if m[1] != uint64(3) || m[2] != uint64(6) || m[24] != uint64(4) || m[25] != uint64(toDay("2026-12-14")) || m[23] != nil || m[17] != nil {
		t.Errorf("wire: format %v kind %v outcome %v start %v pending %v until %v", m[1], m[2], m[24], m[25], m[23], m[17])
	}
	back, err := unmarshalClaims(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, c) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, c)
	}
	change := func(f func(m map[int]any)) []byte {
		m := map[int]any{}
		if err := formatDec.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		return mustCBOR(m)
	}
	for name, bad := range map[string][]byte{
		"format 2":           change(func(m map[int]any) { m[1] = 2 }),
		"an unknown outcome": change(func(m map[int]any) { m[24] = 9 }),
		"no start day":       change(func(m map[int]any) { delete(m, 25) }),
		"a pending renewal":  change(func(m map[int]any) { m[23] = false }),
		"an end date":        change(func(m map[int]any) { m[17] = toDay("2027-01-01") }),
		"on a check record":  change(func(m map[int]any) { m[1], m[2], m[23] = 2, 5, false }),
	} {
		if c, err := unmarshalClaims(bad); err == nil {
			t.Errorf("%s: accepted %+v", name, c)
		}
	}
	keys := testKeyring(t)
	code, err := Sign(keys, c)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Verify(code, keys, time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || res.Status != permit.AttestationValid || res.Claims.Declaration.Outcome != permit.DeclarationSilence {
		t.Errorf("verify: %+v, %v", res, err)
	}
}
