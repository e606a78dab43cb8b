package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/sejour/sejour/internal/permit"
)

// KEKSize is the length of the key-encryption key: AES-256.
const KEKSize = 32

// parseKEK reads a key-encryption key as SEJOUR_KEY_ENCRYPTION_KEY and its
// file hold it: 32 bytes in standard base64, spaces around ignored.
func parseKEK(text string) ([]byte, error) {
	kek, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil || len(kek) != KEKSize {
		return nil, fmt.Errorf("not %d bytes in base64 (make one with: openssl rand -base64 32)", KEKSize)
	}
	return kek, nil
}

// LoadOrCreateKEK reads the key-encryption key file at path, creating it
// (mode 0600, in a directory created 0700) with a new random key when
// there is none: the embedded demonstration needs nothing set. Of two
// processes creating it at once, one writes it and both read its key.
func LoadOrCreateKEK(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("key-encryption key: %w", err)
		}
		kek := make([]byte, KEKSize)
		rand.Read(kek)
		werr := writeNew(filepath.Dir(path), filepath.Base(path), []byte(base64.StdEncoding.EncodeToString(kek)+"\n"))
		if werr == nil {
			return kek, nil
		}
		if !errors.Is(werr, fs.ErrExist) {
			return nil, fmt.Errorf("key-encryption key: %w", werr)
		}
		// Another process wrote it first: read its key.
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("key-encryption key: %w", err)
	}
	if err := checkPrivate(path, 0o600); err != nil {
		return nil, err
	}
	kek, err := parseKEK(string(data))
	if err != nil {
		return nil, fmt.Errorf("key-encryption key %s: %w", path, err)
	}
	return kek, nil
}

// sealer encrypts private keys for the database with the key-encryption
// key, binding each to its key id (the additional data of AES-GCM), so
// that a private key moved to another row does not open.
type sealer struct{ aead cipher.AEAD }

func newSealer(kek []byte) (sealer, error) {
	if len(kek) != KEKSize {
		return sealer{}, fmt.Errorf("keys: the key-encryption key must be %d bytes, not %d", KEKSize, len(kek))
	}
	block, err := aes.NewCipher(kek)
	if err != nil {
		return sealer{}, fmt.Errorf("keys: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return sealer{}, fmt.Errorf("keys: %w", err)
	}
	return sealer{aead}, nil
}

func additionalData(kid string) []byte { return []byte("sejour signing key " + kid) }

// seal turns a key into its database row.
func (s sealer) seal(k *signingKey) (permit.SigningKey, error) {
	pub, err := x509.MarshalPKIXPublicKey(k.Key)
	if err != nil {
		return permit.SigningKey{}, fmt.Errorf("keys: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k.priv)
	if err != nil {
		return permit.SigningKey{}, fmt.Errorf("keys: %w", err)
	}
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	sealed := s.aead.Seal(nonce, nonce, der, additionalData(k.ID))
	return permit.SigningKey{Seq: k.seq, ID: k.ID, Created: k.Created, Public: pub, Sealed: sealed}, nil
}

// public reads a row's public half and checks that its key id is its own.
func public(row permit.SigningKey) (*signingKey, error) {
	key, err := x509.ParsePKIXPublicKey(row.Public)
	pub, ok := key.(*ecdsa.PublicKey)
	if err != nil || !ok {
		return nil, fmt.Errorf("keys: key %d (%s) in the database is not an ECDSA public key", row.Seq, row.ID)
	}
	id, err := keyID(pub)
	if err != nil {
		return nil, err
	}
	if id != row.ID {
		return nil, fmt.Errorf("keys: key %d in the database holds key %s, not %s", row.Seq, id, row.ID)
	}
	return &signingKey{seq: row.Seq, PublicKey: PublicKey{ID: row.ID, Created: row.Created, Key: pub}}, nil
}

// open decrypts the private half of a row into k.
func (s sealer) open(row permit.SigningKey, k *signingKey) error {
	n := s.aead.NonceSize()
	if len(row.Sealed) < n {
		return fmt.Errorf("keys: key %d (%s): the sealed private key is truncated", row.Seq, row.ID)
	}
	der, err := s.aead.Open(nil, row.Sealed[:n], row.Sealed[n:], additionalData(row.ID))
	if err != nil {
		return fmt.Errorf("keys: key %d (%s) does not open with this key-encryption key: is it the one every instance uses (SEJOUR_KEY_ENCRYPTION_KEY)?", row.Seq, row.ID)
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	priv, ok := key.(*ecdsa.PrivateKey)
	if err != nil || !ok || !priv.PublicKey.Equal(k.Key) {
		return fmt.Errorf("keys: key %d (%s): the private key does not match the public one", row.Seq, row.ID)
	}
	k.priv = priv
	return nil
}
