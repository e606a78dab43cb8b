package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// TestSnapshotWhileWriting takes a snapshot while another goroutine keeps
// appending to the audit trail: the copy opens on its own, passes the
// integrity check, holds at least every entry committed before it began,
// its chain verifies, and nothing else is left beside it.
func TestSnapshotWhileWriting(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t, clock.System{})
	record := func() error {
		return db.RecordAudit(audit.With(ctx, audit.Entry{ActorAccountID: 1, Action: "case.view", PrefectureID: 1}))
	}
	for range 50 {
		if err := record(); err != nil {
			t.Fatal(err)
		}
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Go(func() {
		for !stop.Load() {
			if err := record(); err != nil {
				t.Error(err)
				return
			}
		}
	})
	before, err := db.Audit().VerifyAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "a dir?#1 %20")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "copy.db")
	schema, err := (store.Backups{DB: db}).Snapshot(ctx, path)
	stop.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	latest, _ := store.LatestSchema()
	if schema != latest || latest == 0 {
		t.Errorf("snapshot schema %d, latest %d", schema, latest)
	}
	if v, err := store.CheckSnapshot(ctx, path); err != nil || v != schema {
		t.Fatalf("check: %d, %v", v, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("beside the snapshot: %v, want the file alone (no -wal, no -shm)", entries)
	}
	// store.Open takes a plain path (its pragmas follow a '?'): the copy
	// is moved to one to be opened as a data directory's.
	plain := filepath.Join(t.TempDir(), "sejour.db")
	if err := os.Rename(path, plain); err != nil {
		t.Fatal(err)
	}
	copyDB, err := store.Open(ctx, "", plain, clock.System{})
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	rep, err := copyDB.Audit().VerifyAudit(ctx)
	if err != nil || rep.Break != nil {
		t.Fatalf("copy's chain: %+v, %v", rep, err)
	}
	if rep.Count < before.Count {
		t.Errorf("copy has %d entries, %d were committed before the snapshot", rep.Count, before.Count)
	}
	if _, err := (store.Backups{DB: db}).Snapshot(ctx, plain); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("snapshot over an existing file: %v", err)
	}
}

// TestSnapshotRefusesPostgres: PostgreSQL is backed up with its own
// tools.
func TestSnapshotRefusesPostgres(t *testing.T) {
	db := storetest.Postgres(t, clock.System{})
	if _, err := (store.Backups{DB: db}).Snapshot(context.Background(), filepath.Join(t.TempDir(), "x.db")); !errors.Is(err, store.ErrNotSQLite) {
		t.Errorf("snapshot on PostgreSQL: %v", err)
	}
}

// TestCheckSnapshotFindsDamage: a snapshot with a page overwritten fails
// the check; a file that is no database too.
func TestCheckSnapshotFindsDamage(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t, clock.System{})
	path := filepath.Join(t.TempDir(), "copy.db")
	if _, err := (store.Backups{DB: db}).Snapshot(ctx, path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 4096 * 3; i < 4096*5 && i < len(b); i++ {
		b[i] = 0xA5
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := store.CheckSnapshot(ctx, path); err == nil {
		t.Error("a damaged snapshot passed the check")
	}
	junk := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(junk, []byte("not a database at all, but long enough to be read as one maybe"), 0o600)
	if _, err := store.CheckSnapshot(ctx, junk); err == nil {
		t.Error("a file that is no database passed the check")
	}
}

// TestBlobColumnsAreEveryBlobColumn compares the columns a backup reads
// blob sums from with the schema: a new column holding a sum must be
// added to the list, or backups would not check its blobs.
func TestBlobColumnsAreEveryBlobColumn(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t, clock.System{})
	listed := map[string]bool{}
	for _, c := range store.BlobColumns() {
		listed[c.Table+"."+c.Column] = true
	}
	rows, err := db.SQL().QueryContext(ctx, `SELECT m.name, p.name FROM sqlite_schema m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND (p.name LIKE '%\_sum' ESCAPE '\' OR p.name LIKE '%sha256%')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	found := 0
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			t.Fatal(err)
		}
		found++
		if !listed[table+"."+column] {
			t.Errorf("%s.%s looks like a blob's sum and is not in blobColumns (store/backup.go)", table, column)
		}
		delete(listed, table+"."+column)
	}
	for c := range listed {
		t.Errorf("blobColumns names %s, which the schema lacks", c)
	}
	if found == 0 {
		t.Error("no blob column found in the schema")
	}
	path := filepath.Join(t.TempDir(), "copy.db")
	if _, err := (store.Backups{DB: db}).Snapshot(ctx, path); err != nil {
		t.Fatal(err)
	}
	if sums, err := store.SnapshotBlobs(ctx, path); err != nil || len(sums) != 0 {
		t.Errorf("blobs of an empty database: %v, %v", sums, err)
	}
}
