package seal

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
)

func TestOpenTwice(t *testing.T) {
	store := &memKeys{}
	first := openShared(t, store, clock.NewFixed(t0), "")
	second := openShared(t, store, clock.NewFixed(t0.Add(time.Hour)), "")
	a, b := first.Keyring(context.Background()), second.Keyring(context.Background())
	if a.ActiveKeyID() != b.ActiveKeyID() || len(b.Keys()) != 1 || !b.Keys()[0].Created.Equal(t0) {
		t.Errorf("second start has keys %v, want the first start's %s only", b.Keys(), a.ActiveKeyID())
	}
	setA, _ := first.PublicKeySet()
	setB, _ := second.PublicKeySet()
	if !bytes.Equal(setA, setB) {
		t.Errorf("key sets differ:\n%s\n%s", setA, setB)
	}
	code, _ := Sign(first, typicalClaims())
	if _, err := Verify(code, second, t0); err != nil {
		t.Errorf("a code of the first start does not verify after a restart: %v", err)
	}
}

// TestPrivateKeysSealed checks that the database never holds a private
// key in clear, and that a sealed key opens only with its
// key-encryption key and in its own row.
func TestPrivateKeysSealed(t *testing.T) {
	store := &memKeys{}
	s := openShared(t, store, clock.NewFixed(t0), "")
	if _, err := s.Rotate(context.Background()); err != nil {
		t.Fatal(err)
	}
	priv := s.Keyring(context.Background()).active().priv
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	for _, row := range store.rows {
		if bytes.Contains(row.Sealed, der[len(der)-32:]) || bytes.Contains(row.Sealed, rawKey(t, priv)) {
			t.Errorf("key %d: the private key is in clear in the database", row.Seq)
		}
	}
	wrong := bytes.Repeat([]byte{8}, KEKSize)
	if _, err := Open(context.Background(), Options{Store: store, KEK: wrong, Clock: clock.NewFixed(t0)}); err == nil ||
		!strings.Contains(err.Error(), "does not open with this key-encryption key") {
		t.Errorf("open with another key-encryption key: %v", err)
	}
	swapped := &memKeys{rows: []permit.SigningKey{store.rows[0], store.rows[1]}}
	swapped.rows[1].Sealed = store.rows[0].Sealed
	if _, err := Open(context.Background(), Options{Store: swapped, KEK: testKEK, Clock: clock.NewFixed(t0)}); err == nil {
		t.Error("a sealed key moved to another key's row opened")
	}
	if _, err := Open(context.Background(), Options{Store: store, KEK: testKEK[:16], Clock: clock.NewFixed(t0)}); err == nil {
		t.Error("a 16-byte key-encryption key was accepted")
	}
}

// TestRotateSeenWithoutRestart rotates through one instance and checks
// that another, not reopened, verifies the new key's codes at once and
// publishes and signs with it once its keys are older than MaxAge.
func TestRotateSeenWithoutRestart(t *testing.T) {
	store := &memKeys{}
	clk := clock.NewFixed(t0)
	a := openShared(t, store, clk, "")
	b := openShared(t, store, clk, "")
	old := a.Keyring(context.Background())
	oldCode, _ := Sign(a, typicalClaims())
	clk.Advance(24 * time.Hour)
	rotated, err := a.Rotate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rotated.ActiveKeyID() == old.ActiveKeyID() {
		t.Fatal("rotation kept the same signing key")
	}
	clk.Set(t0) // b's keys are fresh: only the unknown key id makes it read them
	newCode, _ := Sign(a, typicalClaims())
	for _, c := range []struct{ name, code, kid string }{{"old", oldCode, old.ActiveKeyID()}, {"new", newCode, rotated.ActiveKeyID()}} {
		if r, err := Verify(c.code, b, t0); err != nil || r.KeyID != c.kid {
			t.Errorf("%s code on the other instance: %v, %v; want key %s", c.name, err, r, c.kid)
		}
	}
	clk.Advance(time.Minute)
	setJSON, _ := b.PublicKeySet()
	set, err := ParseKeySet(setJSON)
	if err != nil {
		t.Fatal(err)
	}
	got := set.Keys()
	if len(got) != 2 || got[0].ID != rotated.ActiveKeyID() || got[1].ID != old.ActiveKeyID() ||
		!got[0].Created.Equal(t0.Add(24*time.Hour)) || !got[1].Created.Equal(t0) {
		t.Errorf("key set lists %+v, want the new key then the old one", got)
	}
	code, _ := Sign(b, typicalClaims())
	if r, err := Verify(code, set, t0); err != nil || r.KeyID != rotated.ActiveKeyID() {
		t.Errorf("the other instance signs with %v (%v), want the new key %s", r, err, rotated.ActiveKeyID())
	}
	if _, err := Verify(newCode, old, t0); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("new code with the keyring from before the rotation: %v, want unknown key", err)
	}
}

// countingKeys counts the reads of the keys.
type countingKeys struct {
	memKeys
	reads atomic.Int32
}

func (c *countingKeys) SigningKeys(ctx context.Context) ([]permit.SigningKey, error) {
	c.reads.Add(1)
	return c.memKeys.SigningKeys(ctx)
}

func TestUnknownKeyReadsAreBounded(t *testing.T) {
	store := &countingKeys{}
	clk := clock.NewFixed(t0)
	s := openShared(t, store, clk, "")
	stranger := testKeyring(t)
	code, _ := Sign(stranger, typicalClaims())
	before := store.reads.Load()
	for range 100 {
		if _, err := Verify(code, s, t0); !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("a stranger's code: %v, want unknown key", err)
		}
	}
	if n := store.reads.Load() - before; n != 1 {
		t.Errorf("100 codes of an unknown key read the keys %d times, want 1", n)
	}
	clk.Advance(5 * time.Second)
	Verify(code, s, t0)
	if n := store.reads.Load() - before; n != 2 {
		t.Errorf("after 5 s, %d reads, want 2", n)
	}
}

// TestRotateWithClockBehind checks that the newest key signs even when
// the clock went back between two rotations.
func TestRotateWithClockBehind(t *testing.T) {
	store := &memKeys{}
	s := openShared(t, store, clock.NewFixed(t0), "")
	later := openShared(t, store, clock.NewFixed(t0.Add(-48*time.Hour)), "")
	rotated, err := later.Rotate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	again := openShared(t, store, clock.NewFixed(t0), "")
	if got := again.Keyring(context.Background()).ActiveKeyID(); got != rotated.ActiveKeyID() || got == s.Keyring(context.Background()).ActiveKeyID() {
		t.Errorf("key %s signs, want the newest, %s", got, rotated.ActiveKeyID())
	}
}

func TestRetire(t *testing.T) {
	store := &memKeys{}
	s := openShared(t, store, clock.NewFixed(t0), "")
	old := s.Keyring(context.Background()).ActiveKeyID()
	if err := s.Retire(context.Background(), old); err == nil || !strings.Contains(err.Error(), "rotate first") {
		t.Errorf("retiring the signing key: %v", err)
	}
	if _, err := s.Rotate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Retire(context.Background(), old); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.PublicKey(old); ok || len(s.Keyring(context.Background()).Keys()) != 1 {
		t.Errorf("the retired key is still in use: %v", s.Keyring(context.Background()).Keys())
	}
	if err := s.Retire(context.Background(), "0123456789abcdef"); err == nil || !strings.Contains(err.Error(), "no key") {
		t.Errorf("retiring an unknown key: %v", err)
	}
}

// TestImportOnce imports the key files of an earlier version, so that
// the codes they signed still verify, and only into an empty keyring.
func TestImportOnce(t *testing.T) {
	dir := keyDir(t)
	writeKeyFile(t, dir, 1, "20260701T000000Z")
	writeKeyFile(t, dir, 2, "20260702T000000Z")
	files, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := Sign(files, typicalClaims())
	store := &memKeys{}
	s := openShared(t, store, clock.NewFixed(t0), dir)
	if got := s.Keyring(context.Background()); got.ActiveKeyID() != files.ActiveKeyID() || len(got.Keys()) != 2 {
		t.Fatalf("imported %v, want the files' keys %v", got.Keys(), files.Keys())
	}
	if _, err := Verify(code, s, t0); err != nil {
		t.Errorf("a code of an imported key: %v", err)
	}
	other := keyDir(t)
	writeKeyFile(t, other, 1, "20260701T000000Z")
	again := openShared(t, store, clock.NewFixed(t0), other)
	if got := again.Keyring(context.Background()); got.ActiveKeyID() != files.ActiveKeyID() || len(got.Keys()) != 2 {
		t.Errorf("a second import changed the keys: %v", got.Keys())
	}
}

func TestKEKFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "key-encryption-key")
	kek, err := LoadOrCreateKEK(path)
	if err != nil || len(kek) != KEKSize {
		t.Fatalf("create: %v, %d bytes", err, len(kek))
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the file has mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	again, err := LoadOrCreateKEK(path)
	if err != nil || !bytes.Equal(again, kek) {
		t.Errorf("second start read %x (%v), want the first's key", again, err)
	}
	os.Chmod(path, 0o644)
	if _, err := LoadOrCreateKEK(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a file others can read: %v", err)
	}
	os.WriteFile(path, []byte("c2hvcnQ=\n"), 0o600)
	os.Chmod(path, 0o600)
	if _, err := LoadOrCreateKEK(path); err == nil || !strings.Contains(err.Error(), "32 bytes") {
		t.Errorf("a short key: %v", err)
	}
}

func TestLoadRefuses(t *testing.T) {
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 1024)
	kid, _ := keyID(&p256.PublicKey)
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string
	}{
		{"directory others can read", func(t *testing.T, dir string) { os.Chmod(dir, 0o755) }, "chmod 700"},
		{"key file others can read", func(t *testing.T, dir string) {
			writeKey(t, dir, "0002-20260702T000000Z-"+kid+".pem", 0o644, pkcs8(t, p256))
		}, "chmod 600"},
		{"key id not the file's", func(t *testing.T, dir string) {
			writeKey(t, dir, "0002-20260702T000000Z-0123456789abcdef.pem", 0o600, pkcs8(t, p256))
		}, "not the one its name says"},
		{"P-384 key", func(t *testing.T, dir string) {
			writeKey(t, dir, "0002-20260702T000000Z-"+kid+".pem", 0o600, pkcs8(t, p384))
		}, "not an ECDSA P-256 key"},
		{"RSA key", func(t *testing.T, dir string) {
			writeKey(t, dir, "0002-20260702T000000Z-"+kid+".pem", 0o600, pkcs8(t, rsaKey))
		}, "not an ECDSA P-256 key"},
		{"not PEM", func(t *testing.T, dir string) {
			writeKey(t, dir, "0002-20260702T000000Z-"+kid+".pem", 0o600, []byte("secret"))
		}, "not one PKCS #8 PEM block"},
		{"a .pem file of another name", func(t *testing.T, dir string) {
			writeKey(t, dir, "backup.pem", 0o600, pkcs8(t, p256))
		}, "name is not"},
		{"two keys with one sequence number", func(t *testing.T, dir string) {
			writeKey(t, dir, "0001-20260702T000000Z-"+kid+".pem", 0o600, pkcs8(t, p256))
		}, "sequence number 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := keyDir(t)
			writeKeyFile(t, dir, 1, "20260701T000000Z")
			tt.setup(t, dir)
			if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load: %v, want an error saying %q", err, tt.want)
			}
			_, err := Open(context.Background(), Options{Store: &memKeys{}, KEK: testKEK, Clock: clock.NewFixed(t0), ImportDir: dir})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("import: %v, want an error saying %q", err, tt.want)
			}
		})
	}
}

func TestLoadIgnoresOtherFiles(t *testing.T) {
	dir := keyDir(t)
	kid := writeKeyFile(t, dir, 1, "20260701T000000Z")
	writeKey(t, dir, ".tmp-123.pem", 0o600, []byte("half a key, from a crash"))
	writeKey(t, dir, "README", 0o644, []byte("signing keys of sejour"))
	again, err := Load(dir)
	if err != nil || again.ActiveKeyID() != kid {
		t.Errorf("Load: %v", err)
	}
}

func TestLoadEmpty(t *testing.T) {
	dir := keyDir(t)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "no key") {
		t.Errorf("Load of an empty directory: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "absent")); err == nil {
		t.Error("Load of an absent directory succeeded")
	}
}

func TestWriteNewNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	if err := writeNew(dir, "a.pem", []byte("first")); err != nil {
		t.Fatal(err)
	}
	if err := writeNew(dir, "a.pem", []byte("second")); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second write: %v, want ErrExist", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a.pem")); string(b) != "first" {
		t.Errorf("file holds %q, want the first write", b)
	}
}

// keyDir returns an empty key directory of an earlier version.
func keyDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "keys")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}

// writeKeyFile writes a new key as earlier versions did, and returns its id.
func writeKeyFile(t *testing.T, dir string, seq int, created string) string {
	t.Helper()
	k, err := newKey(seq, t0)
	if err != nil {
		t.Fatal(err)
	}
	writeKey(t, dir, fmt.Sprintf("%04d-%s-%s.pem", seq, created, k.ID), 0o600, pkcs8(t, k.priv))
	return k.ID
}

func writeKey(t *testing.T, dir, name string, mode os.FileMode, data []byte) {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func pkcs8(t *testing.T, key any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// rawKey is the private key's scalar, as bytes.
func rawKey(t *testing.T, priv *ecdsa.PrivateKey) []byte {
	t.Helper()
	b, err := priv.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
