package store

import (
	"context"

	"github.com/sejour/sejour/internal/permit"
)

// CreatePrefecture adds a prefecture; ECONFLICT if its code exists.
func (db *DB) CreatePrefecture(ctx context.Context, p *permit.Prefecture) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `INSERT INTO prefectures (code, name, departments, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			p.Code, p.Name, joinDepts(p.Departments), db.clock.Now()).Scan(&p.ID)
	})
}

// Prefectures lists every prefecture by code.
func (db *DB) Prefectures(ctx context.Context) ([]*permit.Prefecture, error) {
	var out []*permit.Prefecture
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id, code, name, departments FROM prefectures ORDER BY code`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p permit.Prefecture
			var depts string
			if err := rows.Scan(&p.ID, &p.Code, &p.Name, &depts); err != nil {
				return err
			}
			p.Departments = splitDepts(depts)
			out = append(out, &p)
		}
		return rows.Err()
	})
	return out, err
}

// CreatePerson adds a person, linked to an account when AccountID is set.
func (db *DB) CreatePerson(ctx context.Context, p *permit.Person) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		p.CreatedAt = db.clock.Now()
		return tx.queryRow(ctx, `INSERT INTO persons (account_id, given_names, surname, birth_date, birth_place, nationality, foreigner_number, prefecture_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			nullID(p.AccountID), p.GivenNames, p.Surname, p.BirthDate, p.BirthPlace, p.Nationality, p.ForeignerNumber, nullID(p.PrefectureID), p.CreatedAt).Scan(&p.ID)
	})
}

// PersonByAccount returns the person of an applicant's account, or ENOTFOUND.
func (db *DB) PersonByAccount(ctx context.Context, accountID int64) (*permit.Person, error) {
	var p permit.Person
	err := db.inRead(ctx, func(tx *Tx) error {
		var acc, pref nullInt
		err := tx.queryRow(ctx, `SELECT id, account_id, given_names, surname, birth_date, birth_place, nationality, foreigner_number, prefecture_id, created_at
			FROM persons WHERE account_id = ?`, accountID).Scan(&p.ID, &acc, &p.GivenNames, &p.Surname, &p.BirthDate, &p.BirthPlace, &p.Nationality, &p.ForeignerNumber, &pref, &p.CreatedAt)
		p.AccountID, p.PrefectureID = acc.Int64, pref.Int64
		return err
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// CreatePermit records a permit a person holds or held.
func (db *DB) CreatePermit(ctx context.Context, p *permit.Permit) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `INSERT INTO permits (person_id, ground, number, valid_from, valid_to, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			p.PersonID, string(p.Ground), p.Number, p.ValidFrom, p.ValidTo, db.clock.Now()).Scan(&p.ID)
	})
}

// CurrentPermit returns the person's permit that ends last, or ENOTFOUND.
func (db *DB) CurrentPermit(ctx context.Context, personID int64) (*permit.Permit, error) {
	var p permit.Permit
	err := db.inRead(ctx, func(tx *Tx) error {
		var ground string
		err := tx.queryRow(ctx, `SELECT id, person_id, ground, number, valid_from, valid_to FROM permits
			WHERE person_id = ? ORDER BY valid_to DESC, id DESC LIMIT 1`, personID).Scan(&p.ID, &p.PersonID, &ground, &p.Number, &p.ValidFrom, &p.ValidTo)
		p.Ground = permit.GroundID(ground)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// CreateApplication adds an application and the event that opens its
// history, together.
func (db *DB) CreateApplication(ctx context.Context, a *permit.Application, actor permit.Actor) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		now := db.clock.Now()
		a.CreatedAt, a.UpdatedAt = now, now
		err := tx.queryRow(ctx, `INSERT INTO applications (person_id, prefecture_id, ground, kind, state, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			a.PersonID, a.PrefectureID, string(a.Ground), string(a.Kind), string(a.State), now, now).Scan(&a.ID)
		if err != nil {
			return err
		}
		return insertEvent(ctx, tx, &permit.Event{ApplicationID: a.ID, From: "", To: a.State, Actor: actor, At: now})
	})
}

// Transition persists an application's new state and the event recording
// it, made by permit.Transition. It returns ECONFLICT when the application
// is no longer in the event's from-state (someone else acted first).
func (db *DB) Transition(ctx context.Context, a *permit.Application, ev *permit.Event) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE applications SET state = ?, updated_at = ?, submitted_at = ? WHERE id = ? AND state = ?`,
			string(a.State), a.UpdatedAt, a.SubmittedAt, a.ID, string(ev.From))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return permit.Errorf(permit.ECONFLICT, "error.transition.state")
		}
		return insertEvent(ctx, tx, ev)
	})
}

func insertEvent(ctx context.Context, tx *Tx, ev *permit.Event) error {
	return tx.queryRow(ctx, `INSERT INTO application_events (application_id, from_state, to_state, actor_kind, actor_account_id, at, reason)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		ev.ApplicationID, string(ev.From), string(ev.To), string(ev.Actor.Kind), nullID(ev.Actor.AccountID), ev.At, ev.Reason).Scan(&ev.ID)
}

// Application returns one application, or ENOTFOUND.
func (db *DB) Application(ctx context.Context, id int64) (*permit.Application, error) {
	apps, err := db.applications(ctx, `WHERE id = ?`, id)
	if err != nil {
		return nil, err
	} else if len(apps) == 0 {
		return nil, permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	return apps[0], nil
}

// ApplicationsByPerson lists a person's applications, newest first.
func (db *DB) ApplicationsByPerson(ctx context.Context, personID int64) ([]*permit.Application, error) {
	return db.applications(ctx, `WHERE person_id = ? ORDER BY id DESC`, personID)
}

func (db *DB) applications(ctx context.Context, tail string, arg any) ([]*permit.Application, error) {
	var out []*permit.Application
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id, person_id, prefecture_id, ground, kind, state, created_at, updated_at, submitted_at FROM applications `+tail, arg)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a permit.Application
			var ground, kind, state string
			var submitted nullTime
			if err := rows.Scan(&a.ID, &a.PersonID, &a.PrefectureID, &ground, &kind, &state, &a.CreatedAt, &a.UpdatedAt, &submitted); err != nil {
				return err
			}
			a.Ground, a.Kind, a.State, a.SubmittedAt = permit.GroundID(ground), permit.Kind(kind), permit.State(state), submitted.ptr()
			out = append(out, &a)
		}
		return rows.Err()
	})
	return out, err
}

// Events returns an application's history, oldest first.
func (db *DB) Events(ctx context.Context, applicationID int64) ([]*permit.Event, error) {
	var out []*permit.Event
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id, application_id, from_state, to_state, actor_kind, actor_account_id, at, reason
			FROM application_events WHERE application_id = ? ORDER BY id`, applicationID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e permit.Event
			var from, to, kind string
			var acc nullInt
			if err := rows.Scan(&e.ID, &e.ApplicationID, &from, &to, &kind, &acc, &e.At, &e.Reason); err != nil {
				return err
			}
			e.From, e.To, e.Actor = permit.State(from), permit.State(to), permit.Actor{Kind: permit.ActorKind(kind), AccountID: acc.Int64}
			out = append(out, &e)
		}
		return rows.Err()
	})
	return out, err
}
