package seal

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// Tokens sign the short data the portal hands a browser and reads back
// when the database may be down (decision 0009): the session proof
// cookie, and the filing ticket of an application's page. The key is
// derived from the key-encryption key, which every instance holds in
// memory and no database row contains, so a token is made and checked
// without the database. Each purpose is its own key: a token made for one
// is refused for another.
type Tokens struct{ root []byte }

// NewTokens derives the token key from the key-encryption key.
func NewTokens(kek []byte) (Tokens, error) {
	root, err := hkdf.Key(sha256.New, kek, nil, "sejour tokens v1", 32)
	return Tokens{root: root}, err
}

func (t Tokens) mac(purpose string, payload []byte) []byte {
	m := hmac.New(sha256.New, t.root)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write(payload)
	return m.Sum(nil)
}

// Pseudonym returns a keyed hash of value for purpose, in hex: the same
// on every instance sharing the key-encryption key, and useless to whoever
// reads it without that key (the rate limits' table keeps addresses so).
func (t Tokens) Pseudonym(purpose, value string) string {
	return hex.EncodeToString(t.mac(purpose, []byte(value)))
}

// Sign returns payload with its signature for purpose, URL-safe.
func (t Tokens) Sign(purpose string, payload []byte) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(t.mac(purpose, payload))
}

// Open returns the payload of a token Sign made for purpose, or false.
func (t Tokens) Open(purpose, token string) ([]byte, bool) {
	if len(t.root) == 0 || len(token) > 8192 {
		return nil, false
	}
	p, s, ok := strings.Cut(token, ".")
	if !ok {
		return nil, false
	}
	enc := base64.RawURLEncoding
	payload, err1 := enc.DecodeString(p)
	sig, err2 := enc.DecodeString(s)
	if err1 != nil || err2 != nil || !hmac.Equal(sig, t.mac(purpose, payload)) {
		return nil, false
	}
	return payload, true
}
