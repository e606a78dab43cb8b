package store

import (
	"context"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// RequestCorrection records an applicant's request to correct their civil
// data, with its evidence and the mail that tells the prefecture. A person
// has at most one pending request: a second one is ECONFLICT. The evidence
// counts in the person's quota of bytes, as documents do (AddDocument).
func (db Corrections) RequestCorrection(ctx context.Context, c *permit.Correction, quota int64, m *permit.Mail) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		now := db.clock.Now()
		if err := reserve(ctx, tx, c.PersonID, c.Evidence.Size, quota); err != nil {
			return err
		}
		c.Status, c.CreatedAt = permit.CorrectionPending, now
		err := tx.queryRow(ctx, `INSERT INTO corrections (person_id, requested_by, explanation, evidence_sha256, evidence_name, evidence_kind,
			evidence_size, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.PersonID, c.RequestedBy, c.Explanation, c.Evidence.BlobSum, c.Evidence.Filename, c.Evidence.Kind, c.Evidence.Size,
			string(c.Status), now).Scan(&c.ID)
		if err != nil {
			if uniqueViolation(err) {
				return permit.Errorf(permit.ECONFLICT, "correction.error.pending")
			}
			return err
		}
		for _, f := range c.Fields {
			if _, err := tx.exec(ctx, `INSERT INTO correction_fields (correction_id, field, old_value, new_value) VALUES (?, ?, ?, ?)`,
				c.ID, f.Field, f.Old, f.New); err != nil {
				return err
			}
		}
		tx.made(c.ID)
		return insertMail(ctx, tx, m, now)
	})
}

// AcceptCorrection applies a pending correction, in one transaction: the
// person's data takes the requested values (the history keeping the former
// ones, with the request as their source), every attestation of the
// person that proves something today or will (valid or not yet valid) is
// superseded by a new version with the same number and dates, and the
// applicant's mail is written. It returns the attestations reissued; the
// new versions have no code yet (the caller signs them). The request must
// still be pending (ECONFLICT correction.error.decided otherwise) and the
// person's data must still be what the request replaces (ECONFLICT
// correction.error.changed: the agent sees the request again).
func (db Corrections) AcceptCorrection(ctx context.Context, c *permit.Correction, m *permit.Mail) ([]permit.Reissue, error) {
	var reissued []permit.Reissue
	err := db.inWrite(ctx, func(tx *Tx) error {
		now := db.clock.Now()
		if err := decideCorrection(ctx, tx, c, permit.CorrectionAccepted, now); err != nil {
			return err
		}
		old, err := lockPerson(ctx, tx, c.PersonID)
		if err != nil {
			return err
		}
		for _, f := range c.Fields {
			for _, v := range old.Fields() {
				if v.Name == f.Field && v.Value != f.Old {
					return permit.Errorf(permit.ECONFLICT, "correction.error.changed")
				}
			}
		}
		by := permit.PersonChange{Source: permit.ChangeByCorrection, SourceRef: c.ID, ActorID: c.DecidedBy}
		if _, err := updatePerson(ctx, tx, old, c.Apply(old), by, now); err != nil {
			return err
		}
		datesChanged, err := correctPermitDates(ctx, tx, c, by, now)
		if err != nil {
			return err
		}
		// Read here, in the same transaction, so that one issued meanwhile
		// is not left with the former data.
		live, err := scanAttestations(ctx, tx, `WHERE superseded_at IS NULL AND revoked_at IS NULL
			AND application_id IN (SELECT id FROM applications WHERE person_id = ?) ORDER BY id`, c.PersonID)
		if err != nil {
			return err
		}
		for _, at := range live {
			if !at.StillProves(now) {
				continue
			}
			if datesChanged && at.Kind == permit.AttestationExtension {
				// Its dates followed the former end of the permit: it is
				// withdrawn in favour of the chain planned from the
				// corrected end, which the job owed below issues.
				if _, err := tx.exec(ctx, `UPDATE attestations SET superseded_at = ? WHERE id = ?`, now, at.ID); err != nil {
					return err
				}
				at.SupersededAt = &now
				reissued = append(reissued, permit.Reissue{Old: at})
				continue
			}
			r := permit.Reissue{Old: at, Next: &permit.Attestation{ValidFrom: at.ValidFrom, ValidUntil: at.ValidUntil, AvailableFrom: at.AvailableFrom}}
			if err := supersede(ctx, tx, r.Old, r.Next, now); err != nil {
				return err
			}
			reissued = append(reissued, r)
		}
		if datesChanged {
			// The window, lateness, deadlines and the extension chain
			// all follow the permit's end: refresh and re-plan every
			// filed application of the person.
			if err := refreshPersonDue(ctx, tx, c.PersonID); err != nil {
				return err
			}
		}
		return insertMail(ctx, tx, m, now)
	})
	if err != nil {
		return nil, err
	}
	return reissued, nil
}

// correctPermitDates applies the permit fields of an accepted request to
// the person's current permit, in the history like any other field. The
// permit must still have the dates the request replaces (ECONFLICT
// correction.error.changed otherwise). It reports whether it changed
// them.
func correctPermitDates(ctx context.Context, tx *Tx, c *permit.Correction, by permit.PersonChange, now time.Time) (bool, error) {
	var fields []permit.PersonChange
	for _, f := range c.Fields {
		if permit.IsPermitField(f.Field) {
			fields = append(fields, f)
		}
	}
	if len(fields) == 0 {
		return false, nil
	}
	var pm permit.Permit
	err := tx.queryRow(ctx, `SELECT id, valid_from, valid_to FROM permits WHERE person_id = ? ORDER BY valid_to DESC, id DESC LIMIT 1`,
		c.PersonID).Scan(&pm.ID, &pm.ValidFrom, &pm.ValidTo)
	if err != nil {
		return false, permit.Errorf(permit.ECONFLICT, "correction.error.changed")
	}
	current := map[string]string{
		permit.FieldPermitValidFrom: pm.ValidFrom.UTC().Format(time.DateOnly),
		permit.FieldPermitValidTo:   pm.ValidTo.UTC().Format(time.DateOnly),
	}
	for _, f := range fields {
		if current[f.Field] != f.Old {
			return false, permit.Errorf(permit.ECONFLICT, "correction.error.changed")
		}
	}
	next, _, err := c.PermitDates(&pm)
	if err != nil {
		return false, err
	}
	if !next.ValidFrom.Before(next.ValidTo) {
		return false, permit.Invalid(map[string]string{"permit_to": "profile.error.permit_dates"})
	}
	if _, err := tx.exec(ctx, `UPDATE permits SET valid_from = ?, valid_to = ? WHERE id = ?`, next.ValidFrom, next.ValidTo, pm.ID); err != nil {
		return false, err
	}
	for _, f := range fields {
		ch := by
		ch.PersonID, ch.Field, ch.Old, ch.New, ch.At = c.PersonID, f.Field, f.Old, f.New, now
		if err := recordChange(ctx, tx, &ch); err != nil {
			return false, err
		}
	}
	return true, nil
}

// RefuseCorrection closes a pending correction with the agent's reason;
// the person's data stays as it was.
func (db Corrections) RefuseCorrection(ctx context.Context, c *permit.Correction, m *permit.Mail) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		now := db.clock.Now()
		if err := decideCorrection(ctx, tx, c, permit.CorrectionRefused, now); err != nil {
			return err
		}
		return insertMail(ctx, tx, m, now)
	})
}

// WithdrawCorrection closes a pending correction at the applicant's request.
func (db Corrections) WithdrawCorrection(ctx context.Context, c *permit.Correction) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		return decideCorrection(ctx, tx, c, permit.CorrectionWithdrawn, db.clock.Now())
	})
}

func decideCorrection(ctx context.Context, tx *Tx, c *permit.Correction, to permit.CorrectionStatus, now time.Time) error {
	res, err := tx.exec(ctx, `UPDATE corrections SET status = ?, decided_by = ?, decided_at = ?, reason = ? WHERE id = ? AND status = 'pending'`,
		string(to), nullID(c.DecidedBy), now, c.Reason, c.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return &permit.CorrectionDecidedError{Correction: c.ID}
	}
	c.Status, c.DecidedAt = to, &now
	return nil
}

const correctionColumns = `id, person_id, requested_by, explanation, evidence_sha256, evidence_name, evidence_kind, evidence_size,
	status, decided_by, decided_at, reason, created_at`

// Correction returns a correction request with its fields, or ENOTFOUND.
func (db Corrections) Correction(ctx context.Context, id int64) (*permit.Correction, error) {
	cs, err := db.corrections(ctx, "id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	return cs[0], nil
}

// CorrectionsByPerson returns a person's correction requests, newest first.
func (db *DB) CorrectionsByPerson(ctx context.Context, personID int64) ([]*permit.Correction, error) {
	return db.corrections(ctx, "person_id = ?", personID)
}

// PendingCorrections returns the pending requests of the persons whom one
// of the prefectures serves, oldest first (the order they are examined
// in); every prefecture's when prefectureIDs is nil (an admin).
func (db Corrections) PendingCorrections(ctx context.Context, prefectureIDs []int64) ([]*permit.Correction, error) {
	where := "status = 'pending'"
	var args []any
	if prefectureIDs != nil {
		if len(prefectureIDs) == 0 {
			return nil, nil
		}
		where += " AND person_id IN (SELECT id FROM persons WHERE prefecture_id IN (?" + strings.Repeat(", ?", len(prefectureIDs)-1) + "))"
		for _, id := range prefectureIDs {
			args = append(args, id)
		}
	}
	cs, err := db.corrections(ctx, where, args...)
	if err != nil {
		return nil, err
	}
	for i, j := 0, len(cs)-1; i < j; i, j = i+1, j-1 {
		cs[i], cs[j] = cs[j], cs[i]
	}
	return cs, nil
}

func (db *DB) corrections(ctx context.Context, where string, args ...any) ([]*permit.Correction, error) {
	var out []*permit.Correction
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT `+correctionColumns+` FROM corrections WHERE `+where+` ORDER BY id DESC`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c permit.Correction
			var status string
			var decidedBy nullInt
			var decidedAt nullTime
			if err := rows.Scan(&c.ID, &c.PersonID, &c.RequestedBy, &c.Explanation, &c.Evidence.BlobSum, &c.Evidence.Filename,
				&c.Evidence.Kind, &c.Evidence.Size, &status, &decidedBy, &decidedAt, &c.Reason, &c.CreatedAt); err != nil {
				return err
			}
			c.Status, c.DecidedBy, c.DecidedAt = permit.CorrectionStatus(status), decidedBy.Int64, decidedAt.ptr()
			out = append(out, &c)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		for _, c := range out {
			if err := correctionFields(ctx, tx, c); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// correctionFields reads a request's fields, in the order of
// CorrectableFields.
func correctionFields(ctx context.Context, tx *Tx, c *permit.Correction) error {
	rows, err := tx.query(ctx, `SELECT field, old_value, new_value FROM correction_fields WHERE correction_id = ?`, c.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	got := map[string]permit.PersonChange{}
	for rows.Next() {
		f := permit.PersonChange{PersonID: c.PersonID}
		if err := rows.Scan(&f.Field, &f.Old, &f.New); err != nil {
			return err
		}
		got[f.Field] = f
	}
	for _, name := range permit.CorrectableFields {
		if f, ok := got[name]; ok {
			c.Fields = append(c.Fields, f)
		}
	}
	return rows.Err()
}
