package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/sejour/sejour/internal/app"
	"github.com/sejour/sejour/internal/blob"
	"github.com/sejour/sejour/internal/config"
)

const blobsUsage = `usage: sejour blobs migrate --from LOCATION --to LOCATION [--jobs N]
       sejour blobs verify [--in LOCATION] [--jobs N]
A LOCATION is a directory holding blobs/ (the default store is <data dir>/files)
or s3://bucket/prefix on the server of SEJOUR_S3_ENDPOINT; verify reads
SEJOUR_BLOB_URL's store unless --in says another.`

// blobsCommand runs `sejour blobs migrate` and `sejour blobs verify`
// (issue 15, part 2). Both print one line per blob that fails, a
// progress line now and then, and a summary line at the end; they exit
// 1 when a blob failed, 2 on a usage error.
func blobsCommand(ctx context.Context, cfg *config.Config, args []string, out io.Writer) error {
	if len(args) == 0 {
		return &exitError{2, blobsUsage}
	}
	fs := flag.NewFlagSet("blobs "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	from := fs.String("from", "", "where the blobs are")
	to := fs.String("to", "", "where to copy them")
	in := fs.String("in", "", "the store to verify")
	jobs := fs.Int("jobs", 4, "blobs worked on at once")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 || *jobs < 1 || *jobs > 64 {
		return &exitError{2, blobsUsage}
	}
	switch args[0] {
	case "migrate":
		if *from == "" || *to == "" || *in != "" {
			return &exitError{2, blobsUsage}
		}
		return migrateBlobs(ctx, cfg, *from, *to, *jobs, out)
	case "verify":
		if *from != "" || *to != "" {
			return &exitError{2, blobsUsage}
		}
		return verifyBlobs(ctx, cfg, *in, *jobs, out)
	}
	return &exitError{2, blobsUsage}
}

func migrateBlobs(ctx context.Context, cfg *config.Config, fromURL, toURL string, jobs int, out io.Writer) error {
	from, fromLoc, err := openLocation(cfg, "--from", fromURL, true)
	if err != nil {
		return err
	}
	to, toLoc, err := openLocation(cfg, "--to", toURL, false)
	if err != nil {
		return err
	}
	if fromLoc == toLoc {
		return &exitError{2, "--from and --to name the same store"}
	}
	fmt.Fprintf(out, "migrating blobs from %s to %s\n", fromLoc, toLoc)
	rep, err := blob.Migrate(ctx, from, to, blob.MigrateOptions{Jobs: jobs, Progress: progress(out)})
	fmt.Fprintf(out, "copied %d, skipped %d, failed %d\n", rep.Copied, rep.Skipped, rep.Failed)
	return outcome(err, rep, "migration")
}

func verifyBlobs(ctx context.Context, cfg *config.Config, inURL string, jobs int, out io.Writer) error {
	name, raw := "--in", inURL
	if raw == "" {
		name, raw = "SEJOUR_BLOB_URL", cfg.Blobs.String()
	}
	s, loc, err := openLocation(cfg, name, raw, true)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "verifying blobs in %s\n", loc)
	rep, err := blob.Verify(ctx, s, blob.MigrateOptions{Jobs: jobs, Progress: progress(out)})
	fmt.Fprintf(out, "verified %d, failed %d\n", rep.Verified, rep.Failed)
	return outcome(err, rep, "verification")
}

// openLocation opens one end of a command. A source directory must
// already hold blobs/: a mistyped path copies nothing rather than all.
func openLocation(cfg *config.Config, name, raw string, source bool) (blob.Backend, config.BlobLocation, error) {
	loc, err := config.ParseBlobURL(raw, "")
	if err != nil {
		return nil, loc, &exitError{2, fmt.Sprintf("%s: %v", name, err)}
	}
	if source && !loc.IsS3() {
		if fi, err := os.Stat(filepath.Join(loc.Dir, "blobs")); err != nil || !fi.IsDir() {
			return nil, loc, &exitError{2, fmt.Sprintf("%s %s: no blobs/ directory there; give the directory that holds it (by default <data dir>/files)", name, loc.Dir)}
		}
	}
	s, err := app.OpenBlobs(cfg, loc)
	if err != nil {
		return nil, loc, fmt.Errorf("%s: %w", name, err)
	}
	return s, loc, nil
}

// progress prints each failure, and a count every 1,000 blobs or 10
// seconds.
func progress(out io.Writer) func(blob.Event) {
	n, last := 0, time.Now()
	return func(e blob.Event) {
		n++
		if e.Outcome == blob.Failed {
			fmt.Fprintf(out, "failed %s: %v\n", e.Sum, e.Err)
		}
		if n%1000 == 0 || time.Since(last) > 10*time.Second {
			fmt.Fprintf(out, "%d blobs done\n", n)
			last = time.Now()
		}
	}
}

// outcome is the command's error: the run's own, or exit 1 when a blob
// failed.
func outcome(err error, rep blob.Report, what string) error {
	switch {
	case err != nil && errors.Is(err, context.Canceled):
		return fmt.Errorf("%s interrupted: run it again to finish (it resumes): %w", what, err)
	case err != nil:
		return fmt.Errorf("%s stopped: %w", what, err)
	case rep.Failed > 0:
		return &exitError{1, fmt.Sprintf("%s: %d blobs failed (listed above)", what, rep.Failed)}
	}
	return nil
}
