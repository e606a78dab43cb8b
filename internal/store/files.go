package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// AddDocuments records new files of one slot of an application, in one
// transaction: files uploaded (already in the blob store, under BlobSum)
// or reused from another application (ReusedFrom set, the same blob). A
// slot holds at most max current files: a slot of one file has it
// replaced by a single new one (the old version kept, marked replaced);
// any other slot already full refuses them with EINVALID. The new bytes
// must fit in the person's quota (EINVALID upload.quota otherwise; reused
// files bring none), checked in the same transaction: see reserve.
func (db Files) AddDocuments(ctx context.Context, applicationID int64, slot string, ds []*permit.Document, max int, quota int64) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		// The person's row first (reserve locks it on PostgreSQL, as every
		// write of a person's bytes does), then the application's, so that
		// two uploads at once count the quota and the slot one after the
		// other; always in this order, so that an upload and a message
		// (whose insert takes a key-share lock on the application) never
		// wait for each other. SQLite has one writer.
		var person, size int64
		if err := tx.queryRow(ctx, `SELECT person_id FROM applications WHERE id = ?`, applicationID).Scan(&person); err != nil {
			return err
		}
		for _, d := range ds {
			if d.ReusedFrom == 0 {
				size += d.Size
			}
		}
		if err := reserve(ctx, tx, person, size, quota); err != nil {
			return err
		}
		if tx.dialect == Postgres {
			if _, err := tx.exec(ctx, `SELECT id FROM applications WHERE id = ? FOR NO KEY UPDATE`, applicationID); err != nil {
				return err
			}
		}
		current, err := scanDocuments(ctx, tx, `WHERE application_id = ? AND slot = ? AND `+currentFile+` ORDER BY id`, applicationID, slot)
		if err != nil {
			return err
		}
		replace := max == 1 && len(ds) == 1 && len(current) == 1
		if !replace && len(current)+len(ds) > max {
			return permit.Errorf(permit.EINVALID, "slots.error.full", max)
		}
		now := db.clock.Now()
		for _, d := range ds {
			d.ApplicationID, d.Slot = applicationID, slot
			if err := insertDocument(ctx, tx, d, now); err != nil {
				return err
			}
		}
		if replace {
			_, err = tx.exec(ctx, `UPDATE documents SET replaced_by = ? WHERE id = ?`, ds[0].ID, current[0].ID)
		}
		return err
	})
}

// reserve refuses, with EINVALID upload.quota (the quota in megabytes as
// argument), to add size bytes to what the person stores when the total
// would pass quota; a quota of 0 or less is no limit. It reads the total
// in the transaction that will write the bytes, after locking the
// person's row on PostgreSQL, so that concurrent uploads of one person
// are counted one after the other: each sees what the previous ones
// committed. SQLite's single writer serialises them already.
func reserve(ctx context.Context, tx *Tx, personID, size, quota int64) error {
	if quota <= 0 {
		return nil
	}
	if tx.dialect == Postgres {
		var id int64
		if err := tx.queryRow(ctx, `SELECT id FROM persons WHERE id = ? FOR UPDATE`, personID).Scan(&id); err != nil {
			return err
		}
	}
	used, err := storageUsed(ctx, tx, personID)
	if err != nil {
		return err
	}
	if used+size > quota {
		return permit.Errorf(permit.EINVALID, "upload.quota", quota>>20)
	}
	return nil
}

// currentFile is the condition of a current file of a slot: what
// permit.Document.Current says, in SQL.
const currentFile = `message_id IS NULL AND removed_at IS NULL AND replaced_by IS NULL`

func insertDocument(ctx context.Context, tx *Tx, d *permit.Document, now time.Time) error {
	d.UploadedAt = now
	return tx.queryRow(ctx, `INSERT INTO documents (application_id, slot, message_id, blob_sum, filename, kind, size, uploaded_at, uploaded_by, reused_from)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		d.ApplicationID, d.Slot, nullID(d.MessageID), d.BlobSum, d.Filename, d.Kind, d.Size, now, nullID(d.UploadedBy), nullID(d.ReusedFrom)).Scan(&d.ID)
}

// RemoveDocument marks one current file of a slot removed; the version
// stays in the history. It returns ENOTFOUND when the file is not a
// current file of that slot of the application.
func (db Files) RemoveDocument(ctx context.Context, applicationID int64, slot string, documentID int64) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE documents SET removed_at = ? WHERE id = ? AND application_id = ? AND slot = ? AND `+currentFile,
			db.clock.Now(), documentID, applicationID, slot)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return permit.Errorf(permit.ENOTFOUND, "error.not_found")
		}
		return nil
	})
}

// Documents returns every version of every document of an application,
// message attachments included, oldest first.
func (db *DB) Documents(ctx context.Context, applicationID int64) ([]*permit.Document, error) {
	return db.documents(ctx, `WHERE application_id = ? ORDER BY id`, applicationID)
}

// Document returns one document version, or ENOTFOUND.
func (db *DB) Document(ctx context.Context, id int64) (*permit.Document, error) {
	ds, err := db.documents(ctx, `WHERE id = ?`, id)
	if err != nil {
		return nil, err
	} else if len(ds) == 0 {
		return nil, permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	return ds[0], nil
}

// StorageUsed returns the bytes a person's documents take, every version
// counted but files reused from another application (their content is
// stored once), with the evidence of their correction requests (but for those
// an agent refused, which the person did not choose to keep): the measure
// of the per-person quota.
func (db *DB) StorageUsed(ctx context.Context, personID int64) (int64, error) {
	var n int64
	err := db.inRead(ctx, func(tx *Tx) error {
		var err error
		n, err = storageUsed(ctx, tx, personID)
		return err
	})
	return n, err
}

func storageUsed(ctx context.Context, tx *Tx, personID int64) (int64, error) {
	var n int64
	err := tx.queryRow(ctx, `SELECT COALESCE((SELECT SUM(d.size) FROM documents d JOIN applications a ON a.id = d.application_id
		WHERE a.person_id = ? AND d.reused_from IS NULL), 0) + COALESCE((SELECT SUM(evidence_size) FROM corrections WHERE person_id = ? AND status <> 'refused'), 0)`, personID, personID).Scan(&n)
	return n, err
}

func (db *DB) documents(ctx context.Context, tail string, args ...any) ([]*permit.Document, error) {
	var out []*permit.Document
	err := db.inRead(ctx, func(tx *Tx) error {
		var err error
		out, err = scanDocuments(ctx, tx, tail, args...)
		return err
	})
	return out, err
}

func scanDocuments(ctx context.Context, tx *Tx, tail string, args ...any) ([]*permit.Document, error) {
	return rowsOf(ctx, tx, `SELECT `+documentColumns+` FROM documents `+tail, readDocument, args...)
}

const documentColumns = `id, application_id, slot, message_id, blob_sum, filename, kind, size, uploaded_at, uploaded_by, removed_at,
	replaced_by, reused_from`

func readDocument(r scanner) (*permit.Document, error) {
	var d permit.Document
	var msg, by, replaced, reused nullInt
	var removed nullTime
	if err := r.Scan(&d.ID, &d.ApplicationID, &d.Slot, &msg, &d.BlobSum, &d.Filename, &d.Kind, &d.Size, &d.UploadedAt, &by, &removed,
		&replaced, &reused); err != nil {
		return nil, err
	}
	d.MessageID, d.UploadedBy, d.RemovedAt = msg.Int64, by.Int64, removed.ptr()
	d.ReplacedBy, d.ReusedFrom = replaced.Int64, reused.Int64
	return &d, nil
}

// File moves an application to its filed state and records the filing
// with its snapshot, in one transaction. The receipt number is made from
// the year, the application and the filing's rank, so it is unique. A
// second submission of the same draft (a double click, a retry) finds the
// state changed and returns ECONFLICT: the application is filed once.
//
// mail, when not nil, writes the mail telling the applicant, from the
// filing and its number; it goes to the outbox in the same transaction,
// so that a filing acknowledged is a filing announced.
func (db Files) File(ctx context.Context, a *permit.Application, ev *permit.Event, f *permit.Filing, mail func(*permit.Filing) *permit.Mail) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		if err := transition(ctx, tx, a, ev); err != nil {
			return err
		}
		// Filing uses the stamp: the application must hold it (a draft
		// whose number another application took is refused here).
		if err := holdStamp(ctx, tx, a.ID, a.FeeStamp, ev.At); err != nil {
			return err
		}
		if err := insertFiling(ctx, tx, f, ev.At); err != nil {
			return err
		}
		if mail == nil {
			return nil
		}
		return insertMail(ctx, tx, mail(f), ev.At)
	})
}

// Complete answers a completion request: the application returns to
// review, the request is marked answered and the new filing recorded.
func (db Files) Complete(ctx context.Context, a *permit.Application, ev *permit.Event, f *permit.Filing, requestID int64) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		if err := transition(ctx, tx, a, ev); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE completion_requests SET answered_at = ? WHERE id = ? AND application_id = ?`, ev.At, requestID, a.ID); err != nil {
			return err
		}
		return insertFiling(ctx, tx, f, ev.At)
	})
}

func insertFiling(ctx context.Context, tx *Tx, f *permit.Filing, now time.Time) error {
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM filings WHERE application_id = ?`, f.ApplicationID).Scan(&n); err != nil {
		return err
	}
	f.FiledAt = now
	f.Number = fmt.Sprintf("DEP-%d-%06d-%d", now.Year(), f.ApplicationID, n+1)
	return tx.queryRow(ctx, `INSERT INTO filings (application_id, number, filed_at, snapshot) VALUES (?, ?, ?, ?) RETURNING id`,
		f.ApplicationID, f.Number, now, string(f.Snapshot)).Scan(&f.ID)
}

// Filings returns an application's filings, oldest first.
func (db *DB) Filings(ctx context.Context, applicationID int64) ([]*permit.Filing, error) {
	var out []*permit.Filing
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id, application_id, number, filed_at, snapshot FROM filings WHERE application_id = ? ORDER BY id`, applicationID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var f permit.Filing
			var snap string
			if err := rows.Scan(&f.ID, &f.ApplicationID, &f.Number, &f.FiledAt, &snap); err != nil {
				return err
			}
			f.Snapshot = []byte(snap)
			out = append(out, &f)
		}
		return rows.Err()
	})
	return out, err
}

// RequestCompletion moves an application to "incomplete" and records what
// the prefecture asks for, with the mail telling the applicant, together.
func (db Decisions) RequestCompletion(ctx context.Context, a *permit.Application, ev *permit.Event, cr *permit.CompletionRequest, m *permit.Mail) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		if err := transition(ctx, tx, a, ev); err != nil {
			return err
		}
		slots, err := json.Marshal(cr.Slots)
		if err != nil {
			return err
		}
		cr.ApplicationID, cr.RequestedAt = a.ID, ev.At
		err = tx.queryRow(ctx, `INSERT INTO completion_requests (application_id, slots, reason, due_on, requested_at, requested_by)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, cr.ApplicationID, string(slots), cr.Reason, cr.DueOn, cr.RequestedAt, cr.RequestedBy).Scan(&cr.ID)
		if err != nil {
			return err
		}
		if err := refreshDue(ctx, tx, a.ID); err != nil {
			return err
		}
		return insertMail(ctx, tx, m, ev.At)
	})
}

// CompletionRequests returns an application's completion requests, oldest first.
func (db *DB) CompletionRequests(ctx context.Context, applicationID int64) ([]*permit.CompletionRequest, error) {
	var out []*permit.CompletionRequest
	err := db.inRead(ctx, func(tx *Tx) (err error) {
		out, err = scanCompletionRequests(ctx, tx, `WHERE application_id = ? ORDER BY id`, applicationID)
		return err
	})
	return out, err
}

func scanCompletionRequests(ctx context.Context, tx *Tx, tail string, args ...any) ([]*permit.CompletionRequest, error) {
	return rowsOf(ctx, tx, `SELECT `+requestColumns+` FROM completion_requests `+tail, readCompletionRequest, args...)
}

const requestColumns = `id, application_id, slots, reason, due_on, requested_at, requested_by, answered_at`

func readCompletionRequest(r scanner) (*permit.CompletionRequest, error) {
	var cr permit.CompletionRequest
	var slots string
	var answered nullTime
	if err := r.Scan(&cr.ID, &cr.ApplicationID, &slots, &cr.Reason, &cr.DueOn, &cr.RequestedAt, &cr.RequestedBy, &answered); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(slots), &cr.Slots); err != nil {
		return nil, err
	}
	cr.AnsweredAt = answered.ptr()
	return &cr, nil
}

// AddMessage records a message, its attachments and the mail telling the
// other side, in one transaction. The attachments count in the
// applicant's quota of bytes, as documents do (AddDocument).
func (db Files) AddMessage(ctx context.Context, msg *permit.Message, quota int64, mails ...*permit.Mail) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		now := db.clock.Now()
		if len(msg.Attachments) > 0 {
			var person, size int64
			if err := tx.queryRow(ctx, `SELECT person_id FROM applications WHERE id = ?`, msg.ApplicationID).Scan(&person); err != nil {
				return err
			}
			for _, d := range msg.Attachments {
				size += d.Size
			}
			if err := reserve(ctx, tx, person, size, quota); err != nil {
				return err
			}
		}
		msg.CreatedAt = now
		err := tx.queryRow(ctx, `INSERT INTO messages (application_id, sender_kind, sender_id, body, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			msg.ApplicationID, string(msg.Sender.Kind), nullID(msg.Sender.AccountID), msg.Body, now).Scan(&msg.ID)
		if err != nil {
			return err
		}
		for _, d := range msg.Attachments {
			d.ApplicationID, d.MessageID, d.Slot = msg.ApplicationID, msg.ID, "message"
			if err := insertDocument(ctx, tx, d, now); err != nil {
				return err
			}
		}
		for _, m := range mails {
			if err := insertMail(ctx, tx, m, now); err != nil {
				return err
			}
		}
		tx.made(msg.ID)
		return nil
	})
}

// Messages returns an application's thread with attachments, oldest first.
func (db *DB) Messages(ctx context.Context, applicationID int64) ([]*permit.Message, error) {
	var out []*permit.Message
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id, application_id, sender_kind, sender_id, body, created_at FROM messages WHERE application_id = ? ORDER BY id`, applicationID)
		if err != nil {
			return err
		}
		byID := map[int64]*permit.Message{}
		for rows.Next() {
			var msg permit.Message
			var kind string
			var sender nullInt
			if err := rows.Scan(&msg.ID, &msg.ApplicationID, &kind, &sender, &msg.Body, &msg.CreatedAt); err != nil {
				rows.Close()
				return err
			}
			msg.Sender = permit.Actor{Kind: permit.ActorKind(kind), AccountID: sender.Int64}
			out = append(out, &msg)
			byID[msg.ID] = &msg
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		docs, err := scanDocuments(ctx, tx, `WHERE application_id = ? AND message_id IS NOT NULL ORDER BY id`, applicationID)
		if err != nil {
			return err
		}
		for _, d := range docs {
			if msg := byID[d.MessageID]; msg != nil {
				msg.Attachments = append(msg.Attachments, d)
			}
		}
		return nil
	})
	return out, err
}
