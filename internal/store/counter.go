package store

import (
	"context"
	"strings"

	"github.com/sejour/sejour/internal/permit"
)

// CreateOnBehalf adds an application an agent started for a person, with
// its channel and the person's consent, and the event that opens its
// history, in one transaction.
func (db Counter) CreateOnBehalf(ctx context.Context, a *permit.Application, ob *permit.OnBehalf, actor permit.Actor) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		if err := insertApplication(ctx, tx, a, actor, db.clock.Now()); err != nil {
			return err
		}
		ob.ApplicationID = a.ID
		_, err := tx.exec(ctx, `UPDATE applications SET channel = ?, on_behalf_by = ?, consent_at = ?, consent_by = ?, consent_how = ? WHERE id = ?`,
			string(ob.Channel), nullID(ob.By), ob.ConsentAt, nullID(ob.ConsentBy), ob.ConsentHow, a.ID)
		return err
	})
}

// OnBehalf returns how an application came in; ENOTFOUND if it does not
// exist.
func (db *DB) OnBehalf(ctx context.Context, applicationID int64) (*permit.OnBehalf, error) {
	ob := &permit.OnBehalf{ApplicationID: applicationID}
	err := db.inRead(ctx, func(tx *Tx) error {
		var channel string
		var by, consentBy nullInt
		var consentAt, takenOver nullTime
		err := tx.queryRow(ctx, `SELECT channel, on_behalf_by, consent_at, consent_by, consent_how, taken_over_at FROM applications WHERE id = ?`,
			applicationID).Scan(&channel, &by, &consentAt, &consentBy, &ob.ConsentHow, &takenOver)
		ob.Channel, ob.By, ob.ConsentAt, ob.ConsentBy, ob.TakenOverAt = permit.Channel(channel), by.Int64, consentAt.ptr(), consentBy.Int64, takenOver.ptr()
		return err
	})
	if err != nil {
		return nil, err
	}
	return ob, nil
}

// FindPersons returns at most limit persons matching q whose competent
// prefecture is one of prefectureIDs, by surname. A query with no
// criterion finds nobody.
func (db Counter) FindPersons(ctx context.Context, q permit.PersonQuery, prefectureIDs []int64, limit int) ([]*permit.Person, error) {
	var where []string
	var args []any
	switch {
	case q.ForeignerNumber != "":
		where, args = append(where, "p.foreigner_number = ?"), append(args, q.ForeignerNumber)
	case q.Surname != "" && q.BirthDate != "":
		where, args = append(where, "LOWER(p.surname) = LOWER(?) AND p.birth_date = ?"), append(args, q.Surname, q.BirthDate)
	case q.Email != "":
		email := permit.NormalizeEmail(q.Email)
		where, args = append(where, "(p.contact_email = ? OR p.account_id IN (SELECT id FROM accounts WHERE email = ?))"), append(args, email, email)
	default:
		return nil, nil
	}
	if len(prefectureIDs) == 0 {
		return nil, nil
	}
	marks := strings.Repeat("?, ", len(prefectureIDs))
	where = append(where, "p.prefecture_id IN ("+marks[:len(marks)-2]+")")
	for _, id := range prefectureIDs {
		args = append(args, id)
	}
	args = append(args, limit)
	var ids []int64
	err := db.inRead(ctx, func(tx *Tx) (err error) {
		ids, err = queryIDs(ctx, tx, `SELECT p.id FROM persons p WHERE `+strings.Join(where, " AND ")+` ORDER BY p.surname, p.given_names, p.id LIMIT ?`, args...)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]*permit.Person, 0, len(ids))
	for _, id := range ids {
		p, err := db.Person(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// IssueClaimCode records a new claim code for a person; the person's
// unused codes stop working at once.
func (db Counter) IssueClaimCode(ctx context.Context, c *permit.ClaimCode) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		now := db.clock.Now()
		c.CreatedAt = now
		if _, err := tx.exec(ctx, `UPDATE claim_codes SET expires_at = ? WHERE person_id = ? AND used_at IS NULL AND expires_at > ?`,
			now, c.PersonID, now); err != nil {
			return err
		}
		return tx.queryRow(ctx, `INSERT INTO claim_codes (hash, person_id, issued_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			c.Hash, c.PersonID, c.IssuedBy, now, c.ExpiresAt).Scan(&c.ID)
	})
}

// ClaimCodeByHash returns a claim code, used or not, or ENOTFOUND.
func (db Counter) ClaimCodeByHash(ctx context.Context, hash string) (*permit.ClaimCode, error) {
	var c permit.ClaimCode
	err := db.inRead(ctx, func(tx *Tx) error {
		var used nullTime
		var by nullInt
		err := tx.queryRow(ctx, `SELECT id, hash, person_id, issued_by, created_at, expires_at, used_at, claimed_by FROM claim_codes WHERE hash = ?`, hash).
			Scan(&c.ID, &c.Hash, &c.PersonID, &c.IssuedBy, &c.CreatedAt, &c.ExpiresAt, &used, &by)
		c.UsedAt, c.ClaimedBy = used.ptr(), by.Int64
		return err
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// ActiveClaimCode returns when the person's current claim code expires,
// or ENOTFOUND when they have none that still works.
func (db Counter) ActiveClaimCode(ctx context.Context, personID int64) (*permit.ClaimCode, error) {
	var c permit.ClaimCode
	err := db.inRead(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `SELECT id, person_id, issued_by, created_at, expires_at FROM claim_codes
			WHERE person_id = ? AND used_at IS NULL AND expires_at > ? ORDER BY id DESC LIMIT 1`, personID, db.clock.Now()).
			Scan(&c.ID, &c.PersonID, &c.IssuedBy, &c.CreatedAt, &c.ExpiresAt)
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// Claim gives a person, with all their applications, to an account, and
// uses the code, in one transaction. emptyPersonID, when set, is the
// account's own person with no data, which is removed first. It returns
// ECONFLICT when the code was used or expired meanwhile, or the person
// already has an account.
func (db Counter) Claim(ctx context.Context, codeID, personID, accountID, emptyPersonID int64) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		now := db.clock.Now()
		res, err := tx.exec(ctx, `UPDATE claim_codes SET used_at = ?, claimed_by = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?`,
			now, accountID, codeID, now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return permit.Errorf(permit.ECONFLICT, "claim.error.used")
		}
		if emptyPersonID != 0 {
			if _, err := tx.exec(ctx, `DELETE FROM permits WHERE person_id = ?`, emptyPersonID); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `DELETE FROM persons WHERE id = ? AND account_id = ? AND NOT EXISTS (SELECT 1 FROM applications WHERE person_id = ?)`,
				emptyPersonID, accountID, emptyPersonID); err != nil {
				return err
			}
		}
		res, err = tx.exec(ctx, `UPDATE persons SET account_id = ?, updated_at = ? WHERE id = ? AND account_id IS NULL`, accountID, now, personID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return permit.Errorf(permit.ECONFLICT, "claim.error.used")
		}
		_, err = tx.exec(ctx, `UPDATE applications SET taken_over_at = ? WHERE person_id = ? AND channel <> 'online' AND taken_over_at IS NULL`, now, personID)
		return err
	})
}
