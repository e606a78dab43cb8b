package backup

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/sejour/sejour/internal/store"
)

// Verify checks a finished backup without changing it: its manifest,
// every file's size and SHA-256, and the database's integrity.
func Verify(ctx context.Context, dir string) (*Manifest, error) {
	m, err := open(dir)
	if err != nil {
		return nil, err
	}
	var bad []string
	for _, f := range m.Files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		size, sum, err := hashFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil {
			bad = append(bad, err.Error())
		} else if size != f.Size || sum != f.SHA256 {
			bad = append(bad, fmt.Sprintf("%s: %d bytes with SHA-256 %s, the manifest says %d bytes with %s", f.Path, size, sum, f.Size, f.SHA256))
		}
	}
	if err := mismatch(dir, bad); err != nil {
		return nil, err
	}
	if err := checkDatabase(ctx, filepath.Join(dir, DatabaseName), m); err != nil {
		return nil, err
	}
	return m, nil
}

// Restore copies the backup in from to to, a data directory that must
// not exist or be empty, checking every file against the manifest as it
// copies and the database's integrity and schema, all before to appears
// (a temporary directory beside it, renamed at the end). The layout is a
// data directory's: sejour.db, files/blobs, attempts/, and the key file
// when the backup holds it.
func Restore(ctx context.Context, from, to string) (_ *Manifest, err error) {
	m, err := open(from)
	if err != nil {
		return nil, err
	}
	if err := checkTarget(to); err != nil {
		return nil, err
	}
	tmp, err := startPartial(to)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o750); err != nil {
		return nil, err
	}
	var bad []string
	for _, f := range m.Files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		mode := fs.FileMode(0o600)
		if strings.HasPrefix(f.Path, blobsPrefix) {
			mode = 0o640 // as package blob writes them
		}
		size, sum, err := copyFile(filepath.Join(from, filepath.FromSlash(f.Path)), filepath.Join(tmp, filepath.FromSlash(f.Path)), mode, 0o750)
		if err != nil {
			bad = append(bad, err.Error())
		} else if size != f.Size || sum != f.SHA256 {
			bad = append(bad, fmt.Sprintf("%s: %d bytes with SHA-256 %s, the manifest says %d bytes with %s", f.Path, size, sum, f.Size, f.SHA256))
		}
	}
	if err := mismatch(from, bad); err != nil {
		return nil, err
	}
	if err := checkDatabase(ctx, filepath.Join(tmp, DatabaseName), m); err != nil {
		return nil, err
	}
	if err := commit(tmp, to); err != nil {
		return nil, err
	}
	return m, nil
}

// open reads the manifest of a finished backup.
func open(dir string) (*Manifest, error) {
	if IsPartial(dir) {
		return nil, fmt.Errorf("%s is an unfinished backup (its process stopped before the end): use a finished one", dir)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	return readManifest(dir)
}

// mismatch turns the files that do not match the manifest into one error.
func mismatch(dir string, bad []string) error {
	if len(bad) == 0 {
		return nil
	}
	more := ""
	if len(bad) > 5 {
		more = fmt.Sprintf(" (and %d more)", len(bad)-5)
		bad = bad[:5]
	}
	return fmt.Errorf("the backup in %s does not match its manifest: %s%s", dir, strings.Join(bad, "; "), more)
}

// checkDatabase runs the integrity check and compares the schema with the
// manifest's and with what this build knows.
func checkDatabase(ctx context.Context, path string, m *Manifest) error {
	schema, err := store.CheckSnapshot(ctx, path)
	if err != nil {
		return err
	}
	if schema != m.Schema {
		return fmt.Errorf("the database is at schema %d, the manifest says %d", schema, m.Schema)
	}
	latest, err := store.LatestSchema()
	if err != nil {
		return err
	}
	if schema > latest {
		return fmt.Errorf("the backup's database is at schema %d, newer than this sejour knows (%d): restore it with the version that made it (%s)", schema, latest, m.Sejour)
	}
	return nil
}
