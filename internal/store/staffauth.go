package store

import (
	"context"
	"database/sql"

	"github.com/sejour/sejour/internal/permit"
)

// SecondFactor returns an account's TOTP state, or ENOTFOUND.
func (db Accounts) SecondFactor(ctx context.Context, accountID int64) (*permit.SecondFactor, error) {
	var f permit.SecondFactor
	err := db.inRead(ctx, func(tx *Tx) error {
		var enrolled nullTime
		err := tx.queryRow(ctx, `SELECT totp_secret, totp_enrolled_at, totp_last_step FROM accounts WHERE id = ?`, accountID).
			Scan(&f.Secret, &enrolled, &f.LastStep)
		f.EnrolledAt = enrolled.ptr()
		return err
	})
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// StartEnrolment keeps the secret a staff member is about to enrol, so
// that the page and its QR code show the same one. The first secret
// stays: when two requests race, both end up showing it. It changes
// nothing once the account is enrolled (ECONFLICT).
func (db Accounts) StartEnrolment(ctx context.Context, accountID int64, secret string) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE accounts SET totp_secret = CASE WHEN totp_secret = '' THEN ? ELSE totp_secret END
			WHERE id = ? AND totp_enrolled_at IS NULL`, secret, accountID)
		return oneRow(res, err, permit.ECONFLICT, "staffauth.error.already_enrolled")
	})
}

// Enrol completes an enrolment confirmed by a code of time step step: the
// account is enrolled, its recovery codes (hashes) replace any earlier
// ones, and the session passes the second factor, in one transaction.
// With no session (sessionHash empty), the account is only enrolled: the
// demonstration's accounts are, with a printed secret.
func (db Accounts) Enrol(ctx context.Context, accountID int64, sessionHash string, step int64, recoveryHashes []string) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		now := db.clock.Now()
		res, err := tx.exec(ctx, `UPDATE accounts SET totp_enrolled_at = ?, totp_last_step = ?
			WHERE id = ? AND totp_enrolled_at IS NULL AND totp_secret <> '' AND totp_last_step < ?`, now, step, accountID, step)
		if err := oneRow(res, err, permit.ECONFLICT, "staffauth.error.already_enrolled"); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM recovery_codes WHERE account_id = ?`, accountID); err != nil {
			return err
		}
		for _, h := range recoveryHashes {
			if _, err := tx.exec(ctx, `INSERT INTO recovery_codes (account_id, hash) VALUES (?, ?)`, accountID, h); err != nil {
				return err
			}
		}
		if sessionHash == "" {
			return nil
		}
		return passSession(ctx, tx, accountID, sessionHash, now)
	})
}

// PassSecondFactor records that the session passed the second factor with
// a code of time step step. A step not later than the last one accepted
// (a replayed code) is EINVALID, and changes nothing.
func (db Accounts) PassSecondFactor(ctx context.Context, accountID int64, sessionHash string, step int64) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE accounts SET totp_last_step = ?
			WHERE id = ? AND totp_enrolled_at IS NOT NULL AND totp_last_step < ?`, step, accountID, step)
		if err := oneRow(res, err, permit.EINVALID, "staffauth.error.code"); err != nil {
			return err
		}
		return passSession(ctx, tx, accountID, sessionHash, db.clock.Now())
	})
}

// UseRecoveryCode spends one recovery code (by its hash) and passes the
// session. A code unknown or already used is EINVALID.
func (db Accounts) UseRecoveryCode(ctx context.Context, accountID int64, sessionHash, codeHash string) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		now := db.clock.Now()
		res, err := tx.exec(ctx, `UPDATE recovery_codes SET used_at = ? WHERE account_id = ? AND hash = ? AND used_at IS NULL`,
			now, accountID, codeHash)
		if err := oneRow(res, err, permit.EINVALID, "staffauth.error.code"); err != nil {
			return err
		}
		return passSession(ctx, tx, accountID, sessionHash, now)
	})
}

// RecoveryCodesLeft counts an account's unused recovery codes.
func (db Accounts) RecoveryCodesLeft(ctx context.Context, accountID int64) (int, error) {
	var n int
	err := db.inRead(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE account_id = ? AND used_at IS NULL`, accountID).Scan(&n)
	})
	return n, err
}

func passSession(ctx context.Context, tx *Tx, accountID int64, sessionHash string, now any) error {
	res, err := tx.exec(ctx, `UPDATE sessions SET second_factor_at = ? WHERE hash = ? AND account_id = ?`, now, sessionHash, accountID)
	return oneRow(res, err, permit.ENOTFOUND, "error.not_found")
}

// StaffAccounts lists the agents and admins, by e-mail address.
func (db *DB) StaffAccounts(ctx context.Context) ([]*permit.Account, error) {
	var all []*permit.Account
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id FROM accounts WHERE role IN ('agent', 'admin') ORDER BY email`)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			a, _, err := findAccount(ctx, tx, "id = ?", id)
			if err != nil {
				return err
			}
			all = append(all, a)
		}
		return nil
	})
	return all, err
}

// SetStaffDisabled disables (ending every session of the account in the
// same transaction) or re-enables a staff account. An account that is not
// staff is ENOTFOUND.
func (db Accounts) SetStaffDisabled(ctx context.Context, accountID int64, disabled bool) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		var at any
		if disabled {
			at = db.clock.Now()
		}
		res, err := tx.exec(ctx, `UPDATE accounts SET disabled_at = ? WHERE id = ? AND role IN ('agent', 'admin')`, at, accountID)
		if err := oneRow(res, err, permit.ENOTFOUND, "error.not_found"); err != nil {
			return err
		}
		if !disabled {
			return nil
		}
		_, err = tx.exec(ctx, `DELETE FROM sessions WHERE account_id = ?`, accountID)
		return err
	})
}

// oneRow turns an update that touched no row into the domain error code/key.
func oneRow(res sql.Result, err error, code, key string) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return permit.Errorf(code, key)
	}
	return nil
}
