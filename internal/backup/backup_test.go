package backup_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/backup"
	"github.com/sejour/sejour/internal/blob"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// instance is a data directory with a migrated database, two blobs (one
// named by a document row) and a key file.
type instance struct {
	dir   string
	db    *store.DB
	blobs *blob.Dir
	doc   string // the sum the document row names
}

func newInstance(t *testing.T) *instance {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, "", filepath.Join(dir, "sejour.db"), clock.System{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	blobs, err := blob.New(filepath.Join(dir, "files"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := blobs.Put(ctx, []byte("a passport scan"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := blobs.Put(ctx, []byte("an upload whose row is not committed yet")); err != nil {
		t.Fatal(err)
	}
	in := &instance{dir: dir, db: db, blobs: blobs, doc: doc}
	in.refer(t, doc)
	if err := os.WriteFile(filepath.Join(dir, "key-encryption-key"), []byte("a2V5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return in
}

// refer adds a document row naming sum (its application is not there:
// the foreign keys are off for this connection).
func (in *instance) refer(t *testing.T, sum string) {
	t.Helper()
	for _, q := range []string{`PRAGMA foreign_keys = OFF`,
		`INSERT INTO documents (application_id, slot, blob_sum, filename, kind, size, uploaded_at) VALUES (999, 'passport', '` + sum + `', 'p.pdf', 'pdf', 1, CURRENT_TIMESTAMP)`} {
		if _, err := in.db.SQL().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

func (in *instance) options(key bool) backup.Options {
	o := backup.Options{Source: store.Backups{DB: in.db}, BlobDir: filepath.Join(in.dir, "files"),
		Journal: filepath.Join(in.dir, "attempts", "attempts.journal"), Sejour: "test", Now: time.Now(), Key: backup.KeyLeftOut}
	if key {
		o.KEKFile = filepath.Join(in.dir, "key-encryption-key")
	}
	return o
}

// TestBackupVerifyRestore: a backup lists every file with its hash,
// verifies, restores into a data directory with the same content, and
// refuses a target that is not empty.
func TestBackupVerifyRestore(t *testing.T) {
	ctx := context.Background()
	in := newInstance(t)
	target := filepath.Join(t.TempDir(), "b")
	m, err := backup.Create(ctx, target, in.options(true))
	if err != nil {
		t.Fatal(err)
	}
	if m.Blobs != 2 || m.Key != backup.KeyIncluded || m.Schema == 0 || len(m.Files) != 4 {
		t.Errorf("manifest: %+v", m)
	}
	if _, err := backup.Verify(ctx, target); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Create(ctx, target, in.options(true)); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("backup into a full directory: %v", err)
	}
	to := filepath.Join(t.TempDir(), "data")
	if _, err := backup.Restore(ctx, target, to); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(to, "files", "blobs", in.doc[0:2], in.doc[2:4], in.doc))
	if err != nil || string(got) != "a passport scan" {
		t.Errorf("restored blob: %q, %v", got, err)
	}
	if key, err := os.ReadFile(filepath.Join(to, "key-encryption-key")); err != nil || string(key) != "a2V5\n" {
		t.Errorf("restored key: %q, %v", key, err)
	}
	if _, err := backup.Restore(ctx, target, to); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("restore into a full directory: %v", err)
	}
	empty := t.TempDir()
	if _, err := backup.Restore(ctx, target, empty); err != nil {
		t.Errorf("restore into an empty directory: %v", err)
	}
}

// TestBackupWithoutKey leaves the key file out and says so.
func TestBackupWithoutKey(t *testing.T) {
	in := newInstance(t)
	target := filepath.Join(t.TempDir(), "b")
	m, err := backup.Create(context.Background(), target, in.options(false))
	if err != nil {
		t.Fatal(err)
	}
	if m.Key != backup.KeyLeftOut {
		t.Errorf("key: %s", m.Key)
	}
	if _, err := os.Stat(filepath.Join(target, backup.KEKName)); !os.IsNotExist(err) {
		t.Errorf("the key file is in a backup made without it: %v", err)
	}
}

// TestBackupRefusesWhatIsMissingOrDamaged: a blob the database names but
// the directory lacks, or a blob whose content no longer matches its
// name, stops the backup with the blob named, and nothing is left.
func TestBackupRefusesWhatIsMissingOrDamaged(t *testing.T) {
	ctx := context.Background()
	in := newInstance(t)
	in.refer(t, strings.Repeat("ab", 32))
	parent := t.TempDir()
	if _, err := backup.Create(ctx, filepath.Join(parent, "b"), in.options(true)); err == nil || !strings.Contains(err.Error(), "lacks") {
		t.Errorf("a missing blob: %v", err)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Errorf("a failed backup left %v", entries)
	}
	in = newInstance(t)
	p := filepath.Join(in.dir, "files", "blobs", in.doc[0:2], in.doc[2:4], in.doc)
	if err := os.WriteFile(p, []byte("bit rot"), 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Create(ctx, filepath.Join(parent, "b"), in.options(true)); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("a damaged blob: %v", err)
	}
}

// TestRestoreRefusesBadBackups: a file changed, a file gone, a manifest
// reaching outside, a manifest of another format, an unfinished backup:
// each is refused with a reason, and the target is not made.
func TestRestoreRefusesBadBackups(t *testing.T) {
	ctx := context.Background()
	in := newInstance(t)
	good := filepath.Join(t.TempDir(), "b")
	if _, err := backup.Create(ctx, good, in.options(true)); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		spoil func(dir string)
		want  string
	}{
		{"changed blob", func(dir string) {
			os.WriteFile(filepath.Join(dir, "files", "blobs", in.doc[0:2], in.doc[2:4], in.doc), []byte("another scan"), 0o600)
		}, "does not match its manifest"},
		{"missing database", func(dir string) { os.Remove(filepath.Join(dir, backup.DatabaseName)) }, "does not match its manifest"},
		{"no manifest", func(dir string) { os.Remove(filepath.Join(dir, backup.ManifestName)) }, "not a finished backup"},
		{"path outside", func(dir string) {
			editManifest(t, dir, func(m *backup.Manifest) { m.Files[0].Path = "../../etc/passwd" })
		}, "not a file a backup holds"},
		{"other format", func(dir string) { editManifest(t, dir, func(m *backup.Manifest) { m.Version = 7 }) }, "version 7"},
		{"schema", func(dir string) { editManifest(t, dir, func(m *backup.Manifest) { m.Schema++ }) }, "the manifest says"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "b")
			if err := os.CopyFS(dir, os.DirFS(good)); err != nil {
				t.Fatal(err)
			}
			c.spoil(dir)
			to := filepath.Join(t.TempDir(), "data")
			if _, err := backup.Verify(ctx, dir); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("verify: %v, want %q", err, c.want)
			}
			if _, err := backup.Restore(ctx, dir, to); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("restore: %v, want %q", err, c.want)
			}
			if _, err := os.Stat(to); !os.IsNotExist(err) {
				t.Errorf("a refused restore made its target: %v", err)
			}
			if entries, _ := os.ReadDir(filepath.Dir(to)); len(entries) != 0 {
				t.Errorf("a refused restore left %v", entries)
			}
		})
	}
	partial := filepath.Join(t.TempDir(), ".b.partial-123")
	if err := os.CopyFS(partial, os.DirFS(good)); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Restore(ctx, partial, filepath.Join(t.TempDir(), "data")); err == nil || !strings.Contains(err.Error(), "unfinished") {
		t.Errorf("restore of an unfinished backup: %v", err)
	}
}

// editManifest rewrites a backup's manifest.
func editManifest(t *testing.T, dir string, edit func(*backup.Manifest)) {
	t.Helper()
	p := filepath.Join(dir, backup.ManifestName)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var m backup.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	edit(&m)
	if b, err = json.Marshal(&m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestBackupRefusesPostgres: on PostgreSQL the backup stops at once.
func TestBackupRefusesPostgres(t *testing.T) {
	db := storetest.Postgres(t, clock.System{})
	_, err := backup.Create(context.Background(), filepath.Join(t.TempDir(), "b"), backup.Options{Source: store.Backups{DB: db}})
	if err == nil || !strings.Contains(err.Error(), "pg_basebackup") {
		t.Errorf("backup on PostgreSQL: %v", err)
	}
}
