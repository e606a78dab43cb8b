package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// CreatePrefecture adds a prefecture; ECONFLICT if its code exists.
func (db Files) CreatePrefecture(ctx context.Context, p *permit.Prefecture) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `INSERT INTO prefectures (code, name, departments, email, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			p.Code, p.Name, joinDepts(p.Departments), p.Email, db.clock.Now()).Scan(&p.ID)
	})
}

// Prefectures lists every prefecture by code.
func (db *DB) Prefectures(ctx context.Context) ([]*permit.Prefecture, error) {
	var out []*permit.Prefecture
	err := db.inRead(ctx, func(tx *Tx) (err error) {
		out, err = scanPrefectures(ctx, tx, `ORDER BY code`)
		return err
	})
	return out, err
}

func scanPrefectures(ctx context.Context, tx *Tx, tail string, args ...any) ([]*permit.Prefecture, error) {
	return rowsOf(ctx, tx, `SELECT `+prefectureColumns+` FROM prefectures `+tail, readPrefecture, args...)
}

const prefectureColumns = `id, code, name, departments, email`

func readPrefecture(r scanner) (*permit.Prefecture, error) {
	var p permit.Prefecture
	var depts string
	if err := r.Scan(&p.ID, &p.Code, &p.Name, &depts, &p.Email); err != nil {
		return nil, err
	}
	p.Departments = splitDepts(depts)
	return &p, nil
}

// CreatePerson adds a person, linked to an account when AccountID is set.
func (db Files) CreatePerson(ctx context.Context, p *permit.Person) error {
	return db.inWrite(ctx, func(tx *Tx) error { return insertPerson(ctx, tx, p, db.clock.Now()) })
}

func insertPerson(ctx context.Context, tx *Tx, p *permit.Person, now time.Time) error {
	p.CreatedAt, p.UpdatedAt = now, now
	return tx.queryRow(ctx, `INSERT INTO persons (account_id, given_names, surname, birth_date, birth_place, nationality, foreigner_number,
		prefecture_id, address_line, postcode, city, phone, contact_email, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		nullID(p.AccountID), p.GivenNames, p.Surname, p.BirthDate, p.BirthPlace, p.Nationality, p.ForeignerNumber,
		nullID(p.PrefectureID), p.Address.Line, p.Address.Postcode, p.Address.City, p.Phone, p.ContactEmail, now, now).Scan(&p.ID)
}

// SaveProfile creates or updates the person of an account, and the permit
// they declare holding, in one transaction. A declared permit replaces the
// previous declaration; a permit a prefecture confirmed is kept, and a new
// declaration is added beside it. A change of identity data resets the
// person's confirmation: it is declared again. Every changed field keeps
// its former value in the person's history. The contact address an agent
// recorded is not part of the applicant's form and is kept.
func (db Files) SaveProfile(ctx context.Context, p *permit.Person, pm *permit.Permit) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		now := db.clock.Now()
		if p.ID == 0 {
			if err := insertPerson(ctx, tx, p, now); err != nil {
				return err
			}
		} else {
			old, err := lockPerson(ctx, tx, p.ID)
			if err != nil {
				return err
			}
			// The profile form changes neither the contact details nor the
			// competent prefecture (ChangeContact does): they are taken as
			// they are now, not as the caller read them.
			p.Address, p.Phone, p.PrefectureID, p.ContactEmail = old.Address, old.Phone, old.PrefectureID, old.ContactEmail
			if err := identityStillOpen(ctx, tx, old, p, pm); err != nil {
				return err
			}
			if _, err := updatePerson(ctx, tx, old, p, permit.PersonChange{Source: permit.ChangeByApplicant, ActorID: p.AccountID}, now); err != nil {
				return err
			}
		}
		if pm == nil {
			return nil
		}
		pm.PersonID = p.ID
		if _, err := tx.exec(ctx, `DELETE FROM permits WHERE person_id = ? AND confirmed_at IS NULL`, p.ID); err != nil {
			return err
		}
		err := tx.queryRow(ctx, `INSERT INTO permits (person_id, ground, number, valid_from, valid_to, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			pm.PersonID, string(pm.Ground), pm.Number, pm.ValidFrom, pm.ValidTo, now).Scan(&pm.ID)
		if err != nil {
			return err
		}
		return refreshPersonDue(ctx, tx, p.ID)
	})
}

// identityStillOpen refuses, inside the write, a change of civil data or
// a new declared permit once something was filed on the person or a
// prefecture confirmed them (decision 0005): the caller's check may have
// raced a filing.
func identityStillOpen(ctx context.Context, tx *Tx, old, p *permit.Person, pm *permit.Permit) error {
	civil := pm != nil
	for _, c := range p.Changes(old) {
		civil = civil || permit.IsCivilField(c.Field)
	}
	if !civil {
		return nil
	}
	rows, err := tx.query(ctx, `SELECT state FROM applications WHERE person_id = ?`, old.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	var states []permit.State
	for rows.Next() {
		var st string
		if err := rows.Scan(&st); err != nil {
			return err
		}
		states = append(states, permit.State(st))
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if permit.IdentityLocked(old.ConfirmedAt != nil, states) {
		return permit.Errorf(permit.ECONFLICT, "profile.error.locked")
	}
	return nil
}

// PersonByAccount returns the person of an applicant's account, or ENOTFOUND.
func (db *DB) PersonByAccount(ctx context.Context, accountID int64) (*permit.Person, error) {
	return db.person(ctx, "account_id = ?", accountID)
}

// Person returns a person by id, or ENOTFOUND.
func (db *DB) Person(ctx context.Context, id int64) (*permit.Person, error) {
	return db.person(ctx, "id = ?", id)
}

func (db *DB) person(ctx context.Context, where string, arg any) (*permit.Person, error) {
	var p *permit.Person
	err := db.inRead(ctx, func(tx *Tx) (err error) {
		p, err = scanPerson(ctx, tx, where, arg)
		return err
	})
	return p, err
}

// lockPerson reads a person about to be changed, locking the row on
// PostgreSQL until the transaction ends, so that two writers (an agent
// accepting a correction, the applicant changing their address) never
// write over each other's change. SQLite's single writer serialises the
// writes already.
func lockPerson(ctx context.Context, tx *Tx, id int64) (*permit.Person, error) {
	where := "id = ?"
	if tx.dialect == Postgres {
		where += " FOR UPDATE"
	}
	return scanPerson(ctx, tx, where, id)
}

func scanPerson(ctx context.Context, tx *Tx, where string, arg any) (*permit.Person, error) {
	return readPerson(tx.queryRow(ctx, `SELECT `+personColumns+` FROM persons WHERE `+where, arg))
}

const personColumns = `id, account_id, given_names, surname, birth_date, birth_place, nationality, foreigner_number,
	prefecture_id, address_line, postcode, city, phone, contact_email, confirmed_at, created_at, updated_at`

func readPerson(r scanner) (*permit.Person, error) {
	var p permit.Person
	var acc, pref nullInt
	var confirmed, updated nullTime
	err := r.Scan(&p.ID, &acc, &p.GivenNames, &p.Surname, &p.BirthDate, &p.BirthPlace, &p.Nationality,
		&p.ForeignerNumber, &pref, &p.Address.Line, &p.Address.Postcode, &p.Address.City, &p.Phone, &p.ContactEmail, &confirmed, &p.CreatedAt, &updated)
	if err != nil {
		return nil, err
	}
	p.AccountID, p.PrefectureID, p.ConfirmedAt = acc.Int64, pref.Int64, confirmed.ptr()
	if u := updated.ptr(); u != nil {
		p.UpdatedAt = *u
	}
	return &p, nil
}

// CreatePermit records a permit a person holds or held.
func (db Files) CreatePermit(ctx context.Context, p *permit.Permit) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		err := tx.queryRow(ctx, `INSERT INTO permits (person_id, ground, number, valid_from, valid_to, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			p.PersonID, string(p.Ground), p.Number, p.ValidFrom, p.ValidTo, db.clock.Now()).Scan(&p.ID)
		if err != nil {
			return err
		}
		return refreshPersonDue(ctx, tx, p.PersonID)
	})
}

// Permits returns every permit recorded for a person, oldest first.
func (db *DB) Permits(ctx context.Context, personID int64) ([]*permit.Permit, error) {
	var out []*permit.Permit
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id, person_id, ground, number, valid_from, valid_to, confirmed_at FROM permits
			WHERE person_id = ? ORDER BY valid_to, id`, personID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p permit.Permit
			var ground string
			var confirmed nullTime
			if err := rows.Scan(&p.ID, &p.PersonID, &ground, &p.Number, &p.ValidFrom, &p.ValidTo, &confirmed); err != nil {
				return err
			}
			p.Ground, p.ConfirmedAt = permit.GroundID(ground), confirmed.ptr()
			out = append(out, &p)
		}
		return rows.Err()
	})
	return out, err
}

// CurrentPermit returns the person's permit that ends last, or ENOTFOUND.
func (db *DB) CurrentPermit(ctx context.Context, personID int64) (*permit.Permit, error) {
	var p *permit.Permit
	err := db.inRead(ctx, func(tx *Tx) (err error) {
		p, err = currentPermit(ctx, tx, personID)
		return err
	})
	return p, err
}

func currentPermit(ctx context.Context, tx *Tx, personID int64) (*permit.Permit, error) {
	return readPermit(tx.queryRow(ctx, `SELECT `+permitColumns+` FROM permits WHERE person_id = ? `+latestPermit, personID))
}

const (
	permitColumns = `id, person_id, ground, number, valid_from, valid_to, confirmed_at`
	// latestPermit orders a person's permits to take the current one: the
	// one that ends last.
	latestPermit = `ORDER BY valid_to DESC, id DESC LIMIT 1`
)

func readPermit(r scanner) (*permit.Permit, error) {
	var p permit.Permit
	var ground string
	var confirmed nullTime
	if err := r.Scan(&p.ID, &p.PersonID, &ground, &p.Number, &p.ValidFrom, &p.ValidTo, &confirmed); err != nil {
		return nil, err
	}
	p.Ground, p.ConfirmedAt = permit.GroundID(ground), confirmed.ptr()
	return &p, nil
}

// CreateApplication adds an application and the event that opens its
// history, together.
func (db Files) CreateApplication(ctx context.Context, a *permit.Application, actor permit.Actor) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		if err := insertApplication(ctx, tx, a, actor, db.clock.Now()); err != nil {
			return err
		}
		tx.made(a.ID)
		return nil
	})
}

func insertApplication(ctx context.Context, tx *Tx, a *permit.Application, actor permit.Actor, now time.Time) error {
	a.CreatedAt, a.UpdatedAt = now, now
	err := tx.queryRow(ctx, `INSERT INTO applications (person_id, prefecture_id, ground, kind, state, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.PersonID, a.PrefectureID, string(a.Ground), string(a.Kind), string(a.State), now, now).Scan(&a.ID)
	if err != nil {
		return err
	}
	return insertEvent(ctx, tx, &permit.Event{ApplicationID: a.ID, From: "", To: a.State, Actor: actor, At: now})
}

// Transition persists an application's new state and the event recording
// it, made by permit.Transition. It returns ECONFLICT when the application
// is no longer in the event's from-state (someone else acted first).
func (db *DB) Transition(ctx context.Context, a *permit.Application, ev *permit.Event) error {
	return db.inWrite(ctx, func(tx *Tx) error { return transition(ctx, tx, a, ev) })
}

func transition(ctx context.Context, tx *Tx, a *permit.Application, ev *permit.Event) error {
	res, err := tx.exec(ctx, `UPDATE applications SET state = ?, updated_at = ?, submitted_at = ? WHERE id = ? AND state = ?`,
		string(a.State), a.UpdatedAt, a.SubmittedAt, a.ID, string(ev.From))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return permit.Errorf(permit.ECONFLICT, "error.transition.state")
	}
	if ev.From == permit.StateDraft && ev.To == permit.StateWithdrawn {
		// A draft withdrawn before filing never used its fee stamp.
		if _, err := tx.exec(ctx, `DELETE FROM fee_stamps WHERE application_id = ?`, a.ID); err != nil {
			return err
		}
	}
	if err := refreshDue(ctx, tx, a.ID); err != nil {
		return err
	}
	if err := replan(ctx, tx, a.ID); err != nil {
		return err
	}
	if err := insertEvent(ctx, tx, ev); err != nil {
		return err
	}
	return followTransition(ctx, tx, a, ev)
}

func insertEvent(ctx context.Context, tx *Tx, ev *permit.Event) error {
	return tx.queryRow(ctx, `INSERT INTO application_events (application_id, from_state, to_state, actor_kind, actor_account_id, at, reason, undo_of)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		ev.ApplicationID, string(ev.From), string(ev.To), string(ev.Actor.Kind), nullID(ev.Actor.AccountID), ev.At, ev.Reason, nullID(ev.UndoOf)).Scan(&ev.ID)
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

// OpenApplicationOnGround returns the person's application on a ground
// that is still open, or ENOTFOUND.
func (db Files) OpenApplicationOnGround(ctx context.Context, personID int64, ground permit.GroundID) (*permit.Application, error) {
	apps, err := db.applications(ctx, `WHERE person_id = ? AND ground = ? AND state NOT IN (`+stateList(permit.EndStates())+`)`, personID, string(ground))
	if err != nil {
		return nil, err
	} else if len(apps) == 0 {
		return nil, permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	return apps[0], nil
}

// SetFeeStamp records the timbre fiscal number of an application, which
// then holds it (holdStamp): a number another application holds is a
// *permit.FeeStampUsedError, and nothing changes.
func (db Files) SetFeeStamp(ctx context.Context, applicationID int64, stamp string) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		now := db.clock.Now()
		if _, err := tx.exec(ctx, `UPDATE applications SET fee_stamp = ?, updated_at = ? WHERE id = ?`, stamp, now, applicationID); err != nil {
			return err
		}
		return holdStamp(ctx, tx, applicationID, stamp, now)
	})
}

// SetPhotoCode records the e-photo code of an application.
func (db Files) SetPhotoCode(ctx context.Context, applicationID int64, code string) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE applications SET photo_code = ?, updated_at = ? WHERE id = ?`, code, db.clock.Now(), applicationID)
		return err
	})
}

// holdStamp makes an application the holder of a fee stamp (table
// fee_stamps, migration 0022): a stamp pays for one application across
// the portal. The application lets go of any stamp it held before. A
// stamp another application holds is a *permit.FeeStampUsedError, which
// says nothing of that application; two applications taking one stamp at
// once meet on the table's primary key, and the second gets the same
// error. An empty stamp holds nothing (the use cases refuse to file
// without one; the store's own tests file bare applications).
func holdStamp(ctx context.Context, tx *Tx, applicationID int64, stamp string, now time.Time) error {
	if stamp == "" {
		return nil
	}
	var holder int64
	err := tx.queryRow(ctx, `SELECT application_id FROM fee_stamps WHERE stamp = ?`, stamp).Scan(&holder)
	switch {
	case err == nil && holder == applicationID:
		return nil
	case err == nil:
		return &permit.FeeStampUsedError{}
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM fee_stamps WHERE application_id = ?`, applicationID); err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO fee_stamps (stamp, application_id, recorded_at) VALUES (?, ?, ?)`, stamp, applicationID, now)
	if uniqueViolation(err) {
		return &permit.FeeStampUsedError{}
	}
	return err
}

// ApplicationsByPerson lists a person's applications, newest first.
func (db *DB) ApplicationsByPerson(ctx context.Context, personID int64) ([]*permit.Application, error) {
	return db.applications(ctx, `WHERE person_id = ? ORDER BY id DESC`, personID)
}

func (db *DB) applications(ctx context.Context, tail string, args ...any) ([]*permit.Application, error) {
	var out []*permit.Application
	err := db.inRead(ctx, func(tx *Tx) (err error) {
		out, err = scanApplications(ctx, tx, tail, args...)
		return err
	})
	return out, err
}

func scanApplications(ctx context.Context, tx *Tx, tail string, args ...any) ([]*permit.Application, error) {
	return rowsOf(ctx, tx, `SELECT `+applicationColumns+` FROM applications `+tail, readApplication, args...)
}

const applicationColumns = `id, person_id, prefecture_id, ground, kind, state, created_at, updated_at, submitted_at, fee_stamp, photo_code, plan_version`

func readApplication(r scanner) (*permit.Application, error) {
	var a permit.Application
	var ground, kind, state string
	var submitted nullTime
	if err := r.Scan(&a.ID, &a.PersonID, &a.PrefectureID, &ground, &kind, &state, &a.CreatedAt, &a.UpdatedAt, &submitted, &a.FeeStamp, &a.PhotoCode, &a.PlanVersion); err != nil {
		return nil, err
	}
	a.Ground, a.Kind, a.State, a.SubmittedAt = permit.GroundID(ground), permit.Kind(kind), permit.State(state), submitted.ptr()
	return &a, nil
}

// Events returns an application's history, oldest first.
func (db *DB) Events(ctx context.Context, applicationID int64) ([]*permit.Event, error) {
	var out []*permit.Event
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id, application_id, from_state, to_state, actor_kind, actor_account_id, at, reason, undo_of
			FROM application_events WHERE application_id = ? ORDER BY id`, applicationID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e permit.Event
			var from, to, kind string
			var acc, undoOf nullInt
			if err := rows.Scan(&e.ID, &e.ApplicationID, &from, &to, &kind, &acc, &e.At, &e.Reason, &undoOf); err != nil {
				return err
			}
			e.UndoOf = undoOf.Int64
			e.From, e.To, e.Actor = permit.State(from), permit.State(to), permit.Actor{Kind: permit.ActorKind(kind), AccountID: acc.Int64}
			out = append(out, &e)
		}
		return rows.Err()
	})
	return out, err
}

// Prefecture returns one prefecture, or ENOTFOUND.
func (db *DB) Prefecture(ctx context.Context, id int64) (*permit.Prefecture, error) {
	var p permit.Prefecture
	err := db.inRead(ctx, func(tx *Tx) error {
		var depts string
		if err := tx.queryRow(ctx, `SELECT id, code, name, departments, email FROM prefectures WHERE id = ?`, id).
			Scan(&p.ID, &p.Code, &p.Name, &depts, &p.Email); err != nil {
			return err
		}
		p.Departments = splitDepts(depts)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// StaffEmails returns the addresses of the active agents of a prefecture,
// to tell them of a message when the prefecture has no address of its own.
func (db Files) StaffEmails(ctx context.Context, prefectureID int64) ([]string, error) {
	var out []string
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT a.email FROM accounts a JOIN agent_prefectures ap ON ap.account_id = a.id
			WHERE ap.prefecture_id = ? AND a.disabled_at IS NULL ORDER BY a.email`, prefectureID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e string
			if err := rows.Scan(&e); err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}
