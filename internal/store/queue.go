package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// noDeadline is the due_on of a queued application with nothing dated: it
// sorts after every real day, and keeps the column non-null for the
// partial indexes of the queue.
var noDeadline = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// SetDelays gives the store the catalogue's legal delays
// (rules.Catalogue.Delays), which the stored deadlines are counted with.
// It must be called before the first write that files or changes an
// application: the store has no legal number of its own, and refuses to
// guess one.
func (db *DB) SetDelays(d permit.Delays) { db.delays = d }

// refreshDue recomputes an application's next deadline (due_on, due_kind)
// from what it depends on: its state, kind and filing, the person's
// current permit, the open completion request and the live attestations.
// Every write that changes one of them calls it, in its own transaction,
// so the queue never reads a stale deadline.
func refreshDue(ctx context.Context, tx *Tx, appID int64) error {
	var a permit.Application
	var state, kind string
	var submitted nullTime
	err := tx.queryRow(ctx, `SELECT id, person_id, state, kind, submitted_at FROM applications WHERE id = ?`, appID).
		Scan(&a.ID, &a.PersonID, &state, &kind, &submitted)
	if err != nil {
		return err
	}
	a.State, a.Kind, a.SubmittedAt = permit.State(state), permit.Kind(kind), submitted.ptr()
	var due any
	dueKind := ""
	if a.SubmittedAt != nil && queued(a.State) {
		in, err := deadlineInputs(ctx, tx, &a)
		if err != nil {
			return err
		}
		due = noDeadline
		if d, ok := permit.NextDeadline(in); ok {
			due, dueKind = d.On, string(d.Kind)
		}
	}
	_, err = tx.exec(ctx, `UPDATE applications SET due_on = ?, due_kind = ? WHERE id = ?`, due, dueKind, appID)
	return err
}

// refreshPersonDue refreshes the deadlines of a person's queued
// applications, after their current permit changed.
func refreshPersonDue(ctx context.Context, tx *Tx, personID int64) error {
	ids, err := queryIDs(ctx, tx, `SELECT id FROM applications WHERE person_id = ? AND submitted_at IS NOT NULL`, personID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := refreshDue(ctx, tx, id); err != nil {
			return err
		}
		if err := replan(ctx, tx, id); err != nil {
			return err
		}
	}
	return nil
}

// refreshAllDue fills the deadlines of every filed application: once,
// when migration 0006 adds the columns.
func refreshAllDue(ctx context.Context, tx *Tx) error {
	ids, err := queryIDs(ctx, tx, `SELECT id FROM applications WHERE submitted_at IS NOT NULL`)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := refreshDue(ctx, tx, id); err != nil {
			return err
		}
	}
	return nil
}

func queryIDs(ctx context.Context, tx *Tx, query string, args ...any) ([]int64, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return scanIDs(rows)
}

func queued(s permit.State) bool { return slices.Contains(permit.QueueStates, s) }

// stateList writes states as an SQL list of literals, for an IN clause:
// lists of states come from permit, never typed in a query. States are
// the domain's constants, so literals are safe; quotes are doubled all
// the same.
func stateList(states []permit.State) string {
	quoted := make([]string, len(states))
	for i, s := range states {
		quoted[i] = "'" + strings.ReplaceAll(string(s), "'", "''") + "'"
	}
	return strings.Join(quoted, ", ")
}

// deadlineInputs reads what an application's deadline depends on.
func deadlineInputs(ctx context.Context, tx *Tx, a *permit.Application) (permit.DeadlineInputs, error) {
	in := permit.DeadlineInputs{App: a, Delays: tx.delays}
	if !in.Delays.Set() {
		return in, errors.New("store: no legal delays to count deadlines with (DB.SetDelays was not called)")
	}
	var pm permit.Permit
	err := tx.queryRow(ctx, `SELECT valid_to FROM permits WHERE person_id = ? ORDER BY valid_to DESC, id DESC LIMIT 1`, a.PersonID).Scan(&pm.ValidTo)
	if err == nil {
		pm.ValidTo = pm.ValidTo.UTC()
		in.Permit = &pm
	} else if !errors.Is(err, sql.ErrNoRows) {
		return in, err
	}
	var cr permit.CompletionRequest
	err = tx.queryRow(ctx, `SELECT due_on FROM completion_requests WHERE application_id = ? AND answered_at IS NULL ORDER BY id DESC LIMIT 1`, a.ID).Scan(&cr.DueOn)
	if err == nil {
		cr.DueOn = cr.DueOn.UTC()
		in.OpenRequest = &cr
	} else if !errors.Is(err, sql.ErrNoRows) {
		return in, err
	}
	rows, err := tx.query(ctx, `SELECT kind, valid_from, valid_until FROM attestations
		WHERE application_id = ? AND superseded_at IS NULL AND revoked_at IS NULL`, a.ID)
	if err != nil {
		return in, err
	}
	defer rows.Close()
	for rows.Next() {
		var at permit.Attestation
		var kind string
		if err := rows.Scan(&kind, &at.ValidFrom, &at.ValidUntil); err != nil {
			return in, err
		}
		at.Kind, at.ValidFrom, at.ValidUntil = permit.AttestationKind(kind), at.ValidFrom.UTC(), at.ValidUntil.UTC()
		in.Attestations = append(in.Attestations, &at)
	}
	return in, rows.Err()
}

// queueWhere builds the conditions of a queue filter, paging excepted.
func queueWhere(f permit.QueueFilter) (string, []any) {
	conds := []string{"a.due_on IS NOT NULL"}
	var args []any
	in := func(col string, n int) string {
		return col + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
	}
	if len(f.Prefectures) > 0 {
		conds = append(conds, in("a.prefecture_id", len(f.Prefectures)))
		for _, id := range f.Prefectures {
			args = append(args, id)
		}
	}
	if len(f.States) > 0 {
		conds = append(conds, in("a.state", len(f.States)))
		for _, s := range f.States {
			args = append(args, string(s))
		}
	}
	if f.Ground != "" {
		conds, args = append(conds, "a.ground = ?"), append(args, string(f.Ground))
	}
	if f.Kind != "" {
		conds, args = append(conds, "a.kind = ?"), append(args, string(f.Kind))
	}
	if !f.FiledFrom.IsZero() {
		conds, args = append(conds, "a.submitted_at >= ?"), append(args, f.FiledFrom.UTC())
	}
	if !f.FiledBefore.IsZero() {
		conds, args = append(conds, "a.submitted_at < ?"), append(args, f.FiledBefore.UTC())
	}
	return strings.Join(conds, " AND "), args
}

// Queue returns a page of the work queue: the filter's applications, most
// urgent first (overdue, then soonest deadline, then the oldest filing,
// then id), starting after f.After. Paging is by keyset, so a deep page
// costs what the first does.
//
// A page of several prefectures reads each one's page through its index
// and merges them: one query over all of them would sort every row of
// those prefectures (SQLite cannot merge index ranges in order).
func (db WorkQueue) Queue(ctx context.Context, f permit.QueueFilter) ([]*permit.QueueItem, error) {
	var out []*permit.QueueItem
	collect := func(it *permit.QueueItem) error {
		out = append(out, it)
		return nil
	}
	if len(f.Prefectures) < 2 || f.Limit == 0 {
		err := db.QueueEach(ctx, f, collect)
		return out, err
	}
	err := db.inRead(ctx, func(tx *Tx) error {
		for _, id := range f.Prefectures {
			one := f
			one.Prefectures = []int64{id}
			if err := queueRows(ctx, tx, one, collect); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return before(out[i].Mark, out[j].Mark) })
	if len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// before is the queue's order: deadline, then filing, then id.
func before(a, b permit.QueueMark) bool {
	if !a.DueOn.Equal(b.DueOn) {
		return a.DueOn.Before(b.DueOn)
	}
	if !a.FiledAt.Equal(b.FiledAt) {
		return a.FiledAt.Before(b.FiledAt)
	}
	return a.ID < b.ID
}

// queueQuery is the SQL of a page (or, without a limit, the whole) of
// the filter's queue.
func queueQuery(f permit.QueueFilter) (string, []any) {
	where, args := queueWhere(f)
	if m := f.After; m != nil {
		due, filed := m.DueOn.UTC(), m.FiledAt.UTC()
		where += ` AND a.due_on >= ? AND (a.due_on > ? OR (a.submitted_at > ? OR (a.submitted_at = ? AND a.id > ?)))`
		args = append(args, due, due, filed, filed, m.ID)
	}
	q := `SELECT a.id, a.prefecture_id, a.person_id, p.given_names, p.surname, a.ground, a.kind, a.state, a.submitted_at, a.due_on, a.due_kind
		FROM applications a JOIN persons p ON p.id = a.person_id WHERE ` + where + ` ORDER BY a.due_on, a.submitted_at, a.id`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	return q, args
}

// countsQuery is the SQL of the counts per state of some prefectures.
func countsQuery(prefectures []int64) (string, []any) {
	where, args := queueWhere(permit.QueueFilter{Prefectures: prefectures})
	return `SELECT a.state, COUNT(*) FROM applications a WHERE ` + where + ` GROUP BY a.state`, args
}

// QueueEach calls fn for each row of the filter's queue, in order, within
// one read transaction: the export streams without holding every row.
func (db WorkQueue) QueueEach(ctx context.Context, f permit.QueueFilter, fn func(*permit.QueueItem) error) error {
	return db.inRead(ctx, func(tx *Tx) error { return queueRows(ctx, tx, f, fn) })
}

func queueRows(ctx context.Context, tx *Tx, f permit.QueueFilter, fn func(*permit.QueueItem) error) error {
	q, args := queueQuery(f)
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var it permit.QueueItem
		var ground, kind, state, dueKind string
		var due time.Time
		if err := rows.Scan(&it.ID, &it.PrefectureID, &it.PersonID, &it.GivenNames, &it.Surname, &ground, &kind, &state,
			&it.FiledAt, &due, &dueKind); err != nil {
			return err
		}
		it.Ground, it.Kind, it.State = permit.GroundID(ground), permit.Kind(kind), permit.State(state)
		it.FiledAt, due = it.FiledAt.UTC(), due.UTC()
		if dueKind != "" {
			it.Deadline = &permit.Deadline{On: due, Kind: permit.DueKind(dueKind)}
		}
		it.Mark = permit.QueueMark{DueOn: due, FiledAt: it.FiledAt, ID: it.ID}
		if err := fn(&it); err != nil {
			return err
		}
	}
	return rows.Err()
}

// QueueCounts counts the queued applications of some prefectures (every
// prefecture when none is given) in each state.
func (db WorkQueue) QueueCounts(ctx context.Context, prefectures []int64) (map[permit.State]int, error) {
	q, args := countsQuery(prefectures)
	out := map[permit.State]int{}
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			var n int
			if err := rows.Scan(&s, &n); err != nil {
				return err
			}
			out[permit.State(s)] = n
		}
		return rows.Err()
	})
	return out, err
}
