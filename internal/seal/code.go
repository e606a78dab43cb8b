package seal

import (
	"bytes"
	"compress/zlib"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/veraison/go-cose"

	"github.com/sejour/sejour/internal/permit"
)

// Prefix starts every code. Its digit is the version of the whole format:
// a code in another format will have another prefix.
const Prefix = "SJ1:"

// Bounds every step of decoding, so that no input, however crafted, makes
// a verifier read or allocate more than a few kilobytes.
const (
	MaxCodeLength = 4096     // characters, prefix included
	MaxClaimsSize = 16 << 10 // bytes of claims after decompression
)

// Errors of Verify. Each wraps one of these, so that callers can tell
// errors.Is(err, ErrForged) and say so, while the message says what
// exactly was wrong.
var (
	// ErrMalformed: not a code of this format, or one that cannot be read
	// to the end (prefix, base45, COSE, compression, claims, length).
	ErrMalformed = errors.New("malformed code")
	// ErrUnknownKey: a well-formed code signed by a key the verifier does
	// not know. An offline verifier should refresh its key set; if the
	// key set is current, the code is not one of sejour's.
	ErrUnknownKey = errors.New("unknown key")
	// ErrForged: the signature does not match the signed content, so
	// something in the code was changed after signing.
	ErrForged = errors.New("forged code")
)

// Result is a code whose signature verified with a known key and whose
// claims decoded fully. Revocation and supersession by a newer version
// are not known offline: the online check adds them.
type Result struct {
	// Status is what the signed dates say: permit.AttestationValid,
	// AttestationPending (not yet valid) or AttestationExpired.
	Status permit.AttestationStatus
	Claims *Claims
	KeyID  string
}

// Signer holds the key that signs: a *Keyring, or the *Shared keyring of
// the portal's instances.
type Signer interface {
	signingKey() (*signingKey, error)
}

// Sign returns the code of c, signed with the signer's newest key.
func Sign(k Signer, c *Claims) (string, error) {
	if err := c.Validate(); err != nil {
		return "", fmt.Errorf("seal: invalid claims: %w", err)
	}
	claims, err := marshalClaims(c)
	if err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	return signPayload(k, compress(claims))
}

// zlibWriters keeps compressors for reuse: each holds some 800 KB of
// tables, which would otherwise be allocated for every code.
var zlibWriters = sync.Pool{New: func() any {
	w, _ := zlib.NewWriterLevel(nil, zlib.BestCompression) // the level is valid
	return w
}}

func compress(b []byte) []byte {
	var buf bytes.Buffer
	w := zlibWriters.Get().(*zlib.Writer)
	defer zlibWriters.Put(w)
	w.Reset(&buf)
	w.Write(b) // a bytes.Buffer does not fail
	w.Close()
	return buf.Bytes()
}

// signPayload signs an already compressed payload; tests use it to sign
// payloads Sign would refuse.
func signPayload(k Signer, payload []byte) (string, error) {
	key, err := k.signingKey()
	if err != nil {
		return "", err
	}
	signer, err := cose.NewSigner(cose.AlgorithmES256, key.priv)
	if err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	kid, _ := hex.DecodeString(key.ID)
	msg := cose.NewSign1Message()
	msg.Headers.Protected.SetAlgorithm(cose.AlgorithmES256)
	msg.Headers.Protected[cose.HeaderLabelKeyID] = kid
	msg.Payload = payload
	if err := msg.Sign(rand.Reader, nil, signer); err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	msg.Signature = lowS(msg.Signature)
	b, err := msg.MarshalCBOR()
	if err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	code := Prefix + base45Encode(b)
	if len(code) > MaxCodeLength {
		return "", fmt.Errorf("seal: code of %d characters is longer than %d", len(code), MaxCodeLength)
	}
	return code, nil
}

// Verify checks a code offline and reads its claims. Whitespace around
// the code is ignored (a code never starts or ends with a space). It
// returns a Result only when the signature verified with a key of keys
// and the claims decoded completely; otherwise the error wraps
// ErrMalformed, ErrUnknownKey or ErrForged. The status compares the
// calendar day of now, in now's location, with the signed validity
// dates, both inclusive: pass now in the verifier's own time zone.
func Verify(code string, keys KeySource, now time.Time) (*Result, error) {
	msg, kid, err := decode(code)
	if err != nil {
		return nil, err
	}
	pub, ok := keys.PublicKey(kid)
	if !ok {
		return nil, fmt.Errorf("seal: %w %s", ErrUnknownKey, kid)
	}
	if pub.Curve != elliptic.P256() {
		return nil, fmt.Errorf("seal: %w %s: not a P-256 key", ErrUnknownKey, kid)
	}
	digest := sha256.Sum256(msg.toBeSigned())
	r, s := new(big.Int).SetBytes(msg.signature[:32]), new(big.Int).SetBytes(msg.signature[32:])
	if !ecdsa.Verify(pub, digest[:], r, s) {
		return nil, fmt.Errorf("seal: %w: the signature does not match the content", ErrForged)
	}
	claims, err := decompress(msg.payload)
	if err != nil {
		return nil, malformed("payload: %v", err)
	}
	c, err := unmarshalClaims(claims)
	if err != nil {
		return nil, malformed("%v", err)
	}
	return &Result{Status: status(c, now), Claims: c, KeyID: kid}, nil
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("seal: %w: "+format, append([]any{ErrMalformed}, args...)...)
}

// sign1 is a COSE_Sign1 message of the one shape Sign writes
// (docs/attestation-format.md, section 3): the protected header's 13
// bytes, the payload and the 64-byte signature.
type sign1 struct {
	protected, payload, signature []byte
}

// toBeSigned is the CBOR encoding of the message's Sig_structure:
// ["Signature1", protected header, an empty byte string (no external
// data), payload].
func (m *sign1) toBeSigned() []byte {
	b := make([]byte, 0, 32+len(m.protected)+len(m.payload))
	b = append(b, 0x84, 0x6a)
	b = append(b, "Signature1"...)
	b = appendBytes(b, m.protected)
	b = append(b, 0x40)
	return appendBytes(b, m.payload)
}

// appendBytes appends p as a CBOR byte string, its length in the
// shortest form.
func appendBytes(b, p []byte) []byte {
	switch n := len(p); {
	case n < 24:
		b = append(b, 0x40|byte(n))
	case n < 1<<8:
		b = append(b, 0x58, byte(n))
	default: // a code's bytes are far fewer than 1<<16
		b = append(b, 0x59, byte(n>>8), byte(n))
	}
	return append(b, p...)
}

// decode reads the code down to its COSE_Sign1 message and key id,
// accepting exactly the bytes Sign writes, so that no byte of a code can
// change without the signature noticing or the decoding failing. It
// reads the message's fixed shape itself, byte by byte, rather than
// through a general CBOR decoder and an encoding again to compare: each
// item must be the one the format allows, its length in the shortest
// form, with nothing after the signature.
func decode(code string) (*sign1, string, error) {
	code = strings.TrimSpace(code)
	if len(code) > MaxCodeLength {
		return nil, "", malformed("longer than %d characters", MaxCodeLength)
	}
	if !strings.HasPrefix(code, Prefix) {
		return nil, "", malformed("does not start with %s", Prefix)
	}
	b, err := base45Decode(code[len(Prefix):])
	if err != nil {
		return nil, "", malformed("%v", err)
	}
	if len(b) < 2 || b[0] != 0xd2 || b[1] != 0x84 {
		return nil, "", malformed("not a COSE_Sign1 message: no tag 18 and array of 4 at its start")
	}
	rest := b[2:]
	var msg sign1
	if msg.protected, rest, err = byteString(rest); err != nil {
		return nil, "", malformed("protected header: %v", err)
	}
	if len(msg.protected) != 13 || !bytes.Equal(msg.protected, protectedHeader(msg.protected[5:])[1:]) {
		return nil, "", malformed("no 8-byte key id in the protected header, or it is not exactly {1: -7 (ES256), 4: key id}")
	}
	if len(rest) == 0 || rest[0] != 0xa0 {
		return nil, "", malformed("unprotected header is not empty")
	}
	if msg.payload, rest, err = byteString(rest[1:]); err != nil {
		return nil, "", malformed("payload: %v", err)
	}
	if msg.signature, rest, err = byteString(rest); err != nil {
		return nil, "", malformed("signature: %v", err)
	}
	switch {
	case len(msg.signature) == 0:
		return nil, "", malformed("empty signature")
	case len(msg.signature) != 64 || !bytes.Equal(lowS(msg.signature), msg.signature):
		return nil, "", malformed("signature is not r || s with s in the lower half of the group order")
	case len(rest) > 0:
		return nil, "", malformed("extraneous data: %d bytes after the COSE_Sign1 message", len(rest))
	}
	return &msg, hex.EncodeToString(msg.protected[5:]), nil
}

// byteString reads a CBOR byte string at the start of b, whose length
// must be in its shortest form, and returns it and what follows it.
func byteString(b []byte) (s, rest []byte, err error) {
	if len(b) == 0 {
		return nil, nil, errors.New("missing")
	}
	if b[0]>>5 != 2 {
		return nil, nil, fmt.Errorf("not a byte string (initial byte %#x)", b[0])
	}
	n, head := int(b[0]&0x1f), 1
	switch {
	case n < 24:
	case n == 24 && len(b) >= 2:
		n, head = int(b[1]), 2
		if n < 24 {
			return nil, nil, errors.New("length not in its canonical encoding (shortest form)")
		}
	case n == 25 && len(b) >= 3:
		n, head = int(b[1])<<8|int(b[2]), 3
		if n < 1<<8 {
			return nil, nil, errors.New("length not in its canonical encoding (shortest form)")
		}
	default:
		return nil, nil, errors.New("length not in its canonical encoding, or cut short")
	}
	if len(b) < head+n {
		return nil, nil, fmt.Errorf("cut short: %d bytes announced, %d left", n, len(b)-head)
	}
	return b[head : head+n], b[head+n:], nil
}

// protectedHeader is the protected header Sign writes, byte for byte: a
// byte string of 13 bytes holding the map {1: -7, 4: h'kid'}.
func protectedHeader(kid []byte) []byte {
	return append([]byte{0x4d, 0xa2, 0x01, 0x26, 0x04, 0x48}, kid...)
}

// p256Order is n, the order of P-256's group.
var p256Order = elliptic.P256().Params().N

// lowS returns the ES256 signature r || s with s replaced by n - s when
// s is above n/2. Both verify; keeping only the low one means no one
// without the key can turn a code into another valid code, for the same
// claims, by rewriting its signature.
func lowS(sig []byte) []byte {
	if len(sig) != 64 {
		return sig
	}
	s := new(big.Int).SetBytes(sig[32:])
	if s.Cmp(new(big.Int).Rsh(p256Order, 1)) <= 0 {
		return sig
	}
	out := bytes.Clone(sig)
	new(big.Int).Sub(p256Order, s).FillBytes(out[32:])
	return out
}

// zlibReaders keeps decompressors, and their 32 KB windows, for reuse.
var zlibReaders sync.Pool

// decompress inflates a zlib stream into at most MaxClaimsSize bytes,
// whatever the stream claims, and refuses data after its checksum.
func decompress(b []byte) ([]byte, error) {
	src := bytes.NewReader(b)
	var zr io.ReadCloser
	if pooled, ok := zlibReaders.Get().(io.ReadCloser); ok {
		zr = pooled
		if err := zr.(zlib.Resetter).Reset(src, nil); err != nil {
			return nil, err
		}
	} else {
		var err error
		if zr, err = zlib.NewReader(src); err != nil {
			return nil, err
		}
	}
	defer zlibReaders.Put(zr)
	out, err := io.ReadAll(io.LimitReader(zr, MaxClaimsSize+1))
	if err != nil {
		return nil, err
	}
	if len(out) > MaxClaimsSize {
		return nil, fmt.Errorf("inflates to more than %d bytes", MaxClaimsSize)
	}
	if src.Len() > 0 {
		return nil, errors.New("data after the zlib stream")
	}
	return out, nil
}

func status(c *Claims, now time.Time) permit.AttestationStatus {
	y, m, d := now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	switch {
	case today < c.ValidFrom:
		return permit.AttestationPending
	case c.ValidUntil != "" && today > c.ValidUntil:
		return permit.AttestationExpired
	}
	return permit.AttestationValid
}
