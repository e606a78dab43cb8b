package store

import (
	"context"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// AttemptRecorded says whether the attempted filing id was replayed.
func (db Files) AttemptRecorded(ctx context.Context, id string) (bool, error) {
	var n int
	err := db.inRead(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `SELECT COUNT(*) FROM filing_attempts WHERE id = ?`, id).Scan(&n)
	})
	return n > 0, err
}

// FileAttempt files an application as of an attempt made while the
// database was down, and records the attempt, in one transaction: the
// filing, its date (ev.At, the attempt's), its mail and receipt job, and
// the attempt's row, whose key is the journal record's id. A second
// replay of the same attempt finds the row, or the state changed, and
// gets ECONFLICT: the application is filed once.
func (db Files) FileAttempt(ctx context.Context, a *permit.Application, ev *permit.Event, f *permit.Filing, fa *permit.FilingAttempt, mail func(*permit.Filing) *permit.Mail) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		if err := transition(ctx, tx, a, ev); err != nil {
			return err
		}
		if err := holdStamp(ctx, tx, a.ID, a.FeeStamp, ev.At); err != nil {
			return err
		}
		if err := insertFiling(ctx, tx, f, ev.At); err != nil {
			return err
		}
		fa.FilingID = f.ID
		now := db.clock.Now()
		if err := insertAttempt(ctx, tx, fa, now); err != nil {
			return err
		}
		if mail == nil {
			return nil
		}
		return insertMail(ctx, tx, mail(f), now)
	})
}

// RefuseAttempt records an attempt that could not be filed, with the
// mail telling the person why, in one transaction.
func (db Files) RefuseAttempt(ctx context.Context, fa *permit.FilingAttempt, m *permit.Mail) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		now := db.clock.Now()
		if err := insertAttempt(ctx, tx, fa, now); err != nil {
			return err
		}
		return insertMail(ctx, tx, m, now)
	})
}

func insertAttempt(ctx context.Context, tx *Tx, fa *permit.FilingAttempt, now time.Time) error {
	fa.ReplayedAt = now
	_, err := tx.exec(ctx, `INSERT INTO filing_attempts (id, number, account_id, person_id, application_id, attempted_at, code, outcome, reason, filing_id, replayed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		fa.ID, fa.Number, fa.AccountID, fa.PersonID, fa.ApplicationID, fa.AttemptedAt, fa.Code, string(fa.Outcome), fa.Reason, nullID(fa.FilingID), now)
	return err
}

// FilingAttempts returns an account's replayed attempts, newest first.
func (db Files) FilingAttempts(ctx context.Context, accountID int64) ([]*permit.FilingAttempt, error) {
	var out []*permit.FilingAttempt
	err := db.inRead(ctx, func(tx *Tx) (err error) {
		out, err = scanFilingAttempts(ctx, tx, accountID)
		return err
	})
	return out, err
}

// scanFilingAttempts reads an account's replayed attempts, newest first.
func scanFilingAttempts(ctx context.Context, tx *Tx, accountID int64) ([]*permit.FilingAttempt, error) {
	return rowsOf(ctx, tx, `SELECT `+attemptColumns+` FROM filing_attempts WHERE account_id = ? `+attemptOrder, readFilingAttempt, accountID)
}

const (
	attemptColumns = `id, number, account_id, person_id, application_id, attempted_at, code, outcome, reason, filing_id, replayed_at`
	attemptOrder   = `ORDER BY attempted_at DESC, id`
)

func readFilingAttempt(r scanner) (*permit.FilingAttempt, error) {
	var fa permit.FilingAttempt
	var outcome string
	var filing nullInt
	if err := r.Scan(&fa.ID, &fa.Number, &fa.AccountID, &fa.PersonID, &fa.ApplicationID, &fa.AttemptedAt, &fa.Code,
		&outcome, &fa.Reason, &filing, &fa.ReplayedAt); err != nil {
		return nil, err
	}
	fa.Outcome, fa.FilingID = permit.AttemptOutcome(outcome), filing.Int64
	fa.AttemptedAt, fa.ReplayedAt = fa.AttemptedAt.UTC(), fa.ReplayedAt.UTC()
	return &fa, nil
}
