package store

import (
	"context"
	"fmt"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// IssueAttestation records a new attestation, with the mail telling its
// holder, in one transaction. Its number is made from its kind, year and
// id unless it is a new version of an existing number. It returns
// ECONFLICT when a live attestation of the same application, kind and
// start day exists: issuing twice issues once.
func (db Issuance) IssueAttestation(ctx context.Context, a *permit.Attestation, m *permit.Mail) error {
	return db.IssueSigned(ctx, a, m, nil)
}

// IssueSigned is IssueAttestation with the attestation signed in the same
// transaction, once its number and time of issue are made: sign returns
// its code (nil: left unsigned, for SetAttestationCode). Issued and
// signed commit together, so that no worker dying in between leaves an
// attestation without its code.
func (db Issuance) IssueSigned(ctx context.Context, a *permit.Attestation, m *permit.Mail, sign func(*permit.Attestation) (string, error)) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		a.IssuedAt = db.clock.Now()
		if a.Version == 0 {
			a.Version = 1
		}
		number := a.Number
		if number == "" && a.Kind == permit.AttestationFilingReceipt {
			// The receipt carries the number of the filing it proves: one
			// number on the page, the PDF, the list and the signed code.
			err := tx.queryRow(ctx, `SELECT number FROM filings WHERE application_id = ? ORDER BY id LIMIT 1`, a.ApplicationID).Scan(&number)
			if err != nil {
				return err
			}
			a.Number = number
		}
		if number == "" {
			number = fmt.Sprintf("pending-%d-%s-%d", a.ApplicationID, a.Kind, a.ValidFrom.Unix())
		}
		err := tx.queryRow(ctx, `INSERT INTO attestations (application_id, kind, number, version, valid_from, valid_until, available_from, issued_at, code)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			a.ApplicationID, string(a.Kind), number, a.Version, a.ValidFrom, a.ValidUntil, a.AvailableFrom, a.IssuedAt, a.Code).Scan(&a.ID)
		if err != nil {
			return err
		}
		if a.Number == "" {
			prefix := a.Kind.NumberPrefix()
			if prefix == "" {
				return permit.Errorf(permit.EINTERNAL, "error.internal")
			}
			a.Number = fmt.Sprintf("%s-%d-%07d", prefix, a.ValidFrom.Year(), a.ID)
			if _, err := tx.exec(ctx, `UPDATE attestations SET number = ? WHERE id = ?`, a.Number, a.ID); err != nil {
				return err
			}
		}
		if sign != nil && a.Code == "" {
			code, err := sign(a)
			if err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `UPDATE attestations SET code = ? WHERE id = ?`, code, a.ID); err != nil {
				return err
			}
			a.Code = code
		}
		if err := refreshDue(ctx, tx, a.ApplicationID); err != nil {
			return err
		}
		if err := followAttestation(ctx, tx, a); err != nil {
			return err
		}
		return insertMail(ctx, tx, m, a.IssuedAt)
	})
}

// SetAttestationCode stores the signed code of an attestation once it is
// known (it carries the number, which the insert makes).
func (db Issuance) SetAttestationCode(ctx context.Context, id int64, code string) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE attestations SET code = ? WHERE id = ? AND code = ''`, code, id)
		return err
	})
}

// SetAttestationPDF records the blob of a signed attestation's PDF, once:
// the first kept is the one served ever after.
func (db Issuance) SetAttestationPDF(ctx context.Context, id int64, sum string) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE attestations SET pdf_sum = ? WHERE id = ? AND pdf_sum = '' AND code <> ''`, sum, id)
		return err
	})
}

// Attestations returns every attestation of an application, every
// version, oldest first.
func (db *DB) Attestations(ctx context.Context, applicationID int64) ([]*permit.Attestation, error) {
	return db.attestations(ctx, `WHERE application_id = ? ORDER BY valid_from, id`, applicationID)
}

func (db *DB) attestations(ctx context.Context, tail string, args ...any) ([]*permit.Attestation, error) {
	var out []*permit.Attestation
	err := db.inRead(ctx, func(tx *Tx) (err error) {
		out, err = scanAttestations(ctx, tx, tail, args...)
		return err
	})
	return out, err
}

func scanAttestations(ctx context.Context, tx *Tx, tail string, args ...any) ([]*permit.Attestation, error) {
	return rowsOf(ctx, tx, `SELECT `+attestationColumns+` FROM attestations `+tail, readAttestation, args...)
}

const attestationColumns = `id, application_id, kind, number, version, valid_from, valid_until, available_from, issued_at, code,
	superseded_at, revoked_at, revoke_reason, pdf_sum`

func readAttestation(r scanner) (*permit.Attestation, error) {
	var a permit.Attestation
	var kind string
	var sup, rev nullTime
	if err := r.Scan(&a.ID, &a.ApplicationID, &kind, &a.Number, &a.Version, &a.ValidFrom, &a.ValidUntil, &a.AvailableFrom,
		&a.IssuedAt, &a.Code, &sup, &rev, &a.RevokeReason, &a.PDFSum); err != nil {
		return nil, err
	}
	a.Kind, a.SupersededAt, a.RevokedAt = permit.AttestationKind(kind), sup.ptr(), rev.ptr()
	return &a, nil
}

// Supersede replaces an attestation by a new version with the same
// number, in one transaction: the old one is marked superseded and the
// new one inserted (with its mail). It returns ECONFLICT when the old one
// was superseded or revoked meanwhile.
func (db Issuance) Supersede(ctx context.Context, old, next *permit.Attestation, m *permit.Mail) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		now := db.clock.Now()
		if err := supersede(ctx, tx, old, next, now); err != nil {
			return err
		}
		return insertMail(ctx, tx, m, now)
	})
}

// supersede marks old superseded and inserts next as its new version.
func supersede(ctx context.Context, tx *Tx, old, next *permit.Attestation, now time.Time) error {
	res, err := tx.exec(ctx, `UPDATE attestations SET superseded_at = ? WHERE id = ? AND superseded_at IS NULL AND revoked_at IS NULL`, now, old.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return permit.Errorf(permit.ECONFLICT, "error.conflict")
	}
	old.SupersededAt = &now
	next.ApplicationID, next.Kind, next.Number, next.Version, next.IssuedAt = old.ApplicationID, old.Kind, old.Number, old.Version+1, now
	err = tx.queryRow(ctx, `INSERT INTO attestations (application_id, kind, number, version, valid_from, valid_until, available_from, issued_at, code)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		next.ApplicationID, string(next.Kind), next.Number, next.Version, next.ValidFrom, next.ValidUntil, next.AvailableFrom, now, next.Code).Scan(&next.ID)
	if err != nil {
		return err
	}
	if err := refreshDue(ctx, tx, next.ApplicationID); err != nil {
		return err
	}
	return replan(ctx, tx, next.ApplicationID) // the new version is signed by the job
}

// Revoke withdraws an attestation, with the reason; it stays in the
// history and the verifier says it is revoked.
func (db Issuance) Revoke(ctx context.Context, id int64, reason string) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE attestations SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL`, db.clock.Now(), reason, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return permit.Errorf(permit.ENOTFOUND, "error.not_found")
		}
		var appID int64
		if err := tx.queryRow(ctx, `SELECT application_id FROM attestations WHERE id = ?`, id).Scan(&appID); err != nil {
			return err
		}
		if err := refreshDue(ctx, tx, appID); err != nil {
			return err
		}
		return replan(ctx, tx, appID)
	})
}
