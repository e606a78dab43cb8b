package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/sejour/sejour/internal/permit"
)

// ofPerson selects the applications of one person, for the statements
// that read every application's rows at once.
const ofPerson = `application_id IN (SELECT id FROM applications WHERE person_id = ?)`

// Overview reads what an applicant's dashboard shows in one read
// transaction: one statement per table, whatever the number of
// applications, documents or attestations (issue 15, part 5; the test
// TestDashboardStatementsBounded counts them).
func (db Files) Overview(ctx context.Context, accountID int64, declarations int) (*permit.Overview, error) {
	o := &permit.Overview{}
	err := db.inRead(ctx, func(tx *Tx) error {
		var err error
		if o.Attempts, err = scanFilingAttempts(ctx, tx, accountID); err != nil {
			return err
		}
		o.Person, err = scanPerson(ctx, tx, "account_id = ?", accountID)
		if errors.Is(err, sql.ErrNoRows) {
			o.Person = nil
			return nil
		} else if err != nil {
			return err
		}
		pid := o.Person.ID
		if o.Permit, err = currentPermit(ctx, tx, pid); errors.Is(err, sql.ErrNoRows) {
			o.Permit = nil
		} else if err != nil {
			return err
		}
		if o.Declarations, err = scanDeclarations(ctx, tx, `d.person_id = ?`, `d.id DESC`, declarations, pid); err != nil {
			return err
		}
		if o.Applications, err = scanApplications(ctx, tx, `WHERE person_id = ? ORDER BY id DESC`, pid); err != nil || len(o.Applications) == 0 {
			return err
		}
		prefs, err := scanPrefectures(ctx, tx, `WHERE id IN (SELECT prefecture_id FROM applications WHERE person_id = ?)`, pid)
		if err != nil {
			return err
		}
		o.Prefectures = map[int64]*permit.Prefecture{}
		for _, p := range prefs {
			o.Prefectures[p.ID] = p
		}
		docs, err := scanDocuments(ctx, tx, `WHERE `+ofPerson+` ORDER BY id`, pid)
		if err != nil {
			return err
		}
		o.Documents = byApplication(docs, func(d *permit.Document) int64 { return d.ApplicationID })
		reqs, err := scanCompletionRequests(ctx, tx, `WHERE `+ofPerson+` ORDER BY id`, pid)
		if err != nil {
			return err
		}
		o.Requests = byApplication(reqs, func(r *permit.CompletionRequest) int64 { return r.ApplicationID })
		atts, err := scanAttestations(ctx, tx, `WHERE `+ofPerson+` ORDER BY valid_from, id`, pid)
		if err != nil {
			return err
		}
		o.Attestations = byApplication(atts, func(a *permit.Attestation) int64 { return a.ApplicationID })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// byApplication groups rows by their application, keeping their order.
func byApplication[T any](rows []T, app func(T) int64) map[int64][]T {
	out := map[int64][]T{}
	for _, r := range rows {
		out[app(r)] = append(out[app(r)], r)
	}
	return out
}
