package store

import (
	"context"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// Declarations is the room of pre-hire declarations (issue 14, part 4),
// taken as store.Declarations{DB: db}.
type Declarations struct{ *DB }

// dayText is a domain day as stored, "" for none.
func dayText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// textDay reads a stored day; "" is the zero time.
func textDay(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

// CreateDeclaration stores a new declaration, its key's last use and the
// audit entries the context carries (and the form's one-time key), in one
// transaction, and sets its id.
func (db Declarations) CreateDeclaration(ctx context.Context, d *permit.Declaration) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		err := tx.queryRow(ctx, `INSERT INTO declarations (number, organisation_id, account_id, api_key_id, person_id, declared_at,
			given_names, surname, birth_date, start_date, job, weekly_hours, contract, work_kind, work_hours, until_day, ground,
			status, reason, prefecture_id, due_date, answered_at, code)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			d.Number, d.OrganisationID, nullID(d.AccountID), nullID(d.APIKeyID), nullID(d.PersonID), d.DeclaredAt,
			d.GivenNames, d.Surname, d.BirthDate, dayText(d.StartDate), d.Job, d.WeeklyHours, string(d.Contract),
			d.Work, d.WorkHours, dayText(d.Until), string(d.Ground), string(d.Status), string(d.Reason), d.PrefectureID,
			dayText(d.DueDate), nullTimePtr(d.AnsweredAt), d.Code).Scan(&d.ID)
		if err != nil {
			return err
		}
		tx.made(d.ID)
		tx.answered(d)
		return touchKey(ctx, tx, d.APIKeyID, d.DeclaredAt)
	})
}

// nullTimePtr stores a nil time as NULL.
func nullTimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// CloseDeclaration records a referred declaration's outcome (the
// prefecture's answer, or silence at the due day) with its signed code,
// the mail telling the employer and the audit entries the context
// carries, in one transaction. A declaration no longer referred (answered
// meanwhile, or closed by an earlier run of the silence job) is ECONFLICT
// and changes nothing: an outcome is recorded once.
func (db Declarations) CloseDeclaration(ctx context.Context, d *permit.Declaration, m *permit.Mail) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE declarations SET status = ?, answered_at = ?, answered_by = ?, refusal_reason = ?, code = ?
			WHERE id = ? AND status = 'referred'`,
			string(d.Status), nullTimePtr(d.AnsweredAt), nullID(d.AnsweredBy), d.RefusalReason, d.Code, d.ID)
		if err := oneRow(res, err, permit.ECONFLICT, "declaration.error.answered"); err != nil {
			return err
		}
		return insertMail(ctx, tx, m, db.clock.Now())
	})
}

const declarationColumns = `d.id, d.number, d.organisation_id, o.name, o.siret, d.account_id, d.api_key_id, d.person_id, d.declared_at,
	d.given_names, d.surname, d.birth_date, d.start_date, d.job, d.weekly_hours, d.contract, d.work_kind, d.work_hours, d.until_day, d.ground,
	d.status, d.reason, d.prefecture_id, p.code, p.name, d.due_date, d.answered_at, d.answered_by, d.refusal_reason, d.code`

const declarationFrom = ` FROM declarations d JOIN organisations o ON o.id = d.organisation_id JOIN prefectures p ON p.id = d.prefecture_id `

func scanDeclaration(row scanner) (*permit.Declaration, error) {
	var d permit.Declaration
	var account, key, person, by nullInt
	var start, until, due, contract, ground, status, reason string
	var answered nullTime
	err := row.Scan(&d.ID, &d.Number, &d.OrganisationID, &d.Organisation, &d.SIRET, &account, &key, &person, &d.DeclaredAt,
		&d.GivenNames, &d.Surname, &d.BirthDate, &start, &d.Job, &d.WeeklyHours, &contract, &d.Work, &d.WorkHours, &until, &ground,
		&status, &reason, &d.PrefectureID, &d.PrefectureCode, &d.PrefectureName, &due, &answered, &by, &d.RefusalReason, &d.Code)
	if err != nil {
		return nil, err
	}
	d.AccountID, d.APIKeyID, d.PersonID, d.AnsweredBy = account.Int64, key.Int64, person.Int64, by.Int64
	d.DeclaredAt, d.AnsweredAt = d.DeclaredAt.UTC(), answered.ptr()
	d.StartDate, d.Until, d.DueDate = textDay(start), textDay(until), textDay(due)
	d.Contract, d.Ground = permit.ContractKind(contract), permit.GroundID(ground)
	d.Status, d.Reason = permit.DeclarationStatus(status), permit.ReferralReason(reason)
	return &d, nil
}

// declarations reads the declarations a condition selects, in order.
func (db Declarations) declarations(ctx context.Context, where, order string, limit int, args ...any) ([]*permit.Declaration, error) {
	var out []*permit.Declaration
	err := db.inRead(ctx, func(tx *Tx) (err error) {
		out, err = scanDeclarations(ctx, tx, where, order, limit, args...)
		return err
	})
	return out, err
}

func scanDeclarations(ctx context.Context, tx *Tx, where, order string, limit int, args ...any) ([]*permit.Declaration, error) {
	return rowsOf(ctx, tx, `SELECT `+declarationColumns+declarationFrom+`WHERE `+where+` ORDER BY `+order+` LIMIT ?`, scanDeclaration, append(args, limit)...)
}

// Declaration returns one declaration, or ENOTFOUND.
func (db Declarations) Declaration(ctx context.Context, id int64) (*permit.Declaration, error) {
	ds, err := db.declarations(ctx, `d.id = ?`, `d.id`, 1, id)
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	return ds[0], nil
}

// OrganisationDeclarations lists an organisation's declarations, newest
// first, at most limit.
func (db Declarations) OrganisationDeclarations(ctx context.Context, organisationID int64, limit int) ([]*permit.Declaration, error) {
	return db.declarations(ctx, `d.organisation_id = ?`, `d.id DESC`, limit, organisationID)
}

// PersonDeclarations lists the declarations matched to a person, newest
// first, at most limit.
func (db Declarations) PersonDeclarations(ctx context.Context, personID int64, limit int) ([]*permit.Declaration, error) {
	return db.declarations(ctx, `d.person_id = ?`, `d.id DESC`, limit, personID)
}

// ReferredDeclarations lists the declarations waiting for an answer of
// the given prefectures, the soonest due first, at most limit.
func (db Declarations) ReferredDeclarations(ctx context.Context, prefectureIDs []int64, limit int) ([]*permit.Declaration, error) {
	if len(prefectureIDs) == 0 {
		return nil, nil
	}
	args := make([]any, len(prefectureIDs))
	for i, id := range prefectureIDs {
		args[i] = id
	}
	in := strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")
	return db.declarations(ctx, `d.status = 'referred' AND d.prefecture_id IN (`+in+`)`, `d.due_date, d.id`, limit, args...)
}

// SilentDeclarations lists the declarations still referred whose due day
// is before day (the first day after which silence counts), oldest due
// first, at most limit.
func (db Declarations) SilentDeclarations(ctx context.Context, day time.Time, limit int) ([]*permit.Declaration, error) {
	return db.declarations(ctx, `d.status = 'referred' AND d.due_date < ?`, `d.due_date, d.id`, limit, dayText(day))
}

// Members are the members of the declaring organisation, whom an outcome
// is mailed to.
func (db Declarations) Members(ctx context.Context, organisationID int64) ([]*permit.Account, error) {
	return Employers(db).Members(ctx, organisationID)
}
