// Package backup copies an instance on SQLite while it serves and
// restores the copy (`sejour backup`, `sejour restore`): a consistent
// snapshot of the database, then the blobs, the journal of attempted
// filings and, unless told otherwise, the key-encryption key of the data
// directory, with a manifest of every file's SHA-256 and size. A backup
// is written under a temporary name and renamed when whole, so a backup
// killed half-way never looks complete; a restore checks every hash
// before the target directory appears. The order of the copies, and why
// it loses nothing acknowledged, is in docs/operations.md ("Backups").
package backup

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// The names inside a backup, as inside a data directory (package config).
const (
	ManifestName = "manifest.json"
	DatabaseName = "sejour.db"
	KEKName      = "key-encryption-key"
	JournalName  = "attempts/attempts.journal"
	blobsPrefix  = "files/blobs/"
	format       = "sejour-backup"
	formatV1     = 1
)

// What a backup says of the key-encryption key.
const (
	KeyIncluded = "included" // the key file of the data directory is in the backup
	KeyLeftOut  = "left_out" // it was there, and left out on purpose
	KeyExternal = "external" // the instance takes its key from the environment
	KeyNone     = "none"     // the instance has made no key yet
)

// Manifest describes a backup: what made it, when, the schema of its
// database, and every file with its size and SHA-256.
type Manifest struct {
	Format    string    `json:"format"`
	Version   int       `json:"version"`
	Sejour    string    `json:"sejour"`
	Schema    int       `json:"schema"`
	CreatedAt time.Time `json:"created_at"`
	Key       string    `json:"key_encryption_key"`
	Blobs     int       `json:"blobs"`
	Files     []File    `json:"files"`
}

// File is one file of a backup, by its path inside it (slashes).
type File struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Size is the sum of the files' sizes.
func (m *Manifest) Size() int64 {
	var n int64
	for _, f := range m.Files {
		n += f.Size
	}
	return n
}

// readManifest reads and checks the manifest of dir: its format, and
// that every path is one a backup holds, so that no entry reaches
// outside the directories a restore writes.
func readManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s has no %s: not a finished backup", dir, ManifestName)
	} else if err != nil {
		return nil, err
	}
	var m Manifest
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %s does not parse: %w", dir, ManifestName, err)
	}
	if m.Format != format || m.Version != formatV1 {
		return nil, fmt.Errorf("%s: %s is format %q version %d; this sejour reads %q version %d", dir, ManifestName, m.Format, m.Version, format, formatV1)
	}
	seen := map[string]bool{}
	db := false
	for _, f := range m.Files {
		if err := checkEntry(f); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", dir, ManifestName, err)
		}
		if seen[f.Path] {
			return nil, fmt.Errorf("%s: %s lists %s twice", dir, ManifestName, f.Path)
		}
		seen[f.Path] = true
		db = db || f.Path == DatabaseName
	}
	if !db {
		return nil, fmt.Errorf("%s: %s lists no %s", dir, ManifestName, DatabaseName)
	}
	return &m, nil
}

// checkEntry accepts only the paths a backup writes, with a well-formed
// hash; a blob's path must be its own hash.
func checkEntry(f File) error {
	if !validSum(f.SHA256) || f.Size < 0 {
		return fmt.Errorf("%q: bad hash or size", f.Path)
	}
	switch f.Path {
	case DatabaseName, KEKName, JournalName:
		return nil
	}
	sum, ok := strings.CutPrefix(f.Path, blobsPrefix)
	if ok && len(sum) == 2+1+2+1+64 && path.Clean(f.Path) == f.Path {
		name := path.Base(sum)
		if validSum(name) && sum == blobPath(name) && name == f.SHA256 {
			return nil
		}
	}
	return fmt.Errorf("%q is not a file a backup holds", f.Path)
}

// blobPath is where a blob lives under files/blobs, as package blob
// lays it out.
func blobPath(sum string) string { return sum[0:2] + "/" + sum[2:4] + "/" + sum }

// validSum reports whether s is 64 lowercase hexadecimal digits.
func validSum(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}

// writeManifest writes the manifest into dir and flushes it.
func writeManifest(dir string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, ManifestName), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// hashFile returns the size and SHA-256 of a file.
func hashFile(p string) (int64, string, error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}
