package store

import (
	"context"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// Decide records a decision together with the transition that takes it
// and the mail that tells the applicant. A second decision fails with
// ECONFLICT: the transition only applies from "under review". So does a
// favourable decision when a document was reviewed after the newest
// verdict it was taken on (d.ReviewsSeen): the transition's update holds
// the application's row, which a review takes too, so the count below
// sees every review committed before.
func (db Decisions) Decide(ctx context.Context, a *permit.Application, ev *permit.Event, d *permit.Decision, m *permit.Mail) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		if err := transition(ctx, tx, a, ev); err != nil {
			return err
		}
		if d.Outcome == permit.OutcomeFavourable {
			var since int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM document_reviews WHERE application_id = ? AND id > ?`, a.ID, d.ReviewsSeen).Scan(&since); err != nil {
				return err
			}
			if since > 0 {
				return permit.Errorf(permit.ECONFLICT, "grant.error.reviewed_meanwhile")
			}
		}
		d.ApplicationID, d.EventID, d.DecidedAt = a.ID, ev.ID, ev.At
		err := tx.queryRow(ctx, `INSERT INTO decisions (application_id, outcome, reasons, note, with_oqtf, decided_by, decided_at, event_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			d.ApplicationID, string(d.Outcome), strings.Join(d.Reasons, ","), d.Note, d.WithOQTF, d.DecidedBy, d.DecidedAt, d.EventID).Scan(&d.ID)
		if err != nil {
			return err
		}
		return insertMail(ctx, tx, m, ev.At)
	})
}

// Decision returns the application's decision that stands (the newest
// not undone), or ENOTFOUND.
func (db *DB) Decision(ctx context.Context, applicationID int64) (*permit.Decision, error) {
	var d permit.Decision
	err := db.inRead(ctx, func(tx *Tx) error {
		var outcome, reasons string
		var undone nullTime
		err := tx.queryRow(ctx, `SELECT id, application_id, outcome, reasons, note, with_oqtf, decided_by, decided_at, event_id, undone_at
			FROM decisions WHERE application_id = ? AND undone_at IS NULL ORDER BY id DESC LIMIT 1`, applicationID).
			Scan(&d.ID, &d.ApplicationID, &outcome, &reasons, &d.Note, &d.WithOQTF, &d.DecidedBy, &d.DecidedAt, &d.EventID, &undone)
		if err != nil {
			return err
		}
		d.Outcome, d.UndoneAt = permit.Outcome(outcome), undone.ptr()
		if reasons != "" {
			d.Reasons = strings.Split(reasons, ",")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// ProduceCard records that the card is ready, with the mail that tells
// the applicant and, when ap is not nil, a typed collection appointment
// (the way before issue 18; casework now passes nil).
func (db Decisions) ProduceCard(ctx context.Context, a *permit.Application, ev *permit.Event, ap *permit.Appointment, m *permit.Mail) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		if err := transition(ctx, tx, a, ev); err != nil {
			return err
		}
		if ap != nil { // a typed appointment (before issue 18); now the applicant books a slot
			if err := offer(ctx, tx, ap, ev.At); err != nil {
				return err
			}
		}
		return insertMail(ctx, tx, m, ev.At)
	})
}

func offer(ctx context.Context, tx *Tx, ap *permit.Appointment, now time.Time) error {
	if _, err := tx.exec(ctx, `UPDATE card_appointments SET cancelled_at = ? WHERE application_id = ? AND cancelled_at IS NULL`, now, ap.ApplicationID); err != nil {
		return err
	}
	ap.OfferedAt = now
	return tx.queryRow(ctx, `INSERT INTO card_appointments (application_id, starts_at, place, offered_by, offered_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		ap.ApplicationID, ap.StartsAt, ap.Place, ap.OfferedBy, ap.OfferedAt).Scan(&ap.ID)
}

// Appointment returns the collection appointment that stands, or ENOTFOUND.
func (db *DB) Appointment(ctx context.Context, applicationID int64) (*permit.Appointment, error) {
	var ap permit.Appointment
	err := db.inRead(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `SELECT id, application_id, starts_at, place, offered_by, offered_at FROM card_appointments
			WHERE application_id = ? AND cancelled_at IS NULL ORDER BY id DESC LIMIT 1`, applicationID).
			Scan(&ap.ID, &ap.ApplicationID, &ap.StartsAt, &ap.Place, &ap.OfferedBy, &ap.OfferedAt)
	})
	if err != nil {
		return nil, err
	}
	ap.StartsAt = ap.StartsAt.UTC()
	return &ap, nil
}

// HandOver records that the card was handed over: the transition, and the
// new card as the person's current permit, confirmed by the prefecture.
func (db Decisions) HandOver(ctx context.Context, a *permit.Application, ev *permit.Event, card *permit.Permit) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		if err := transition(ctx, tx, a, ev); err != nil {
			return err
		}
		card.ConfirmedAt = &ev.At
		if err := tx.queryRow(ctx, `INSERT INTO permits (person_id, ground, number, valid_from, valid_to, created_at, confirmed_at, application_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			card.PersonID, string(card.Ground), card.Number, card.ValidFrom, card.ValidTo, ev.At, ev.At, a.ID).Scan(&card.ID); err != nil {
			return err
		}
		// The new card is the current permit of the person's other applications too.
		return refreshPersonDue(ctx, tx, card.PersonID)
	})
}

// Undo records a supervisor's undo and takes back what the undone step
// brought with it: the decision (marked undone), the favourable-decision
// attestations (revoked), the appointment (cancelled), the card recorded
// at hand-over (removed from the person's permits).
func (db Decisions) Undo(ctx context.Context, a *permit.Application, ev *permit.Event, m *permit.Mail) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		if err := transition(ctx, tx, a, ev); err != nil {
			return err
		}
		switch ev.From {
		case permit.StateFavourable, permit.StateUnfavourable:
			if _, err := tx.exec(ctx, `UPDATE decisions SET undone_at = ? WHERE event_id = ?`, ev.At, ev.UndoOf); err != nil {
				return err
			}
		case permit.StateCardReady:
			if _, err := tx.exec(ctx, `UPDATE card_appointments SET cancelled_at = ? WHERE application_id = ? AND cancelled_at IS NULL`, ev.At, a.ID); err != nil {
				return err
			}
			// The collection slot the applicant booked is given back (it
			// is offered to the waiting list by the site's next write).
			if _, err := tx.exec(ctx, `DELETE FROM booking_cells WHERE booking_id IN (SELECT id FROM bookings
				WHERE application_id = ? AND kind = ? AND status IN ('booked', 'waiting'))`, a.ID, string(permit.BookingCard)); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `UPDATE bookings SET status = 'cancelled' WHERE application_id = ? AND kind = ? AND status IN ('booked', 'waiting')`,
				a.ID, string(permit.BookingCard)); err != nil {
				return err
			}
		case permit.StateHandedOver:
			if _, err := tx.exec(ctx, `DELETE FROM permits WHERE application_id = ?`, a.ID); err != nil {
				return err
			}
			if err := refreshPersonDue(ctx, tx, a.PersonID); err != nil {
				return err
			}
		}
		if ev.From == permit.StateFavourable {
			if _, err := tx.exec(ctx, `UPDATE attestations SET revoked_at = ?, revoke_reason = ?
				WHERE application_id = ? AND kind = ? AND revoked_at IS NULL AND superseded_at IS NULL`,
				ev.At, ev.Reason, a.ID, string(permit.AttestationFavourable)); err != nil {
				return err
			}
		}
		return insertMail(ctx, tx, m, ev.At)
	})
}

// ReviewDocument records an agent's verdict on a document version. It
// holds the application's row first, as a decision does, so that a
// verdict and a favourable decision taken at once are ordered (Decide).
func (db Decisions) ReviewDocument(ctx context.Context, r *permit.DocumentReview) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `UPDATE applications SET updated_at = updated_at WHERE id = ?`, r.ApplicationID); err != nil {
			return err
		}
		r.ReviewedAt = db.clock.Now()
		return tx.queryRow(ctx, `INSERT INTO document_reviews (document_id, application_id, accepted, reason, note, reviewed_by, reviewed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			r.DocumentID, r.ApplicationID, r.Accepted, r.Reason, r.Note, r.ReviewedBy, r.ReviewedAt).Scan(&r.ID)
	})
}

// DocumentReviews returns the verdicts on an application's documents,
// oldest first.
func (db *DB) DocumentReviews(ctx context.Context, applicationID int64) ([]*permit.DocumentReview, error) {
	var out []*permit.DocumentReview
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id, document_id, application_id, accepted, reason, note, reviewed_by, reviewed_at
			FROM document_reviews WHERE application_id = ? ORDER BY id`, applicationID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r permit.DocumentReview
			if err := rows.Scan(&r.ID, &r.DocumentID, &r.ApplicationID, &r.Accepted, &r.Reason, &r.Note, &r.ReviewedBy, &r.ReviewedAt); err != nil {
				return err
			}
			out = append(out, &r)
		}
		return rows.Err()
	})
	return out, err
}

// AnswerCompletion marks the open completion request of an application
// answered, with the transition an agent takes when the file is complete.
func (db Decisions) AnswerCompletion(ctx context.Context, a *permit.Application, ev *permit.Event) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		if err := transition(ctx, tx, a, ev); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `UPDATE completion_requests SET answered_at = ? WHERE application_id = ? AND answered_at IS NULL`, ev.At, a.ID)
		return err
	})
}

// Step records a transition and the mail that tells the applicant about it.
func (db Decisions) Step(ctx context.Context, a *permit.Application, ev *permit.Event, m *permit.Mail) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		if err := transition(ctx, tx, a, ev); err != nil {
			return err
		}
		return insertMail(ctx, tx, m, ev.At)
	})
}
