package app

import (
	"errors"
	"fmt"

	"github.com/sejour/sejour/internal/blob"
	"github.com/sejour/sejour/internal/config"
)

// OpenBlobs returns the blob store at loc: a directory, or a bucket of
// the S3-compatible server that cfg.S3 describes. The server uses
// cfg.Blobs; `sejour blobs migrate` opens the two ends of a migration.
func OpenBlobs(cfg *config.Config, loc config.BlobLocation) (blob.Backend, error) {
	if !loc.IsS3() {
		return blob.New(loc.Dir)
	}
	if errs := cfg.S3Ready(); len(errs) > 0 {
		return nil, fmt.Errorf("blob store %s: %w", loc, errors.Join(errs...))
	}
	return blob.NewS3(blob.S3Options{
		Endpoint: cfg.S3.Endpoint, Secure: cfg.S3.Secure, Region: cfg.S3.Region,
		AccessKey: cfg.S3.AccessKey, SecretKey: cfg.S3.SecretKey,
		Bucket: loc.Bucket, Prefix: loc.Prefix,
	})
}
