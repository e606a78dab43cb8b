package seal

import (
	"bytes"
	"compress/zlib"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"math/big"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/veraison/go-cose"

	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

func TestRoundTrip(t *testing.T) {
	k := testKeyring(t)
	tests := []struct {
		name   string
		change func(c *Claims)
	}{
		{"extension of a student", func(c *Claims) {}},
		{"accents and guillemets", func(c *Claims) {
			c.GivenNames, c.Surname = "Zoë Maëlle « Zozo »", "N’Guessan-Œuvray"
			c.Prefecture = Prefecture{Code: "971", Name: "Préfecture de la Guadeloupe — « Basse-Terre »"}
		}},
		{"filing receipt: no stay, no end date", func(c *Claims) {
			c.Kind, c.Rights.StayUntil, c.ValidUntil = permit.AttestationFilingReceipt, "", ""
			c.Rights.Work, c.Rights.TravelReentry, c.Rights.SocialRightsContinue = rules.Work{Kind: rules.WorkNone}, false, false
		}},
		{"favourable decision, full right to work", func(c *Claims) {
			c.Kind, c.Ground, c.ApplicationKind = permit.AttestationFavourable, "family", "first_issue"
			c.Rights.Work = rules.Work{Kind: rules.WorkFull}
		}},
		{"extension of a change of status", func(c *Claims) {
			c.Ground, c.ApplicationKind = "employee", "change_of_status"
			c.Rights.Work = rules.Work{Kind: rules.WorkAuthorisedJob}
		}},
		{"filing receipt ending on the implicit-rejection day", func(c *Claims) {
			c.Kind, c.Rights.StayUntil, c.ValidUntil = permit.AttestationFilingReceipt, "", "2026-10-31"
			c.Rights.Work = rules.Work{Kind: rules.WorkNone}
		}},
		{"no foreigner number, one name only", func(c *Claims) { c.ForeignerNumber, c.GivenNames = "", "" }},
		{"partial birth date", func(c *Claims) { c.BirthDate = "1990-XX-XX" }},
		{"corrected version", func(c *Claims) { c.Version = 3 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := typicalClaims()
			tt.change(c)
			code, err := Sign(k, c)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Verify(code, k, t0)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if r.Status != permit.AttestationValid || r.KeyID != k.ActiveKeyID() {
				t.Errorf("status %s, key %s; want valid, %s", r.Status, r.KeyID, k.ActiveKeyID())
			}
			if !reflect.DeepEqual(r.Claims, c) {
				t.Errorf("claims changed in the round trip:\n got %+v\nwant %+v", r.Claims, c)
			}
		})
	}
}

// TestCodeSize reports the size of a typical code. 400 alphanumeric
// characters fit a version 12 QR code at error correction level M.
func TestCodeSize(t *testing.T) {
	k := testKeyring(t)
	for _, name := range []string{"typical", "long names"} {
		c := typicalClaims()
		if name == "long names" {
			c.GivenNames, c.Surname = "Marie-Éléonore Anne-Sophie Bérénice", "de Saint-Exupéry-Nguyễn"
			c.Prefecture.Name = "Préfecture des Bouches-du-Rhône"
		}
		raw, _ := marshalClaims(c)
		code, err := Sign(k, c)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: claims %d bytes, compressed %d, code %d characters", name, len(raw), len(compress(raw)), len(code))
		if name == "typical" && len(code) >= 400 {
			t.Errorf("a typical code has %d characters; want < 400", len(code))
		}
	}
}

func TestStatus(t *testing.T) {
	k := testKeyring(t)
	code, err := Sign(k, typicalClaims()) // valid 2026-07-01 to 2026-09-30
	if err != nil {
		t.Fatal(err)
	}
	receipt := typicalClaims()
	receipt.Kind, receipt.Rights.StayUntil, receipt.ValidUntil = permit.AttestationFilingReceipt, "", ""
	receiptCode, err := Sign(k, receipt)
	if err != nil {
		t.Fatal(err)
	}
	paris := time.FixedZone("CEST", 2*3600)
	tests := []struct {
		name string
		code string
		now  time.Time
		want permit.AttestationStatus
	}{
		{"day before", code, time.Date(2026, 6, 30, 23, 59, 0, 0, time.UTC), permit.AttestationPending},
		{"first day", code, time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), permit.AttestationValid},
		{"last day", code, time.Date(2026, 9, 30, 23, 59, 59, 0, time.UTC), permit.AttestationValid},
		{"day after", code, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), permit.AttestationExpired},
		{"day after in Paris, still the last day in UTC", code, time.Date(2026, 9, 30, 22, 30, 0, 0, time.UTC).In(paris), permit.AttestationExpired},
		{"first day in Paris, still the day before in UTC", code, time.Date(2026, 6, 30, 22, 30, 0, 0, time.UTC).In(paris), permit.AttestationValid},
		{"receipt with no end date, years later", receiptCode, time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC), permit.AttestationValid},
		{"receipt before its day", receiptCode, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), permit.AttestationPending},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Verify(tt.code, k, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != tt.want {
				t.Errorf("status %s, want %s", r.Status, tt.want)
			}
		})
	}
}

// failure names the error class of a Verify error, or "valid".
func failure(err error) string {
	switch {
	case err == nil:
		return "valid"
	case errors.Is(err, ErrMalformed):
		return "malformed"
	case errors.Is(err, ErrForged):
		return "forged"
	case errors.Is(err, ErrUnknownKey):
		return "unknown key"
	}
	return "untyped: " + err.Error()
}

// TestEveryCharacterChange changes each character of a real code into
// each other base45 character, one at a time, and checks that none of
// the 16,000 or so codes verifies. A changed key id can only be "unknown
// key": the test checks that this happens only where the key id is.
func TestEveryCharacterChange(t *testing.T) {
	k := testKeyring(t)
	code, err := Sign(k, typicalClaims())
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base45Decode(code[len(Prefix):])
	kidAt := bytes.Index(raw, protectedHeader(mustHex(k.ActiveKeyID()))) + 6
	count := map[string]int{}
	for i := range len(code) {
		for _, ch := range []byte(base45Alphabet) {
			if ch == code[i] {
				continue
			}
			changed := code[:i] + string(ch) + code[i+1:]
			r, err := Verify(changed, k, t0)
			f := failure(err)
			count[f]++
			switch {
			case f == "valid":
				t.Fatalf("character %d changed to %q still verifies: %+v", i, ch, r.Claims)
			case strings.HasPrefix(f, "untyped"):
				t.Fatalf("character %d changed to %q: %s", i, ch, f)
			case f == "unknown key" && !touchesKid(i-len(Prefix), kidAt):
				t.Errorf("character %d changed to %q: unknown key, outside the key id", i, ch)
			}
		}
	}
	t.Logf("%d characters, %v", len(code), count)
	if count["forged"] == 0 || count["malformed"] == 0 {
		t.Errorf("want both forged and malformed outcomes, got %v", count)
	}
}

// touchesKid reports whether base45 character i can change one of the 8
// key id bytes starting at byte kidAt: character i belongs to the group
// of bytes 2*(i/3) and 2*(i/3)+1.
func touchesKid(i, kidAt int) bool {
	if i < 0 {
		return false
	}
	first := i / 3 * 2
	return first+1 >= kidAt && first < kidAt+8
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// TestEveryBitFlip flips each bit of the signed message under the base45
// layer, where one character change can reach two bytes at once.
func TestEveryBitFlip(t *testing.T) {
	k := testKeyring(t)
	code, err := Sign(k, typicalClaims())
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base45Decode(code[len(Prefix):])
	for i := range raw {
		for bit := range 8 {
			b := bytes.Clone(raw)
			b[i] ^= 1 << bit
			if _, err := Verify(Prefix+base45Encode(b), k, t0); err == nil || strings.HasPrefix(failure(err), "untyped") {
				t.Fatalf("byte %d bit %d flipped: %v", i, bit, err)
			}
		}
	}
}

func TestTruncated(t *testing.T) {
	k := testKeyring(t)
	code, err := Sign(k, typicalClaims())
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(code) {
		if f := failure(verifyErr(code[:n], k)); f != "malformed" {
			t.Fatalf("code cut to %d characters: %s, want malformed", n, f)
		}
	}
}

func verifyErr(code string, keys KeySource) error {
	_, err := Verify(code, keys, t0)
	return err
}

// signed returns a code whose COSE_Sign1 message has the given protected
// header, unprotected header and payload, correctly signed by k: the
// signature holds, so whatever Verify reports is about the content.
func signed(t *testing.T, k *Keyring, protected cose.ProtectedHeader, unprotected cose.UnprotectedHeader, payload []byte) string {
	t.Helper()
	signer, err := cose.NewSigner(cose.AlgorithmES256, k.active().priv)
	if err != nil {
		t.Fatal(err)
	}
	msg := &cose.Sign1Message{Headers: cose.Headers{Protected: protected, Unprotected: unprotected}, Payload: payload}
	if err := msg.Sign(rand.Reader, nil, signer); err != nil {
		t.Fatal(err)
	}
	msg.Signature = lowS(msg.Signature)
	b, err := msg.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	return Prefix + base45Encode(b)
}

func TestBadCodes(t *testing.T) {
	k := testKeyring(t)
	good, err := Sign(k, typicalClaims())
	if err != nil {
		t.Fatal(err)
	}
	kid := mustHex(k.ActiveKeyID())
	header := func() cose.ProtectedHeader {
		return cose.ProtectedHeader{cose.HeaderLabelAlgorithm: cose.AlgorithmES256, cose.HeaderLabelKeyID: kid}
	}
	claims, _ := marshalClaims(typicalClaims())
	raw, _ := base45Decode(good[len(Prefix):])
	other, _ := Sign(k, &Claims{Kind: permit.AttestationFilingReceipt, Number: "X", Version: 1, Surname: "Y", BirthDate: "2000-01-01",
		Ground: "student", ApplicationKind: "renewal", Rights: Rights{Work: rules.Work{Kind: rules.WorkNone}},
		ValidFrom: "2026-01-01", Prefecture: Prefecture{Code: "1", Name: "P"}, IssuedAt: t0})
	var untagged cose.UntaggedSign1Message
	if err := untagged.UnmarshalCBOR(raw[1:]); err != nil {
		t.Fatal(err)
	}
	untaggedBytes, _ := untagged.MarshalCBOR()

	tests := []struct {
		name, code, want, why string
	}{
		{"empty", "", "malformed", "does not start with"},
		{"prefix only", Prefix, "malformed", "COSE_Sign1"},
		{"no prefix", good[len(Prefix):], "malformed", "does not start with"},
		{"another scheme's prefix", "HC1:" + good[len(Prefix):], "malformed", "does not start with"},
		{"lower-case prefix", "sj1:" + good[len(Prefix):], "malformed", "does not start with"},
		{"a future version", "SJ2:" + good[len(Prefix):], "malformed", "does not start with"},
		{"too long", Prefix + strings.Repeat("0", MaxCodeLength), "malformed", "longer than"},
		{"lower case", strings.ToLower(good), "malformed", "does not start with"},
		{"line break inside", good[:100] + "\n" + good[100:], "malformed", "base45"},
		{"not base45", Prefix + "hello, world", "malformed", "base45"},
		{"base45 but not COSE", Prefix + base45Encode([]byte("hello, world")), "malformed", "COSE_Sign1"},
		{"untagged COSE_Sign1", Prefix + base45Encode(untaggedBytes), "malformed", "COSE_Sign1"},
		{"data after the message", Prefix + base45Encode(append(bytes.Clone(raw), 0)), "malformed", "extraneous data"},
		{"two codes glued", good + other[len(Prefix):], "malformed", "extraneous data"},
		{"signature of another code", Prefix + base45Encode(append(raw[:len(raw)-64:len(raw)-64], mustBase45(other)[len(mustBase45(other))-64:]...)), "forged", "signature does not match"},
		{"a length not in its shortest form", Prefix + base45Encode(append(append(bytes.Clone(raw[:len(raw)-66]), 0x59, 0x00, 0x40), raw[len(raw)-64:]...)), "malformed", "canonical"},
		{"the other signature of the same claims (high s)", Prefix + base45Encode(highS(raw)), "malformed", "lower half"},
		{"empty signature", Prefix + base45Encode(append(bytes.Clone(raw[:len(raw)-66]), 0x40)), "malformed", "empty signature"},
		{"extra protected header", signed(t, k, cose.ProtectedHeader{cose.HeaderLabelAlgorithm: cose.AlgorithmES256, cose.HeaderLabelKeyID: kid, cose.HeaderLabelContentType: 60}, nil, compress(claims)), "malformed", "protected header"},
		{"key id in the unprotected header", signed(t, k, cose.ProtectedHeader{cose.HeaderLabelAlgorithm: cose.AlgorithmES256}, cose.UnprotectedHeader{cose.HeaderLabelKeyID: kid}, compress(claims)), "malformed", "key id"},
		{"something in the unprotected header", signed(t, k, header(), cose.UnprotectedHeader{cose.HeaderLabelContentType: 60}, compress(claims)), "malformed", "unprotected header"},
		{"another algorithm", withHeader(t, raw, cose.ProtectedHeader{cose.HeaderLabelAlgorithm: cose.AlgorithmES384, cose.HeaderLabelKeyID: kid}), "malformed", "protected header"},
		{"no algorithm", withHeader(t, raw, cose.ProtectedHeader{cose.HeaderLabelKeyID: kid}), "malformed", "protected header"},
		{"claims not compressed", signed(t, k, header(), nil, claims), "malformed", "zlib"},
		{"data after the zlib stream", signed(t, k, header(), nil, append(compress(claims), 0)), "malformed", "after the zlib"},
		{"zlib checksum wrong", signed(t, k, header(), nil, flipLast(compress(claims))), "malformed", "checksum"},
		{"claims of a future format", signed(t, k, header(), nil, compress(mustCBOR(map[int]any{1: 4, 2: 2, 99: "new"}))), "malformed", "format 4"},
		{"claims with an unknown key", signed(t, k, header(), nil, compress(append(append([]byte{claims[0] + 1}, claims[1:]...), 0x18, 26, 0))), "malformed", "unknown field"},
		// An attestation in format 1 carrying a check record's key.
		{"attestation naming an organisation", signed(t, k, header(), nil, compress(append(append([]byte{claims[0] + 1}, claims[1:]...), 21, 0x61, 'x'))), "malformed", "organisation"},
		{"claims with a duplicate key", signed(t, k, header(), nil, compress(withExtraKey(claims, 3))), "malformed", "duplicate"},
		{"claims that do not validate", signed(t, k, header(), nil, compress(mustCBOR(map[int]any{1: 1, 2: 9}))), "malformed", "kind:"},
		{"claims not a map", signed(t, k, header(), nil, compress(mustCBOR([]int{1, 2, 3}))), "malformed", "array"},
		{"empty claims", signed(t, k, header(), nil, compress(nil)), "malformed", "claims"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := verifyErr(tt.code, k)
			if got := failure(err); got != tt.want || !strings.Contains(err.Error(), tt.why) {
				t.Errorf("got %s (%v), want %s saying %q", got, err, tt.want, tt.why)
			}
		})
	}
}

// withHeader replaces the protected header of a signed message, keeping
// its signature.
func withHeader(t *testing.T, raw []byte, h cose.ProtectedHeader) string {
	t.Helper()
	var msg cose.Sign1Message
	if err := msg.UnmarshalCBOR(raw); err != nil {
		t.Fatal(err)
	}
	msg.Headers.RawProtected, msg.Headers.Protected = nil, h
	b, err := msg.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	return Prefix + base45Encode(b)
}

func mustBase45(code string) []byte {
	b, err := base45Decode(code[len(Prefix):])
	if err != nil {
		panic(err)
	}
	return b
}

func mustCBOR(v any) []byte {
	b, err := encMode.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// withExtraKey adds the pair key: 0 at the end of a CBOR map of fewer
// than 23 pairs.
func withExtraKey(m []byte, key byte) []byte {
	out := append([]byte{m[0] + 1}, m[1:]...)
	return append(out, key, 0)
}

// highS replaces s with n - s in a signed message: the signature still
// verifies, but is not the one form Sign writes.
func highS(raw []byte) []byte {
	out := bytes.Clone(raw)
	s := new(big.Int).SetBytes(out[len(out)-32:])
	new(big.Int).Sub(p256Order, s).FillBytes(out[len(out)-32:])
	return out
}

func flipLast(b []byte) []byte {
	b = bytes.Clone(b)
	b[len(b)-1] ^= 1
	return b
}

// TestSurroundingWhitespace checks that a code pasted with spaces or a
// line break around it still verifies: base45 never ends a valid string
// with a space, so trimming cannot cut into a code.
func TestSurroundingWhitespace(t *testing.T) {
	k := testKeyring(t)
	code, err := Sign(k, typicalClaims())
	if err != nil {
		t.Fatal(err)
	}
	if r, err := Verify(" \t"+code+"\r\n", k, t0); err != nil || r.Status != permit.AttestationValid {
		t.Errorf("code with whitespace around it: %v", err)
	}
}

func TestUnknownKey(t *testing.T) {
	k := testKeyring(t)
	stranger := testKeyring(t)
	code, err := Sign(stranger, typicalClaims())
	if err != nil {
		t.Fatal(err)
	}
	err = verifyErr(code, k)
	if !errors.Is(err, ErrUnknownKey) || !strings.Contains(err.Error(), stranger.ActiveKeyID()) {
		t.Errorf("got %v, want unknown key %s", err, stranger.ActiveKeyID())
	}
}

// TestForgedClaims re-signs nothing: it swaps in other claims and keeps
// the original signature, as a forger would.
func TestForgedClaims(t *testing.T) {
	k := testKeyring(t)
	code, err := Sign(k, typicalClaims())
	if err != nil {
		t.Fatal(err)
	}
	var msg cose.Sign1Message
	if err := msg.UnmarshalCBOR(mustBase45(code)); err != nil {
		t.Fatal(err)
	}
	c := typicalClaims()
	c.ValidUntil, c.Rights.StayUntil = "2027-09-30", "2027-09-30"
	claims, _ := marshalClaims(c)
	msg.Payload = compress(claims)
	b, err := msg.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	if f := failure(verifyErr(Prefix+base45Encode(b), k)); f != "forged" {
		t.Errorf("got %s, want forged", f)
	}
}

// TestZlibBomb signs a payload that inflates to 2 MB: the verifier must
// stop at MaxClaimsSize and allocate about that, not the 2 MB. An
// unsigned bomb is not even inflated.
func TestZlibBomb(t *testing.T) {
	k := testKeyring(t)
	var buf bytes.Buffer
	w, _ := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	w.Write(make([]byte, 2<<20))
	w.Close()
	header := cose.ProtectedHeader{cose.HeaderLabelAlgorithm: cose.AlgorithmES256, cose.HeaderLabelKeyID: mustHex(k.ActiveKeyID())}
	bomb := signed(t, k, header, nil, buf.Bytes())
	if len(bomb) > MaxCodeLength {
		t.Fatalf("the bomb is %d characters, too long to reach the inflater", len(bomb))
	}
	raw := mustBase45(bomb)
	raw[len(raw)-33] ^= 1 // the last byte of r
	unsigned := Prefix + base45Encode(raw)
	for _, tt := range []struct{ name, code, want string }{
		{"signed", bomb, "malformed"},
		{"unsigned", unsigned, "forged"},
	} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		err := verifyErr(tt.code, k)
		runtime.ReadMemStats(&after)
		if got := failure(err); got != tt.want {
			t.Errorf("%s bomb: got %s (%v), want %s", tt.name, got, err, tt.want)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 512<<10 {
			t.Errorf("%s bomb: verifying allocated %d bytes", tt.name, alloc)
		} else {
			t.Logf("%s bomb of %d characters: %v; %d bytes allocated", tt.name, len(tt.code), err, alloc)
		}
	}
}

func TestSignRefusesInvalidClaims(t *testing.T) {
	k := testKeyring(t)
	c := typicalClaims()
	c.Kind = "visa"
	if _, err := Sign(k, c); err == nil || !strings.Contains(err.Error(), "kind") {
		t.Errorf("Sign of invalid claims: %v", err)
	}
	c = typicalClaims()
	c.Prefecture.Name = strings.Repeat("é", 60)
	if _, err := Sign(k, c); err != nil {
		t.Errorf("Sign of the longest names: %v", err)
	}
}
