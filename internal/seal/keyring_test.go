package seal

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
)

func TestLoadOrCreateTwice(t *testing.T) {
	first, dir := testKeyring(t)
	second, err := LoadOrCreate(dir, clock.NewFixed(t0.Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	if first.ActiveKeyID() != second.ActiveKeyID() || len(second.Keys()) != 1 {
		t.Errorf("second start has keys %v, want the first start's %s only", second.Keys(), first.ActiveKeyID())
	}
	a, _ := first.PublicKeySet()
	b, _ := second.PublicKeySet()
	if !bytes.Equal(a, b) {
		t.Errorf("key sets differ:\n%s\n%s", a, b)
	}
	code, _ := Sign(first, typicalClaims())
	if _, err := Verify(code, second, t0); err != nil {
		t.Errorf("a code of the first start does not verify after a restart: %v", err)
	}
}

func TestKeyFilesArePrivate(t *testing.T) {
	_, dir := testKeyring(t)
	if _, err := Rotate(dir, clock.NewFixed(t0.Add(24*time.Hour))); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("key directory has mode %v, want 0700", fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("key directory holds %d files, want 2 (no temporary file left): %v", len(entries), entries)
	}
	for _, e := range entries {
		fi, _ := e.Info()
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", e.Name(), fi.Mode().Perm())
		}
		if !keyFileName.MatchString(e.Name()) {
			t.Errorf("%s is not a key file name", e.Name())
		}
	}
}

func TestRotate(t *testing.T) {
	old, dir := testKeyring(t)
	oldCode, err := Sign(old, typicalClaims())
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := Rotate(dir, clock.NewFixed(t0.Add(24*time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	if rotated.ActiveKeyID() == old.ActiveKeyID() {
		t.Fatal("rotation kept the same signing key")
	}
	newCode, err := Sign(rotated, typicalClaims())
	if err != nil {
		t.Fatal(err)
	}
	setJSON, err := rotated.PublicKeySet()
	if err != nil {
		t.Fatal(err)
	}
	set, err := ParseKeySet(setJSON)
	if err != nil {
		t.Fatal(err)
	}
	reloaded, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, keys := range []struct {
		name string
		src  KeySource
	}{{"rotated keyring", rotated}, {"reloaded keyring", reloaded}, {"published key set", set}} {
		for _, c := range []struct {
			name, code, kid string
		}{{"old", oldCode, old.ActiveKeyID()}, {"new", newCode, rotated.ActiveKeyID()}} {
			r, err := Verify(c.code, keys.src, t0)
			if err != nil || r.KeyID != c.kid {
				t.Errorf("%s code with the %s: %v, key %v; want key %s", c.name, keys.name, err, r, c.kid)
			}
		}
	}
	if _, err := Verify(newCode, old, t0); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("new code with the keyring from before the rotation: %v, want unknown key", err)
	}
	got := set.Keys()
	if len(got) != 2 || got[0].ID != rotated.ActiveKeyID() || got[1].ID != old.ActiveKeyID() ||
		!got[0].Created.Equal(t0.Add(24*time.Hour)) || !got[1].Created.Equal(t0) {
		t.Errorf("key set lists %+v, want the new key (created %v) then the old one (created %v)", got, t0.Add(24*time.Hour), t0)
	}
	if reloaded.ActiveKeyID() != rotated.ActiveKeyID() {
		t.Errorf("after reloading, key %s signs, want %s", reloaded.ActiveKeyID(), rotated.ActiveKeyID())
	}
}

// TestRotateWithClockBehind checks that the newest key signs even when
// the clock went back between two rotations.
func TestRotateWithClockBehind(t *testing.T) {
	_, dir := testKeyring(t)
	rotated, err := Rotate(dir, clock.NewFixed(t0.Add(-48*time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	reloaded, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if reloaded.ActiveKeyID() != rotated.ActiveKeyID() {
		t.Errorf("key %s signs, want the newest, %s", reloaded.ActiveKeyID(), rotated.ActiveKeyID())
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
			_, dir := testKeyring(t)
			tt.setup(t, dir)
			for _, load := range []func() (*Keyring, error){
				func() (*Keyring, error) { return Load(dir) },
				func() (*Keyring, error) { return LoadOrCreate(dir, clock.NewFixed(t0)) },
				func() (*Keyring, error) { return Rotate(dir, clock.NewFixed(t0)) },
			} {
				if _, err := load(); err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("got %v, want an error saying %q", err, tt.want)
				}
			}
		})
	}
}

func TestLoadIgnoresOtherFiles(t *testing.T) {
	k, dir := testKeyring(t)
	writeKey(t, dir, ".tmp-123.pem", 0o600, []byte("half a key, from a crash"))
	writeKey(t, dir, "README", 0o644, []byte("signing keys of sejour"))
	again, err := Load(dir)
	if err != nil || again.ActiveKeyID() != k.ActiveKeyID() {
		t.Errorf("Load: %v", err)
	}
}

func TestLoadEmpty(t *testing.T) {
	dir := t.TempDir()
	os.Chmod(dir, 0o700)
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
