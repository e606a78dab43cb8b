package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/sejour/sejour/internal/permit"
)

// Overview reads what an applicant's dashboard shows in one statement:
// each table's rows come back as one aggregate (jsonrow.go), whatever
// the number of applications, documents or attestations (issue 15, part
// 5; TestPagesWithASessionCostBoundedStatements counts the statements).
// A single statement sees one snapshot on both databases, so it needs no
// transaction.
func (db Files) Overview(ctx context.Context, accountID int64, declarations int) (*permit.Overview, error) {
	var cols [9]sql.NullString
	dest := make([]any, len(cols))
	for i := range cols {
		dest[i] = &cols[i]
	}
	query, n := overviewSQL[db.dialect], strings.Count(overviewSQL[db.dialect], "?")
	args := make([]any, n)
	for i := range args {
		args[i] = accountID
	}
	args[n-1] = declarations // the last is the declarations' limit
	if err := readRow(ctx, db.DB, query, args...).Scan(dest...); err != nil {
		return nil, translate(err)
	}
	o := &permit.Overview{}
	if !cols[0].Valid { // no person yet: only the account's attempts
		var err error
		o.Attempts, err = jsonRows(cols[7], readFilingAttempt)
		return o, err
	}
	var err error
	if o.Person, err = readPerson(jsonRow(cols[0].String)); err != nil {
		return nil, err
	}
	if cols[1].Valid {
		if o.Permit, err = readPermit(jsonRow(cols[1].String)); err != nil {
			return nil, err
		}
	}
	if o.Applications, err = jsonRows(cols[2], readApplication); err != nil {
		return nil, err
	}
	prefs, err := jsonRows(cols[3], readPrefecture)
	if err != nil {
		return nil, err
	}
	o.Prefectures = map[int64]*permit.Prefecture{}
	for _, p := range prefs {
		o.Prefectures[p.ID] = p
	}
	docs, err := jsonRows(cols[4], readDocument)
	if err != nil {
		return nil, err
	}
	o.Documents = byApplication(docs, func(d *permit.Document) int64 { return d.ApplicationID })
	reqs, err := jsonRows(cols[5], readCompletionRequest)
	if err != nil {
		return nil, err
	}
	o.Requests = byApplication(reqs, func(r *permit.CompletionRequest) int64 { return r.ApplicationID })
	atts, err := jsonRows(cols[6], readAttestation)
	if err != nil {
		return nil, err
	}
	o.Attestations = byApplication(atts, func(a *permit.Attestation) int64 { return a.ApplicationID })
	if o.Attempts, err = jsonRows(cols[7], readFilingAttempt); err != nil {
		return nil, err
	}
	o.Declarations, err = jsonRows(cols[8], scanDeclaration)
	return o, err
}

// overviewSQL is Overview's statement on each database. Every ? is the
// account's id but the last, the declarations' limit.
var overviewSQL = map[Dialect]string{SQLite: overviewQuery(SQLite), Postgres: overviewQuery(Postgres)}

func overviewQuery(d Dialect) string {
	const person = `(SELECT id FROM persons WHERE account_id = ?)`
	const apps = `(SELECT id FROM applications WHERE person_id = ` + person + `)`
	return `SELECT
		(SELECT ` + rowArray(d, personColumns) + ` FROM persons WHERE account_id = ?),
		(SELECT ` + rowArray(d, permitColumns) + ` FROM permits WHERE person_id = ` + person + ` ` + latestPermit + `),
		(SELECT ` + rowArrays(d, applicationColumns, `id DESC`) + ` FROM applications WHERE person_id = ` + person + `),
		(SELECT ` + rowArrays(d, prefectureColumns, `id`) + ` FROM prefectures WHERE id IN (SELECT prefecture_id FROM applications WHERE person_id = ` + person + `)),
		(SELECT ` + rowArrays(d, documentColumns, `id`) + ` FROM documents WHERE application_id IN ` + apps + `),
		(SELECT ` + rowArrays(d, requestColumns, `id`) + ` FROM completion_requests WHERE application_id IN ` + apps + `),
		(SELECT ` + rowArrays(d, attestationColumns, `valid_from, id`) + ` FROM attestations WHERE application_id IN ` + apps + `),
		(SELECT ` + rowArrays(d, attemptColumns, `attempted_at DESC, id`) + ` FROM filing_attempts WHERE account_id = ?),
		(SELECT ` + rowArrays(d, declarationColumns, `d.id DESC`) + declarationFrom + `WHERE d.id IN
			(SELECT id FROM declarations WHERE person_id = ` + person + ` ORDER BY id DESC LIMIT ?))`
}

// byApplication groups rows by their application, keeping their order.
func byApplication[T any](rows []T, app func(T) int64) map[int64][]T {
	out := map[int64][]T{}
	for _, r := range rows {
		out[app(r)] = append(out[app(r)], r)
	}
	return out
}
