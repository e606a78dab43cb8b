package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/audit"
)

// auditLockKey names the PostgreSQL advisory lock that serialises appends
// to the audit trail, so that two transactions never chain onto the same
// entry. (SQLite has one writer: appends are serial already.)
const auditLockKey = 0x5e1_0a0d17

// appendAudit writes the audit entries a context carries, inside the
// transaction of the write they record, each chained onto the last.
func appendAudit(ctx context.Context, tx *Tx, now time.Time) error {
	entries := audit.From(ctx)
	if len(entries) == 0 {
		return nil
	}
	if tx.dialect == Postgres {
		if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(auditLockKey)); err != nil {
			return err
		}
	}
	last := audit.Record{PrevHash: audit.Genesis}
	err := tx.queryRow(ctx, `SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&last.ID, &last.Hash)
	if err == sql.ErrNoRows {
		last.Hash = audit.Genesis
	} else if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Resolve != nil {
			e.Resolve(&e)
			e.Resolve = nil
		}
		r := audit.Record{Entry: e, ID: last.ID + 1, At: now, PrevHash: last.Hash}
		r.Normalize()
		r.Hash = r.Sum()
		_, err := tx.exec(ctx, `INSERT INTO audit_log (id, at, actor_account_id, action, prefecture_id, person_id, application_id, document_id, detail, prev_hash, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.At, nullID(r.ActorAccountID), r.Action, nullID(r.PrefectureID), nullID(r.PersonID), nullID(r.ApplicationID), nullID(r.DocumentID),
			r.Detail, r.PrevHash, r.Hash)
		if err != nil {
			return err
		}
		last = r
	}
	return nil
}

// RecordAudit appends the entries the context carries in a transaction of
// their own: for what changes nothing but must be known, such as staff
// opening a file or a document.
func (db *DB) RecordAudit(ctx context.Context) error {
	if len(audit.From(ctx)) == 0 {
		return nil
	}
	return db.inWrite(ctx, func(*Tx) error { return nil })
}

const auditColumns = `l.id, l.at, l.actor_account_id, l.action, l.prefecture_id, l.person_id, l.application_id, l.document_id, l.detail, l.prev_hash, l.hash`

func scanRecord(rows *sql.Rows, r *audit.Record, more ...any) error {
	var actor, pref, person, app, doc nullInt
	err := rows.Scan(append([]any{&r.ID, &r.At, &actor, &r.Action, &pref, &person, &app, &doc, &r.Detail, &r.PrevHash, &r.Hash}, more...)...)
	r.ActorAccountID, r.PrefectureID, r.PersonID, r.ApplicationID, r.DocumentID = actor.Int64, pref.Int64, person.Int64, app.Int64, doc.Int64
	r.At = r.At.UTC()
	return err
}

// VerifyAudit walks the whole trail in id order, one row at a time, and
// reports how many entries check out and the first broken link, if any.
func (db Audit) VerifyAudit(ctx context.Context) (*audit.Report, error) {
	var v audit.Verifier
	rep := &audit.Report{}
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT `+auditColumns+` FROM audit_log l ORDER BY l.id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r audit.Record
			if err := scanRecord(rows, &r); err != nil {
				return err
			}
			if rep.Break = v.Check(&r); rep.Break != nil {
				return nil
			}
		}
		return rows.Err()
	})
	rep.Count, rep.Head = v.Count(), v.Head()
	return rep, err
}

// AuditTrail returns the lines a filter selects, newest first, with the
// acting account and the prefecture named.
func (db Audit) AuditTrail(ctx context.Context, f audit.Filter) ([]*audit.Line, error) {
	var where []string
	var args []any
	if !f.Everywhere {
		if len(f.Prefectures) == 0 {
			return nil, nil
		}
		where = append(where, `l.prefecture_id IN (`+auditPlaceholders(len(f.Prefectures))+`)`)
		for _, p := range f.Prefectures {
			args = append(args, p)
		}
	}
	for _, c := range []struct {
		cond string
		arg  any
		set  bool
	}{
		{`l.application_id = ?`, f.ApplicationID, f.ApplicationID != 0},
		{`l.person_id = ?`, f.PersonID, f.PersonID != 0},
		{`a.email = ?`, f.ActorEmail, f.ActorEmail != ""},
		{`l.at >= ?`, f.From.UTC(), !f.From.IsZero()},
		{`l.at < ?`, f.To.UTC(), !f.To.IsZero()},
	} {
		if c.set {
			where, args = append(where, c.cond), append(args, c.arg)
		}
	}
	if len(f.Actions) > 0 {
		where = append(where, `l.action IN (`+auditPlaceholders(len(f.Actions))+`)`)
		for _, a := range f.Actions {
			args = append(args, a)
		}
	}
	q := `SELECT ` + auditColumns + `, COALESCE(a.email, ''), CASE WHEN a.help_desk THEN 'help_desk' ELSE COALESCE(a.role, '') END, COALESCE(a.supervisor, FALSE), COALESCE(p.name, '')
		FROM audit_log l LEFT JOIN accounts a ON a.id = l.actor_account_id LEFT JOIN prefectures p ON p.id = l.prefecture_id`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY l.at DESC, l.id DESC LIMIT ? OFFSET ?`
	args = append(args, f.Limit, f.Offset)
	var out []*audit.Line
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l audit.Line
			if err := scanRecord(rows, &l.Record, &l.ActorEmail, &l.ActorRole, &l.ActorSupervisor, &l.PrefectureName); err != nil {
				return err
			}
			out = append(out, &l)
		}
		return rows.Err()
	})
	return out, err
}

// auditPlaceholders returns n comma-separated placeholders.
func auditPlaceholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
