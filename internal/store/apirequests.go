package store

import (
	"context"
	"fmt"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// APIRequests is the room of the API's idempotency keys: the answers kept
// for a replay (issue 14, part 6), taken as store.APIRequests{DB: db}.
type APIRequests struct{ *DB }

// APIAnswer returns the answer kept for an API key's Idempotency-Key
// within permit.APIAnswerWindow; ENOTFOUND when there is none.
func (db APIRequests) APIAnswer(ctx context.Context, keyID int64, key string) (*permit.APIAnswer, error) {
	a := permit.APIAnswer{KeyID: keyID, Key: key}
	err := db.inRead(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `SELECT fingerprint, status, content_type, body, created_at FROM api_requests
			WHERE api_key_id = ? AND idempotency_key = ? AND created_at >= ?`, keyID, key, db.clock.Now().Add(-permit.APIAnswerWindow)).
			Scan(&a.Fingerprint, &a.Status, &a.ContentType, &a.Body, &a.CreatedAt)
	})
	if err != nil {
		return nil, err
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return &a, nil
}

// SaveAPIAnswer keeps the answer of a request that created nothing. An
// answer already kept under the key (a write recorded it, or a replay
// raced this one) stays as it is.
func (db APIRequests) SaveAPIAnswer(ctx context.Context, a *permit.APIAnswer) error {
	return db.inWrite(ctx, func(tx *Tx) error { return insertAPIAnswer(ctx, tx, a, db.clock.Now(), true) })
}

// answered notes what this write created, for the API answer its context
// may carry (recordAPIAnswer).
func (tx *Tx) answered(made any) { tx.madeValue = made }

// recordAPIAnswer writes the answer of the API request the context
// carries, rendered from what the write made, in the write's own
// transaction: a check committed always has its answer. A concurrent
// request with the same key fails on the primary key, and its whole write
// with it, so it creates nothing.
func recordAPIAnswer(ctx context.Context, tx *Tx, now time.Time) error {
	req, ok := permit.APIRequestOf(ctx)
	if !ok || req.Answer == nil || tx.madeValue == nil {
		return nil
	}
	a, err := req.Answer(tx.madeValue)
	if err != nil {
		return fmt.Errorf("render the API answer: %w", err)
	}
	a.KeyID, a.Key, a.Fingerprint = req.KeyID, req.Key, req.Fingerprint
	if err := insertAPIAnswer(ctx, tx, a, now, false); err != nil {
		return err
	}
	req.Recorded = true
	return nil
}

// insertAPIAnswer deletes the key's expired answers and inserts a; with
// keep, an answer already there under the same key wins.
func insertAPIAnswer(ctx context.Context, tx *Tx, a *permit.APIAnswer, now time.Time, keep bool) error {
	if _, err := tx.exec(ctx, `DELETE FROM api_requests WHERE api_key_id = ? AND created_at < ?`, a.KeyID, now.Add(-permit.APIAnswerWindow)); err != nil {
		return err
	}
	q := `INSERT INTO api_requests (api_key_id, idempotency_key, fingerprint, status, content_type, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`
	if keep {
		q += ` ON CONFLICT (api_key_id, idempotency_key) DO NOTHING`
	}
	a.CreatedAt = now
	_, err := tx.exec(ctx, q, a.KeyID, a.Key, a.Fingerprint, a.Status, a.ContentType, a.Body, now)
	return err
}
