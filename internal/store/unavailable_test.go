package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
)

// TestIsUnavailable: the failures of a database that cannot serve now are
// told apart from our own faults and from the caller's.
func TestIsUnavailable(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"not found", permit.Errorf(permit.ENOTFOUND, "error.not_found"), false},
		{"conflict", permit.Errorf(permit.ECONFLICT, "error.conflict"), false},
		{"a bug", errors.New("scan: converting NULL to int64 is unsupported"), false},
		{"no rows", sql.ErrNoRows, false},
		{"cancelled by the caller", context.Canceled, false},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"timeout", fmt.Errorf("query: %w", context.DeadlineExceeded), true},
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, true},
		{"reset", fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"disk full", fmt.Errorf("write: %w", syscall.ENOSPC), true},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"pg disk full", &pgconn.PgError{Code: "53100"}, true},
		{"replica", &pgconn.PgError{Code: "25006"}, true},
		{"connection exception", &pgconn.PgError{Code: "08006"}, true},
		{"bad conn", fmt.Errorf("begin: %w", sql.ErrConnDone), true},
		{"already unavailable", permit.Errorf(permit.EUNAVAILABLE, "error.unavailable"), true},
	} {
		if got := store.IsUnavailable(c.err); got != c.want {
			t.Errorf("%s: IsUnavailable(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}

// TestUnavailableFromDrivers: real failures of both drivers come out of
// the store as permit.EUNAVAILABLE: PostgreSQL refusing connections, and
// SQLite asked to write a file it may only read.
func TestUnavailableFromDrivers(t *testing.T) {
	ctx := context.Background()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	_, err = store.Open(ctx, fmt.Sprintf("postgres://postgres@127.0.0.1:%d/none?sslmode=disable&connect_timeout=2", port), "", clock.System{})
	if err == nil || !store.IsUnavailable(err) {
		t.Errorf("PostgreSQL refusing: %v is not unavailable", err)
	}

	path := filepath.Join(t.TempDir(), "ro.db")
	db, err := store.Open(ctx, "", path, clock.NewFixed(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.PingWrite(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().ExecContext(ctx, "PRAGMA query_only = 1"); err != nil {
		t.Fatal(err)
	}
	err = db.Files().CreatePrefecture(ctx, &permit.Prefecture{Code: "75", Name: "Paris", Departments: []string{"75"}})
	if permit.ErrorCode(err) != permit.EUNAVAILABLE {
		t.Errorf("SQLite read-only: %v (code %s)", err, permit.ErrorCode(err))
	}
	db.Close()
}
