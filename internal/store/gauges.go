package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// Gauges reads what the monitoring exports at each scrape (package
// metrics): the issuing's lag, what is owed and not issued, the outbox's
// oldest mail, the job queue, today's incidents and the connection
// pools. Every read is bounded (a limit or an index) so that a scrape
// costs the same whatever the tables hold. It is built from a DB
// (Gauges{DB: db}), read-only.
type Gauges struct{ *DB }

// Readings is one scrape's worth of figures from the database.
type Readings struct {
	// AttestationLag is the largest delay, among the attestations issued
	// in the window, between the day one was to be made available and
	// the (Paris) day it was issued, in whole days: zero when every one
	// was issued on its day, as the daily sweep does, or none was issued.
	AttestationLag time.Duration
	// IssuedInWindow is how many attestations were issued in the window.
	IssuedInWindow int
	// OwedUnissued counts filed applications that the issuer should have
	// looked at before today (their issue_due_on, the day their next
	// attestation is made available, is past) or that a change marked to
	// be planned again at once, and that it has not handled yet: the
	// early warning that an attestation is late, before it is issued
	// (capped at ReadCap).
	OwedUnissued int
	// OldestUnsentMail is the age of the oldest mail neither sent nor
	// dropped (zero when none); UnsentMails counts them (capped).
	OldestUnsentMail time.Duration
	UnsentMails      int
	// Jobs are the job queue's jobs waiting, per kind and state.
	Jobs []JobGauge
	// Incidents are today's incidents (Paris day) per source.
	Incidents map[string]int
}

// JobGauge is the waiting jobs of one kind in one state; OldestAge is
// the time since the oldest of them became due (available jobs only).
type JobGauge struct {
	Kind, State string
	Count       int
	OldestAge   time.Duration
}

// ReadCap bounds every count of a scrape: past it, the figure says "at
// least this many", which is all an alert needs.
const ReadCap = 10000

// recentAttestations is how many of the latest attestations (by id, the
// primary key) the lag is computed over: a day's issuing at the scale
// docs/performance.md measured fits in it.
const recentAttestations = 2000

// ReadAt says when figures are read.
type ReadAt struct {
	Now      time.Time     // the cases' time
	QueueNow time.Time     // the job queue's time (the same, but in simulations)
	Window   time.Duration // how far back the lag looks
}

// Read takes the figures, in one read transaction.
func (g Gauges) Read(ctx context.Context, at ReadAt) (*Readings, error) {
	r := &Readings{Incidents: map[string]int{"web": 0, "job": 0}} // both sources, even at zero
	err := g.inRead(ctx, func(tx *Tx) error {
		for _, step := range []func(context.Context, *Tx, ReadAt, *Readings) error{
			readLag, readOwed, readMail, readJobs, readIncidents,
		} {
			if err := step(ctx, tx, at, r); err != nil {
				return err
			}
		}
		return nil
	})
	return r, err
}

func readLag(ctx context.Context, tx *Tx, at ReadAt, r *Readings) error {
	rows, err := tx.query(ctx, `SELECT available_from, issued_at FROM attestations ORDER BY id DESC LIMIT ?`, recentAttestations)
	if err != nil {
		return fmt.Errorf("attestation lag: %w", err)
	}
	defer rows.Close()
	since := at.Now.Add(-at.Window)
	for rows.Next() {
		var available, issued time.Time
		if err := rows.Scan(&available, &issued); err != nil {
			return err
		}
		if issued.Before(since) {
			continue
		}
		r.IssuedInWindow++
		if lag := permit.ParisDay(issued).Sub(available); lag > r.AttestationLag {
			r.AttestationLag = lag
		}
	}
	return rows.Err()
}

func readOwed(ctx context.Context, tx *Tx, at ReadAt, r *Readings) error {
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM applications
		WHERE issue_due_on IS NOT NULL AND issue_due_on < ? LIMIT ?) due`, permit.ParisDay(at.Now), ReadCap).Scan(&r.OwedUnissued)
	if err != nil {
		return fmt.Errorf("owed attestations: %w", err)
	}
	return nil
}

func readMail(ctx context.Context, tx *Tx, at ReadAt, r *Readings) error {
	var created time.Time
	err := tx.queryRow(ctx, `SELECT created_at FROM mails WHERE sent_at IS NULL AND dropped_at IS NULL ORDER BY id LIMIT 1`).Scan(&created)
	switch {
	case err == sql.ErrNoRows:
		return nil
	case err != nil:
		return fmt.Errorf("oldest unsent mail: %w", err)
	}
	r.OldestUnsentMail = max(at.Now.Sub(created), 0)
	err = tx.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM mails
		WHERE sent_at IS NULL AND dropped_at IS NULL LIMIT ?) unsent`, ReadCap).Scan(&r.UnsentMails)
	if err != nil {
		return fmt.Errorf("unsent mails: %w", err)
	}
	return nil
}

// readJobs reads River's job table: the waiting jobs per kind and state
// and, for those ready to run, when the oldest became due. The inner
// limit bounds the scan; River's fetching index leads with state.
func readJobs(ctx context.Context, tx *Tx, at ReadAt, r *Readings) error {
	rows, err := tx.query(ctx, `SELECT kind, state, COUNT(*), MIN(scheduled_at) FROM (
		SELECT kind, state, scheduled_at FROM river_job
		WHERE state IN ('available', 'retryable', 'scheduled', 'running') LIMIT ?) waiting
		GROUP BY kind, state ORDER BY kind, state`, ReadCap)
	if err != nil {
		return fmt.Errorf("job queue: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var j JobGauge
		var oldest any
		if err := rows.Scan(&j.Kind, &j.State, &j.Count, &oldest); err != nil {
			return err
		}
		if j.State == "available" {
			t, err := anyTime(oldest)
			if err != nil {
				return fmt.Errorf("job queue: oldest %s job: %w", j.Kind, err)
			}
			j.OldestAge = max(at.QueueNow.Sub(t), 0)
		}
		r.Jobs = append(r.Jobs, j)
	}
	return rows.Err()
}

// anyTime reads an aggregate's timestamp: PostgreSQL gives a time,
// SQLite (where an aggregate loses the column's declared type) the text
// River's SQLite driver stored.
func anyTime(v any) (time.Time, error) {
	switch v := v.(type) {
	case time.Time:
		return v, nil
	case []byte:
		return anyTime(string(v))
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
			if t, err := time.Parse(layout, v); err == nil {
				return t, nil
			}
		}
		return time.Time{}, fmt.Errorf("timestamp %q in no known layout", v)
	}
	return time.Time{}, fmt.Errorf("timestamp of type %T", v)
}

func readIncidents(ctx context.Context, tx *Tx, at ReadAt, r *Readings) error {
	rows, err := tx.query(ctx, `SELECT source, COUNT(*) FROM incidents WHERE day = ? GROUP BY source`,
		at.Now.In(permit.Paris).Format(time.DateOnly))
	if err != nil {
		return fmt.Errorf("incidents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var source string
		var n int
		if err := rows.Scan(&source, &n); err != nil {
			return err
		}
		r.Incidents[source] = n
	}
	return rows.Err()
}

// Pools returns the connection pools, by role, for their statistics
// (sql.DB.Stats): "write" and "read" on SQLite (one writer connection and
// a pool of readers), "main" on PostgreSQL (one pool serves both).
func (g Gauges) Pools() map[string]*sql.DB {
	if g.write == g.read {
		return map[string]*sql.DB{"main": g.write}
	}
	return map[string]*sql.DB{"write": g.write, "read": g.read}
}
