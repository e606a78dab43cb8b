package seal

import (
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *Claims)
		field  string // "" when the claims are valid
	}{
		{"typical", func(c *Claims) {}, ""},
		{"unknown kind", func(c *Claims) { c.Kind = "visa" }, "kind"},
		{"no number", func(c *Claims) { c.Number = "" }, "number"},
		{"number too long", func(c *Claims) { c.Number = strings.Repeat("1", 41) }, "number"},
		{"version 0", func(c *Claims) { c.Version = 0 }, "version"},
		{"no name at all", func(c *Claims) { c.GivenNames, c.Surname = "", "" }, "surname"},
		{"name with a line break", func(c *Claims) { c.Surname = "Dia\nllo" }, "surname"},
		{"name with spaces around", func(c *Claims) { c.Surname = " Diallo" }, "surname"},
		{"name not UTF-8", func(c *Claims) { c.GivenNames = "Zo\xeb" }, "given names"},
		{"name too long", func(c *Claims) { c.GivenNames = strings.Repeat("é", 61) }, "given names"},
		{"birth date in French order", func(c *Claims) { c.BirthDate = "12/03/1999" }, "birth date"},
		{"birth date with unknown day", func(c *Claims) { c.BirthDate = "1999-03-XX" }, ""},
		{"birth date with unknown month and day", func(c *Claims) { c.BirthDate = "1999-00-00" }, ""},
		{"birth date with unknown month only", func(c *Claims) { c.BirthDate = "1999-XX-12" }, "birth date"},
		{"birth date 31 February", func(c *Claims) { c.BirthDate = "1999-02-31" }, "birth date"},
		{"foreigner number of 9 digits", func(c *Claims) { c.ForeignerNumber = "751234567" }, "foreigner number"},
		{"ground with capitals", func(c *Claims) { c.Ground = "Student" }, "ground"},
		{"unknown application kind", func(c *Claims) { c.ApplicationKind = "duplicate" }, "application kind"},
		{"unknown work kind", func(c *Claims) { c.Rights.Work.Kind = "some" }, "work"},
		{"limited hours without hours", func(c *Claims) { c.Rights.Work.HoursPerYear = 0 }, "work hours"},
		{"hours on a full right", func(c *Claims) { c.Rights.Work.Kind = rules.WorkFull }, "work hours"},
		{"stay until not a date", func(c *Claims) { c.Rights.StayUntil = "2026-9-30" }, "stay until"},
		{"filing receipt proving stay", func(c *Claims) { c.Kind = permit.AttestationFilingReceipt }, "stay until"},
		{"extension with no end date", func(c *Claims) { c.ValidUntil = "" }, "valid until"},
		{"valid until before valid from", func(c *Claims) { c.ValidUntil = "2026-06-30" }, "valid until"},
		{"valid from before 1970", func(c *Claims) { c.ValidFrom = "1969-12-31" }, "valid from"},
		{"no prefecture", func(c *Claims) { c.Prefecture = Prefecture{} }, "prefecture code"},
		{"not issued", func(c *Claims) { c.IssuedAt = time.Time{} }, "issued at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := typicalClaims()
			tt.change(c)
			err := c.Validate()
			switch {
			case tt.field == "" && err != nil:
				t.Errorf("valid claims refused: %v", err)
			case tt.field != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.field+":")):
				t.Errorf("got %v, want an error about %s", err, tt.field)
			}
		})
	}
}

func TestValidateListsEveryProblem(t *testing.T) {
	err := (&Claims{}).Validate()
	if err == nil {
		t.Fatal("empty claims validate")
	}
	for _, field := range []string{"kind", "number", "version", "surname", "birth date", "ground", "application kind", "work", "valid from", "prefecture code", "issued at"} {
		if !strings.Contains(err.Error(), field+":") {
			t.Errorf("no problem reported about %s in %q", field, err)
		}
	}
}

// TestWireCodes pins the integers the signed format uses for closed
// lists: changing one would change what every code already printed says.
// It also fails when a kind or work kind is added to the domain without
// a code, so that Sign cannot meet a value it cannot write.
func TestWireCodes(t *testing.T) {
	want := map[string]uint{
		"filing_receipt": 1, "extension": 2, "favourable_decision": 3, "filing_attempt": 4, "work_check": 5, "declaration": 6,
		"first_issue": 1, "renewal": 2, "change_of_status": 3,
		"full": 1, "limited_hours": 2, "authorised_job": 3, "qualifying_activity": 4, "none": 5,
	}
	for _, k := range append(rules.AttestationKinds, permit.AttestationAttempt, permit.AttestationWorkCheck, permit.AttestationDeclaration) {
		if got := toCode(kindCodes, k); got == 0 || got != want[string(k)] {
			t.Errorf("kind %s has code %d, want %d", k, got, want[string(k)])
		}
	}
	for _, k := range permit.Kinds {
		if got := toCode(applicationKindCodes, k); got == 0 || got != want[string(k)] {
			t.Errorf("application kind %s has code %d, want %d", k, got, want[string(k)])
		}
	}
	for _, k := range rules.WorkKinds {
		if got := toCode(workKindCodes, k); got == 0 || got != want[string(k)] {
			t.Errorf("work kind %s has code %d, want %d", k, got, want[string(k)])
		}
	}
	if d := toDay("2026-07-01"); d != 20635 || fromDay(d) != "2026-07-01" {
		t.Errorf("2026-07-01 is day %d (%s), want 20635", d, fromDay(d))
	}
}

// TestClaimsCanonical feeds unmarshalClaims encodings of the typical
// claims that differ from the one Sign writes: each must be refused, so
// that no signed byte goes unread.
func TestClaimsCanonical(t *testing.T) {
	good, err := marshalClaims(typicalClaims())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := unmarshalClaims(good); err != nil {
		t.Fatalf("canonical claims refused: %v", err)
	}
	w := func(change func(m map[int]any)) []byte {
		m := map[int]any{}
		if err := formatDec.Unmarshal(good, &m); err != nil {
			t.Fatal(err)
		}
		change(m)
		return mustCBOR(m)
	}
	unsorted := append([]byte{good[0]}, good[3:]...) // moves the pair 1: 1 to the end
	unsorted = append(unsorted, 0x01, 0x01)
	tests := []struct {
		name string
		data []byte
	}{
		{"a boolean left out", w(func(m map[int]any) { delete(m, 14) })},
		{"an empty optional text", w(func(m map[int]any) { m[8] = "" })},
		{"an optional zero", w(func(m map[int]any) { m[13] = 0 })},
		{"a text as bytes", w(func(m map[int]any) { m[3] = []byte("API-2026-000123") })},
		{"a date as text", w(func(m map[int]any) { m[16] = "2026-07-01" })},
		{"a negative number", w(func(m map[int]any) { m[4] = -1 })},
		{"a float", w(func(m map[int]any) { m[13] = 964.0 })},
		{"a day out of range", w(func(m map[int]any) { m[17] = maxDay + 1 })},
		{"a text key", w(func(m map[int]any) { m[3] = map[string]string{"a": "b"} })},
		{"keys out of order", unsorted},
		{"a non-shortest integer", append([]byte{good[0], 0x01, 0x18, 0x01}, good[3:]...)},
		{"trailing bytes", append(append([]byte{}, good...), 0x00)},
		{"indefinite length", append(append([]byte{0xbf}, good[1:]...), 0xff)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if c, err := unmarshalClaims(tt.data); err == nil {
				t.Errorf("accepted: %+v", c)
			}
		})
	}
}

func TestClaimsOf(t *testing.T) {
	cat := rules.MustLoad()
	person := &permit.Person{GivenNames: "Zoé", Surname: "Diallo", BirthDate: "1999-03-12", ForeignerNumber: "7512345678"}
	app := &permit.Application{Ground: "student", Kind: permit.KindRenewal}
	pref := &permit.Prefecture{Code: "33", Name: "Préfecture de la Gironde"}
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	previous := &permit.Permit{Ground: "student"}
	tests := []struct {
		kind      permit.AttestationKind
		until     time.Time
		stayUntil string
	}{
		{permit.AttestationExtension, day("2026-09-30"), "2026-09-30"},
		{permit.AttestationFavourable, day("2026-09-30"), "2026-09-30"},
		{permit.AttestationFilingReceipt, day("2026-10-31"), ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			r, err := cat.Rights(tt.kind, app.Ground, app.Kind, previous, tt.until)
			if err != nil {
				t.Fatal(err)
			}
			a := &permit.Attestation{Kind: tt.kind, Number: "N-1", Version: 2, ValidFrom: day("2026-07-01"), ValidUntil: tt.until,
				IssuedAt: time.Date(2026, 6, 16, 8, 0, 0, 123, time.UTC)}
			c := ClaimsOf(a, person, app, pref, r)
			if err := c.Validate(); err != nil {
				t.Fatalf("claims of a planned attestation do not validate: %v", err)
			}
			if c.ValidFrom != "2026-07-01" || c.ValidUntil != tt.until.Format(time.DateOnly) || c.Rights.StayUntil != tt.stayUntil ||
				c.Kind != tt.kind || c.Version != 2 || c.Surname != "Diallo" || c.Prefecture.Code != "33" || c.Rights.Work != r.Work ||
				c.IssuedAt.Nanosecond() != 0 {
				t.Errorf("ClaimsOf gave %+v from %+v and %+v", c, a, r)
			}
		})
	}
}

// TestEveryGroundSeals signs the rights of every ground, kind of
// application and kind of attestation of the catalogue: whatever the
// catalogue grants, the format can carry.
func TestEveryGroundSeals(t *testing.T) {
	cat := rules.MustLoad()
	k := testKeyring(t)
	person := &permit.Person{GivenNames: "Zoé", Surname: "Diallo", BirthDate: "1999-03-12"}
	pref := &permit.Prefecture{Code: "75", Name: "Préfecture de police"}
	until := time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)
	n := 0
	for _, g := range cat.Grounds() {
		for _, appKind := range g.Kinds {
			for _, kind := range rules.AttestationKinds {
				r, err := cat.Rights(kind, g.ID, appKind, &permit.Permit{Ground: g.ID}, until)
				if err != nil {
					t.Fatal(err)
				}
				a := &permit.Attestation{Kind: kind, Number: "N-1", Version: 1, ValidFrom: until.AddDate(0, -3, 1), ValidUntil: until, IssuedAt: t0}
				c := ClaimsOf(a, person, &permit.Application{Ground: g.ID, Kind: appKind}, pref, r)
				code, err := Sign(k, c)
				if err != nil {
					t.Fatalf("%s %s %s: %v", g.ID, appKind, kind, err)
				}
				if res, err := Verify(code, k, t0); err != nil || res.Claims.Rights != c.Rights {
					t.Fatalf("%s %s %s: %v", g.ID, appKind, kind, err)
				}
				n++
			}
		}
	}
	t.Logf("%d combinations signed and verified", n)
}
