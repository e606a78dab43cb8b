package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Limits is the room of the rate limits that every instance on one
// database shares (issue 15, part 1): token buckets, one per limit and
// key, refilled, taken and answered by one statement, so that two
// instances counting the same key at once never both take its last token.
//
// Nothing here is a promise to a person: a limit is written outside any
// other transaction, with a context of its own, and a lost write at a
// crash only forgets an attempt.
type Limits struct {
	*DB
	// Pseudonym is what the table keeps instead of a limited key (an
	// address, an e-mail): a keyed hash that every instance computes
	// alike (seal.Tokens.Pseudonym), so that a copy of the table gives no
	// address back, as an unkeyed hash of the few billion IPv4 addresses
	// would. Nil keeps an unkeyed SHA-256 (tests of this package).
	Pseudonym func(key string) string
}

// takeLimitSQL refills the bucket (kind, key) for the time since it was
// last touched, takes one token when there is one, and returns whether it
// did and the tokens left. $3 is the burst, $4 the seconds one token takes
// to come back, $5 now in Unix seconds. Every expression of the update
// reads the row as it was, on both databases.
var takeLimitSQL = map[Dialect]string{
	Postgres: `INSERT INTO rate_limits AS r (kind, key, tokens, at, expires_at, allowed)
		VALUES ($1, $2, $3::float8 - 1, $5::float8, $5::float8 + $4::float8, TRUE)
		ON CONFLICT (kind, key) DO UPDATE SET
			allowed = LEAST($3::float8, r.tokens + GREATEST($5::float8 - r.at, 0) / $4::float8) >= 1,
			tokens = LEAST($3::float8, r.tokens + GREATEST($5::float8 - r.at, 0) / $4::float8)
				- CASE WHEN LEAST($3::float8, r.tokens + GREATEST($5::float8 - r.at, 0) / $4::float8) >= 1 THEN 1 ELSE 0 END,
			at = $5::float8,
			expires_at = $5::float8 + ($3::float8 - LEAST($3::float8, r.tokens + GREATEST($5::float8 - r.at, 0) / $4::float8)
				+ CASE WHEN LEAST($3::float8, r.tokens + GREATEST($5::float8 - r.at, 0) / $4::float8) >= 1 THEN 1 ELSE 0 END) * $4::float8
		RETURNING allowed, tokens`,
	SQLite: `INSERT INTO rate_limits AS r (kind, key, tokens, at, expires_at, allowed)
		VALUES (?1, ?2, ?3 - 1.0, ?5, ?5 + ?4, TRUE)
		ON CONFLICT (kind, key) DO UPDATE SET
			allowed = MIN(?3 * 1.0, r.tokens + MAX(?5 - r.at, 0) / ?4) >= 1,
			tokens = MIN(?3 * 1.0, r.tokens + MAX(?5 - r.at, 0) / ?4)
				- CASE WHEN MIN(?3 * 1.0, r.tokens + MAX(?5 - r.at, 0) / ?4) >= 1 THEN 1 ELSE 0 END,
			at = ?5,
			expires_at = ?5 + (?3 - MIN(?3 * 1.0, r.tokens + MAX(?5 - r.at, 0) / ?4)
				+ CASE WHEN MIN(?3 * 1.0, r.tokens + MAX(?5 - r.at, 0) / ?4) >= 1 THEN 1 ELSE 0 END) * ?4
		RETURNING allowed, tokens`,
}

// limitKey is what the table keeps of a limited key: its pseudonym, so
// that no address or e-mail is stored in the clear.
func (db Limits) limitKey(key string) string {
	if db.Pseudonym != nil {
		return db.Pseudonym(key)
	}
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// TakeLimit counts one attempt of kind by key at now against a bucket of
// burst tokens, one coming back every every: it reports whether the
// attempt may go ahead, and the tokens left after it.
func (db Limits) TakeLimit(ctx context.Context, kind, key string, burst int, every time.Duration, now time.Time) (allowed bool, tokens float64, err error) {
	countStatement(ctx)
	err = db.write.QueryRowContext(ctx, takeLimitSQL[db.dialect], kind, db.limitKey(key), float64(burst), every.Seconds(), unixSeconds(now)).
		Scan(&allowed, &tokens)
	return allowed, tokens, translate(err)
}

// MarkLimit remembers key under kind until now+keep (an account's usual
// address).
func (db Limits) MarkLimit(ctx context.Context, kind, key string, now time.Time, keep time.Duration) error {
	countStatement(ctx)
	_, err := db.write.ExecContext(ctx, rebind(db.dialect, `INSERT INTO rate_limits (kind, key, tokens, at, expires_at, allowed)
		VALUES (?, ?, 0, ?, ?, TRUE) ON CONFLICT (kind, key) DO UPDATE SET at = excluded.at, expires_at = excluded.expires_at`),
		kind, db.limitKey(key), unixSeconds(now), unixSeconds(now.Add(keep)))
	return translate(err)
}

// HasLimit reports whether key is remembered under kind at now.
func (db Limits) HasLimit(ctx context.Context, kind, key string, now time.Time) (bool, error) {
	var n int
	countStatement(ctx)
	err := db.read.QueryRowContext(ctx, rebind(db.dialect, `SELECT COUNT(*) FROM rate_limits WHERE kind = ? AND key = ? AND expires_at > ?`),
		kind, db.limitKey(key), unixSeconds(now)).Scan(&n)
	return n > 0, translate(err)
}

// PurgeLimits deletes the buckets whole again at now and the marks past
// their time: they mean the same as no row.
func (db Limits) PurgeLimits(ctx context.Context, now time.Time) (int64, error) {
	countStatement(ctx)
	res, err := db.write.ExecContext(ctx, rebind(db.dialect, `DELETE FROM rate_limits WHERE expires_at <= ?`), unixSeconds(now))
	if err != nil {
		return 0, translate(err)
	}
	return res.RowsAffected()
}
