package store_test

import (
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// The store benchmarks compare sejour's methods with the same work done
// bare, on the same database file or schema, so that the ratio shows what
// sejour adds (transaction helpers, rebinding, error translation, extra
// queries) and the rest is the database's own ceiling: on SQLite with
// synchronous=FULL, the fsync of each commit. docs/performance.md keeps the
// figures. The PostgreSQL halves run when SEJOUR_TEST_DATABASE_URL is set.

// eachBenchDB runs fn as sub-benchmarks "sqlite" and "postgres", each on a
// fresh migrated database.
func eachBenchDB(b *testing.B, fn func(b *testing.B, db *store.DB, clk *clock.Fixed)) {
	b.Run("sqlite", func(b *testing.B) {
		clk := clock.NewFixed(storetest.Start)
		fn(b, storetest.SQLite(b, clk), clk)
	})
	b.Run("postgres", func(b *testing.B) {
		clk := clock.NewFixed(storetest.Start)
		fn(b, storetest.Postgres(b, clk), clk)
	})
}

// seq makes the e-mail addresses of the write benchmarks unique.
var seq int

func nextEmail() string {
	seq++
	return fmt.Sprintf("bench%d@example.org", seq)
}

// BenchmarkCreateAccount is one committed account: a single INSERT in a
// durable transaction, the like of BenchmarkBareSQLiteInsert and
// BenchmarkBarePgxInsert.
func BenchmarkCreateAccount(b *testing.B) {
	eachBenchDB(b, func(b *testing.B, db *store.DB, _ *clock.Fixed) {
		sqliteMustBeDurable(b, db)
		b.ReportAllocs()
		for b.Loop() {
			a := &permit.Account{Email: nextEmail(), Role: permit.RoleApplicant, Lang: "fr"}
			if err := db.Accounts().CreateAccount(ctx, a, "hash", nil, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCreateAccountWithMail is what a sign-up writes: the account, its
// confirmation token and the mail carrying the link, in one transaction.
func BenchmarkCreateAccountWithMail(b *testing.B) {
	eachBenchDB(b, func(b *testing.B, db *store.DB, clk *clock.Fixed) {
		sqliteMustBeDurable(b, db)
		b.ReportAllocs()
		for b.Loop() {
			if err := signUp(db, clk, nextEmail()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// signUp writes what a sign-up writes: the account, its confirmation
// token and the mail carrying the link, in one transaction.
func signUp(db *store.DB, clk *clock.Fixed, email string) error {
	_, tokHash := casework.NewSecret()
	a := &permit.Account{Email: email, Role: permit.RoleApplicant, Lang: "fr"}
	tok := &permit.Token{Hash: tokHash, Purpose: permit.TokenConfirmEmail, ExpiresAt: clk.Now().Add(48 * time.Hour)}
	m := &permit.Mail{To: email, Subject: "Confirmez votre adresse", Text: strings.Repeat("lien ", 80)}
	return db.Accounts().CreateAccount(ctx, a, "hash", tok, m)
}

// BenchmarkCreateAccountWithMailAtOnce is BenchmarkCreateAccountWithMail
// from 16 goroutines at once, as sign-ups arrive at a deadline: on SQLite
// the group commit (group.go) commits the writes waiting together with one
// flush, so it may pass the naive one-flush-per-commit ceiling of
// BenchmarkBareSQLiteInsert; PostgreSQL groups concurrent commits' flushes
// itself.
func BenchmarkCreateAccountWithMailAtOnce(b *testing.B) {
	eachBenchDB(b, func(b *testing.B, db *store.DB, clk *clock.Fixed) {
		sqliteMustBeDurable(b, db)
		var n atomic.Int64
		b.ReportAllocs()
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := signUp(db, clk, fmt.Sprintf("at-once-%d@example.org", n.Add(1))); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(store.LargestGroup(db)), "largest-group")
	})
}

// The bare statement both write ceilings run, in each database's placeholders.
const (
	insertAccountSQLite = `INSERT INTO accounts (email, password_hash, role, lang, confirmed_at, created_at)
	VALUES (?, ?, ?, ?, ?, ?) RETURNING id`
	insertAccountPostgres = `INSERT INTO accounts (email, password_hash, role, lang, confirmed_at, created_at)
	VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`
)

// BenchmarkBareSQLiteInsert is the write ceiling on SQLite: database/sql and
// modernc.org/sqlite with the pragmas sejour sets (WAL, synchronous=FULL),
// one INSERT in a transaction, into the same migrated file.
func BenchmarkBareSQLiteInsert(b *testing.B) {
	db := storetest.SQLite(b, clock.NewFixed(storetest.Start))
	bare := bareSQLite(b, db, "&_txlock=immediate")
	bare.SetMaxOpenConns(1)
	now := storetest.Start
	b.ReportAllocs()
	for b.Loop() {
		tx, err := bare.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		var id int64
		if err := tx.QueryRowContext(ctx, insertAccountSQLite, nextEmail(), "hash", "applicant", "fr", nil, now).Scan(&id); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBarePgxInsert is the write ceiling on PostgreSQL: pgx without
// database/sql, one INSERT in a transaction, into the same schema.
func BenchmarkBarePgxInsert(b *testing.B) {
	db := storetest.Postgres(b, clock.NewFixed(storetest.Start))
	conn := barePgx(b, db)
	now := storetest.Start
	b.ReportAllocs()
	for b.Loop() {
		tx, err := conn.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		var id int64
		if err := tx.QueryRow(ctx, insertAccountPostgres, nextEmail(), "hash", "applicant", "fr", nil, now).Scan(&id); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// benchSession stores an applicant with a live session and returns the
// session's hash.
func benchSession(b *testing.B, db *store.DB, clk *clock.Fixed) string {
	b.Helper()
	a := &permit.Account{Email: nextEmail(), Role: permit.RoleApplicant, Lang: "fr"}
	if err := db.Accounts().CreateAccount(ctx, a, "hash", nil, nil); err != nil {
		b.Fatal(err)
	}
	_, hash := casework.NewSecret()
	now := clk.Now()
	if err := db.Accounts().CreateSession(ctx, &permit.Session{Hash: hash, AccountID: a.ID, CreatedAt: now, ExpiresAt: now.Add(12 * time.Hour)}, ""); err != nil {
		b.Fatal(err)
	}
	return hash
}

// BenchmarkSessionAccount is the lookup every logged-in request makes.
func BenchmarkSessionAccount(b *testing.B) {
	eachBenchDB(b, func(b *testing.B, db *store.DB, clk *clock.Fixed) {
		hash := benchSession(b, db, clk)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := db.Accounts().SessionAccount(ctx, hash); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// The bare read: the same account, in one indexed query outside any
// explicit transaction.
const (
	selectSessionSQLite = `SELECT a.id, a.email, a.password_hash, a.role, a.lang, a.confirmed_at, a.disabled_at, a.created_at
	FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.hash = ? AND s.expires_at > ?`
	selectSessionPostgres = `SELECT a.id, a.email, a.password_hash, a.role, a.lang, a.confirmed_at, a.disabled_at, a.created_at
	FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.hash = $1 AND s.expires_at > $2`
)

// sessionRow receives the bare read.
type sessionRow struct {
	id                  int64
	email, hash, role   string
	lang                string
	confirmed, disabled sql.NullTime
	created             time.Time
}

// BenchmarkBareSQLiteSelect is the read ceiling on SQLite: one SELECT on a
// read-only connection to the same file.
func BenchmarkBareSQLiteSelect(b *testing.B) {
	clk := clock.NewFixed(storetest.Start)
	db := storetest.SQLite(b, clk)
	hash := benchSession(b, db, clk)
	bare := bareSQLite(b, db, "&_pragma=query_only(1)")
	b.ReportAllocs()
	for b.Loop() {
		var r sessionRow
		err := bare.QueryRowContext(ctx, selectSessionSQLite, hash, clk.Now()).
			Scan(&r.id, &r.email, &r.hash, &r.role, &r.lang, &r.confirmed, &r.disabled, &r.created)
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBarePgxSelect is the read ceiling on PostgreSQL.
func BenchmarkBarePgxSelect(b *testing.B) {
	clk := clock.NewFixed(storetest.Start)
	db := storetest.Postgres(b, clk)
	hash := benchSession(b, db, clk)
	conn := barePgx(b, db)
	b.ReportAllocs()
	for b.Loop() {
		var r sessionRow
		err := conn.QueryRow(ctx, selectSessionPostgres, hash, clk.Now()).
			Scan(&r.id, &r.email, &r.hash, &r.role, &r.lang, &r.confirmed, &r.disabled, &r.created)
		if err != nil {
			b.Fatal(err)
		}
	}
}

// bareSQLite opens the file behind db without sejour's code, with the
// pragmas sejour sets plus extra, and checks that it is as durable.
func bareSQLite(b *testing.B, db *store.DB, extra string) *sql.DB {
	b.Helper()
	var seqNo int
	var name, path string
	if err := db.SQL().QueryRowContext(ctx, `PRAGMA database_list`).Scan(&seqNo, &name, &path); err != nil {
		b.Fatal(err)
	}
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
		"&_pragma=foreign_keys(1)&_time_format=sqlite" + extra
	bare, err := sql.Open("sqlite", dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { bare.Close() })
	mustBeDurable(b, "bare", bare)
	return bare
}

// barePgx connects with pgx alone to the schema of db.
func barePgx(b *testing.B, db *store.DB) *pgx.Conn {
	b.Helper()
	var schema string
	if err := db.SQL().QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		b.Fatal(err)
	}
	u, err := url.Parse(storetest.PostgresURL(b))
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close(ctx) })
	return conn
}

// sqliteMustBeDurable checks that sejour's own SQLite writer commits with
// WAL and synchronous=FULL, the settings the bare ceiling uses.
func sqliteMustBeDurable(b *testing.B, db *store.DB) {
	b.Helper()
	if db.Dialect() == store.SQLite {
		mustBeDurable(b, "sejour", db.SQL())
	}
}

func mustBeDurable(b *testing.B, who string, db *sql.DB) {
	b.Helper()
	conn, err := db.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	var mode string
	var sync int
	if err := conn.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		b.Fatal(err)
	}
	if err := conn.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&sync); err != nil {
		b.Fatal(err)
	}
	if mode != "wal" || sync != 2 {
		b.Fatalf("%s connection: journal_mode=%s synchronous=%d, want wal and 2 (FULL)", who, mode, sync)
	}
}
