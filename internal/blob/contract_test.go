package blob_test

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/sejour/sejour/internal/blob"
	"github.com/sejour/sejour/internal/blob/blobtest"
	"github.com/sejour/sejour/internal/permit"
)

func newDir(t *testing.T) *blob.Dir {
	t.Helper()
	d, err := blob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDirContract(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blobtest.Store { return newDir(t) })
}

// TestS3Contract runs the same suite on a real S3-compatible server
// (blobtest.S3Options says which).
func TestS3Contract(t *testing.T) {
	blobtest.S3Options(t) // skips, or fails in CI, before any subtest
	blobtest.Run(t, func(t *testing.T) blobtest.Store { return blobtest.S3(t) })
}

// rawClient talks to the test server directly, to do what the store
// never does (damage an object).
func rawClient(t *testing.T, o blob.S3Options) *minio.Client {
	t.Helper()
	c, err := minio.New(o.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(o.AccessKey, o.SecretKey, ""), Secure: o.Secure, Region: o.Region})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestS3OpenFindsDamage: an object whose content is not the one its name
// says is read to its end with an error, not io.EOF; Verify counts it;
// Put over it (same name, another size) stores the right bytes again.
func TestS3OpenFindsDamage(t *testing.T) {
	ctx := context.Background()
	o := blobtest.S3Options(t)
	s, err := blob.NewS3(o)
	if err != nil {
		t.Fatal(err)
	}
	good := []byte("acte de naissance")
	sum := blob.Sum(good)
	bad := []byte("acte de naissance, falsifié")
	key := o.Prefix + "/" + sum[0:2] + "/" + sum[2:4] + "/" + sum
	if _, err := rawClient(t, o).PutObject(ctx, o.Bucket, key, bytes.NewReader(bad), int64(len(bad)), minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	rc, err := s.Open(ctx, sum)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	_, err = buf.ReadFrom(rc)
	rc.Close()
	if err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("reading a damaged object: error %v, want one saying it is damaged", err)
	}
	rep, err := blob.Verify(ctx, s, blob.MigrateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep != (blob.Report{Failed: 1}) {
		t.Errorf("Verify = %+v, want one failed", rep)
	}
	if _, err := s.Put(ctx, good); err != nil {
		t.Fatal(err)
	}
	if got := blobtest.Read(t, s, sum); !bytes.Equal(got, good) {
		t.Errorf("after Put over the damaged object, read %q", got)
	}
}

// TestS3ProbeFailsOnAMissingBucket: the health probe sees a bucket that
// is not there (a misconfiguration).
func TestS3ProbeFailsOnAMissingBucket(t *testing.T) {
	o := blobtest.S3Options(t)
	o.Bucket = "sejour-no-such-bucket"
	s, err := blob.NewS3(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Probe(context.Background()); err == nil {
		t.Error("probe of a missing bucket: no error")
	}
}

// TestS3UnreachableIsUnavailable: a server that does not answer makes
// Put, Open and Probe fail as unavailable (503, try later), not as an
// internal error; no server is needed (a closed port of the loopback).
func TestS3UnreachableIsUnavailable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s, err := blob.NewS3(blob.S3Options{Endpoint: addr, Region: "us-east-1", AccessKey: "k", SecretKey: "s", Bucket: "sejour"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := s.Put(ctx, []byte("x")); permit.ErrorCode(err) != permit.EUNAVAILABLE {
		t.Errorf("Put: %v (code %q), want %s", err, permit.ErrorCode(err), permit.EUNAVAILABLE)
	}
	if _, err := s.Open(ctx, blob.Sum([]byte("x"))); permit.ErrorCode(err) != permit.EUNAVAILABLE {
		t.Errorf("Open: %v (code %q), want %s", err, permit.ErrorCode(err), permit.EUNAVAILABLE)
	}
	if err := s.Probe(ctx); permit.ErrorCode(err) != permit.EUNAVAILABLE {
		t.Errorf("Probe: %v (code %q), want %s", err, permit.ErrorCode(err), permit.EUNAVAILABLE)
	}
}
