package store

import (
	"context"
	"database/sql"

	"github.com/sejour/sejour/internal/permit"
)

// JobAnswerReset answers one password reset request (Job.ID: the request).
const JobAnswerReset JobKind = "answer_reset"

// RequestReset writes a password reset request and owes the job that
// answers it, in one transaction, without looking the address up: a
// request for an address with an account and one without do the same
// statements, so that neither their timing nor their errors tell which
// it was (issue 13, item 7).
func (db Accounts) RequestReset(ctx context.Context, email string) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		var id int64
		err := tx.queryRow(ctx, `INSERT INTO reset_requests (email, created_at) VALUES (?, ?) RETURNING id`,
			permit.NormalizeEmail(email), db.clock.Now()).Scan(&id)
		if err != nil {
			return err
		}
		tx.owe(JobAnswerReset, id)
		return nil
	})
}

// ResetRequest returns a request's address, or ENOTFOUND once it was
// answered.
func (db Accounts) ResetRequest(ctx context.Context, id int64) (email string, err error) {
	err = db.inRead(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `SELECT email FROM reset_requests WHERE id = ?`, id).Scan(&email)
	})
	return email, err
}

// PendingResetRequests lists up to limit requests not answered yet:
// those written while no job queue was set.
func (db Accounts) PendingResetRequests(ctx context.Context, limit int) ([]int64, error) {
	var ids []int64
	err := db.inRead(ctx, func(tx *Tx) error {
		var err error
		ids, err = queryIDs(ctx, tx, `SELECT id FROM reset_requests ORDER BY id LIMIT ?`, limit)
		return err
	})
	return ids, err
}

// AnswerReset deletes a request and, when tok is not nil (the address
// has an account), stores the reset link's token and its mail, in one
// transaction. A request already answered is left alone: the job may run
// twice, the mail goes once.
func (db Accounts) AnswerReset(ctx context.Context, id int64, tok *permit.Token, m *permit.Mail) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		var gone int64
		err := tx.queryRow(ctx, `DELETE FROM reset_requests WHERE id = ? RETURNING id`, id).Scan(&gone)
		if err == sql.ErrNoRows {
			return nil
		} else if err != nil || tok == nil {
			return err
		}
		now := db.clock.Now()
		if err := insertToken(ctx, tx, tok, now); err != nil {
			return err
		}
		return insertMail(ctx, tx, m, now)
	})
}
