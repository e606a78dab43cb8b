package seal

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// KeySource finds the public key of a key id. A *Keyring (on the server)
// and a *KeySet (in an offline verifier) are key sources.
type KeySource interface {
	PublicKey(kid string) (*ecdsa.PublicKey, bool)
}

// PublicKey is one verification key with what a key set says about it.
type PublicKey struct {
	ID      string // 16 hex digits: the first 8 bytes of SHA-256 of the SubjectPublicKeyInfo DER
	Created time.Time
	Key     *ecdsa.PublicKey
}

// keyID returns the key id of a P-256 public key.
func keyID(pub *ecdsa.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("key id: %w", err)
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:8]), nil
}

// KeySet is a parsed public key set, as published at
// /.well-known/sejour/keys.json and saved by offline verifiers.
type KeySet struct {
	keys []PublicKey // newest first
}

// PublicKey returns the key with id kid.
func (s *KeySet) PublicKey(kid string) (*ecdsa.PublicKey, bool) {
	for _, k := range s.keys {
		if k.ID == kid {
			return k.Key, true
		}
	}
	return nil, false
}

// Keys returns the keys of the set, newest first.
func (s *KeySet) Keys() []PublicKey { return slices.Clone(s.keys) }

// jwk is one key of a JSON Web Key Set (RFC 7517, RFC 7518 section 6.2),
// plus "created", which JWK allows as an extra member.
type jwk struct {
	Kty     string `json:"kty"`
	Crv     string `json:"crv"`
	X       string `json:"x"`
	Y       string `json:"y"`
	D       string `json:"d,omitempty"`
	Kid     string `json:"kid"`
	Use     string `json:"use,omitempty"`
	Alg     string `json:"alg,omitempty"`
	Created string `json:"created,omitempty"`
}

type jwks struct {
	Keys []jwk `json:"keys"`
}

// Bounds of a key set a verifier accepts.
const (
	maxKeySetBytes = 1 << 20
	maxKeySetKeys  = 1000
)

// marshalKeySet writes keys as a JWK Set, in the order given.
func marshalKeySet(keys []PublicKey) ([]byte, error) {
	set := jwks{Keys: make([]jwk, 0, len(keys))}
	for _, k := range keys {
		raw, err := k.Key.Bytes()
		if err != nil || len(raw) != 65 {
			return nil, fmt.Errorf("key set: key %s is not a P-256 key", k.ID)
		}
		set.Keys = append(set.Keys, jwk{
			Kty: "EC", Crv: "P-256",
			X:   base64.RawURLEncoding.EncodeToString(raw[1:33]),
			Y:   base64.RawURLEncoding.EncodeToString(raw[33:]),
			Kid: k.ID, Use: "sig", Alg: "ES256",
			Created: k.Created.UTC().Format(time.RFC3339),
		})
	}
	b, err := json.MarshalIndent(set, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("key set: %w", err)
	}
	return append(b, '\n'), nil
}

// ParseKeySet reads a JWK Set as PublicKeySet writes it. It refuses, with
// an error naming the key and the member at fault: anything but JSON, an
// empty set, keys other than EC P-256 for ES256 signatures, coordinates
// that are not a point of the curve, a kid that is not the key's own, a
// duplicate kid, and a private key, which must never be published.
// Members it does not know are ignored, as RFC 7517 asks.
func ParseKeySet(data []byte) (*KeySet, error) {
	if len(data) > maxKeySetBytes {
		return nil, fmt.Errorf("key set: larger than %d bytes", maxKeySetBytes)
	}
	var set jwks
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&set); err != nil {
		return nil, fmt.Errorf("key set: not a JSON key set: %w", err)
	}
	if dec.More() {
		return nil, errors.New("key set: data after the JSON object")
	}
	if len(set.Keys) == 0 {
		return nil, errors.New(`key set: no "keys"`)
	}
	if len(set.Keys) > maxKeySetKeys {
		return nil, fmt.Errorf("key set: more than %d keys", maxKeySetKeys)
	}
	s := &KeySet{}
	for i, j := range set.Keys {
		k, err := j.publicKey()
		if err != nil {
			return nil, fmt.Errorf("key set: key %d (kid %q): %w", i+1, j.Kid, err)
		}
		if _, dup := s.PublicKey(k.ID); dup {
			return nil, fmt.Errorf("key set: key %d: kid %q appears twice", i+1, j.Kid)
		}
		s.keys = append(s.keys, k)
	}
	slices.SortStableFunc(s.keys, func(a, b PublicKey) int { return b.Created.Compare(a.Created) })
	return s, nil
}

func (j *jwk) publicKey() (PublicKey, error) {
	switch {
	case j.D != "":
		return PublicKey{}, errors.New(`contains a private key ("d"): never publish it`)
	case j.Kty != "EC" || j.Crv != "P-256":
		return PublicKey{}, fmt.Errorf("kty %q crv %q: want EC P-256", j.Kty, j.Crv)
	case j.Alg != "" && j.Alg != "ES256":
		return PublicKey{}, fmt.Errorf("alg %q: want ES256", j.Alg)
	case j.Use != "" && j.Use != "sig":
		return PublicKey{}, fmt.Errorf("use %q: want sig", j.Use)
	}
	x, errX := base64.RawURLEncoding.Strict().DecodeString(j.X)
	y, errY := base64.RawURLEncoding.Strict().DecodeString(j.Y)
	if errX != nil || errY != nil || len(x) != 32 || len(y) != 32 {
		return PublicKey{}, errors.New("x and y must be 32 bytes each, in unpadded base64url")
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
	if err != nil {
		return PublicKey{}, errors.New("x and y are not a point of P-256")
	}
	id, err := keyID(pub)
	if err != nil {
		return PublicKey{}, err
	}
	if j.Kid != id {
		return PublicKey{}, fmt.Errorf("kid is not the key's own (%s)", id)
	}
	k := PublicKey{ID: id, Key: pub}
	if j.Created != "" {
		if k.Created, err = time.Parse(time.RFC3339, j.Created); err != nil {
			return PublicKey{}, fmt.Errorf("created %q is not an RFC 3339 time", j.Created)
		}
	}
	return k, nil
}
