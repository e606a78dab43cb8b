// Package store keeps sejour's data in SQLite (the embedded default) or
// PostgreSQL, through database/sql. One exported method is one transaction;
// it is composed of small helpers taking (ctx, tx, ...). The same test suite
// runs on both databases.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
)

// Dialect names the database behind a DB.
type Dialect string

// The two supported databases.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is sejour's database. On SQLite it keeps one writer connection and a
// pool of readers, so that writes never fight for the lock; on PostgreSQL
// both are the same pool.
type DB struct {
	write   *sql.DB
	read    *sql.DB
	dialect Dialect
	clock   clock.Clock
	dsn     string // the PostgreSQL URL, for components that open their own pool

	delays permit.Delays // the catalogue's, which stored deadlines count with (SetDelays)
	jobs   JobInserter   // the job queue, which a write's owed jobs go to (SetJobs)

	prepared *statements // the single-statement reads' (readRow), on SQLite
	group    *committer  // SQLite's group commit (group.go); nil on PostgreSQL
}

// Open connects to PostgreSQL when dsn is a postgres:// URL, and otherwise
// opens (creating it if needed) the SQLite file at sqlitePath. It does not
// migrate; call Migrate.
func Open(ctx context.Context, dsn, sqlitePath string, clk clock.Clock) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn, clk)
	}
	return openSQLite(ctx, sqlitePath, clk)
}

func openPostgres(ctx context.Context, dsn string, clk clock.Clock) (*DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	// Keep as many idle connections as open ones: with database/sql's
	// default of 2, every request beyond the second opened a new
	// connection (docs/performance.md measured it).
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(20)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("cannot reach PostgreSQL at %s: %w", redact(dsn), err)
	}
	return &DB{write: db, read: db, dialect: Postgres, clock: clk, dsn: dsn}, nil
}

// sqlitePragmas are set on every connection. synchronous=FULL makes a
// committed transaction durable even across a power cut, not only a crash
// of the process: an acknowledged filing must never be lost.
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_time_format=sqlite"

func openSQLite(ctx context.Context, path string, clk clock.Clock) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	dsn := "file:" + path + "?" + sqlitePragmas
	write, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("open SQLite file %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite readers: %w", err)
	}
	read.SetMaxOpenConns(4)
	read.SetMaxIdleConns(4)
	db := &DB{write: write, read: read, dialect: SQLite, clock: clk, prepared: &statements{}}
	db.group = newCommitter(db)
	return db, nil
}

// Close closes every connection.
func (db *DB) Close() error {
	if db.group != nil {
		db.group.close()
	}
	if db.prepared != nil {
		db.prepared.close()
	}
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Dialect tells which database this is.
func (db *DB) Dialect() Dialect { return db.dialect }

// SQL returns the pool that writes, for components (such as the job queue)
// that need a database/sql handle of their own on the same database.
func (db *DB) SQL() *sql.DB { return db.write }

// PostgresURL is the URL the database was opened with (empty on SQLite),
// so that the job queue opens its own pool on the same schema.
func (db *DB) PostgresURL() string { return db.dsn }

// Ping checks that the database answers a read (the health monitor's
// database check).
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return unavailable(err)
	}
	return nil
}

// PingWrite commits a write that changes no value (the newest schema
// version's row is updated to itself), so that a full disk, a read-only
// file or a replica is seen as what it is: a database that reads but
// cannot write (the health monitor's writes check). Both databases write
// the row and flush their log, as for any commit.
func (db *DB) PingWrite(ctx context.Context) error {
	_, err := db.write.ExecContext(ctx, `UPDATE schema_migrations SET name = name
		WHERE version = (SELECT MAX(version) FROM schema_migrations)`)
	if err != nil {
		return unavailable(err)
	}
	return nil
}

// Tx is a transaction with the statement rebinding of its database.
type Tx struct {
	tx      *sql.Tx
	dialect Dialect

	delays permit.Delays // for refreshDue
	jobs   []Job         // the work this write owes, inserted before it commits
	madeID int64         // what this write created, for the form's one-time key (resends.go)
	// madeValue is what this write created, for the API answer recorded
	// with it (apirequests.go).
	madeValue any
}

func (tx *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	countStatement(ctx)
	return tx.tx.ExecContext(ctx, rebind(tx.dialect, query), args...)
}

func (tx *Tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	countStatement(ctx)
	return tx.tx.QueryContext(ctx, rebind(tx.dialect, query), args...)
}

func (tx *Tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	countStatement(ctx)
	return tx.tx.QueryRowContext(ctx, rebind(tx.dialect, query), args...)
}

// inWrite runs fn in a read-write transaction and commits it when fn
// returns nil. Database errors are translated into domain errors. The
// audit entries the context carries (package audit) are appended in the
// same transaction.
func (db *DB) inWrite(ctx context.Context, fn func(*Tx) error) error {
	write := func(tx *Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if err := recordResend(ctx, tx, db.clock.Now()); err != nil {
			return err
		}
		if err := recordAPIAnswer(ctx, tx, db.clock.Now()); err != nil {
			return err
		}
		return appendAudit(ctx, tx, db.clock.Now())
	}
	if db.group != nil {
		return db.group.write(ctx, write)
	}
	return db.in(ctx, db.write, nil, write)
}

// inRead runs fn in a read-only transaction (a consistent snapshot).
func (db *DB) inRead(ctx context.Context, fn func(*Tx) error) error {
	if tx := snapshotOf(ctx, db); tx != nil {
		return translate(fn(tx)) // a read inside a snapshot is no transaction of its own
	}
	return db.in(ctx, db.read, &sql.TxOptions{ReadOnly: db.dialect == Postgres}, fn)
}

func (db *DB) in(ctx context.Context, pool *sql.DB, opts *sql.TxOptions, fn func(*Tx) error) error {
	if c := countsOf(ctx); c != nil {
		c.Transactions.Add(1)
	}
	sqlTx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return translate(fmt.Errorf("begin: %w", err))
	}
	if err := runWrite(ctx, db, sqlTx, fn); err != nil {
		_ = sqlTx.Rollback()
		return translate(err)
	}
	if err := sqlTx.Commit(); err != nil {
		return translate(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// scanner is a row to read: *sql.Row, *sql.Rows, or a row of an
// aggregate (jsonRow).
type scanner interface{ Scan(dest ...any) error }

// rowsOf runs a query and reads each of its rows with read.
func rowsOf[T any](ctx context.Context, tx *Tx, query string, read func(scanner) (T, error), args ...any) ([]T, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := read(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// readRow runs one statement that reads, on the readers' pool and
// outside any transaction: a single statement sees one consistent
// snapshot on both databases, and on PostgreSQL it saves the two round
// trips of BEGIN and COMMIT.
//
// On SQLite the statement is prepared once per reader connection and
// kept (the driver keeps no cache, and preparing the dashboard's
// statement costs more than running it); PostgreSQL's driver caches its
// prepared statements itself.
func readRow(ctx context.Context, db *DB, query string, args ...any) *sql.Row {
	countStatement(ctx)
	if db.dialect == SQLite {
		if st := db.prepared.get(ctx, db.read, query); st != nil {
			return st.QueryRowContext(ctx, args...)
		}
	}
	return db.read.QueryRowContext(ctx, rebind(db.dialect, query), args...)
}

// queryRows is readRow for a statement that returns several rows.
func queryRows(ctx context.Context, db *DB, query string, args ...any) (*sql.Rows, error) {
	countStatement(ctx)
	if db.dialect == SQLite {
		if st := db.prepared.get(ctx, db.read, query); st != nil {
			return st.QueryContext(ctx, args...)
		}
	}
	return db.read.QueryContext(ctx, rebind(db.dialect, query), args...)
}

// statements are statements prepared on a pool, by their text. A
// statement is prepared outside any transaction, so that preparing it
// never waits for a connection the caller holds.
type statements struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// get returns the statement of query prepared on pool, preparing it the
// first time; nil when it cannot be (the query then runs unprepared and
// reports the error).
func (s *statements) get(ctx context.Context, pool *sql.DB, query string) *sql.Stmt {
	s.mu.Lock()
	st, ok := s.m[query]
	s.mu.Unlock()
	if ok {
		return st
	}
	st, err := pool.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev, ok := s.m[query]; ok { // prepared meanwhile by another request
		st.Close()
		return prev
	}
	if s.m == nil {
		s.m = map[string]*sql.Stmt{}
	}
	s.m[query] = st
	return st
}

func (s *statements) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.m {
		st.Close()
	}
	s.m = nil
}

// Counts are the statements and transactions a context's work sent to
// the database, for the tests that bound what a page costs (issue 15,
// part 5).
type Counts struct {
	Statements   atomic.Int64
	Transactions atomic.Int64
}

type countsKey struct{}

// Counting returns a context whose statements and transactions are
// counted in the returned Counts.
func Counting(ctx context.Context) (context.Context, *Counts) {
	c := &Counts{}
	return context.WithValue(ctx, countsKey{}, c), c
}

func countsOf(ctx context.Context) *Counts {
	c, _ := ctx.Value(countsKey{}).(*Counts)
	return c
}

func countStatement(ctx context.Context) {
	if c := countsOf(ctx); c != nil {
		c.Statements.Add(1)
	}
}

// rebind turns the ? placeholders the queries are written with into $1,
// $2... for PostgreSQL. Queries contain no literal question marks.
func rebind(d Dialect, query string) string {
	if d != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// translate maps database errors onto domain codes, once, here.
func translate(err error) error {
	var domain *permit.Error
	if err == nil || errors.As(err, &domain) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	if uniqueViolation(err) {
		return fmt.Errorf("%w: %v", permit.Errorf(permit.ECONFLICT, "error.conflict"), err)
	}
	if errors.Is(err, context.Canceled) {
		return err // the caller left; nothing to say about the database
	}
	if IsUnavailable(err) {
		return unavailable(err)
	}
	return err
}

func uniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		return liteErr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || liteErr.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable URL)"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	return u.String()
}

// nullInt scans a nullable id.
type nullInt = sql.NullInt64

// nullID stores a zero id as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
