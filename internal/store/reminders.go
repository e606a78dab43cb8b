package store

import (
	"context"
	"errors"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// JobDeliverSMS hands one text of the SMS outbox to the SMS sender
// (Job.ID: the text).
const JobDeliverSMS JobKind = "deliver_sms"

// Reminders is the room of the reminders of legal dates, the kinds a
// person stopped, the calendar feeds and the SMS outbox (issue 16, part
// 3; migration 0033).
type Reminders struct{ *DB }

// ReminderTargets lists, by account, up to limit applicant accounts
// after the account after whose person holds a permit, a live
// attestation or an open completion request ending within w: those the
// day's sweep must look at, whatever it finds there.
func (db Reminders) ReminderTargets(ctx context.Context, w permit.ReminderWindow, after int64, limit int) ([]permit.ReminderTarget, error) {
	var out []permit.ReminderTarget
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT a.id, a.email, a.lang FROM persons p JOIN accounts a ON a.id = p.account_id
			WHERE p.account_id > ? AND a.role = 'applicant' AND a.disabled_at IS NULL AND (
				EXISTS (SELECT 1 FROM permits pm WHERE pm.person_id = p.id AND pm.valid_to >= ? AND pm.valid_to < ?)
				OR EXISTS (SELECT 1 FROM applications ap JOIN attestations t ON t.application_id = ap.id
					WHERE ap.person_id = p.id AND t.superseded_at IS NULL AND t.revoked_at IS NULL AND t.valid_until >= ? AND t.valid_until < ?)
				OR EXISTS (SELECT 1 FROM applications ap JOIN completion_requests r ON r.application_id = ap.id
					WHERE ap.person_id = p.id AND r.answered_at IS NULL AND r.due_on >= ? AND r.due_on < ?))
			ORDER BY p.account_id LIMIT ?`, after, w.PermitFrom, w.PermitTo, w.AttestationFrom, w.AttestationTo, w.DueFrom, w.DueTo, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t permit.ReminderTarget
			if err := rows.Scan(&t.AccountID, &t.Email, &t.Lang); err != nil {
				return err
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	return out, err
}

// SweepMark returns the last account the sweep of day (YYYY-MM-DD) has
// looked at; 0 when that day's sweep has not begun.
func (db Reminders) SweepMark(ctx context.Context, day string) (int64, error) {
	var after int64
	err := db.inRead(ctx, func(tx *Tx) error {
		var d string
		err := tx.queryRow(ctx, `SELECT day, after_account FROM reminder_sweeps WHERE id = 1`).Scan(&d, &after)
		if permit.ErrorCode(translate(err)) == permit.ENOTFOUND {
			after = 0
			return nil
		} else if err != nil {
			return err
		}
		if d != day {
			after = 0 // another day's mark: this day starts over
		}
		return nil
	})
	return after, err
}

// AdvanceSweep records that the sweep of day has looked at every account
// up to after. Two sweeps at once never move the mark back.
func (db Reminders) AdvanceSweep(ctx context.Context, day string, after int64) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO reminder_sweeps (id, day, after_account) VALUES (1, ?, ?)
			ON CONFLICT (id) DO UPDATE SET after_account = CASE
				WHEN reminder_sweeps.day = excluded.day AND reminder_sweeps.after_account > excluded.after_account THEN reminder_sweeps.after_account
				ELSE excluded.after_account END, day = excluded.day`, day, after)
		return err
	})
}

// Overview is the account's file as its dashboard reads it.
func (db Reminders) Overview(ctx context.Context, accountID int64) (*permit.Overview, error) {
	return Files(db).Overview(ctx, accountID, 0)
}

// StoppedKinds lists the kinds of reminder the account stopped.
func (db Reminders) StoppedKinds(ctx context.Context, accountID int64) ([]permit.ReminderKind, error) {
	var out []permit.ReminderKind
	err := db.inRead(ctx, func(tx *Tx) error {
		var err error
		out, err = stoppedKinds(ctx, tx, accountID)
		return err
	})
	return out, err
}

func stoppedKinds(ctx context.Context, tx *Tx, accountID int64) ([]permit.ReminderKind, error) {
	return rowsOf(ctx, tx, `SELECT kind FROM reminder_stops WHERE account_id = ? ORDER BY kind`, func(r scanner) (permit.ReminderKind, error) {
		var k permit.ReminderKind
		return k, r.Scan(&k)
	}, accountID)
}

// SetStopped makes stopped the kinds the account stops, and only them.
func (db Reminders) SetStopped(ctx context.Context, accountID int64, stopped []permit.ReminderKind) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM reminder_stops WHERE account_id = ?`, accountID); err != nil {
			return err
		}
		now := db.clock.Now().UTC()
		for _, k := range stopped {
			if _, err := tx.exec(ctx, `INSERT INTO reminder_stops (account_id, kind, stopped_at) VALUES (?, ?, ?)`, accountID, string(k), now); err != nil {
				return err
			}
		}
		return nil
	})
}

// SentReminders lists the reminders written for the account, newest
// first, up to limit.
func (db Reminders) SentReminders(ctx context.Context, accountID int64, limit int) ([]permit.Reminder, error) {
	var out []permit.Reminder
	err := db.inRead(ctx, func(tx *Tx) error {
		var err error
		out, err = rowsOf(ctx, tx, `SELECT kind, subject, due_on FROM reminders WHERE account_id = ? ORDER BY created_at DESC, due_on DESC LIMIT ?`,
			func(r scanner) (permit.Reminder, error) {
				rem := permit.Reminder{AccountID: accountID}
				var day string
				if err := r.Scan(&rem.Kind, &rem.Subject, &day); err != nil {
					return rem, err
				}
				rem.Date, _ = time.Parse(time.DateOnly, day)
				return rem, nil
			}, accountID, limit)
		return err
	})
	return out, err
}

// WriteReminder writes a reminder with its mail and its SMS (either may
// be nil), and owes their deliveries, in one transaction; it reports
// whether it wrote. A kind the person stopped is not written; a reminder
// already written (by this sweep before it died, or another one at
// once) is not written again: its key is unique.
func (db Reminders) WriteReminder(ctx context.Context, r *permit.Reminder, m *permit.Mail, sms *permit.SMS) (bool, error) {
	wrote := false
	err := db.inWrite(ctx, func(tx *Tx) error {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM reminder_stops WHERE account_id = ? AND kind = ?`, r.AccountID, string(r.Kind)).Scan(&n); err != nil || n > 0 {
			return err
		}
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM reminders WHERE account_id = ? AND kind = ? AND subject = ? AND due_on = ?`,
			r.AccountID, string(r.Kind), r.Subject, r.DayKey()).Scan(&n); err != nil || n > 0 {
			return err
		}
		now := db.clock.Now().UTC()
		if err := insertMail(ctx, tx, m, now); err != nil {
			return err
		}
		if err := insertSMS(ctx, tx, sms, now); err != nil {
			return err
		}
		var mailID, smsID int64
		if m != nil {
			mailID = m.ID
		}
		if sms != nil {
			smsID = sms.ID
		}
		if _, err := tx.exec(ctx, `INSERT INTO reminders (account_id, kind, subject, due_on, mail_id, sms_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			r.AccountID, string(r.Kind), r.Subject, r.DayKey(), nullID(mailID), nullID(smsID), now); err != nil {
			if uniqueViolation(err) {
				return errReminderWritten
			}
			return err
		}
		wrote = true
		return nil
	})
	if errors.Is(err, errReminderWritten) {
		return false, nil
	}
	return wrote, err
}

// errReminderWritten ends the transaction of a reminder another sweep
// wrote first (its mail stands; this one rolls back).
var errReminderWritten = errors.New("store: reminder written by another sweep")

func insertSMS(ctx context.Context, tx *Tx, s *permit.SMS, now time.Time) error {
	if s == nil {
		return nil
	}
	s.CreatedAt = now
	err := tx.queryRow(ctx, `INSERT INTO sms_outbox (to_phone, text_body, created_at) VALUES (?, ?, ?) RETURNING id`, s.To, s.Text, now).Scan(&s.ID)
	if err == nil {
		tx.owe(JobDeliverSMS, s.ID)
	}
	return err
}

// SMS returns one text of the SMS outbox, or ENOTFOUND.
func (db Reminders) SMS(ctx context.Context, id int64) (*permit.SMS, error) {
	var s permit.SMS
	err := db.inRead(ctx, func(tx *Tx) error {
		var sent nullTime
		err := tx.queryRow(ctx, `SELECT id, to_phone, text_body, created_at, sent_at, attempts, last_error FROM sms_outbox WHERE id = ?`, id).
			Scan(&s.ID, &s.To, &s.Text, &s.CreatedAt, &sent, &s.Attempts, &s.LastError)
		s.SentAt = sent.ptr()
		return err
	})
	if err != nil {
		return nil, translate(err)
	}
	return &s, nil
}

// MarkSMSSent records a text handed to the SMS sender; a failure
// (reason not empty) counts an attempt and leaves it unsent.
func (db Reminders) MarkSMSSent(ctx context.Context, id int64, reason string) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		if reason != "" {
			_, err := tx.exec(ctx, `UPDATE sms_outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?`, reason, id)
			return err
		}
		_, err := tx.exec(ctx, `UPDATE sms_outbox SET sent_at = ?, attempts = attempts + 1, last_error = '' WHERE id = ? AND sent_at IS NULL`, db.clock.Now().UTC(), id)
		return err
	})
}

// SetFeed keeps the hash of the account's new calendar token; the
// previous token, if any, stops working in the same write.
func (db Reminders) SetFeed(ctx context.Context, accountID int64, hash string) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM calendar_feeds WHERE account_id = ?`, accountID); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO calendar_feeds (account_id, token_hash, created_at) VALUES (?, ?, ?)`, accountID, hash, db.clock.Now().UTC())
		return err
	})
}

// RevokeFeed ends the account's calendar token.
func (db Reminders) RevokeFeed(ctx context.Context, accountID int64) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `DELETE FROM calendar_feeds WHERE account_id = ?`, accountID)
		return err
	})
}

// FeedSince returns when the account's calendar token was made, or nil
// when it has none.
func (db Reminders) FeedSince(ctx context.Context, accountID int64) (*time.Time, error) {
	var since nullTime
	err := db.inRead(ctx, func(tx *Tx) error {
		err := tx.queryRow(ctx, `SELECT created_at FROM calendar_feeds WHERE account_id = ?`, accountID).Scan(&since)
		if permit.ErrorCode(translate(err)) == permit.ENOTFOUND {
			return nil
		}
		return err
	})
	return since.ptr(), err
}

// FeedAccount returns the enabled account whose calendar token hashes to
// hash, or ENOTFOUND.
func (db Reminders) FeedAccount(ctx context.Context, hash string) (*permit.Account, error) {
	var a *permit.Account
	err := db.inRead(ctx, func(tx *Tx) error {
		var id int64
		if err := tx.queryRow(ctx, `SELECT account_id FROM calendar_feeds WHERE token_hash = ?`, hash).Scan(&id); err != nil {
			return err
		}
		var err error
		a, _, err = findAccount(ctx, tx, "id = ?", id)
		return err
	})
	if err != nil {
		return nil, translate(err)
	}
	if a.DisabledAt != nil {
		return nil, permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	return a, nil
}

// HeldBookings lists the account's counter appointments that hold a
// slot, by time.
func (db Reminders) HeldBookings(ctx context.Context, accountID int64) ([]*permit.Booking, error) {
	var out []*permit.Booking
	err := db.inRead(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.bookings(ctx, `WHERE account_id = ? AND status = 'booked' ORDER BY starts_at, id`, accountID)
		return err
	})
	return out, err
}
