package seal

import (
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"

	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

var update = flag.Bool("update", false, "sign the worked example again and rewrite testdata/example.txt")

// exampleClaims are the claims of the worked example in
// docs/attestation-format.md.
func exampleClaims() *Claims {
	return &Claims{
		Kind:            permit.AttestationExtension,
		Number:          "API-2026-000123",
		Version:         1,
		GivenNames:      "Zoé Aminata",
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
		IssuedAt:   time.Date(2026, 6, 16, 8, 0, 0, 0, time.UTC),
	}
}

// exampleKeyring is a keyring holding the public example key, through
// the same loading code as the portal's keys.
func exampleKeyring(t *testing.T) *Keyring {
	t.Helper()
	pemData, err := os.ReadFile("testdata/example-key.pem")
	if err != nil {
		t.Fatal(err)
	}
	priv, err := parsePrivateKey(pemData)
	if err != nil {
		t.Fatal(err)
	}
	kid, _ := keyID(&priv.PublicKey)
	dir := keyDir(t)
	writeKey(t, dir, "0001-20260101T000000Z-"+kid+".pem", 0o600, pemData)
	k, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestWorkedExample checks the example of docs/attestation-format.md:
// the code in testdata/example.txt verifies with the example key and
// carries exampleClaims, every intermediate step printed there follows
// from the code, and the document shows the same code and key. Run with
// -update to sign the example again (ECDSA signatures are randomised,
// so the code changes) and copy testdata/example.txt into the document.
func TestWorkedExample(t *testing.T) {
	k := exampleKeyring(t)
	golden := filepath.Join("testdata", "example.txt")
	if *update {
		code, err := Sign(k, exampleClaims())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(explain(t, k, code)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	code := strings.TrimPrefix(strings.SplitN(string(want), "\n", 2)[0], "code: ")
	r, err := Verify(code, k, time.Date(2026, 7, 14, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != permit.AttestationValid || !reflect.DeepEqual(r.Claims, exampleClaims()) {
		t.Errorf("the example code gives %s, %+v", r.Status, r.Claims)
	}
	if r, err := Verify(code, k, time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)); err != nil || r.Status != permit.AttestationExpired {
		t.Errorf("on 1 October 2026 the example code gives %v, %v; want expired", r, err)
	}
	if got := explain(t, k, code); got != string(want) {
		t.Errorf("%s does not follow from its code; run go test -run WorkedExample -update\ngot:\n%s", golden, got)
	}
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "attestation-format.md"))
	if err != nil {
		t.Fatal(err)
	}
	set, _ := k.PublicKeySet()
	for _, part := range []string{code, string(set), k.ActiveKeyID()} {
		if !strings.Contains(string(doc), strings.TrimSpace(part)) {
			t.Errorf("docs/attestation-format.md does not show %q; copy it from %s", part, golden)
		}
	}
}

// explain decodes a code step by step, as the document shows it.
func explain(t *testing.T, k *Keyring, code string) string {
	t.Helper()
	raw, err := base45Decode(code[len(Prefix):])
	if err != nil {
		t.Fatal(err)
	}
	var msg cose.Sign1Message
	if err := msg.UnmarshalCBOR(raw); err != nil {
		t.Fatal(err)
	}
	claims, err := decompress(msg.Payload)
	if err != nil {
		t.Fatal(err)
	}
	diag, err := cbor.Diagnose(claims)
	if err != nil {
		t.Fatal(err)
	}
	set, _ := k.PublicKeySet()
	var b strings.Builder
	fmt.Fprintf(&b, "code: %s\n\n", code)
	fmt.Fprintf(&b, "length: %d characters\n\n", len(code))
	fmt.Fprintf(&b, "COSE_Sign1 (%d bytes):\n%s\n\n", len(raw), wrapHex(raw))
	fmt.Fprintf(&b, "protected header (%d bytes): %x\n\n", len(msg.Headers.RawProtected)-1, msg.Headers.RawProtected[1:])
	fmt.Fprintf(&b, "payload, zlib (%d bytes):\n%s\n\n", len(msg.Payload), wrapHex(msg.Payload))
	fmt.Fprintf(&b, "signature (r || s, 64 bytes):\n%s\n\n", wrapHex(msg.Signature))
	fmt.Fprintf(&b, "claims (%d bytes):\n%s\n\n", len(claims), wrapHex(claims))
	fmt.Fprintf(&b, "claims, diagnostic notation:\n%s\n\n", strings.ReplaceAll(diag, ", ", ",\n "))
	fmt.Fprintf(&b, "key set:\n%s", set)
	return b.String()
}

func wrapHex(b []byte) string {
	s := hex.EncodeToString(b)
	var lines []string
	for len(s) > 64 {
		lines = append(lines, s[:64])
		s = s[64:]
	}
	return strings.Join(append(lines, s), "\n")
}
