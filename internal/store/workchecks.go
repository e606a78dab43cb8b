package store

import (
	"context"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// WorkChecks is the room of share codes and of the right-to-work checks
// made with them (issue 14), taken as store.WorkChecks{DB: db}.
type WorkChecks struct{ *DB }

// CreateShareCode stores a person's new share code, by the hash of its
// text. A hash already taken (a code drawn twice) is ECONFLICT.
func (db WorkChecks) CreateShareCode(ctx context.Context, c *permit.ShareCode, hash string) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `INSERT INTO share_codes (person_id, purpose, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			c.PersonID, string(c.Purpose), hash, c.CreatedAt, c.ExpiresAt).Scan(&c.ID)
	})
}

const shareColumns = `id, person_id, purpose, created_at, expires_at, revoked_at`

func scanShareCode(row interface{ Scan(...any) error }, c *permit.ShareCode, more ...any) error {
	var purpose string
	var revoked nullTime
	err := row.Scan(append([]any{&c.ID, &c.PersonID, &purpose, &c.CreatedAt, &c.ExpiresAt, &revoked}, more...)...)
	c.Purpose, c.RevokedAt = permit.SharePurpose(purpose), revoked.ptr()
	c.CreatedAt, c.ExpiresAt = c.CreatedAt.UTC(), c.ExpiresAt.UTC()
	return err
}

// ShareCodes lists a person's share codes, newest first.
func (db WorkChecks) ShareCodes(ctx context.Context, personID int64) ([]*permit.ShareCode, error) {
	var out []*permit.ShareCode
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT `+shareColumns+` FROM share_codes WHERE person_id = ? ORDER BY id DESC`, personID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c permit.ShareCode
			if err := scanShareCode(rows, &c); err != nil {
				return err
			}
			out = append(out, &c)
		}
		return rows.Err()
	})
	return out, err
}

// RevokeShareCode ends one of a person's codes. Another person's code, or
// one already revoked, is ENOTFOUND.
func (db WorkChecks) RevokeShareCode(ctx context.Context, personID, id int64) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE share_codes SET revoked_at = ? WHERE id = ? AND person_id = ? AND revoked_at IS NULL`,
			db.clock.Now(), id, personID)
		return oneRow(res, err, permit.ENOTFOUND, "error.not_found")
	})
}

// ShareCodeByHash returns the code of a hash, live or not, with its
// holder's birth date, in one indexed read: whatever is wrong with a
// check, finding it out costs the same. An unknown hash is ENOTFOUND.
func (db WorkChecks) ShareCodeByHash(ctx context.Context, hash string) (*permit.ShareCode, string, error) {
	var c permit.ShareCode
	var birth string
	err := db.inRead(ctx, func(tx *Tx) error {
		return scanShareCode(tx.queryRow(ctx, `SELECT s.id, s.person_id, s.purpose, s.created_at, s.expires_at, s.revoked_at, p.birth_date
			FROM share_codes s JOIN persons p ON p.id = s.person_id WHERE s.hash = ?`, hash), &c, &birth)
	})
	if err != nil {
		return nil, "", err
	}
	return &c, birth, nil
}

// RecordWorkCheck stores a check's record, its key's last use and the
// audit entry the context carries, in one transaction: a check answered
// is a check recorded, in the organisation's history, in the person's
// list of accesses and in the audit trail. A code revoked or expired
// since it was read is ENOTFOUND and records nothing.
func (db WorkChecks) RecordWorkCheck(ctx context.Context, w *permit.WorkCheck) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		var one int
		err := tx.queryRow(ctx, `SELECT 1 FROM share_codes WHERE id = ? AND revoked_at IS NULL AND expires_at > ?`, w.ShareCodeID, w.CheckedAt).Scan(&one)
		if err != nil {
			return err
		}
		if err := insertWorkCheck(ctx, tx, w, 0); err != nil {
			return err
		}
		tx.answered(w)
		return touchKey(ctx, tx, w.APIKeyID, w.CheckedAt)
	})
}

// insertWorkCheck inserts a check's record; followUpID names the
// follow-up it proves, or 0 for a check made with a share code.
func insertWorkCheck(ctx context.Context, tx *Tx, w *permit.WorkCheck, followUpID int64) error {
	until := ""
	if !w.Until.IsZero() {
		until = w.Until.Format(time.DateOnly)
	}
	return tx.queryRow(ctx, `INSERT INTO work_checks (number, organisation_id, account_id, api_key_id, share_code_id, person_id, checked_at,
		given_names, surname, birth_date, work_kind, work_hours, until_day, basis, pending_renewal, ground, prefecture_code, prefecture_name, code,
		follow_up_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		w.Number, w.OrganisationID, nullID(w.AccountID), nullID(w.APIKeyID), w.ShareCodeID, w.PersonID, w.CheckedAt,
		w.GivenNames, w.Surname, w.BirthDate, w.Work, w.WorkHours, until, string(w.Basis), w.PendingRenewal, string(w.Ground),
		w.PrefectureCode, w.PrefectureName, w.Code, nullID(followUpID)).Scan(&w.ID)
}

const workCheckColumns = `w.id, w.number, w.organisation_id, o.name, o.siret, w.account_id, w.api_key_id, w.share_code_id, w.person_id, w.checked_at,
	w.given_names, w.surname, w.birth_date, w.work_kind, w.work_hours, w.until_day, w.basis, w.pending_renewal, w.ground,
	w.prefecture_code, w.prefecture_name, w.code`

func scanWorkCheck(row interface{ Scan(...any) error }) (*permit.WorkCheck, error) {
	var w permit.WorkCheck
	var account, key nullInt
	var until, basis, ground string
	err := row.Scan(&w.ID, &w.Number, &w.OrganisationID, &w.Organisation, &w.SIRET, &account, &key, &w.ShareCodeID, &w.PersonID, &w.CheckedAt,
		&w.GivenNames, &w.Surname, &w.BirthDate, &w.Work, &w.WorkHours, &until, &basis, &w.PendingRenewal, &ground,
		&w.PrefectureCode, &w.PrefectureName, &w.Code)
	if err != nil {
		return nil, err
	}
	w.AccountID, w.APIKeyID, w.CheckedAt = account.Int64, key.Int64, w.CheckedAt.UTC()
	w.Basis, w.Ground = permit.WorkBasis(basis), permit.GroundID(ground)
	if until != "" {
		w.Until, _ = time.Parse(time.DateOnly, until)
	}
	return &w, nil
}

// workChecks reads the records a condition selects, newest first.
func (db WorkChecks) workChecks(ctx context.Context, where string, limit int, args ...any) ([]*permit.WorkCheck, error) {
	var out []*permit.WorkCheck
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT `+workCheckColumns+` FROM work_checks w JOIN organisations o ON o.id = w.organisation_id
			WHERE `+where+` ORDER BY w.id DESC LIMIT ?`, append(args, limit)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			w, err := scanWorkCheck(rows)
			if err != nil {
				return err
			}
			out = append(out, w)
		}
		return rows.Err()
	})
	return out, err
}

// OrganisationChecks lists an organisation's checks, newest first, at
// most limit.
func (db WorkChecks) OrganisationChecks(ctx context.Context, organisationID int64, limit int) ([]*permit.WorkCheck, error) {
	return db.workChecks(ctx, `w.organisation_id = ?`, limit, organisationID)
}

// PersonChecks lists the checks made with a person's codes, newest first,
// at most limit.
func (db WorkChecks) PersonChecks(ctx context.Context, personID int64, limit int) ([]*permit.WorkCheck, error) {
	return db.workChecks(ctx, `w.person_id = ?`, limit, personID)
}

// WorkCheck returns one record, or ENOTFOUND.
func (db WorkChecks) WorkCheck(ctx context.Context, id int64) (*permit.WorkCheck, error) {
	var w *permit.WorkCheck
	err := db.inRead(ctx, func(tx *Tx) error {
		var err error
		w, err = scanWorkCheck(tx.queryRow(ctx, `SELECT `+workCheckColumns+` FROM work_checks w JOIN organisations o ON o.id = w.organisation_id WHERE w.id = ?`, id))
		return err
	})
	return w, err
}

// Organisation returns the organisation a checker belongs to, or
// ENOTFOUND.
func (db WorkChecks) Organisation(ctx context.Context, id int64) (*permit.Organisation, error) {
	return Employers(db).Organisation(ctx, id)
}
