package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"modernc.org/sqlite"
)

// Backups takes consistent copies of the SQLite database while the
// server runs (`sejour backup`, package backup). PostgreSQL has its own
// tools (docs/operations.md, "Backups").
type Backups struct{ *DB }

// ErrNotSQLite is Snapshot's answer on PostgreSQL.
var ErrNotSQLite = errors.New("the database is PostgreSQL: back it up with pg_basebackup and WAL archiving, or pg_dump (docs/operations.md, \"Backups\")")

// backuper is what the SQLite driver's connection offers: SQLite's online
// backup API.
type backuper interface {
	NewBackup(dstURI string) (*sqlite.Backup, error)
}

// Snapshot writes a consistent copy of the whole SQLite database to path,
// which must not exist, with SQLite's online backup API copying every page
// in one step: one read transaction, so the copy holds exactly what was
// committed when it began, while the server goes on writing (WAL readers
// do not block the writer). The copy is then turned into a self-contained
// file (rollback journal, no -wal beside it), flushed to disk, and its
// schema version returned.
func (b Backups) Snapshot(ctx context.Context, path string) (int, error) {
	if b.dialect != SQLite {
		return 0, ErrNotSQLite
	}
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		return 0, fmt.Errorf("snapshot: %s already exists", path)
	}
	conn, err := b.read.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("snapshot: %w", err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		bk, ok := dc.(backuper)
		if !ok {
			return fmt.Errorf("the SQLite driver (%T) has no online backup", dc)
		}
		copier, err := bk.NewBackup(fileURI(path, ""))
		if err != nil {
			return err
		}
		if _, err := copier.Step(-1); err != nil {
			copier.Finish()
			return err
		}
		return copier.Finish()
	})
	if err != nil {
		return 0, fmt.Errorf("snapshot: online backup to %s: %w", path, err)
	}
	if err := settle(ctx, path); err != nil {
		return 0, fmt.Errorf("snapshot: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return 0, fmt.Errorf("snapshot: flush %s: %w", path, err)
	}
	return snapshotSchema(ctx, path)
}

// settle opens the copy on its own and gives it a rollback journal, so
// that it is one file that opens read-only anywhere; the server's pragma
// turns it back to WAL when a restored instance opens it.
func settle(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", fileURI(path, "_pragma=synchronous(FULL)"))
	if err != nil {
		return err
	}
	defer db.Close()
	var mode string
	if err := db.QueryRowContext(ctx, `PRAGMA journal_mode=DELETE`).Scan(&mode); err != nil {
		return fmt.Errorf("%s: journal mode: %w", path, err)
	}
	if mode != "delete" {
		return fmt.Errorf("%s: journal mode stayed %q", path, mode)
	}
	return db.Close()
}

// openSnapshot opens a snapshot read-only without touching it: no lock,
// no -wal nor -shm file made beside it (immutable).
func openSnapshot(path string) (*sql.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	return sql.Open("sqlite", fileURI(path, "mode=ro&immutable=1"))
}

// fileURI names a file as an SQLite URI, its path escaped, so that a
// directory named with a space, '?' or '#' is still that directory.
func fileURI(path, query string) string {
	u := url.URL{Scheme: "file", OmitHost: true, Path: path, RawQuery: query}
	return u.String()
}

func snapshotSchema(ctx context.Context, path string) (int, error) {
	db, err := openSnapshot(path)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var v int
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("%s: not a sejour database: %w", path, err)
	}
	return v, nil
}

// CheckSnapshot runs SQLite's integrity check on a snapshot (the copy in
// a backup) without changing it, and returns its schema version.
func CheckSnapshot(ctx context.Context, path string) (int, error) {
	db, err := openSnapshot(path)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return 0, fmt.Errorf("%s: integrity check: %w", path, err)
	}
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return 0, err
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("%s: integrity check: %w", path, err)
	}
	if len(problems) > 0 {
		return 0, fmt.Errorf("%s: damaged database: %s", path, strings.Join(problems[:min(len(problems), 5)], "; "))
	}
	return snapshotSchema(ctx, path)
}

// blobColumns are the columns holding the SHA-256 of a blob (package
// blob): a backup must hold every blob they name. A test compares the
// list with the schema.
var blobColumns = []struct{ table, column string }{
	{"documents", "blob_sum"},
	{"corrections", "evidence_sha256"},
	{"reports", "screenshot_sum"},
	{"attestations", "pdf_sum"},
}

// SnapshotBlobs returns the distinct blobs a snapshot refers to.
func SnapshotBlobs(ctx context.Context, path string) ([]string, error) {
	db, err := openSnapshot(path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var parts []string
	for _, c := range blobColumns {
		parts = append(parts, fmt.Sprintf(`SELECT %s FROM %s WHERE %s <> ''`, c.column, c.table, c.column))
	}
	rows, err := db.QueryContext(ctx, strings.Join(parts, " UNION "))
	if err != nil {
		return nil, fmt.Errorf("%s: blobs referred to: %w", path, err)
	}
	defer rows.Close()
	var sums []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		sums = append(sums, s)
	}
	return sums, rows.Err()
}

// LatestSchema is the newest schema version this build knows on SQLite:
// a restore refuses a backup of a newer one.
func LatestSchema() (int, error) {
	ms, err := loadMigrations(SQLite)
	if err != nil {
		return 0, err
	}
	if len(ms) == 0 {
		return 0, nil
	}
	return ms[len(ms)-1].version, nil
}
