package seal

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"testing"
)

// The benchmarks measure a code's cost against the ceiling of its one
// expensive step, measured in the same run: a bare ECDSA P-256 signature
// (for Sign) and verification (for Verify) of a SHA-256 digest.

func BenchmarkSign(b *testing.B) {
	k := testKeyring(b)
	c := typicalClaims()
	for b.Loop() {
		if _, err := Sign(k, c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	k := testKeyring(b)
	code, err := Sign(k, typicalClaims())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Verify(code, k, t0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBareECDSA(b *testing.B) {
	k := testKeyring(b)
	digest := sha256.Sum256([]byte("an attestation's claims"))
	for b.Loop() {
		if _, err := ecdsa.SignASN1(rand.Reader, k.active().priv, digest[:]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBareECDSAVerify(b *testing.B) {
	k := testKeyring(b)
	digest := sha256.Sum256([]byte("an attestation's claims"))
	sig, err := ecdsa.SignASN1(rand.Reader, k.active().priv, digest[:])
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if !ecdsa.VerifyASN1(&k.active().priv.PublicKey, digest[:], sig) {
			b.Fatal("signature does not verify")
		}
	}
}
