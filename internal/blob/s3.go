package blob

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/sejour/sejour/internal/permit"
)

// S3Options says where an S3 store is and how to sign in to it.
type S3Options struct {
	Endpoint  string // host or host:port of the server, without scheme
	Secure    bool   // HTTPS; false only for a server on the loopback or a trusted network
	Region    string
	AccessKey string
	SecretKey string
	Bucket    string
	Prefix    string // keys start with Prefix + "/"; empty for the bucket's root
}

// S3 is a Store in a bucket of an S3-compatible object store. A blob is
// the object <prefix>/ab/cd/<sum>, the same layout as Dir's under its
// blobs directory, so that a copy made by any tool keeps the names.
//
// A single PUT is atomic: the object appears whole or not at all, and a
// server acknowledges it once it is stored durably, which is what Put
// promises. The server checks the Content-MD5 sent with each PUT, so
// bytes damaged on the way are refused; Open checks the content's
// SHA-256 against its name as it is read.
type S3 struct {
	client *minio.Client
	bucket string
	prefix string // "" or ends with "/"
}

var _ Store = (*S3)(nil)

// NewS3 returns the store that opts describe. It makes no request: a
// server that is down at start is seen by the health probe, not here.
func NewS3(opts S3Options) (*S3, error) {
	if opts.Endpoint == "" || opts.Bucket == "" {
		return nil, errors.New("blob: S3 store needs an endpoint and a bucket")
	}
	client, err := minio.New(opts.Endpoint, &minio.Options{
		Creds:      credentials.NewStaticV4(opts.AccessKey, opts.SecretKey, ""),
		Secure:     opts.Secure,
		Region:     opts.Region,
		MaxRetries: 3,
	})
	if err != nil {
		return nil, fmt.Errorf("blob: S3 client: %w", err)
	}
	prefix := strings.Trim(opts.Prefix, "/")
	if prefix != "" {
		prefix += "/"
	}
	return &S3{client: client, bucket: opts.Bucket, prefix: prefix}, nil
}

// key returns the object name of a valid sum.
func (s *S3) key(sum string) string {
	return s.prefix + sum[0:2] + "/" + sum[2:4] + "/" + sum
}

// Put stores data as one PUT with its Content-MD5, unless an object of
// the same name and size is there already (content-addressed: the same
// name is the same bytes). The server refuses a body whose MD5 is not
// the one sent, so what it stores is what was hashed here; Put checks
// the size it reports too. (The ETag is not compared: it is the MD5 on
// most servers, not on all.)
func (s *S3) Put(ctx context.Context, data []byte) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	sum := Sum(data)
	size, err := s.Stat(ctx, sum)
	if err == nil && size == int64(len(data)) {
		return sum, nil
	} else if err != nil && permit.ErrorCode(err) != permit.ENOTFOUND {
		return "", err
	}
	info, err := s.client.PutObject(ctx, s.bucket, s.key(sum), bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{
		ContentType:      "application/octet-stream",
		SendContentMd5:   true,
		DisableMultipart: true,
	})
	if err != nil {
		return "", fmt.Errorf("blob: put %s: %w", sum, s.classify(err))
	}
	if info.Size != int64(len(data)) {
		return "", fmt.Errorf("blob: put %s: the server stored %d bytes of %d", sum, info.Size, len(data))
	}
	return sum, nil
}

// Open returns the content of a blob. The reader hashes what it reads
// and fails at the end, instead of returning io.EOF, when the content is
// not the one the sum names.
func (s *S3) Open(ctx context.Context, sum string) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !validSum(sum) {
		return nil, notFound()
	}
	obj, err := s.client.GetObject(ctx, s.bucket, s.key(sum), minio.GetObjectOptions{})
	if err == nil {
		_, err = obj.Stat() // makes the request: an unknown key fails here
	}
	if err != nil {
		if obj != nil {
			obj.Close()
		}
		return nil, s.openError(sum, "open", err)
	}
	return &checkedReader{rc: obj, sum: sum, h: sha256.New()}, nil
}

// Stat returns the size of a blob in bytes.
func (s *S3) Stat(ctx context.Context, sum string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if !validSum(sum) {
		return 0, notFound()
	}
	info, err := s.client.StatObject(ctx, s.bucket, s.key(sum), minio.StatObjectOptions{})
	if err != nil {
		return 0, s.openError(sum, "stat", err)
	}
	return info.Size, nil
}

func (s *S3) openError(sum, op string, err error) error {
	if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
		return notFound()
	}
	return fmt.Errorf("blob: %s %s: %w", op, sum, s.classify(err))
}

// Walk calls fn with the sum of every blob in the store, in the order of
// their names; objects whose name is not a blob's are passed over.
func (s *S3) Walk(ctx context.Context, fn func(sum string) error) error {
	ctx, cancel := context.WithCancel(ctx) // ends the listing if fn stops it
	defer cancel()
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix, Recursive: true}) {
		if obj.Err != nil {
			return fmt.Errorf("blob: list: %w", s.classify(obj.Err))
		}
		sum, ok := sumOfPath(strings.TrimPrefix(obj.Key, s.prefix), "/")
		if !ok {
			continue
		}
		if err := fn(sum); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Probe writes and removes a small object where blobs are kept, so that
// a server that is down, a missing bucket or credentials that were
// revoked are seen before an upload fails (the health monitor's blob
// check).
func (s *S3) Probe(ctx context.Context) error {
	var b [8]byte
	_, _ = rand.Read(b[:])
	key := s.prefix + ".probe-" + hex.EncodeToString(b[:])
	data := []byte("sejour health probe\n")
	if _, err := s.client.PutObject(ctx, s.bucket, key, bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{
		SendContentMd5: true, DisableMultipart: true,
	}); err != nil {
		return fmt.Errorf("blob: probe: %w", s.classify(err))
	}
	if err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("blob: probe: remove: %w", s.classify(err))
	}
	return nil
}

// classify marks the failures that may pass — the server unreachable,
// overloaded or failing (5xx, SlowDown) — as permit.EUNAVAILABLE, as Dir
// does for a full disk: the person is told to try again later (a 503).
// Refusals (a missing bucket, bad credentials) stay internal errors: they
// need the operator.
func (s *S3) classify(err error) error {
	var netErr net.Error
	resp := minio.ToErrorResponse(err)
	if errors.As(err, &netErr) || resp.StatusCode >= http.StatusInternalServerError || resp.Code == "SlowDown" ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %w", permit.Errorf(permit.EUNAVAILABLE, "error.unavailable"), err)
	}
	return err
}

// checkedReader passes a blob's content through and, at its end, checks
// that its SHA-256 is the sum it was asked by.
type checkedReader struct {
	rc  io.ReadCloser
	sum string
	h   hash.Hash
}

func (r *checkedReader) Read(p []byte) (int, error) {
	n, err := r.rc.Read(p)
	r.h.Write(p[:n])
	if err == io.EOF {
		if got := hex.EncodeToString(r.h.Sum(nil)); got != r.sum {
			return n, fmt.Errorf("blob: %s: the stored content's SHA-256 is %s: the object is damaged", r.sum, got)
		}
	}
	return n, err
}

func (r *checkedReader) Close() error { return r.rc.Close() }
