package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/sejour/sejour/internal/permit"
)

// Permissions of what Dir creates: the server's group may read blobs (for
// backups), nobody else may list or read them.
const (
	fileMode fs.FileMode = 0o640
	dirMode  fs.FileMode = 0o750
)

// Dir is a Store on the local file system. A blob lives at
// <root>/blobs/ab/cd/<sum>, where ab and cd are the first two pairs of hex
// digits of its sum, so that no directory grows past 65,536 entries
// before it holds millions of files. Dir is safe for concurrent use, also
// by several processes sharing the directory.
type Dir struct {
	dir string // <root>/blobs
}

var _ Store = (*Dir)(nil)

// New returns a Dir keeping its blobs under root/blobs, which it creates
// if needed.
func New(root string) (*Dir, error) {
	dir := filepath.Join(root, "blobs")
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return nil, fmt.Errorf("blob: create store: %w", err)
	}
	return &Dir{dir: dir}, nil
}

// path returns where the blob with a valid sum lives.
func (d *Dir) path(sum string) string {
	return filepath.Join(d.dir, sum[0:2], sum[2:4], sum)
}

// Put stores data durably: it writes a temporary file beside the final
// one, flushes it to disk, renames it into place and flushes the
// directories, so that an acknowledged upload survives a crash and a
// reader never sees half a file. Identical content is written once;
// concurrent puts of the same content are safe, since a rename replaces a
// file with the same bytes.
func (d *Dir) Put(ctx context.Context, data []byte) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	sum := Sum(data)
	if err := d.put(sum, data); err != nil {
		return "", fmt.Errorf("blob: put %s: %w", sum, classify(err))
	}
	return sum, nil
}

func (d *Dir) put(sum string, data []byte) error {
	path := d.path(sum)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if err := d.mkdirs(sum); err != nil {
			return err
		}
		if err := writeFile(path, data); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	// The name must reach the disk too, and so must the two fan-out
	// directories. This is done even when the file was already there:
	// another Put may have renamed it, or created a directory, and not
	// have flushed it yet; flushing a clean directory costs little.
	for _, dir := range []string{filepath.Dir(path), filepath.Dir(filepath.Dir(path)), d.dir} {
		if err := syncDir(dir); err != nil {
			return err
		}
	}
	return nil
}

// mkdirs creates the two fan-out directories of sum, with dirMode whatever
// the umask.
func (d *Dir) mkdirs(sum string) error {
	for _, dir := range []string{filepath.Join(d.dir, sum[0:2]), filepath.Join(d.dir, sum[0:2], sum[2:4])} {
		err := os.Mkdir(dir, dirMode)
		if errors.Is(err, fs.ErrExist) {
			continue
		} else if err != nil {
			return err
		}
		if err := os.Chmod(dir, dirMode); err != nil {
			return err
		}
	}
	return nil
}

// writeFile writes data to a temporary file in path's directory, flushes
// it and renames it to path. The temporary file is removed on failure.
func writeFile(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(fileMode); err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// syncDir flushes a directory's entries to disk.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// Open returns the content of a blob; the caller closes it.
func (d *Dir) Open(ctx context.Context, sum string) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !validSum(sum) {
		return nil, notFound()
	}
	f, err := os.Open(d.path(sum))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, notFound()
	} else if err != nil {
		return nil, fmt.Errorf("blob: open %s: %w", sum, err)
	}
	return f, nil
}

// Stat returns the size of a blob in bytes.
func (d *Dir) Stat(ctx context.Context, sum string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if !validSum(sum) {
		return 0, notFound()
	}
	fi, err := os.Stat(d.path(sum))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, notFound()
	} else if err != nil {
		return 0, fmt.Errorf("blob: stat %s: %w", sum, err)
	}
	return fi.Size(), nil
}

// notFound is the error for a blob that is absent or whose sum is
// malformed: the caller learns nothing more from a bad name.
func notFound() error {
	return permit.Errorf(permit.ENOTFOUND, "error.not_found")
}

// Probe writes, flushes and removes a small file where blobs are kept, so
// that a full disk or a read-only volume is seen before an upload fails
// (the health monitor's blob check). Put cannot serve for this: storing
// content already stored writes nothing.
func (d *Dir) Probe(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f, err := os.CreateTemp(d.dir, ".probe-*")
	if err != nil {
		return fmt.Errorf("blob: probe: %w", err)
	}
	name := f.Name()
	defer os.Remove(name)
	_, err = f.Write([]byte("sejour health probe\n"))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("blob: probe: %w", classify(err))
	}
	return nil
}

// classify marks the failures of the disk itself — full, over quota,
// read-only, failing — as permit.EUNAVAILABLE: the upload may succeed
// later, and the person is told so (a 503), not that we erred (a 500).
func classify(err error) error {
	for _, errno := range []error{syscall.ENOSPC, syscall.EDQUOT, syscall.EROFS, syscall.EIO} {
		if errors.Is(err, errno) {
			return fmt.Errorf("%w: %w", permit.Errorf(permit.EUNAVAILABLE, "error.unavailable"), err)
		}
	}
	return err
}

// Walk calls fn with the sum of every blob in the directory, in the
// order of their names; temporary files that a killed Put left are
// passed over.
func (d *Dir) Walk(ctx context.Context, fn func(sum string) error) error {
	return filepath.WalkDir(d.dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("blob: walk: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if e.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(d.dir, path)
		if err != nil {
			return err
		}
		if sum, ok := sumOfPath(rel, string(filepath.Separator)); ok {
			return fn(sum)
		}
		return nil
	})
}
