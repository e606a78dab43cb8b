// Package blob keeps the files that applicants upload (passport scans,
// payslips, photos) as content-addressed blobs: a file is named by the
// SHA-256 of its bytes, so storing it twice costs nothing, a name can be
// checked against its content, and no user input ever reaches a path.
//
// Consumers depend on the Store interface; Dir is the implementation on
// the local data directory, S3 the one in a bucket of an S3-compatible
// object store. Migrate copies every blob from one store to another.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
)

// Store keeps blobs by the lowercase hex SHA-256 of their content.
type Store interface {
	// Put stores data and returns its sum. When Put returns without
	// error the blob is durable: it survives a crash or power loss.
	// Putting content that is already stored is a no-op.
	Put(ctx context.Context, data []byte) (sum string, err error)
	// Open returns the content of a blob. It returns a permit.ENOTFOUND
	// error for a malformed sum or an unknown blob.
	Open(ctx context.Context, sum string) (io.ReadCloser, error)
	// Stat returns the size of a blob in bytes, with the same errors as
	// Open.
	Stat(ctx context.Context, sum string) (size int64, err error)
}

// Sum returns the name under which a Store keeps data: the lowercase hex
// SHA-256 of its content.
func Sum(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// validSum reports whether s has the exact form of a Sum: 64 lowercase
// hex digits. Checking the form, rather than cleaning a path, is what
// keeps "../" and every other surprise out of the file system.
func validSum(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Walker is a Store whose blobs can be listed: what a migration copies
// from and what a verification reads.
type Walker interface {
	Store
	// Walk calls fn with the sum of every blob, in the order of their
	// names; it stops at fn's first error and returns it.
	Walk(ctx context.Context, fn func(sum string) error) error
}

// Backend is a store as the server and the blobs command use it: with a
// listing, and a health probe that writes where blobs go (Put cannot
// serve: storing content already stored writes nothing).
type Backend interface {
	Walker
	Probe(ctx context.Context) error
}

// sumOfPath returns the sum of a blob's name relative to the store,
// "ab/cd/<sum>" with sep between the parts, and whether it is one:
// temporary files, probes and anything else are not.
func sumOfPath(rel, sep string) (string, bool) {
	parts := strings.Split(rel, sep)
	if len(parts) != 3 {
		return "", false
	}
	sum := parts[2]
	if !validSum(sum) || parts[0] != sum[0:2] || parts[1] != sum[2:4] {
		return "", false
	}
	return sum, true
}
