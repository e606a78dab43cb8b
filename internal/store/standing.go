package store

import (
	"context"

	"github.com/sejour/sejour/internal/permit"
)

// Standings is the verifier's room: the standing of an attestation's
// versions, read on every public verification. It is one statement on
// the unique index (number, version), run on the readers without a
// transaction around it (a single SELECT sees one snapshot anyway) and,
// on SQLite, prepared once per connection (queryRows), so that a
// verification costs neither the parsing of its SQL nor a BEGIN and a
// COMMIT.
type Standings struct {
	DB *DB
}

const standingQuery = `SELECT version, revoked_at IS NOT NULL, code <> '' FROM attestations WHERE number = ? ORDER BY version`

// AttestationStanding returns every version of number, oldest first,
// or ENOTFOUND.
func (s *Standings) AttestationStanding(ctx context.Context, number string) ([]permit.VersionStanding, error) {
	rows, err := queryRows(ctx, s.DB, standingQuery, number)
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
