package permit

import "time"

// SigningKey is a key that signs attestation codes, as the database keeps
// it for every instance of the portal: the public half in clear, to
// verify and publish; the private half sealed (encrypted) with the
// key-encryption key, which the database never sees. Package seal makes
// and opens them; the store only keeps them.
type SigningKey struct {
	Seq     int       // orders the keys: the highest signs; unique
	ID      string    // the key id: 16 hex digits (docs/attestation-format.md §6)
	Created time.Time // when the key was made
	Public  []byte    // SubjectPublicKeyInfo, DER
	Sealed  []byte    // the PKCS #8 private key, encrypted: nonce then AES-256-GCM ciphertext
}
