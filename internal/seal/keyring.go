package seal

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"time"
)

// Keyring is a set of signing keys at one moment: the newest signs, the
// older ones stay so that codes they signed still verify and stay
// published. It is immutable and safe for concurrent use. The portal's
// instances share theirs through Shared, which hands out Keyrings; Load
// reads the key files that earlier versions kept in the data directory.
type Keyring struct {
	keys []*signingKey // oldest first; the last one signs
}

type signingKey struct {
	PublicKey
	seq  int
	priv *ecdsa.PrivateKey // nil in a Shared keyring's older keys: they only verify
}

// KeyDir is where earlier versions kept the keys of a data directory, one
// file per key; Shared imports them into the database once.
func KeyDir(dataDir string) string { return filepath.Join(dataDir, "keys") }

// keyFileName is "<sequence>-<created, UTC>-<kid>.pem". The sequence
// orders the keys, so that which key is newest does not depend on the
// clock; the creation time is recorded for people and the key set.
var keyFileName = regexp.MustCompile(`^([0-9]{4,9})-([0-9]{8}T[0-9]{6}Z)-([0-9a-f]{16})\.pem$`)

const fileTime = "20060102T150405Z"

// NewKeyring returns a keyring of one new key, kept in memory only: for
// tests and tools that sign without a database.
func NewKeyring(now time.Time) (*Keyring, error) {
	s, err := newKey(1, now)
	if err != nil {
		return nil, err
	}
	return &Keyring{keys: []*signingKey{s}}, nil
}

// Load reads the key files in dir and fails when there is none.
func Load(dir string) (*Keyring, error) {
	k, err := load(dir)
	if err == nil && len(k.keys) == 0 {
		err = fmt.Errorf("keys: no key in %s", dir)
	}
	if err != nil {
		return nil, err
	}
	return k, nil
}

// ActiveKeyID is the id of the key that signs.
func (k *Keyring) ActiveKeyID() string { return k.active().ID }

// PublicKey returns the public key with id kid, so that the server can
// verify codes with its own keyring.
func (k *Keyring) PublicKey(kid string) (*ecdsa.PublicKey, bool) {
	for _, s := range k.keys {
		if s.ID == kid {
			return s.Key, true
		}
	}
	return nil, false
}

// Keys returns the public keys, newest (the signing one) first.
func (k *Keyring) Keys() []PublicKey {
	out := make([]PublicKey, 0, len(k.keys))
	for _, s := range slices.Backward(k.keys) {
		out = append(out, s.PublicKey)
	}
	return out
}

// PublicKeySet returns the JWK Set of every key, newest first, to publish
// at /.well-known/sejour/keys.json. It holds no private part.
func (k *Keyring) PublicKeySet() ([]byte, error) { return marshalKeySet(k.Keys()) }

func (k *Keyring) active() *signingKey { return k.keys[len(k.keys)-1] }

func (k *Keyring) signingKey() (*signingKey, error) { return k.active(), nil }

func load(dir string) (*Keyring, error) {
	if err := checkPrivate(dir, 0o700); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	k := &Keyring{}
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".pem" || e.Name()[0] == '.' {
			continue // temporary files of an interrupted write, notes
		}
		s, err := readKeyFile(dir, e.Name())
		if err != nil {
			return nil, err
		}
		k.keys = append(k.keys, s)
	}
	slices.SortFunc(k.keys, func(a, b *signingKey) int { return a.seq - b.seq })
	for i := 1; i < len(k.keys); i++ {
		if k.keys[i].seq == k.keys[i-1].seq {
			return nil, fmt.Errorf("keys: two keys in %s have the sequence number %d", dir, k.keys[i].seq)
		}
	}
	return k, nil
}

func readKeyFile(dir, name string) (*signingKey, error) {
	path := filepath.Join(dir, name)
	m := keyFileName.FindStringSubmatch(name)
	if m == nil {
		return nil, fmt.Errorf("keys: %s: name is not <sequence>-<YYYYMMDDTHHMMSSZ>-<kid>.pem", path)
	}
	if err := checkPrivate(path, 0o600); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	priv, err := parsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("keys: %s: %w", path, err)
	}
	s := &signingKey{priv: priv, PublicKey: PublicKey{Key: &priv.PublicKey}}
	s.seq, _ = strconv.Atoi(m[1])
	if s.Created, err = time.Parse(fileTime, m[2]); err != nil {
		return nil, fmt.Errorf("keys: %s: bad creation time: %w", path, err)
	}
	if s.ID, err = keyID(&priv.PublicKey); err != nil {
		return nil, err
	}
	if s.ID != m[3] {
		return nil, fmt.Errorf("keys: %s: holds key %s, not the one its name says", path, s.ID)
	}
	return s, nil
}

func parsePrivateKey(data []byte) (*ecdsa.PrivateKey, error) {
	block, rest := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" || len(block.Headers) > 0 || len(rest) > 0 {
		return nil, errors.New("not one PKCS #8 PEM block (PRIVATE KEY)")
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("PKCS #8: %w", err)
	}
	priv, ok := key.(*ecdsa.PrivateKey)
	if !ok || priv.Curve != elliptic.P256() {
		return nil, errors.New("not an ECDSA P-256 key")
	}
	return priv, nil
}

// checkPrivate refuses a key file or directory that others may read, as
// ssh does: a signing key that leaked lets anyone forge attestations.
func checkPrivate(path string, want fs.FileMode) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("keys: %s has mode %v; others must not read it (chmod %o %s)", path, fi.Mode().Perm(), want, path)
	}
	return nil
}

// newKey makes a signing key with sequence number seq.
func newKey(seq int, now time.Time) (*signingKey, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	s := &signingKey{priv: priv, seq: seq, PublicKey: PublicKey{Key: &priv.PublicKey, Created: now.UTC().Truncate(time.Second)}}
	if s.ID, err = keyID(&priv.PublicKey); err != nil {
		return nil, err
	}
	return s, nil
}

// writeNew writes a file of mode 0600 atomically and durably, and never
// over an existing one: it writes and syncs a temporary file, links it to
// its name (which fails if the name exists, so two processes starting at
// once cannot replace each other's file), and syncs the directory.
func writeNew(dir, name string, data []byte) error {
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("keys: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("keys: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("keys: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	if err := os.Link(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && runtime.GOOS != "windows" {
		return fmt.Errorf("keys: sync %s: %w", dir, err)
	}
	return nil
}
