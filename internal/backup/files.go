package backup

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// partialMark is in the name of a directory being written, beside its
// target: `.NAME.partial-RANDOM`. A backup or restore killed half-way
// leaves one, which nothing accepts and the operator may delete.
const partialMark = ".partial-"

// IsPartial reports whether dir is an unfinished backup or restore.
func IsPartial(dir string) bool {
	base := filepath.Base(filepath.Clean(dir))
	return strings.HasPrefix(base, ".") && strings.Contains(base, partialMark)
}

// checkTarget accepts a directory that does not exist or is empty.
func checkTarget(dir string) error {
	if strings.TrimSpace(dir) == "" {
		return errors.New("no target directory given")
	}
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%s exists and is not a directory", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("%s is not empty: give a new or empty directory", dir)
	}
	return nil
}

// startPartial makes the temporary directory beside target.
func startPartial(target string) (string, error) {
	target = filepath.Clean(target)
	parent := filepath.Dir(target)
	if err := os.MkdirAll(parent, 0o750); err != nil {
		return "", err
	}
	return os.MkdirTemp(parent, "."+filepath.Base(target)+partialMark)
}

// commit makes the temporary directory the target: every directory in
// it is flushed, then it is renamed (the empty target removed first) and
// the parent flushed, so the target appears whole or not at
// all, even across a power cut.
func commit(tmp, target string) error {
	err := filepath.WalkDir(tmp, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		return syncDir(p)
	})
	if err != nil {
		return err
	}
	// os.Rename refuses an existing directory, even empty: an empty
	// target is removed first (one that filled meanwhile is not).
	if err := os.Remove(target); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", target, err)
	}
	if err := os.Rename(tmp, filepath.Clean(target)); err != nil {
		return fmt.Errorf("rename %s to %s: %w", tmp, target, err)
	}
	return syncDir(filepath.Dir(filepath.Clean(target)))
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// copyFile copies src to dst (which must not exist), creating dst's
// directory with dirMode, flushes it, and returns its size and SHA-256.
func copyFile(src, dst string, mode, dirMode fs.FileMode) (int64, string, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, "", err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), dirMode); err != nil {
		return 0, "", err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return 0, "", err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, "", fmt.Errorf("copy %s: %w", src, err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}
