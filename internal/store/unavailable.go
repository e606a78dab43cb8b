package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/sejour/sejour/internal/permit"
)

// IsUnavailable reports whether err means that the database (or the disk
// under it) cannot serve now, rather than that the request or our code is
// wrong: a connection refused, reset or timed out, a server shutting down
// or out of disk, SQLite's "disk I/O error", "database or disk is full",
// "attempt to write a readonly database" or a lock held past the busy
// timeout. Such a failure is permit.EUNAVAILABLE (a 503 with Retry-After,
// the outage page), never a 500; whatever runs a use case may test it to
// take its degraded path (the filing's proof of attempt). It is the one
// place that decides.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if permit.ErrorCode(err) == permit.EUNAVAILABLE {
		return true
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EROFS) ||
		errors.Is(err, syscall.EIO) || errors.Is(err, syscall.EDQUOT) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) || pgconn.Timeout(err) || pgconn.SafeToRetry(err) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgUnavailable(pgErr.Code)
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		switch liteErr.Code() & 0xff { // the primary code of an extended one
		case sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY,
			sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_PROTOCOL:
			return true
		}
		return false
	}
	// What database/sql and pgx say without a typed error.
	msg := err.Error()
	return strings.Contains(msg, "sql: database is closed") || strings.Contains(msg, "conn closed") ||
		strings.Contains(msg, "unexpected EOF")
}

// pgUnavailable tells the PostgreSQL error classes of a server that cannot
// serve now: connection exceptions (08), insufficient resources such as a
// full disk (53), an operator or crash shutdown (57P01-57P03), and a write
// sent to a read-only replica (25006).
func pgUnavailable(code string) bool {
	switch {
	case strings.HasPrefix(code, "08"), strings.HasPrefix(code, "53"):
		return true
	}
	switch code {
	case "57P01", "57P02", "57P03", "25006":
		return true
	}
	return false
}

// unavailable wraps err as permit.EUNAVAILABLE, keeping its cause for the
// log and the incident.
func unavailable(err error) error {
	return &unavailableError{cause: err}
}

type unavailableError struct{ cause error }

func (e *unavailableError) Error() string { return "database unavailable: " + e.cause.Error() }

// Unwrap gives both the domain error (for its code and message) and the
// cause (for errors.Is on the driver's errors).
func (e *unavailableError) Unwrap() []error {
	return []error{permit.Errorf(permit.EUNAVAILABLE, "error.unavailable"), e.cause}
}
