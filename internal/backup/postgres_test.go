package backup_test

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// TestPgDumpRestoresAuditChain runs the procedure docs/operations.md gives
// small sites on PostgreSQL: pg_dump of the instance's schema while the
// audit trail is being written, pg_restore into a fresh database, and
// the audit verification there. The chain verifies, with at least the
// entries committed before the dump began, and the schema is whole.
func TestPgDumpRestoresAuditChain(t *testing.T) {
	ctx := context.Background()
	db := storetest.Postgres(t, clock.System{})
	dump, restore := tool(t, "pg_dump"), tool(t, "pg_restore")
	record := func() error {
		return db.RecordAudit(audit.With(ctx, audit.Entry{ActorAccountID: 1, Action: "case.view", PrefectureID: 1}))
	}
	for range 30 {
		if err := record(); err != nil {
			t.Fatal(err)
		}
	}
	before, err := db.Audit().VerifyAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(db.PostgresURL())
	if err != nil {
		t.Fatal(err)
	}
	schema := u.Query().Get("search_path")
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	server := u.String()

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
	file := filepath.Join(t.TempDir(), "sejour.dump")
	out, err := exec.Command(dump, "-Fc", "-n", schema, "-f", file, server).CombinedOutput()
	stop.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}

	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	fresh := schema + "_restored"
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+fresh); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP DATABASE " + fresh + " WITH (FORCE)") })
	u.Path = "/" + fresh
	if out, err := exec.Command(restore, "--no-owner", "-d", u.String(), file).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, out)
	}
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	restored, err := store.Open(ctx, u.String(), "", clock.System{})
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	rep, err := restored.Audit().VerifyAudit(ctx)
	if err != nil || rep.Break != nil {
		t.Fatalf("restored audit trail: %+v, %v", rep, err)
	}
	if rep.Count < before.Count {
		t.Errorf("restored trail has %d entries, %d were committed before the dump", rep.Count, before.Count)
	}
	if n, err := restored.PendingMigrations(ctx); err != nil || n != 0 {
		t.Errorf("restored schema: %d migrations pending (%v)", n, err)
	}
	t.Logf("pg_dump while writing, pg_restore into %s: audit trail OK with %d entries (%d before the dump)", fresh, rep.Count, before.Count)
}

// tool finds a PostgreSQL client program: missing, it fails in CI and
// skips elsewhere.
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed (Debian: postgresql-client)", name)
		}
		t.Skipf("%s is not installed (Debian: postgresql-client): skipped outside CI", name)
	}
	return p
}
