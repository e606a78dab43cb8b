package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sejour/sejour/internal/permit"
)

func newDir(t *testing.T) (*Dir, string) {
	t.Helper()
	root := t.TempDir()
	d, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	return d, root
}

func TestLayoutAndModes(t *testing.T) {
	d, root := newDir(t)
	data := []byte("passeport, page 2")
	sum, err := d.Put(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "blobs", sum[0:2], sum[2:4], sum)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("blob not at <root>/blobs/ab/cd/<sum>: %v", err)
	}
	if got := fi.Mode().Perm(); got != 0o640 {
		t.Errorf("file mode = %o, want 640", got)
	}
	for _, dir := range []string{filepath.Dir(path), filepath.Dir(filepath.Dir(path))} {
		fi, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != 0o750 {
			t.Errorf("%s: mode = %o, want 750", dir, got)
		}
	}
}

// TestNamesAreSums checks every file in the store, not what Put says: each
// is named by the SHA-256 of its content and no temporary file is left.
func TestNamesAreSums(t *testing.T) {
	ctx := context.Background()
	d, root := newDir(t)
	for i := range 50 {
		if _, err := d.Put(ctx, []byte(strings.Repeat("x", i))); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	err := filepath.WalkDir(filepath.Join(root, "blobs"), func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		n++
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		h := sha256.Sum256(data)
		if name, want := e.Name(), hex.EncodeToString(h[:]); name != want {
			t.Errorf("%s holds content whose SHA-256 is %s", path, want)
		}
		if rel, _ := filepath.Rel(filepath.Join(root, "blobs"), path); rel != filepath.Join(e.Name()[0:2], e.Name()[2:4], e.Name()) {
			t.Errorf("%s is not in its fan-out directory", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 50 {
		t.Errorf("found %d files, want 50", n)
	}
}

func TestPutDoesNotRewriteTheFile(t *testing.T) {
	ctx := context.Background()
	d, _ := newDir(t)
	data := []byte("justificatif de domicile")
	sum1, err := d.Put(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat(d.path(sum1))
	if err != nil {
		t.Fatal(err)
	}
	sum2, err := d.Put(ctx, bytes.Clone(data))
	if err != nil {
		t.Fatal(err)
	}
	if sum1 != sum2 {
		t.Errorf("second Put sum = %s, want %s", sum2, sum1)
	}
	after, err := os.Stat(d.path(sum1))
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) {
		t.Error("second Put replaced the file; want a no-op")
	}
}

func TestConcurrentPutsOfSameContent(t *testing.T) {
	ctx := context.Background()
	d, _ := newDir(t)
	data := bytes.Repeat([]byte("photo d'identité "), 50000)
	const n = 16
	sums := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { sums[i], errs[i] = d.Put(ctx, data) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("Put %d: %v", i, errs[i])
		}
		if sums[i] != sums[0] {
			t.Fatalf("Put %d sum = %s, want %s", i, sums[i], sums[0])
		}
	}
	got, err := os.ReadFile(d.path(sums[0]))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Error("stored content differs after concurrent puts")
	}
	entries, err := os.ReadDir(filepath.Dir(d.path(sums[0])))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want the blob alone (temporary files left?)", len(entries))
	}
}

func TestBadAndUnknownSums(t *testing.T) {
	ctx := context.Background()
	d, root := newDir(t)
	// A real file outside the store, which a traversal would reach.
	if err := os.WriteFile(filepath.Join(root, "secret"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	sum, err := d.Put(ctx, []byte("known"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, sum string }{
		{"traversal", "../../etc/passwd"},
		{"traversal to a real file", "../secret"},
		{"traversal of 64 characters", strings.Repeat("../", 21) + "x"},
		{"empty", ""},
		{"short", sum[:63]},
		{"long", sum + "0"},
		{"uppercase", strings.ToUpper(sum)},
		{"one uppercase digit", sum[:63] + "A"},
		{"not hex", strings.Repeat("g", 64)},
		{"slashes", sum[0:2] + "/" + sum[2:4] + "/" + sum[6:]},
		{"NUL", sum[:63] + "\x00"},
		{"unknown", strings.Repeat("0", 64)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc, err := d.Open(ctx, tt.sum)
			if rc != nil {
				rc.Close()
			}
			if code := permit.ErrorCode(err); code != permit.ENOTFOUND {
				t.Errorf("Open(%q) error = %v (code %q), want %s", tt.sum, err, code, permit.ENOTFOUND)
			}
			size, err := d.Stat(ctx, tt.sum)
			if code := permit.ErrorCode(err); code != permit.ENOTFOUND {
				t.Errorf("Stat(%q) = %d, %v (code %q), want %s", tt.sum, size, err, code, permit.ENOTFOUND)
			}
		})
	}
}

// TestValidSum checks the form alone, which the file system cannot: on a
// case-insensitive one an uppercase sum would find the blob.
func TestValidSum(t *testing.T) {
	sum := Sum([]byte("x"))
	tests := []struct {
		s    string
		want bool
	}{
		{sum, true},
		{strings.Repeat("0", 64), true},
		{strings.Repeat("f", 64), true},
		{strings.ToUpper(sum), false},
		{sum[:63] + "F", false},
		{sum[:63] + "g", false},
		{sum[:63], false},
		{sum + "0", false},
		{"", false},
		{strings.Repeat("../", 21) + "x", false},
		{sum[:62] + "é", false}, // 64 bytes, 63 characters
	}
	for _, tt := range tests {
		if got := validSum(tt.s); got != tt.want {
			t.Errorf("validSum(%q) = %t; want %t", tt.s, got, tt.want)
		}
	}
}

// TestProbe: the probe writes where blobs go, leaves nothing behind, and
// fails when that place cannot be written (here the blob directory
// replaced by a file, which stops root too).
func TestProbe(t *testing.T) {
	root := t.TempDir()
	d, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Probe(context.Background()); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(filepath.Join(root, "blobs")); len(left) != 0 {
		t.Fatalf("probe left %v", left)
	}
	if err := os.Rename(filepath.Join(root, "blobs"), filepath.Join(root, "away")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "blobs"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := d.Probe(context.Background()); err == nil {
		t.Fatal("probe of an unwritable store: no error")
	}
}

// TestWalkPassesOverLeftovers: what a Put killed before its rename
// leaves, and files that are not blobs, are not listed.
func TestWalkPassesOverLeftovers(t *testing.T) {
	ctx := context.Background()
	d, root := newDir(t)
	sum, err := d.Put(ctx, []byte("titre de séjour"))
	if err != nil {
		t.Fatal(err)
	}
	fan := filepath.Dir(d.path(sum))
	other := Sum([]byte("other"))
	for _, p := range []string{
		filepath.Join(fan, ".tmp-123"),
		filepath.Join(root, "blobs", ".probe-1"),
		filepath.Join(fan, other),                   // a sum in the wrong fan-out directory
		filepath.Join(root, "blobs", sum[0:2], sum), // one level short
	} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	if err := d.Walk(ctx, func(s string) error { got = append(got, s); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != sum {
		t.Errorf("Walk listed %v, want [%s]", got, sum)
	}
}
