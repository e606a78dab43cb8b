// Package storetest opens fresh, migrated databases for tests: always an
// SQLite file in a temporary directory, and a PostgreSQL schema of its own
// whenever SEJOUR_TEST_DATABASE_URL is set. Every suite that touches the
// database runs through Each, so it runs on both.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"github.com/sejour/sejour/internal/rules"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/store"
)

// Start is the fixed time test clocks start at.
var Start = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// Each runs fn once per available database, as subtests named "sqlite"
// and "postgres", each with a fresh migrated database and its own clock.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB, clk *clock.Fixed)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		clk := clock.NewFixed(Start)
		fn(t, SQLite(t, clk), clk)
	})
	t.Run("postgres", func(t *testing.T) {
		clk := clock.NewFixed(Start)
		fn(t, Postgres(t, clk), clk)
	})
}

// EachPair is Each with two connections to one database, as two
// instances of the portal have: on SQLite two handles on one file (each
// with its own writer), on PostgreSQL two pools on one schema.
func EachPair(t *testing.T, fn func(t *testing.T, a, b *store.DB, clk *clock.Fixed)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		clk := clock.NewFixed(Start)
		path := filepath.Join(t.TempDir(), "sejour.db")
		fn(t, sqliteAt(t, path, clk), sqliteAt(t, path, clk), clk)
	})
	t.Run("postgres", func(t *testing.T) {
		clk := clock.NewFixed(Start)
		a := Postgres(t, clk)
		b, err := store.Open(context.Background(), a.PostgresURL(), "", clk)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		b.SetDelays(rules.MustLoad().Delays())
		fn(t, a, b, clk)
	})
}

// SQLite opens a migrated SQLite database in a temporary directory.
func SQLite(t testing.TB, clk clock.Clock) *store.DB {
	t.Helper()
	return sqliteAt(t, filepath.Join(t.TempDir(), "sejour.db"), clk)
}

func sqliteAt(t testing.TB, path string, clk clock.Clock) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), "", path, clk)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetDelays(rules.MustLoad().Delays())
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// PostgresURL returns the server tests may use, or skips the test when
// there is none. Set SEJOUR_REQUIRE_POSTGRES=1 (as CI does) to make a
// missing server a failure instead.
func PostgresURL(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("SEJOUR_TEST_DATABASE_URL")
	if dsn == "" {
		if os.Getenv("SEJOUR_REQUIRE_POSTGRES") != "" {
			t.Fatal("SEJOUR_REQUIRE_POSTGRES is set but SEJOUR_TEST_DATABASE_URL is empty")
		}
		t.Skip("PostgreSQL suite skipped: set SEJOUR_TEST_DATABASE_URL=postgres://... to run it")
	}
	return dsn
}

// Postgres opens a migrated database in a new schema of the server named by
// SEJOUR_TEST_DATABASE_URL, dropped when the test ends.
func Postgres(t testing.TB, clk clock.Clock) *store.DB {
	t.Helper()
	dsn := PostgresURL(t)
	schema := "sejour_test_" + randomHex(6)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("PostgreSQL at SEJOUR_TEST_DATABASE_URL is not usable: %v", err)
	}
	t.Cleanup(func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE") })
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := store.Open(context.Background(), u.String(), "", clk)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetDelays(rules.MustLoad().Delays())
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
