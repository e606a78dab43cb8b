package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/sejour/sejour/internal/permit"
)

// Standings is the verifier's room: the standing of an attestation's
// versions, read on every public verification. It is one statement on
// the unique index (number, version), prepared once per connection and
// run on the readers without a transaction around it (a single SELECT
// sees one snapshot anyway), so that a verification costs neither the
// parsing of its SQL nor a BEGIN and a COMMIT. Safe for concurrent use;
// the zero value with DB set is ready.
type Standings struct {
	DB *DB

	mu   sync.Mutex               // one preparation at a time
	stmt atomic.Pointer[sql.Stmt] // prepared on first use; again after a failure
}

const standingQuery = `SELECT version, revoked_at IS NOT NULL, code <> '' FROM attestations WHERE number = ? ORDER BY version`

// AttestationStanding returns every version of number, oldest first,
// or ENOTFOUND.
func (s *Standings) AttestationStanding(ctx context.Context, number string) ([]permit.VersionStanding, error) {
	stmt, err := s.statement(ctx)
	if err != nil {
		return nil, translate(err)
	}
	rows, err := stmt.QueryContext(ctx, number)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []permit.VersionStanding
	for rows.Next() {
		var v permit.VersionStanding
		if err := rows.Scan(&v.Version, &v.Revoked, &v.Signed); err != nil {
			return nil, translate(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	if len(out) == 0 {
		return nil, permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	return out, nil
}

// statement prepares the query on the readers the first time; a failed
// preparation (the database down) is tried again by the next call.
func (s *Standings) statement(ctx context.Context) (*sql.Stmt, error) {
	if stmt := s.stmt.Load(); stmt != nil {
		return stmt, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if stmt := s.stmt.Load(); stmt != nil {
		return stmt, nil
	}
	stmt, err := s.DB.read.PrepareContext(ctx, rebind(s.DB.dialect, standingQuery))
	if err != nil {
		return nil, fmt.Errorf("prepare the attestation standing: %w", err)
	}
	s.stmt.Store(stmt)
	return stmt, nil
}
