package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/sejour/sejour/internal/permit"
)

// Population writes a synthetic population in bulk, for `sejour
// populate` (issue 15, part 6): millions of persons, permits and pending
// applications in minutes, so that the sweep, the work queue and the
// pages can be measured at a nation's size. It writes rows as a use case
// would leave them (a filed application has its events, its filing, its
// attestations signed, its deadline and its issuer's plan), but not
// through the use cases: no mail, no job, no audit entry is written, and
// no document or fee stamp. It is for scratch databases: Empty says
// whether the database holds no person yet.
type Population struct{ *DB }

// Household is one person and what the portal holds of them. Every id is
// chosen by the caller (FirstIDs gives the first free one of each table),
// so that attestation numbers, which carry their id, can be signed before
// the rows are written.
type Household struct {
	Account      *permit.Account // an applicant's account, or nil
	PasswordHash string          // the account's
	Person       *permit.Person
	Permit       *permit.Permit      // the current permit, or nil
	App          *permit.Application // the pending application, or nil
	// IssueDueOn is the day the attestation issuer must look at App
	// again (applications.issue_due_on; nil: never unless it changes).
	IssueDueOn   *time.Time
	Events       []*permit.Event
	Filing       *permit.Filing
	Request      *permit.CompletionRequest // the open completion request, or nil
	Decision     *permit.Decision
	Attestations []*permit.Attestation
}

// PopulationIDs are the first free ids of the tables a population fills.
type PopulationIDs struct {
	Account, Person, Permit, Application, Event, Filing, Request, Decision, Attestation int64
}

// Empty reports whether the database holds no person: populate writes
// only into a database that has no one in it yet.
func (db Population) Empty(ctx context.Context) (bool, error) {
	var n int
	err := db.inRead(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT id FROM persons LIMIT 1) p`).Scan(&n)
	})
	return n == 0, err
}

// HasForeignerNumber reports whether a person has the foreigner number
// n: how the demonstration's history finds it was written.
func (db Population) HasForeignerNumber(ctx context.Context, n string) (bool, error) {
	var c int
	err := db.inRead(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `SELECT COUNT(*) FROM persons WHERE foreigner_number = ?`, n).Scan(&c)
	})
	return c > 0, err
}

// FirstIDs returns one more than the largest id of each table.
func (db Population) FirstIDs(ctx context.Context) (PopulationIDs, error) {
	var ids PopulationIDs
	err := db.inRead(ctx, func(tx *Tx) error {
		for _, t := range []struct {
			table string
			id    *int64
		}{{"accounts", &ids.Account}, {"persons", &ids.Person}, {"permits", &ids.Permit}, {"applications", &ids.Application},
			{"application_events", &ids.Event}, {"filings", &ids.Filing}, {"completion_requests", &ids.Request},
			{"decisions", &ids.Decision}, {"attestations", &ids.Attestation}} {
			if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM `+t.table).Scan(t.id); err != nil {
				return err
			}
		}
		return nil
	})
	return ids, err
}

// bulkTable is the rows of one table, in the columns named.
type bulkTable struct {
	name string
	cols []string
	rows [][]any
}

func (t *bulkTable) add(row ...any) { t.rows = append(t.rows, row) }

// Write writes households in one transaction: with COPY on PostgreSQL,
// with multi-row INSERTs on SQLite. Each application's deadline (due_on)
// is computed here as the store's own writes compute it.
func (db Population) Write(ctx context.Context, hs []*Household) error {
	tables, err := db.tables(hs)
	if err != nil {
		return err
	}
	if db.dialect == Postgres {
		return db.copyAll(ctx, tables)
	}
	return db.inWrite(ctx, func(tx *Tx) error {
		for _, t := range tables {
			if err := insertRows(ctx, tx, t); err != nil {
				return fmt.Errorf("populate %s: %w", t.name, err)
			}
		}
		return nil
	})
}

// tables lays households out as rows, parents before children.
func (db Population) tables(hs []*Household) ([]*bulkTable, error) {
	accounts := &bulkTable{name: "accounts", cols: []string{"id", "email", "password_hash", "role", "lang", "confirmed_at", "created_at"}}
	persons := &bulkTable{name: "persons", cols: []string{"id", "account_id", "given_names", "surname", "birth_date", "birth_place", "nationality",
		"foreigner_number", "prefecture_id", "created_at", "address_line", "postcode", "city", "confirmed_at", "updated_at"}}
	permits := &bulkTable{name: "permits", cols: []string{"id", "person_id", "ground", "number", "valid_from", "valid_to", "created_at", "confirmed_at"}}
	apps := &bulkTable{name: "applications", cols: []string{"id", "person_id", "prefecture_id", "ground", "kind", "state", "created_at", "updated_at",
		"submitted_at", "due_on", "due_kind", "issue_due_on"}}
	events := &bulkTable{name: "application_events", cols: []string{"id", "application_id", "from_state", "to_state", "actor_kind", "actor_account_id", "at"}}
	filings := &bulkTable{name: "filings", cols: []string{"id", "application_id", "number", "filed_at", "snapshot"}}
	requests := &bulkTable{name: "completion_requests", cols: []string{"id", "application_id", "slots", "reason", "due_on", "requested_at", "requested_by"}}
	decisions := &bulkTable{name: "decisions", cols: []string{"id", "application_id", "outcome", "decided_by", "decided_at", "event_id"}}
	atts := &bulkTable{name: "attestations", cols: []string{"id", "application_id", "kind", "number", "version", "valid_from", "valid_until",
		"available_from", "issued_at", "code"}}
	for _, h := range hs {
		if a := h.Account; a != nil {
			accounts.add(a.ID, a.Email, h.PasswordHash, string(a.Role), a.Lang, a.ConfirmedAt, a.CreatedAt)
		}
		p := h.Person
		persons.add(p.ID, nullID(p.AccountID), p.GivenNames, p.Surname, p.BirthDate, p.BirthPlace, p.Nationality, p.ForeignerNumber,
			p.PrefectureID, p.CreatedAt, p.Address.Line, p.Address.Postcode, p.Address.City, p.ConfirmedAt, p.CreatedAt)
		if pm := h.Permit; pm != nil {
			permits.add(pm.ID, pm.PersonID, string(pm.Ground), pm.Number, pm.ValidFrom, pm.ValidTo, pm.ValidFrom, pm.ConfirmedAt)
		}
		a := h.App
		if a == nil {
			continue
		}
		due, dueKind, err := db.deadline(h)
		if err != nil {
			return nil, err
		}
		var issue any
		if h.IssueDueOn != nil {
			issue = h.IssueDueOn.UTC()
		}
		apps.add(a.ID, a.PersonID, a.PrefectureID, string(a.Ground), string(a.Kind), string(a.State), a.CreatedAt, a.UpdatedAt,
			a.SubmittedAt, due, dueKind, issue)
		for _, ev := range h.Events {
			events.add(ev.ID, ev.ApplicationID, string(ev.From), string(ev.To), string(ev.Actor.Kind), nullID(ev.Actor.AccountID), ev.At)
		}
		if f := h.Filing; f != nil {
			filings.add(f.ID, f.ApplicationID, f.Number, f.FiledAt, string(f.Snapshot))
		}
		if r := h.Request; r != nil {
			slots, err := json.Marshal(r.Slots)
			if err != nil {
				return nil, err
			}
			requests.add(r.ID, r.ApplicationID, string(slots), r.Reason, r.DueOn, r.RequestedAt, r.RequestedBy)
		}
		if d := h.Decision; d != nil {
			decisions.add(d.ID, d.ApplicationID, string(d.Outcome), d.DecidedBy, d.DecidedAt, d.EventID)
		}
		for _, at := range h.Attestations {
			atts.add(at.ID, at.ApplicationID, string(at.Kind), at.Number, at.Version, at.ValidFrom, at.ValidUntil, at.AvailableFrom,
				at.IssuedAt, at.Code)
		}
	}
	return []*bulkTable{accounts, persons, permits, apps, events, filings, requests, decisions, atts}, nil
}

// deadline computes an application's due_on and due_kind as refreshDue
// does, from the household's rows.
func (db Population) deadline(h *Household) (any, string, error) {
	if h.App.SubmittedAt == nil || !queued(h.App.State) {
		return nil, "", nil
	}
	if !db.delays.Set() {
		return nil, "", errors.New("store: no legal delays to count deadlines with (DB.SetDelays was not called)")
	}
	in := permit.DeadlineInputs{App: h.App, Permit: h.Permit, Delays: db.delays, Attestations: h.Attestations}
	if h.Request != nil && h.Request.AnsweredAt == nil {
		in.OpenRequest = h.Request
	}
	if d, ok := permit.NextDeadline(in); ok {
		return d.On, string(d.Kind), nil
	}
	return noDeadline, "", nil
}

// sqliteMaxArgs bounds the arguments of one statement (SQLite's limit is
// 32,766).
const sqliteMaxArgs = 30_000

// insertRows writes a table's rows with multi-row INSERTs.
func insertRows(ctx context.Context, tx *Tx, t *bulkTable) error {
	per := sqliteMaxArgs / len(t.cols)
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.cols)), ", ") + ")"
	for lo := 0; lo < len(t.rows); lo += per {
		hi := min(lo+per, len(t.rows))
		args := make([]any, 0, (hi-lo)*len(t.cols))
		for _, r := range t.rows[lo:hi] {
			args = append(args, r...)
		}
		q := "INSERT INTO " + t.name + " (" + strings.Join(t.cols, ", ") + ") VALUES " +
			strings.TrimSuffix(strings.Repeat(one+", ", hi-lo), ", ")
		if _, err := tx.exec(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// copyAll writes the tables with PostgreSQL's COPY, through the pgx
// connection under database/sql's, in one transaction.
func (db Population) copyAll(ctx context.Context, tables []*bulkTable) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: populate needs the pgx driver, not %T", dc)
		}
		return pgx.BeginFunc(ctx, c.Conn(), func(tx pgx.Tx) error {
			for _, t := range tables {
				if len(t.rows) == 0 {
					continue
				}
				if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromRows(t.rows)); err != nil {
					return fmt.Errorf("populate %s: %w", t.name, err)
				}
			}
			return nil
		})
	})
}

// Finish makes the database ready after the last Write: on PostgreSQL,
// each table's identity continues after the largest id written, and the
// planner's statistics and the visibility map are brought up to date
// (what autovacuum would do soon after a load).
func (db Population) Finish(ctx context.Context) error {
	if db.dialect != Postgres {
		_, err := db.write.ExecContext(ctx, `ANALYZE`)
		return err
	}
	for _, t := range []string{"accounts", "persons", "permits", "applications", "application_events", "filings",
		"completion_requests", "decisions", "attestations"} {
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM %s), 1))`, t, t)
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("populate: identity of %s: %w", t, err)
		}
		if _, err := db.write.ExecContext(ctx, `VACUUM ANALYZE `+t); err != nil {
			return err
		}
	}
	return nil
}
