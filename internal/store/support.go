package store

import (
	"context"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// reportColumns are the columns scanReport reads, in its order.
const reportColumns = `id, reference, follow_hash, category, priority, status, description, page, error_ref,
	account_id, person_id, application_id, prefecture_id, email, phone, lang,
	screenshot_sum, screenshot_name, screenshot_kind, screenshot_size, assignee_id,
	created_at, updated_at, first_answer_at, resolved_at, version`

func scanReport(row scanner) (*permit.Report, error) {
	var r permit.Report
	var category, priority, status string
	var account, person, app, pref, assignee nullInt
	var firstAnswer, resolved nullTime
	var shot permit.Screenshot
	err := row.Scan(&r.ID, &r.Reference, &r.FollowHash, &category, &priority, &status, &r.Description, &r.Page, &r.ErrorRef,
		&account, &person, &app, &pref, &r.Email, &r.Phone, &r.Lang,
		&shot.BlobSum, &shot.Filename, &shot.Kind, &shot.Size, &assignee,
		&r.CreatedAt, &r.UpdatedAt, &firstAnswer, &resolved, &r.Version)
	if err != nil {
		return nil, err
	}
	r.Category, r.Priority, r.Status = permit.ReportCategory(category), permit.ReportPriority(priority), permit.ReportStatus(status)
	r.AccountID, r.PersonID, r.ApplicationID, r.PrefectureID, r.AssigneeID = account.Int64, person.Int64, app.Int64, pref.Int64, assignee.Int64
	r.FirstAnswerAt, r.ResolvedAt = firstAnswer.ptr(), resolved.ptr()
	if shot.BlobSum != "" {
		r.Screenshot = &shot
	}
	return &r, nil
}

// CreateReport stores a new report with the first step of its thread and
// the mail that tells the reporter its reference (m may be nil), in one
// transaction. A reference or follow code already taken is ECONFLICT.
func (db Support) CreateReport(ctx context.Context, r *permit.Report, m *permit.Mail) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		now := db.clock.Now()
		r.CreatedAt, r.UpdatedAt, r.Version = now, now, 1
		shot := r.Screenshot
		if shot == nil {
			shot = &permit.Screenshot{}
		}
		err := tx.queryRow(ctx, `INSERT INTO reports (reference, follow_hash, category, priority, status, description, page, error_ref,
			account_id, person_id, application_id, prefecture_id, email, phone, lang,
			screenshot_sum, screenshot_name, screenshot_kind, screenshot_size, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			r.Reference, r.FollowHash, string(r.Category), string(r.Priority), string(r.Status), r.Description, r.Page, r.ErrorRef,
			nullID(r.AccountID), nullID(r.PersonID), nullID(r.ApplicationID), nullID(r.PrefectureID), r.Email, r.Phone, r.Lang,
			shot.BlobSum, shot.Filename, shot.Kind, shot.Size, now, now).Scan(&r.ID)
		if err != nil {
			return err
		}
		ev := &permit.ReportEvent{ReportID: r.ID, Kind: permit.ReportCreated, ActorID: r.AccountID, Body: r.Description, At: now}
		if err := insertReportEvent(ctx, tx, ev); err != nil {
			return err
		}
		tx.made(r.ID)
		return insertMail(ctx, tx, m, now)
	})
}

func insertReportEvent(ctx context.Context, tx *Tx, ev *permit.ReportEvent) error {
	return tx.queryRow(ctx, `INSERT INTO report_events (report_id, kind, actor_id, body, at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		ev.ReportID, string(ev.Kind), nullID(ev.ActorID), ev.Body, ev.At).Scan(&ev.ID)
}

// UpdateReport writes a changed report (as read, with its Version) and
// the step that changed it, and the mail it causes (m may be nil), in one
// transaction. A report changed meanwhile is ECONFLICT: nothing is written.
func (db Support) UpdateReport(ctx context.Context, r *permit.Report, ev *permit.ReportEvent, m *permit.Mail) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		now := db.clock.Now()
		res, err := tx.exec(ctx, `UPDATE reports SET category = ?, priority = ?, status = ?, assignee_id = ?,
			first_answer_at = ?, resolved_at = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`,
			string(r.Category), string(r.Priority), string(r.Status), nullID(r.AssigneeID), r.FirstAnswerAt, r.ResolvedAt, now, r.ID, r.Version)
		if err := oneRow(res, err, permit.ECONFLICT, "support.error.changed"); err != nil {
			return err
		}
		r.UpdatedAt = now
		r.Version++
		ev.ReportID, ev.At = r.ID, now
		if err := insertReportEvent(ctx, tx, ev); err != nil {
			return err
		}
		tx.made(r.ID)
		return insertMail(ctx, tx, m, now)
	})
}

// Report returns a report by id, or ENOTFOUND.
func (db Support) Report(ctx context.Context, id int64) (*permit.Report, error) {
	return db.oneReport(ctx, `id = ?`, id)
}

// ReportByFollowHash returns the report a follow code opens, or ENOTFOUND.
func (db Support) ReportByFollowHash(ctx context.Context, hash string) (*permit.Report, error) {
	return db.oneReport(ctx, `follow_hash = ?`, hash)
}

func (db Support) oneReport(ctx context.Context, where string, arg any) (*permit.Report, error) {
	var r *permit.Report
	err := db.inRead(ctx, func(tx *Tx) error {
		var err error
		r, err = scanReport(tx.queryRow(ctx, `SELECT `+reportColumns+` FROM reports WHERE `+where, arg))
		return err
	})
	return r, err
}

// ReportEvents returns a report's thread, oldest first.
func (db Support) ReportEvents(ctx context.Context, reportID int64) ([]*permit.ReportEvent, error) {
	var out []*permit.ReportEvent
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id, report_id, kind, actor_id, body, at FROM report_events WHERE report_id = ? ORDER BY id`, reportID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ev permit.ReportEvent
			var kind string
			var actor nullInt
			if err := rows.Scan(&ev.ID, &ev.ReportID, &kind, &actor, &ev.Body, &ev.At); err != nil {
				return err
			}
			ev.Kind, ev.ActorID = permit.ReportEventKind(kind), actor.Int64
			out = append(out, &ev)
		}
		return rows.Err()
	})
	return out, err
}

// scopeWhere is the condition of a support reader's scope, or false when
// the scope is empty.
func scopeWhere(sc permit.ReportScope) (string, []any, bool) {
	if sc.All {
		return "", nil, true
	}
	if len(sc.Prefectures) == 0 {
		return "", nil, false
	}
	args := make([]any, len(sc.Prefectures))
	for i, p := range sc.Prefectures {
		args[i] = p
	}
	return `prefecture_id IN (` + auditPlaceholders(len(args)) + `)`, args, true
}

// Reports returns the reports a filter selects, newest first, at most
// f.Limit of them; f.Before pages by id.
func (db Support) Reports(ctx context.Context, f permit.ReportFilter) ([]*permit.Report, error) {
	scope, args, ok := scopeWhere(f.Scope)
	if !ok {
		return nil, nil
	}
	var where []string
	if scope != "" {
		where = append(where, scope)
	}
	for _, c := range []struct {
		cond string
		arg  any
		set  bool
	}{
		{`status = ?`, string(f.Status), f.Status != ""},
		{`category = ?`, string(f.Category), f.Category != ""},
		{`assignee_id = ?`, f.AssigneeID, f.AssigneeID != 0},
		{`id < ?`, f.Before, f.Before != 0},
	} {
		if c.set {
			where, args = append(where, c.cond), append(args, c.arg)
		}
	}
	q := `SELECT ` + reportColumns + ` FROM reports`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	return db.reportList(ctx, q, append(args, f.Limit)...)
}

// ReportsByAccount returns the reports an account made, newest first.
func (db Support) ReportsByAccount(ctx context.Context, accountID int64) ([]*permit.Report, error) {
	return db.reportList(ctx, `SELECT `+reportColumns+` FROM reports WHERE account_id = ? ORDER BY id DESC LIMIT 200`, accountID)
}

// ReportsQuoting returns the reports that quote an error reference.
func (db Support) ReportsQuoting(ctx context.Context, ref string) ([]*permit.Report, error) {
	return db.reportList(ctx, `SELECT `+reportColumns+` FROM reports WHERE error_ref = ? ORDER BY id DESC LIMIT 50`, ref)
}

func (db Support) reportList(ctx context.Context, q string, args ...any) ([]*permit.Report, error) {
	var out []*permit.Report
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanReport(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// ReportTimings returns, for the reports of a scope created since a time,
// what the support figures are computed from.
func (db Support) ReportTimings(ctx context.Context, sc permit.ReportScope, since time.Time) ([]permit.ReportTiming, error) {
	scope, args, ok := scopeWhere(sc)
	if !ok {
		return nil, nil
	}
	q := `SELECT created_at, first_answer_at, resolved_at, status FROM reports WHERE created_at >= ?`
	args = append([]any{since}, args...)
	if scope != "" {
		q += ` AND ` + scope
	}
	var out []permit.ReportTiming
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t permit.ReportTiming
			var first, resolved nullTime
			var status string
			if err := rows.Scan(&t.CreatedAt, &first, &resolved, &status); err != nil {
				return err
			}
			t.FirstAnswerAt, t.ResolvedAt, t.Status = first.ptr(), resolved.ptr(), permit.ReportStatus(status)
			out = append(out, t)
		}
		return rows.Err()
	})
	return out, err
}

// RecordIncident keeps one failure of the portal.
func (db Support) RecordIncident(ctx context.Context, inc *permit.Incident) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `INSERT INTO incidents (reference, source, kind, method, path, status, attempt, cause, day, occurred_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			inc.Reference, inc.Source, inc.Kind, inc.Method, inc.Path, inc.Status, inc.Attempt, inc.Cause, inc.Day, inc.At).Scan(&inc.ID)
	})
}

const incidentColumns = `id, reference, source, kind, method, path, status, attempt, cause, day, occurred_at`

// Incidents returns the latest incidents, or those of one reference when
// ref is set, newest first.
func (db Support) Incidents(ctx context.Context, ref string, limit int) ([]*permit.Incident, error) {
	q, args := `SELECT `+incidentColumns+` FROM incidents`, []any{}
	if ref != "" {
		q, args = q+` WHERE reference = ?`, append(args, ref)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	var out []*permit.Incident
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, q, append(args, limit)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var in permit.Incident
			if err := rows.Scan(&in.ID, &in.Reference, &in.Source, &in.Kind, &in.Method, &in.Path, &in.Status, &in.Attempt,
				&in.Cause, &in.Day, &in.At); err != nil {
				return err
			}
			out = append(out, &in)
		}
		return rows.Err()
	})
	return out, err
}

// IncidentCounts counts the incidents per day and kind since a day
// (YYYY-MM-DD, included), the latest day first.
func (db Support) IncidentCounts(ctx context.Context, sinceDay string) ([]permit.IncidentCount, error) {
	var out []permit.IncidentCount
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT day, source, kind, COUNT(*) FROM incidents WHERE day >= ?
			GROUP BY day, source, kind ORDER BY day DESC, source, kind`, sinceDay)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c permit.IncidentCount
			if err := rows.Scan(&c.Day, &c.Source, &c.Kind, &c.Count); err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}
