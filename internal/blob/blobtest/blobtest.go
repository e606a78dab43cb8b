// Package blobtest holds the contract every blob.Store keeps, as one
// suite that runs on each implementation (Dir, S3), and the S3 store the
// tests use: a real S3-compatible server named by the environment.
package blobtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sejour/sejour/internal/blob"
	"github.com/sejour/sejour/internal/permit"
)

// Store is what the contract needs of a store: the Store interface, a
// listing and a health probe.
type Store = blob.Backend

// Run runs the contract on fresh, empty stores that open makes.
func Run(t *testing.T, open func(t *testing.T) Store) {
	t.Run("RoundTrip", func(t *testing.T) { roundTrip(t, open(t)) })
	t.Run("PutIsIdempotent", func(t *testing.T) { putIsIdempotent(t, open(t)) })
	t.Run("ConcurrentPuts", func(t *testing.T) { concurrentPuts(t, open(t)) })
	t.Run("BadAndUnknownSums", func(t *testing.T) { badAndUnknownSums(t, open(t)) })
	t.Run("CancelledContext", func(t *testing.T) { cancelledContext(t, open(t)) })
	t.Run("WalkListsWhatWasPut", func(t *testing.T) { walkListsWhatWasPut(t, open(t)) })
	t.Run("Probe", func(t *testing.T) { probe(t, open(t)) })
}

func roundTrip(t *testing.T, s Store) {
	ctx := context.Background()
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"text", []byte("bulletin de salaire, mars")},
		{"binary", bytes.Repeat([]byte{0, 0xff, 0x7f, '\n'}, 10000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sum, err := s.Put(ctx, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if want := blob.Sum(tt.data); sum != want {
				t.Errorf("Put sum = %s, want %s", sum, want)
			}
			size, err := s.Stat(ctx, sum)
			if err != nil {
				t.Fatal(err)
			}
			if size != int64(len(tt.data)) {
				t.Errorf("Stat = %d, want %d", size, len(tt.data))
			}
			if got := Read(t, s, sum); !bytes.Equal(got, tt.data) {
				t.Errorf("Open returned %d bytes that differ from the %d put", len(got), len(tt.data))
			}
		})
	}
}

func putIsIdempotent(t *testing.T, s Store) {
	ctx := context.Background()
	data := []byte("justificatif de domicile")
	sum1, err := s.Put(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	sum2, err := s.Put(ctx, bytes.Clone(data))
	if err != nil {
		t.Fatal(err)
	}
	if sum1 != sum2 {
		t.Errorf("second Put sum = %s, want %s", sum2, sum1)
	}
	if got := Sums(t, s); !slices.Equal(got, []string{sum1}) {
		t.Errorf("store lists %v after two puts of the same content, want [%s]", got, sum1)
	}
}

func concurrentPuts(t *testing.T, s Store) {
	ctx := context.Background()
	data := bytes.Repeat([]byte("photo d'identité "), 50000)
	const n = 8
	sums := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { sums[i], errs[i] = s.Put(ctx, data) })
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
	if got := Read(t, s, sums[0]); !bytes.Equal(got, data) {
		t.Error("stored content differs after concurrent puts")
	}
	if got := Sums(t, s); !slices.Equal(got, []string{sums[0]}) {
		t.Errorf("store lists %v, want the blob alone (temporary files left?)", got)
	}
}

func badAndUnknownSums(t *testing.T, s Store) {
	ctx := context.Background()
	sum, err := s.Put(ctx, []byte("known"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, sum string }{
		{"traversal", "../../etc/passwd"},
		{"traversal of 64 characters", strings.Repeat("../", 21) + "x"},
		{"empty", ""},
		{"short", sum[:63]},
		{"long", sum + "0"},
		{"uppercase", strings.ToUpper(sum)},
		{"not hex", strings.Repeat("g", 64)},
		{"slashes", sum[0:2] + "/" + sum[2:4] + "/" + sum[6:]},
		{"NUL", sum[:63] + "\x00"},
		{"unknown", strings.Repeat("0", 64)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc, err := s.Open(ctx, tt.sum)
			if rc != nil {
				rc.Close()
			}
			if code := permit.ErrorCode(err); code != permit.ENOTFOUND {
				t.Errorf("Open(%q) error = %v (code %q), want %s", tt.sum, err, code, permit.ENOTFOUND)
			}
			size, err := s.Stat(ctx, tt.sum)
			if code := permit.ErrorCode(err); code != permit.ENOTFOUND {
				t.Errorf("Stat(%q) = %d, %v (code %q), want %s", tt.sum, size, err, code, permit.ENOTFOUND)
			}
		})
	}
}

func cancelledContext(t *testing.T, s Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Put(ctx, []byte("x")); err == nil {
		t.Error("Put with a cancelled context succeeded")
	}
	if _, err := s.Stat(context.Background(), blob.Sum([]byte("x"))); permit.ErrorCode(err) != permit.ENOTFOUND {
		t.Errorf("cancelled Put stored the blob anyway: Stat error = %v", err)
	}
}

func walkListsWhatWasPut(t *testing.T, s Store) {
	ctx := context.Background()
	var want []string
	for i := range 30 {
		sum, err := s.Put(ctx, []byte(strings.Repeat("y", i)))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, sum)
	}
	slices.Sort(want)
	if got := Sums(t, s); !slices.Equal(got, want) {
		t.Errorf("Walk listed %d sums, want the %d put, in order:\n got %v\nwant %v", len(got), len(want), got, want)
	}
	// Walk stops at the first error of its function and returns it.
	stop := io.ErrShortWrite
	n := 0
	if err := s.Walk(ctx, func(string) error { n++; return stop }); err != stop {
		t.Errorf("Walk returned %v, want its function's error", err)
	}
	if n != 1 {
		t.Errorf("Walk went on after an error: %d calls", n)
	}
}

// probe: the probe succeeds on a working store and leaves nothing a
// listing would see.
func probe(t *testing.T, s Store) {
	if err := s.Probe(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := Sums(t, s); len(got) != 0 {
		t.Errorf("probe left blobs: %v", got)
	}
}

// Read returns the whole content of a blob, failing the test on error.
func Read(t testing.TB, s blob.Store, sum string) []byte {
	t.Helper()
	rc, err := s.Open(context.Background(), sum)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", sum, err)
	}
	return b
}

// Sums lists the sums of a store, failing the test on error.
func Sums(t testing.TB, s blob.Walker) []string {
	t.Helper()
	var out []string
	if err := s.Walk(context.Background(), func(sum string) error {
		out = append(out, sum)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// S3Options returns the options of the test server named by
// SEJOUR_TEST_S3_ENDPOINT (http://host:port or https://host:port),
// SEJOUR_TEST_S3_ACCESS_KEY, SEJOUR_TEST_S3_SECRET_KEY and
// SEJOUR_TEST_S3_BUCKET (an existing bucket), with a prefix of its own
// so that tests never see each other's blobs. Without the server the
// test is skipped, except in CI (CI=true), where it fails: there .ci/run
// starts one.
func S3Options(t testing.TB) blob.S3Options {
	t.Helper()
	endpoint := os.Getenv("SEJOUR_TEST_S3_ENDPOINT")
	bucket := os.Getenv("SEJOUR_TEST_S3_BUCKET")
	if endpoint == "" || bucket == "" {
		msg := "no S3-compatible server: set SEJOUR_TEST_S3_ENDPOINT, SEJOUR_TEST_S3_ACCESS_KEY, SEJOUR_TEST_S3_SECRET_KEY and SEJOUR_TEST_S3_BUCKET (.ci/run starts one; docs/operations.md)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	secure := true
	switch {
	case strings.HasPrefix(endpoint, "http://"):
		secure = false
		endpoint = strings.TrimPrefix(endpoint, "http://")
	case strings.HasPrefix(endpoint, "https://"):
		endpoint = strings.TrimPrefix(endpoint, "https://")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	return blob.S3Options{
		Endpoint: strings.TrimRight(endpoint, "/"), Secure: secure, Region: "us-east-1",
		AccessKey: os.Getenv("SEJOUR_TEST_S3_ACCESS_KEY"), SecretKey: os.Getenv("SEJOUR_TEST_S3_SECRET_KEY"),
		Bucket: bucket, Prefix: "test-" + hex.EncodeToString(b[:]),
	}
}

// S3 returns an empty S3 store on the test server (see S3Options).
func S3(t testing.TB) *blob.S3 {
	t.Helper()
	s, err := blob.NewS3(S3Options(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
