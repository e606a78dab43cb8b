package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/sejour/sejour/internal/permit"
)

// Outcome is what became of one blob in a migration or a verification.
type Outcome int

const (
	Copied   Outcome = iota // copied to the target and read back whole
	Skipped                 // already in the target, read back whole
	Failed                  // not copied, or damaged: Err says why
	Verified                // read whole where it is (Verify)
)

// Report counts the outcomes of a migration or a verification.
type Report struct {
	Copied, Skipped, Failed, Verified int
}

// Event is one blob done, given to MigrateOptions.Progress.
type Event struct {
	Sum     string
	Outcome Outcome
	Err     error // for Failed
}

// MigrateOptions tune Migrate and Verify.
type MigrateOptions struct {
	Jobs     int         // blobs worked on at once; 4 when 0
	Progress func(Event) // called after each blob, one call at a time; may be nil
}

// Migrate copies every blob of from that to does not hold. It needs no
// state of its own to resume: a blob is in the target whole or not at
// all (Put's promise), so a run killed at any point and run again skips
// what is there and copies the rest. Every blob is checked twice: its
// content in from must hash to its name before it is put, and once in
// to, it is read back whole and hashed again; a blob already in to is
// read back and hashed too before it counts as skipped. A blob that
// fails is counted and reported, and the others go on; the error
// returned is for what stops the whole run (the source cannot be
// listed, ctx is done).
func Migrate(ctx context.Context, from Walker, to Store, opts MigrateOptions) (Report, error) {
	return each(ctx, from, opts, func(ctx context.Context, sum string) (Outcome, error) {
		return migrateOne(ctx, from, to, sum)
	})
}

// Verify reads every blob of s whole and checks that its content hashes
// to its name.
func Verify(ctx context.Context, s Walker, opts MigrateOptions) (Report, error) {
	return each(ctx, s, opts, func(ctx context.Context, sum string) (Outcome, error) {
		if err := check(ctx, s, sum); err != nil {
			return Failed, err
		}
		return Verified, nil
	})
}

// each runs do on every blob of s, opts.Jobs at a time, and counts the
// outcomes.
func each(ctx context.Context, s Walker, opts MigrateOptions, do func(context.Context, string) (Outcome, error)) (Report, error) {
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = 4
	}
	var (
		rep Report
		mu  sync.Mutex
	)
	done := func(sum string, o Outcome, err error) {
		mu.Lock()
		defer mu.Unlock()
		switch o {
		case Copied:
			rep.Copied++
		case Skipped:
			rep.Skipped++
		case Verified:
			rep.Verified++
		default:
			rep.Failed++
		}
		if opts.Progress != nil {
			opts.Progress(Event{Sum: sum, Outcome: o, Err: err})
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	sums := make(chan string)
	g.Go(func() error {
		defer close(sums)
		return s.Walk(gctx, func(sum string) error {
			select {
			case sums <- sum:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		})
	})
	for range jobs {
		g.Go(func() error {
			for sum := range sums {
				o, err := do(gctx, sum)
				if ctxErr := gctx.Err(); ctxErr != nil {
					return ctxErr // not the blob's fault: the run stops
				}
				done(sum, o, err)
			}
			return nil
		})
	}
	err := g.Wait()
	return rep, err
}

// migrateOne copies one blob if the target lacks it.
func migrateOne(ctx context.Context, from, to Store, sum string) (Outcome, error) {
	_, err := to.Stat(ctx, sum)
	switch {
	case err == nil:
		if err := check(ctx, to, sum); err != nil {
			return Failed, fmt.Errorf("the target holds it damaged (remove it there and run again): %w", err)
		}
		return Skipped, nil
	case permit.ErrorCode(err) != permit.ENOTFOUND:
		return Failed, fmt.Errorf("target: %w", err)
	}
	data, err := readAll(ctx, from, sum)
	if err != nil {
		return Failed, fmt.Errorf("source: %w", err)
	}
	if got := Sum(data); got != sum {
		return Failed, fmt.Errorf("source: damaged, its content's SHA-256 is %s", got)
	}
	put, err := to.Put(ctx, data)
	if err != nil {
		return Failed, fmt.Errorf("target: %w", err)
	}
	if put != sum {
		return Failed, fmt.Errorf("target: stored as %s", put)
	}
	if err := check(ctx, to, sum); err != nil {
		return Failed, fmt.Errorf("target: read back: %w", err)
	}
	return Copied, nil
}

func readAll(ctx context.Context, s Store, sum string) ([]byte, error) {
	rc, err := s.Open(ctx, sum)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var b bytes.Buffer
	if _, err := io.Copy(&b, rc); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// check reads a blob whole and hashes it, whatever the store's own
// checks.
func check(ctx context.Context, s Store, sum string) error {
	rc, err := s.Open(ctx, sum)
	if err != nil {
		return err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		return fmt.Errorf("damaged: its content's SHA-256 is %s", got)
	}
	return nil
}
