package store

import (
	"context"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

func insertMail(ctx context.Context, tx *Tx, m *permit.Mail, now time.Time) error {
	if m == nil {
		return nil
	}
	m.CreatedAt = now
	var expires any
	if m.ExpiresAt != nil {
		expires = *m.ExpiresAt
	}
	err := tx.queryRow(ctx, `INSERT INTO mails (to_addr, subject, text_body, created_at, expires_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		m.To, m.Subject, m.Text, now, expires).Scan(&m.ID)
	if err == nil {
		tx.owe(JobDeliverMail, m.ID)
	}
	return err
}

// EnqueueMail puts a mail in the outbox on its own.
func (db *DB) EnqueueMail(ctx context.Context, m *permit.Mail) error {
	return db.inWrite(ctx, func(tx *Tx) error { return insertMail(ctx, tx, m, db.clock.Now()) })
}

// UnsentMails returns up to limit mails still to deliver that were tried
// fewer than maxAttempts times, oldest first. Mails past the limit stay in
// the outbox for an operator, without crowding out newer ones.
func (db Mails) UnsentMails(ctx context.Context, limit, maxAttempts int) ([]*permit.Mail, error) {
	return db.mails(ctx, `WHERE sent_at IS NULL AND dropped_at IS NULL AND attempts < ? ORDER BY id LIMIT ?`, maxAttempts, limit)
}

// RecentMails returns the newest mails, sent or not, for the development outbox page.
func (db Mails) RecentMails(ctx context.Context, limit int) ([]*permit.Mail, error) {
	return db.mails(ctx, `ORDER BY id DESC LIMIT ?`, limit)
}

// Mail returns one mail of the outbox, or ENOTFOUND.
func (db Mails) Mail(ctx context.Context, id int64) (*permit.Mail, error) {
	ms, err := db.mails(ctx, `WHERE id = ?`, id)
	if err != nil {
		return nil, err
	} else if len(ms) == 0 {
		return nil, permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	return ms[0], nil
}

func (db Mails) mails(ctx context.Context, tail string, args ...any) ([]*permit.Mail, error) {
	var out []*permit.Mail
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id, to_addr, subject, text_body, created_at, sent_at, attempts, last_error, expires_at, dropped_at FROM mails `+tail, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m permit.Mail
			var sent, expires, dropped nullTime
			if err := rows.Scan(&m.ID, &m.To, &m.Subject, &m.Text, &m.CreatedAt, &sent, &m.Attempts, &m.LastError, &expires, &dropped); err != nil {
				return err
			}
			m.SentAt, m.ExpiresAt, m.DroppedAt = sent.ptr(), expires.ptr(), dropped.ptr()
			out = append(out, &m)
		}
		return rows.Err()
	})
	return out, err
}

// MarkMailSent records a delivery.
func (db Mails) MarkMailSent(ctx context.Context, id int64) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE mails SET sent_at = ?, attempts = attempts + 1, last_error = '' WHERE id = ? AND sent_at IS NULL`, db.clock.Now(), id)
		return err
	})
}

// DropMail gives up on an unsent mail (its link expired), with the reason:
// it is never sent, and the sweep no longer offers it.
func (db Mails) DropMail(ctx context.Context, id int64, reason string) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE mails SET dropped_at = ?, last_error = ? WHERE id = ? AND sent_at IS NULL`, db.clock.Now(), reason, id)
		return err
	})
}

// MarkMailFailed records a failed delivery attempt; the mail stays unsent.
func (db Mails) MarkMailFailed(ctx context.Context, id int64, reason string) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE mails SET attempts = attempts + 1, last_error = ? WHERE id = ?`, reason, id)
		return err
	})
}
