package store

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// Outages: the portal's outages, detected or declared, and planned
// maintenance, with their trail. It is taken as store.Outages{DB: db}:
// DB has reached the architecture test's limit of methods, so the room
// adds no accessor to it.
type Outages struct{ *DB }

// outageLockKey serialises the detection of outages on PostgreSQL, where
// several instances may observe the same failure at once (SQLite has one
// writer already).
const outageLockKey = 0x5e_0017_0a6e

const outageColumns = `id, kind, functions, check_name, started_at, ended_at, description_fr, description_en,
	relieves, cancelled, declared_by, created_at, updated_at, version`

func scanOutage(row interface{ Scan(...any) error }) (*permit.Outage, error) {
	var o permit.Outage
	var kind, fns, fr, en string
	var ended nullTime
	var by nullInt
	if err := row.Scan(&o.ID, &kind, &fns, &o.Check, &o.StartedAt, &ended, &fr, &en,
		&o.Relieves, &o.Cancelled, &by, &o.CreatedAt, &o.UpdatedAt, &o.Version); err != nil {
		return nil, err
	}
	o.Kind, o.EndedAt, o.DeclaredBy = permit.OutageKind(kind), ended.ptr(), by.Int64
	o.StartedAt, o.CreatedAt, o.UpdatedAt = o.StartedAt.UTC(), o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	for _, f := range strings.Split(fns, ",") {
		if f != "" {
			o.Functions = append(o.Functions, permit.Function(f))
		}
	}
	o.Description = map[string]string{}
	if fr != "" {
		o.Description["fr"] = fr
	}
	if en != "" {
		o.Description["en"] = en
	}
	return &o, nil
}

func joinFunctions(fns []permit.Function) string {
	s := make([]string, len(fns))
	for i, f := range fns {
		s[i] = string(f)
	}
	return strings.Join(s, ",")
}

func (tx *Tx) outages(ctx context.Context, where string, args ...any) ([]*permit.Outage, error) {
	rows, err := tx.query(ctx, `SELECT `+outageColumns+` FROM outages `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*permit.Outage
	for rows.Next() {
		o, err := scanOutage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// outageEvent appends a step to an outage's trail, with the outage as it
// stands after it.
func (tx *Tx) outageEvent(ctx context.Context, o *permit.Outage, ev *permit.OutageEvent) error {
	state, err := json.Marshal(struct {
		Kind        permit.OutageKind `json:"kind"`
		Functions   []permit.Function `json:"functions"`
		Start       time.Time         `json:"start"`
		End         *time.Time        `json:"end,omitempty"`
		Description map[string]string `json:"description,omitempty"`
		Relieves    bool              `json:"relieves"`
		Cancelled   bool              `json:"cancelled,omitempty"`
	}{o.Kind, o.Functions, o.StartedAt, o.EndedAt, o.Description, o.Relieves, o.Cancelled})
	if err != nil {
		return err
	}
	ev.OutageID, ev.State = o.ID, string(state)
	return tx.queryRow(ctx, `INSERT INTO outage_events (outage_id, action, actor_id, reason, state, at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		o.ID, string(ev.Action), nullID(ev.ActorID), ev.Reason, ev.State, ev.At).Scan(&ev.ID)
}

func (tx *Tx) insertOutage(ctx context.Context, o *permit.Outage) error {
	return tx.queryRow(ctx, `INSERT INTO outages (kind, functions, check_name, started_at, ended_at, description_fr, description_en,
		relieves, cancelled, declared_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id, version`,
		string(o.Kind), joinFunctions(o.Functions), o.Check, o.StartedAt, o.EndedAt, o.Description["fr"], o.Description["en"],
		o.Relieves, o.Cancelled, nullID(o.DeclaredBy), o.CreatedAt, o.UpdatedAt).Scan(&o.ID, &o.Version)
}

// RecordDetected records what a health check observed, idempotently, so
// that every instance may report the same failure, as often as it likes,
// and late (once the database is back, with the failure's start): an
// outage of check that started at start and, when end is set, ended then.
// An outage of the same check overlapping that period is the same outage:
// it is closed when end is set and it was open, and left alone otherwise.
// With a zero start, only an open outage of the check is closed. It
// returns the outage (nil when nothing matched a close-only call) and
// whether anything was written.
func (db Outages) RecordDetected(ctx context.Context, check string, fns []permit.Function, start time.Time, end *time.Time) (*permit.Outage, bool, error) {
	var got *permit.Outage
	wrote := false
	err := db.inWrite(ctx, func(tx *Tx) error {
		if db.dialect == Postgres {
			if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(outageLockKey)); err != nil {
				return err
			}
		}
		q, args := `WHERE kind = 'detected' AND check_name = ? AND NOT cancelled AND (ended_at IS NULL`, []any{check}
		if !start.IsZero() {
			q, args = q+` OR ended_at >= ?`, append(args, start)
		}
		q += `)`
		if end != nil {
			q, args = q+` AND started_at <= ?`, append(args, *end)
		}
		found, err := tx.outages(ctx, q+` ORDER BY started_at DESC, id DESC LIMIT 1`, args...)
		if err != nil {
			return err
		}
		now := db.clock.Now()
		if len(found) == 1 {
			got = found[0]
			if end == nil || got.EndedAt != nil {
				return nil
			}
			e := *end
			if e.Before(got.StartedAt) {
				e = got.StartedAt
			}
			got.EndedAt, got.UpdatedAt, wrote = &e, now, true
			if _, err := tx.exec(ctx, `UPDATE outages SET ended_at = ?, updated_at = ?, version = version + 1 WHERE id = ?`, e, now, got.ID); err != nil {
				return err
			}
			got.Version++
			return tx.outageEvent(ctx, got, &permit.OutageEvent{Action: permit.OutageClosed, At: now})
		}
		if start.IsZero() {
			return nil
		}
		got = &permit.Outage{Kind: permit.OutageDetected, Functions: fns, Check: check, StartedAt: start.UTC(), EndedAt: end,
			Relieves: slices.Contains(fns, permit.FunctionFiling), Description: map[string]string{}, CreatedAt: now, UpdatedAt: now}
		if err := tx.insertOutage(ctx, got); err != nil {
			return err
		}
		wrote = true
		if err := tx.outageEvent(ctx, got, &permit.OutageEvent{Action: permit.OutageOpened, At: now}); err != nil {
			return err
		}
		if end != nil {
			return tx.outageEvent(ctx, got, &permit.OutageEvent{Action: permit.OutageClosed, At: now})
		}
		return nil
	})
	return got, wrote, err
}

// DeclareOutage records an outage an administrator declared, or planned
// maintenance, with the first step of its trail (reason and actor in ev)
// and the audit entry the context carries.
func (db Outages) DeclareOutage(ctx context.Context, o *permit.Outage, ev *permit.OutageEvent) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		now := db.clock.Now()
		o.CreatedAt, o.UpdatedAt, ev.At, ev.Action = now, now, now, permit.OutageDeclare
		if err := tx.insertOutage(ctx, o); err != nil {
			return err
		}
		return tx.outageEvent(ctx, o, ev)
	})
}

// CorrectOutage saves an administrator's change to an outage (its
// period, functions, description, effect on deadlines, or its
// cancellation) with its step and audit entry. A change made on a stale
// copy (o.Version as read) is refused with ECONFLICT.
func (db Outages) CorrectOutage(ctx context.Context, o *permit.Outage, ev *permit.OutageEvent) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		now := db.clock.Now()
		res, err := tx.exec(ctx, `UPDATE outages SET kind = ?, functions = ?, started_at = ?, ended_at = ?, description_fr = ?,
			description_en = ?, relieves = ?, cancelled = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`,
			string(o.Kind), joinFunctions(o.Functions), o.StartedAt, o.EndedAt, o.Description["fr"], o.Description["en"],
			o.Relieves, o.Cancelled, now, o.ID, o.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return permit.Errorf(permit.ECONFLICT, "error.conflict")
		}
		o.Version++
		o.UpdatedAt, ev.At = now, now
		return tx.outageEvent(ctx, o, ev)
	})
}

// Outage returns one outage, or ENOTFOUND.
func (db Outages) Outage(ctx context.Context, id int64) (*permit.Outage, error) {
	var o *permit.Outage
	err := db.inRead(ctx, func(tx *Tx) error {
		var err error
		o, err = scanOutage(tx.queryRow(ctx, `SELECT `+outageColumns+` FROM outages WHERE id = ?`, id))
		return err
	})
	return o, err
}

// OutageEvents returns the trail of an outage, oldest first.
func (db Outages) OutageEvents(ctx context.Context, id int64) ([]*permit.OutageEvent, error) {
	var out []*permit.OutageEvent
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id, outage_id, action, actor_id, reason, state, at FROM outage_events WHERE outage_id = ? ORDER BY id`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ev permit.OutageEvent
			var action string
			var actor nullInt
			if err := rows.Scan(&ev.ID, &ev.OutageID, &action, &actor, &ev.Reason, &ev.State, &ev.At); err != nil {
				return err
			}
			ev.Action, ev.ActorID, ev.At = permit.OutageAction(action), actor.Int64, ev.At.UTC()
			out = append(out, &ev)
		}
		return rows.Err()
	})
	return out, err
}

// OutagesSince returns the outages that were going on at since or began
// after it (planned maintenance to come included), cancelled ones left
// out, the latest start first; at most limit.
func (db Outages) OutagesSince(ctx context.Context, since time.Time, limit int) ([]*permit.Outage, error) {
	var out []*permit.Outage
	err := db.inRead(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.outages(ctx, `WHERE NOT cancelled AND (ended_at IS NULL OR ended_at >= ?)
			ORDER BY started_at DESC, id DESC LIMIT ?`, since, limit)
		return err
	})
	return out, err
}

// AllOutages returns the latest outages, cancelled ones included, the
// latest start first; at most limit.
func (db Outages) AllOutages(ctx context.Context, limit int) ([]*permit.Outage, error) {
	var out []*permit.Outage
	err := db.inRead(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.outages(ctx, `ORDER BY started_at DESC, id DESC LIMIT ?`, limit)
		return err
	})
	return out, err
}

// OutagesCovering returns the outages that relieve deadlines and were
// going on at some time between from and to (ongoing ones included),
// cancelled ones left out.
func (db Outages) OutagesCovering(ctx context.Context, from, to time.Time) ([]*permit.Outage, error) {
	var out []*permit.Outage
	err := db.inRead(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.outages(ctx, `WHERE relieves AND NOT cancelled AND started_at < ? AND (ended_at IS NULL OR ended_at >= ?)
			ORDER BY started_at, id`, to, from)
		return err
	})
	return out, err
}
