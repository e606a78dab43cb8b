// Package casework holds sejour's use cases: signing up, logging in,
// filing, completing, deciding. Authorisation, validation and transactions
// are decided here, once; the web and job layers only translate requests
// into calls, and the store only persists.
package casework

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// Translator renders a translation key in a language. Supported returns
// the language when the portal offers it, else the default (French): the
// list of languages is the translation catalogue's.
type Translator interface {
	T(lang, key string, args ...any) string
	Supported(lang string) string
}

// NewSecret returns a random, URL-safe secret (for a session cookie or a
// link in a mail) and the hash under which it is stored.
func NewSecret() (secret, hash string) {
	b := make([]byte, 32)
	rand.Read(b) // never fails: crypto/rand panics rather than return an error
	secret = base64.RawURLEncoding.EncodeToString(b)
	return secret, HashSecret(secret)
}

// HashSecret returns the stored form of a secret.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
