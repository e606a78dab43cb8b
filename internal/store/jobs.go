package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// JobKind names background work that a write makes owed.
type JobKind string

// The work a write can owe.
const (
	// JobDeliverMail delivers one mail of the outbox (Job.ID: the mail).
	JobDeliverMail JobKind = "deliver_mail"
	// JobIssueAttestations issues what one application is owed
	// (Job.ID: the application).
	JobIssueAttestations JobKind = "issue_attestations"
)

// Job is one piece of work owed by a write.
type Job struct {
	Kind JobKind
	ID   int64
}

// JobInserter inserts jobs into the job queue's tables inside the
// transaction of the write that owes them: the jobs exist if and only if
// the write commits, whatever happens to the process or the request
// after. The job queue (package jobs) provides it.
type JobInserter interface {
	InsertJobsTx(ctx context.Context, tx *sql.Tx, jobs []Job) error
}

// SetJobs gives the store the job queue's inserter. Until it is set (the
// demonstration's loading, a migration), writes owe nothing to the queue
// and the sweeps find their work.
func (db *DB) SetJobs(j JobInserter) { db.jobs = j }

// owe records work the write owes, inserted with it before it commits.
func (tx *Tx) owe(kind JobKind, id int64) {
	for _, j := range tx.jobs {
		if j.Kind == kind && j.ID == id {
			return
		}
	}
	tx.jobs = append(tx.jobs, Job{Kind: kind, ID: id})
}

// issueNow is the issue_due_on of an application whose plan must be
// recomputed: a day before any real one.
var issueNow = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// replan marks a filed application's attestations to be planned again
// (something they depend on changed) and owes the job that does it, in
// the write's transaction. A draft is left alone: nothing is owed before
// filing.
func replan(ctx context.Context, tx *Tx, appID int64) error {
	res, err := tx.exec(ctx, `UPDATE applications SET issue_due_on = ?, plan_version = plan_version + 1
		WHERE id = ? AND submitted_at IS NOT NULL`, issueNow, appID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		tx.owe(JobIssueAttestations, appID)
	}
	return nil
}

// replanAll marks every filed application to be planned again: once,
// when migration 0014 adds the columns.
func replanAll(ctx context.Context, tx *Tx) error {
	_, err := tx.exec(ctx, `UPDATE applications SET issue_due_on = ? WHERE submitted_at IS NOT NULL`, issueNow)
	return err
}

// IssueDue lists up to limit applications whose issue_due_on is today or
// earlier, after the mark (day, id) of the previous batch, in that
// order: what the sweep must look at, read from an index, so that its
// cost follows what is due and not what is pending.
func (db Issuance) IssueDue(ctx context.Context, today time.Time, afterDay time.Time, afterID int64, limit int) ([]permit.IssueMark, error) {
	var out []permit.IssueMark
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id, issue_due_on FROM applications
			WHERE issue_due_on IS NOT NULL AND issue_due_on <= ? AND (issue_due_on > ? OR (issue_due_on = ? AND id > ?))
			ORDER BY issue_due_on, id LIMIT ?`, today, afterDay, afterDay, afterID, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m permit.IssueMark
			if err := rows.Scan(&m.ApplicationID, &m.Day); err != nil {
				return err
			}
			m.Day = m.Day.UTC()
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, err
}

// Planned records the next day the issuer must look at an application
// (nil: never again unless something changes), unless the application
// changed since the issuer read it (plan_version): then it stays due, and
// the job its change owed plans it again.
func (db Issuance) Planned(ctx context.Context, appID, version int64, next *time.Time) error {
	return db.inWrite(ctx, func(tx *Tx) error { return planned(ctx, tx, appID, version, next) })
}

// PlannedOwingPDFs is Planned, and owes the application's issuing job in
// the same transaction: the sweep issues and signs, and leaves the PDFs
// of what it issued to that job (which keeps what is missing), so that a
// sweep with much to issue puts every proof of stay out first.
func (db Issuance) PlannedOwingPDFs(ctx context.Context, appID, version int64, next *time.Time) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		tx.owe(JobIssueAttestations, appID)
		return planned(ctx, tx, appID, version, next)
	})
}

func planned(ctx context.Context, tx *Tx, appID, version int64, next *time.Time) error {
	var day any
	if next != nil {
		day = next.UTC()
	}
	_, err := tx.exec(ctx, `UPDATE applications SET issue_due_on = ? WHERE id = ? AND plan_version = ?`, day, appID, version)
	return err
}

// SweepCounts counts, for `sejour sweep --once`, the applications the
// attestation issuer watches (pending: a day is planned to look at them)
// and those of them due by today.
func (db Issuance) SweepCounts(ctx context.Context, today time.Time) (pending, due int, err error) {
	err = db.inRead(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN issue_due_on <= ? THEN 1 ELSE 0 END), 0)
			FROM applications WHERE issue_due_on IS NOT NULL`, today).Scan(&pending, &due)
	})
	return pending, due, err
}
