package store

import (
	"context"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// updatePerson writes p over old (the same person, as read in this
// transaction) and keeps every changed field's former value in the
// person's history, each change carrying how (by.Source, by.SourceRef)
// and by whom (by.ActorID). It is the one place a person's row changes.
// A change of identity the applicant makes themselves resets the
// prefecture's confirmation; a correction an agent accepted on evidence
// does not. It returns the changes recorded.
func updatePerson(ctx context.Context, tx *Tx, old, p *permit.Person, by permit.PersonChange, now time.Time) ([]permit.PersonChange, error) {
	changes := p.Changes(old)
	if len(changes) == 0 {
		p.ConfirmedAt, p.UpdatedAt = old.ConfirmedAt, old.UpdatedAt
		return nil, nil
	}
	p.ConfirmedAt = old.ConfirmedAt
	if by.Source == permit.ChangeByApplicant || by.Source == permit.ChangeAtCounter {
		for _, c := range changes {
			if permit.IsCivilField(c.Field) {
				p.ConfirmedAt = nil
			}
		}
	}
	p.UpdatedAt = now
	_, err := tx.exec(ctx, `UPDATE persons SET given_names = ?, surname = ?, birth_date = ?, birth_place = ?, nationality = ?,
		foreigner_number = ?, prefecture_id = ?, address_line = ?, postcode = ?, city = ?, phone = ?, contact_email = ?,
		confirmed_at = ?, updated_at = ? WHERE id = ?`,
		p.GivenNames, p.Surname, p.BirthDate, p.BirthPlace, p.Nationality, p.ForeignerNumber, nullID(p.PrefectureID),
		p.Address.Line, p.Address.Postcode, p.Address.City, p.Phone, p.ContactEmail, p.ConfirmedAt, now, old.ID)
	if err != nil {
		return nil, err
	}
	for i := range changes {
		c := &changes[i]
		c.Source, c.SourceRef, c.ActorID, c.At = by.Source, by.SourceRef, by.ActorID, now
		if err := recordChange(ctx, tx, c); err != nil {
			return nil, err
		}
	}
	return changes, nil
}

// recordChange appends one change to a person's history. Changes to data
// kept outside the person's row (the account's e-mail address) are
// recorded with it directly.
func recordChange(ctx context.Context, tx *Tx, c *permit.PersonChange) error {
	return tx.queryRow(ctx, `INSERT INTO person_changes (person_id, field, old_value, new_value, source, source_ref, actor_id, changed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.PersonID, c.Field, c.Old, c.New, string(c.Source), nullID(c.SourceRef), nullID(c.ActorID), c.At).Scan(&c.ID)
}

// PersonChanges returns a person's history, oldest first.
func (db *DB) PersonChanges(ctx context.Context, personID int64) ([]permit.PersonChange, error) {
	var out []permit.PersonChange
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id, person_id, field, old_value, new_value, source, source_ref, actor_id, changed_at
			FROM person_changes WHERE person_id = ? ORDER BY id`, personID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c permit.PersonChange
			var source string
			var ref, actor nullInt
			if err := rows.Scan(&c.ID, &c.PersonID, &c.Field, &c.Old, &c.New, &source, &ref, &actor, &c.At); err != nil {
				return err
			}
			c.Source, c.SourceRef, c.ActorID = permit.ChangeSource(source), ref.Int64, actor.Int64
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// ConfirmIdentity records that a prefecture checked the person's identity
// against their passport: from then on it is shown as confirmed, and
// changes only through a correction request. The confirmation is kept in
// the history (field confirmed_at, source prefecture). A person already
// confirmed is ECONFLICT.
func (db Decisions) ConfirmIdentity(ctx context.Context, personID, actorID int64) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		now := db.clock.Now()
		res, err := tx.exec(ctx, `UPDATE persons SET confirmed_at = ?, updated_at = ? WHERE id = ? AND confirmed_at IS NULL`, now, now, personID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return permit.Errorf(permit.ECONFLICT, "staff.identity_already_confirmed")
		}
		return recordChange(ctx, tx, &permit.PersonChange{PersonID: personID, Field: permit.FieldConfirmedAt,
			New: now.UTC().Format(time.DateOnly), Source: permit.ChangeByPrefecture, ActorID: actorID, At: now})
	})
}
