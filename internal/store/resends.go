package store

import (
	"context"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// Resends: the one-time keys of forms that create something. It is taken
// as store.Resends{DB: db}: DB has reached the architecture test's limit
// of methods, so the room adds no accessor to it.
type Resends struct{ *DB }

// Resent returns the id of what the form of k made when it was first
// sent, within permit.ResendWindow; ENOTFOUND when it made nothing yet.
func (db Resends) Resent(ctx context.Context, k permit.ResendKey) (int64, error) {
	var id int64
	err := db.inRead(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `SELECT made_id FROM idempotency_keys WHERE scope = ? AND key = ? AND kind = ? AND created_at >= ?`,
			k.Scope, k.Key, k.Kind, db.clock.Now().Add(-permit.ResendWindow)).Scan(&id)
	})
	return id, err
}

// made notes what this write created, for the one-time key its context
// may carry (recordResend).
func (tx *Tx) made(id int64) { tx.madeID = id }

// recordResend writes the one-time key the context carries, with what
// the write made, in the write's own transaction: a second send of the
// same form fails on the key's primary key, and the whole write with it,
// so it makes nothing. The scope's expired keys go at the same time.
func recordResend(ctx context.Context, tx *Tx, now time.Time) error {
	k, ok := permit.ResendKeyOf(ctx)
	if !ok || tx.madeID == 0 {
		return nil
	}
	if _, err := tx.exec(ctx, `DELETE FROM idempotency_keys WHERE scope = ? AND created_at < ?`, k.Scope, now.Add(-permit.ResendWindow)); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO idempotency_keys (scope, key, kind, made_id, created_at) VALUES (?, ?, ?, ?, ?)`,
		k.Scope, k.Key, k.Kind, tx.madeID, now)
	return err
}
