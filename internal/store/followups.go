package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// FollowUps is the room of employers' follow-ups of a person's right to
// work (issue 14, part 5), their events and the organisations' webhooks,
// taken as store.FollowUps{DB: db}.
type FollowUps struct{ *DB }

// The work the follow-ups owe.
const (
	// JobFollowUpEvent mails one event to its organisation's members and
	// owes its webhook delivery (Job.ID: the event).
	JobFollowUpEvent JobKind = "follow_up_event"
	// JobDeliverWebhook posts one event to its organisation's webhook
	// (Job.ID: the event).
	JobDeliverWebhook JobKind = "deliver_webhook"
)

// writeFollowUpEvents writes an event for each active follow-up of a
// person, once per follow-up and key, and owes each new one its job, in
// the transaction of what caused it: a filing, an attestation, a
// decision commits with its events or not at all. A key already written
// writes nothing.
func writeFollowUpEvents(ctx context.Context, tx *Tx, personID int64, kind permit.FollowUpEventKind, day time.Time, key string, now time.Time) (int, error) {
	rows, err := tx.query(ctx, `SELECT id FROM follow_ups WHERE person_id = ? AND state = ?`, personID, string(permit.FollowUpActive))
	if err != nil {
		return 0, err
	}
	ids, err := scanIDs(rows)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		made, err := writeFollowUpEvent(ctx, tx, id, kind, day, key, now)
		if err != nil {
			return n, err
		}
		if made {
			n++
		}
	}
	return n, nil
}

// writeFollowUpEvent writes one event of one follow-up unless its key was
// written before, and owes its job.
func writeFollowUpEvent(ctx context.Context, tx *Tx, followUpID int64, kind permit.FollowUpEventKind, day time.Time, key string, now time.Time) (bool, error) {
	var id int64
	err := tx.queryRow(ctx, `INSERT INTO follow_up_events (follow_up_id, kind, day, dedup_key, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (follow_up_id, dedup_key) DO NOTHING RETURNING id`,
		followUpID, string(kind), day.Format(time.DateOnly), key, now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	tx.owe(JobFollowUpEvent, id)
	return true, nil
}

// followTransition writes the events a state change causes: a renewal
// filed, a decision taken. Called by transition, in its transaction.
func followTransition(ctx context.Context, tx *Tx, a *permit.Application, ev *permit.Event) error {
	var kind permit.FollowUpEventKind
	switch ev.To {
	case permit.StateSubmitted:
		kind = permit.EventRenewalFiled
	case permit.StateFavourable:
		kind = permit.EventDecisionFavourable
	case permit.StateUnfavourable:
		kind = permit.EventDecisionRefused
	default:
		return nil
	}
	var personID int64
	var appKind string
	if err := tx.queryRow(ctx, `SELECT person_id, kind FROM applications WHERE id = ?`, a.ID).Scan(&personID, &appKind); err != nil {
		return err
	}
	if kind == permit.EventRenewalFiled && permit.Kind(appKind) != permit.KindRenewal {
		return nil
	}
	_, err := writeFollowUpEvents(ctx, tx, personID, kind, permit.ParisDay(ev.At), string(kind)+":event:"+strconv.FormatInt(ev.ID, 10), ev.At)
	return err
}

// followAttestation writes the event of an extension attestation issued,
// in the transaction that issues it.
func followAttestation(ctx context.Context, tx *Tx, a *permit.Attestation) error {
	if a.Kind != permit.AttestationExtension {
		return nil
	}
	var personID int64
	if err := tx.queryRow(ctx, `SELECT person_id FROM applications WHERE id = ?`, a.ApplicationID).Scan(&personID); err != nil {
		return err
	}
	_, err := writeFollowUpEvents(ctx, tx, personID, permit.EventExtensionIssued, permit.ParisDay(a.IssuedAt),
		string(permit.EventExtensionIssued)+":attestation:"+strconv.FormatInt(a.ID, 10), a.IssuedAt)
	return err
}

// RecordRightEnds writes the event "the right ends within the notice" of
// one active follow-up, keyed by the right's last day: a sweep run twice
// writes it once, and a right renewed to a later day is told again when
// that day nears. It reports whether it wrote the event; a follow-up no
// longer active writes nothing.
func (db FollowUps) RecordRightEnds(ctx context.Context, followUpID int64, until time.Time) (bool, error) {
	var made bool
	err := db.inWrite(ctx, func(tx *Tx) error {
		var one int
		err := tx.queryRow(ctx, `SELECT 1 FROM follow_ups WHERE id = ? AND state = ?`, followUpID, string(permit.FollowUpActive)).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		made, err = writeFollowUpEvent(ctx, tx, followUpID, permit.EventRightEnds, until,
			string(permit.EventRightEnds)+":"+until.Format(time.DateOnly), db.clock.Now())
		return err
	})
	return made, err
}

// RequestFollowUp records an organisation's request to follow a person,
// with the audit entry the context carries. An open follow-up (asked or
// active) of the same person by the same organisation is ECONFLICT. m,
// when not nil, is the mail asking the person, written with it.
func (db FollowUps) RequestFollowUp(ctx context.Context, f *permit.FollowUp, m *permit.Mail) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		f.RequestedAt, f.State = db.clock.Now(), permit.FollowUpRequested
		err := tx.queryRow(ctx, `INSERT INTO follow_ups (organisation_id, person_id, work_check_id, requested_by, requested_at, state)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, f.OrganisationID, f.PersonID, f.WorkCheckID, f.RequestedBy, f.RequestedAt, string(f.State)).Scan(&f.ID)
		if uniqueViolation(err) {
			return permit.Errorf(permit.ECONFLICT, "followups.error.exists")
		}
		if err != nil {
			return err
		}
		tx.made(f.ID)
		return insertMail(ctx, tx, m, f.RequestedAt)
	})
}

const followUpColumns = `f.id, f.organisation_id, o.name, o.siret, f.person_id, p.given_names, p.surname, f.work_check_id, f.requested_by,
	f.requested_at, f.state, f.answered_at, f.ended_at, f.ended_by`

const followUpFrom = ` FROM follow_ups f JOIN organisations o ON o.id = f.organisation_id JOIN persons p ON p.id = f.person_id `

func scanFollowUp(row interface{ Scan(...any) error }) (*permit.FollowUp, error) {
	var f permit.FollowUp
	var state string
	var answered, ended nullTime
	if err := row.Scan(&f.ID, &f.OrganisationID, &f.Organisation, &f.SIRET, &f.PersonID, &f.GivenNames, &f.Surname, &f.WorkCheckID,
		&f.RequestedBy, &f.RequestedAt, &state, &answered, &ended, &f.EndedBy); err != nil {
		return nil, err
	}
	f.State, f.AnsweredAt, f.EndedAt, f.RequestedAt = permit.FollowUpState(state), answered.ptr(), ended.ptr(), f.RequestedAt.UTC()
	return &f, nil
}

func (db FollowUps) followUps(ctx context.Context, where string, args ...any) ([]*permit.FollowUp, error) {
	var out []*permit.FollowUp
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT `+followUpColumns+followUpFrom+`WHERE `+where, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			f, err := scanFollowUp(rows)
			if err != nil {
				return err
			}
			out = append(out, f)
		}
		return rows.Err()
	})
	return out, err
}

// FollowUp returns one follow-up, or ENOTFOUND.
func (db FollowUps) FollowUp(ctx context.Context, id int64) (*permit.FollowUp, error) {
	list, err := db.followUps(ctx, `f.id = ?`, id)
	if err != nil {
		return nil, err
	} else if len(list) == 0 {
		return nil, permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	return list[0], nil
}

// PersonFollowUps lists a person's follow-ups, newest first, at most limit.
func (db FollowUps) PersonFollowUps(ctx context.Context, personID int64, limit int) ([]*permit.FollowUp, error) {
	return db.followUps(ctx, `f.person_id = ? ORDER BY f.id DESC LIMIT ?`, personID, limit)
}

// OrganisationFollowUps lists an organisation's follow-ups, newest first,
// at most limit.
func (db FollowUps) OrganisationFollowUps(ctx context.Context, organisationID int64, limit int) ([]*permit.FollowUp, error) {
	return db.followUps(ctx, `f.organisation_id = ? ORDER BY f.id DESC LIMIT ?`, organisationID, limit)
}

// ActiveFollowUps lists up to limit active follow-ups after the id after,
// in id order: the sweep's pages.
func (db FollowUps) ActiveFollowUps(ctx context.Context, after int64, limit int) ([]*permit.FollowUp, error) {
	return db.followUps(ctx, `f.state = ? AND f.id > ? ORDER BY f.id LIMIT ?`, string(permit.FollowUpActive), after, limit)
}

// AnswerFollowUp records the person's answer to a request: active when
// they accept, declined otherwise, with the audit entry the context
// carries. A follow-up not asked of this person, or already answered, is
// ENOTFOUND.
func (db FollowUps) AnswerFollowUp(ctx context.Context, personID, id int64, accept bool) error {
	state := permit.FollowUpDeclined
	if accept {
		state = permit.FollowUpActive
	}
	return db.inWrite(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE follow_ups SET state = ?, answered_at = ? WHERE id = ? AND person_id = ? AND state = ?`,
			string(state), db.clock.Now(), id, personID, string(permit.FollowUpRequested))
		return oneRow(res, err, permit.ENOTFOUND, "error.not_found")
	})
}

// EndFollowUp ends an open follow-up, on the person's side (personID set)
// or the organisation's (organisationID set), with the audit entry the
// context carries. Another's, or one already over, is ENOTFOUND.
func (db FollowUps) EndFollowUp(ctx context.Context, id, personID, organisationID int64) error {
	by, where, owner := "worker", `person_id = ?`, personID
	if organisationID != 0 {
		by, where, owner = "employer", `organisation_id = ?`, organisationID
	}
	return db.inWrite(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE follow_ups SET state = ?, ended_at = ?, ended_by = ? WHERE id = ? AND `+where+` AND state IN (?, ?)`,
			string(permit.FollowUpEnded), db.clock.Now(), by, id, owner, string(permit.FollowUpRequested), string(permit.FollowUpActive))
		return oneRow(res, err, permit.ENOTFOUND, "error.not_found")
	})
}

const followUpEventColumns = `id, follow_up_id, kind, day, created_at, mailed_at, delivered_at`

func scanFollowUpEvent(row interface{ Scan(...any) error }) (*permit.FollowUpEvent, error) {
	var e permit.FollowUpEvent
	var kind string
	var mailed, delivered nullTime
	if err := row.Scan(&e.ID, &e.FollowUpID, &kind, &e.Day, &e.CreatedAt, &mailed, &delivered); err != nil {
		return nil, err
	}
	e.Kind, e.MailedAt, e.DeliveredAt, e.CreatedAt = permit.FollowUpEventKind(kind), mailed.ptr(), delivered.ptr(), e.CreatedAt.UTC()
	return &e, nil
}

func (db FollowUps) followUpEvents(ctx context.Context, tail string, args ...any) ([]*permit.FollowUpEvent, error) {
	var out []*permit.FollowUpEvent
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT `+followUpEventColumns+` FROM follow_up_events `+tail, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanFollowUpEvent(rows)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// FollowUpEvent returns one event, or ENOTFOUND.
func (db FollowUps) FollowUpEvent(ctx context.Context, id int64) (*permit.FollowUpEvent, error) {
	list, err := db.followUpEvents(ctx, `WHERE id = ?`, id)
	if err != nil {
		return nil, err
	} else if len(list) == 0 {
		return nil, permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	return list[0], nil
}

// FollowUpEvents lists a follow-up's events, newest first, at most limit.
func (db FollowUps) FollowUpEvents(ctx context.Context, followUpID int64, limit int) ([]*permit.FollowUpEvent, error) {
	return db.followUpEvents(ctx, `WHERE follow_up_id = ? ORDER BY id DESC LIMIT ?`, followUpID, limit)
}

// UnmailedFollowUpEvents lists up to limit events not mailed yet, oldest
// first: what a lost job or a process without a queue left (the sweep).
func (db FollowUps) UnmailedFollowUpEvents(ctx context.Context, limit int) ([]*permit.FollowUpEvent, error) {
	return db.followUpEvents(ctx, `WHERE mailed_at IS NULL ORDER BY id LIMIT ?`, limit)
}

// MailFollowUpEvent marks an event mailed, writes its mails to the
// outbox and, when webhook is set, owes its delivery, in one
// transaction; an event already mailed writes nothing (a job run twice
// mails once).
func (db FollowUps) MailFollowUpEvent(ctx context.Context, id int64, mails []*permit.Mail, webhook bool) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		now := db.clock.Now()
		res, err := tx.exec(ctx, `UPDATE follow_up_events SET mailed_at = ? WHERE id = ? AND mailed_at IS NULL`, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		for _, m := range mails {
			if err := insertMail(ctx, tx, m, now); err != nil {
				return err
			}
		}
		if webhook {
			tx.owe(JobDeliverWebhook, id)
		}
		return nil
	})
}

// MarkWebhookDelivered records that the webhook acknowledged an event.
func (db FollowUps) MarkWebhookDelivered(ctx context.Context, id int64) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE follow_up_events SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL`, db.clock.Now(), id)
		return err
	})
}

// Webhook returns an organisation's webhook, or ENOTFOUND.
func (db FollowUps) Webhook(ctx context.Context, organisationID int64) (*permit.Webhook, error) {
	var h permit.Webhook
	err := db.inRead(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `SELECT organisation_id, url, nonce, created_by, created_at FROM org_webhooks WHERE organisation_id = ?`, organisationID).
			Scan(&h.OrganisationID, &h.URL, &h.Nonce, &h.CreatedBy, &h.CreatedAt)
	})
	if err != nil {
		return nil, err
	}
	h.CreatedAt = h.CreatedAt.UTC()
	return &h, nil
}

// SetWebhook registers an organisation's webhook, replacing the one it
// had (a new address, or a new nonce: a new secret), with the audit entry
// the context carries.
func (db FollowUps) SetWebhook(ctx context.Context, h *permit.Webhook) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		h.CreatedAt = db.clock.Now()
		if _, err := tx.exec(ctx, `DELETE FROM org_webhooks WHERE organisation_id = ?`, h.OrganisationID); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO org_webhooks (organisation_id, url, nonce, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
			h.OrganisationID, h.URL, h.Nonce, h.CreatedBy, h.CreatedAt)
		return err
	})
}

// RemoveWebhook removes an organisation's webhook; none is ENOTFOUND.
func (db FollowUps) RemoveWebhook(ctx context.Context, organisationID int64) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `DELETE FROM org_webhooks WHERE organisation_id = ?`, organisationID)
		return oneRow(res, err, permit.ENOTFOUND, "error.not_found")
	})
}

// RecordFollowUpProof stores the record of a proof fetched for an active
// follow-up of the record's organisation, with its key's last use and the
// audit entry the context carries, in one transaction. A follow-up not
// active (or another organisation's) is ENOTFOUND and records nothing.
func (db FollowUps) RecordFollowUpProof(ctx context.Context, followUpID int64, w *permit.WorkCheck) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		var one int
		err := tx.queryRow(ctx, `SELECT 1 FROM follow_ups WHERE id = ? AND organisation_id = ? AND person_id = ? AND state = ?`,
			followUpID, w.OrganisationID, w.PersonID, string(permit.FollowUpActive)).Scan(&one)
		if err != nil {
			return err
		}
		if err := insertWorkCheck(ctx, tx, w, followUpID); err != nil {
			return err
		}
		return touchKey(ctx, tx, w.APIKeyID, w.CheckedAt)
	})
}

// Members lists an organisation's member accounts (the event's mails).
func (db FollowUps) Members(ctx context.Context, organisationID int64) ([]*permit.Account, error) {
	return Employers(db).Members(ctx, organisationID)
}

// WorkCheck returns one check record, or ENOTFOUND.
func (db FollowUps) WorkCheck(ctx context.Context, id int64) (*permit.WorkCheck, error) {
	return WorkChecks(db).WorkCheck(ctx, id)
}
