package backup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/sejour/sejour/internal/store"
)

// Options says what to back up.
type Options struct {
	// Source is the instance's database: SQLite (the snapshot refuses
	// PostgreSQL).
	Source store.Backups
	// BlobDir is the blob store's root (config BlobDir): the blobs are
	// under BlobDir/blobs.
	BlobDir string
	// Journal is the attempts journal's file; absent is fine.
	Journal string
	// KEKFile is the key-encryption key file to copy; empty copies none,
	// and Key says why (KeyLeftOut or KeyExternal).
	KEKFile string
	Key     string
	Sejour  string    // the program's version, recorded
	Now     time.Time // when the backup began
}

// copiers is how many blobs are copied at once: each copy ends with a
// flush, which waits on the disk more than on the processor.
const copiers = 4

// Create writes a backup to target, a directory that must not exist or
// be empty. In order: the attempts journal (before the snapshot: an
// attempt replayed meanwhile is in the snapshot too, and a replay is
// idempotent), the database snapshot (one read transaction), the blobs
// present after it (a row naming a blob commits only after the blob is
// on disk, so the snapshot's are all there; each is checked against its
// name), the key file, then the manifest; all is flushed and renamed to
// target last. On error, nothing is left behind.
func Create(ctx context.Context, target string, o Options) (_ *Manifest, err error) {
	if err := checkTarget(target); err != nil {
		return nil, err
	}
	tmp, err := startPartial(target)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	m := &Manifest{Format: format, Version: formatV1, Sejour: o.Sejour, CreatedAt: o.Now.UTC(), Key: o.Key}
	if err := copyInto(tmp, o.Journal, JournalName, m, true); err != nil {
		return nil, fmt.Errorf("attempts journal: %w", err)
	}
	db := filepath.Join(tmp, DatabaseName)
	if m.Schema, err = o.Source.Snapshot(ctx, db); err != nil {
		return nil, err
	}
	if _, err := store.CheckSnapshot(ctx, db); err != nil {
		return nil, err
	}
	if err := addFile(tmp, DatabaseName, m); err != nil {
		return nil, err
	}
	refs, err := store.SnapshotBlobs(ctx, db)
	if err != nil {
		return nil, err
	}
	blobs, err := copyBlobs(ctx, filepath.Join(o.BlobDir, "blobs"), tmp)
	if err != nil {
		return nil, err
	}
	for _, sum := range refs {
		if _, ok := blobs[sum]; !ok {
			return nil, fmt.Errorf("the database refers to blob %s, which the data directory lacks (%s): restore it from an older backup", sum, filepath.Join(o.BlobDir, "blobs", blobPath(sum)))
		}
	}
	for _, f := range blobs {
		m.Files = append(m.Files, f)
	}
	m.Blobs = len(blobs)
	if o.KEKFile != "" {
		m.Key = KeyIncluded
		if err := copyInto(tmp, o.KEKFile, KEKName, m, false); err != nil {
			return nil, fmt.Errorf("key-encryption key: %w", err)
		}
	}
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Path < m.Files[j].Path })
	if err := writeManifest(tmp, m); err != nil {
		return nil, err
	}
	if err := commit(tmp, target); err != nil {
		return nil, err
	}
	return m, nil
}

// copyInto copies src to name inside dir and lists it; a missing src is
// skipped when optional.
func copyInto(dir, src, name string, m *Manifest, optional bool) error {
	if src == "" {
		return nil
	}
	size, sum, err := copyFile(src, filepath.Join(dir, filepath.FromSlash(name)), 0o600, 0o700)
	if optional && errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	m.Files = append(m.Files, File{Path: name, Size: size, SHA256: sum})
	return nil
}

// addFile lists a file already in dir.
func addFile(dir, name string, m *Manifest) error {
	size, sum, err := hashFile(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		return err
	}
	m.Files = append(m.Files, File{Path: name, Size: size, SHA256: sum})
	return nil
}

// copyBlobs copies every blob under src (root/ab/cd/sum) into dir, by
// sum, checking each against its name; files being written by a Put
// (temporary names) are not blobs yet and are skipped.
func copyBlobs(ctx context.Context, src, dir string) (map[string]File, error) {
	var sums []string
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == src {
			return filepath.SkipDir
		}
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && validSum(d.Name()) {
			rel, _ := filepath.Rel(src, p)
			if filepath.ToSlash(rel) == blobPath(d.Name()) {
				sums = append(sums, d.Name())
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list blobs: %w", err)
	}
	var mu sync.Mutex
	out := make(map[string]File, len(sums))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(copiers)
	for _, sum := range sums {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			name := blobsPrefix + blobPath(sum)
			size, got, err := copyFile(filepath.Join(src, filepath.FromSlash(blobPath(sum))), filepath.Join(dir, filepath.FromSlash(name)), 0o600, 0o700)
			if err != nil {
				return err
			}
			if got != sum {
				return fmt.Errorf("blob %s is damaged in the data directory (its content hashes to %s): restore it from an older backup", sum, got)
			}
			mu.Lock()
			out[sum] = File{Path: name, Size: size, SHA256: sum}
			mu.Unlock()
			return nil
		})
	}
	return out, g.Wait()
}
