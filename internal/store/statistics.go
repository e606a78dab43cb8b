package store

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// Statistics is the public statistics' room (issue 16, part 4): what the
// daily computation reads, and its snapshots (migration 0034). Taken as
// store.Statistics{DB: db}, since DB is at its method limit.
type Statistics struct{ *DB }

// statisticsBatch is how many applications one step of the reading
// holds at once: memory stays bounded whatever the number of files.
const statisticsBatch = 500

// statisticsKept is how many daily snapshots are kept: the newest is
// served, the others are there for whoever compares.
const statisticsKept = 31

// StatisticsCases calls fn with every filed application filed at or
// after since, or still awaiting a decision, by id, in batches, all in
// one read transaction (one consistent state of the database). It reads
// the whole applications table once: a daily job's cost, not a page's.
func (db Statistics) StatisticsCases(ctx context.Context, since time.Time, fn func(*permit.StatCase) error) error {
	waiting := stateList([]permit.State{permit.StateSubmitted, permit.StateIncomplete, permit.StateUnderReview})
	return db.inRead(ctx, func(tx *Tx) error {
		var after int64
		for {
			batch, persons, err := statCases(ctx, tx, `a.submitted_at IS NOT NULL AND (a.submitted_at >= ? OR a.state IN (`+waiting+`)) AND a.id > ?`,
				since.UTC(), after)
			if err != nil || len(batch) == 0 {
				return err
			}
			if err := statDetails(ctx, tx, batch, persons); err != nil {
				return err
			}
			for _, c := range batch {
				if err := fn(c); err != nil {
					return err
				}
			}
			if len(batch) < statisticsBatch {
				return nil
			}
			after = batch[len(batch)-1].ID
		}
	})
}

// statCases reads one batch of applications, and their persons' ids.
func statCases(ctx context.Context, tx *Tx, where string, args ...any) ([]*permit.StatCase, []int64, error) {
	rows, err := tx.query(ctx, `SELECT a.id, p.code, a.ground, a.kind, a.state, a.submitted_at, a.person_id
		FROM applications a JOIN prefectures p ON p.id = a.prefecture_id WHERE `+where+` ORDER BY a.id LIMIT `+strconv.Itoa(statisticsBatch), args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []*permit.StatCase
	var persons []int64
	for rows.Next() {
		var c permit.StatCase
		var ground, kind, state string
		var person int64
		if err := rows.Scan(&c.ID, &c.Prefecture, &ground, &kind, &state, &c.FiledAt, &person); err != nil {
			return nil, nil, err
		}
		c.Ground, c.Kind, c.State, c.FiledAt = permit.GroundID(ground), permit.Kind(kind), permit.State(state), c.FiledAt.UTC()
		out = append(out, &c)
		persons = append(persons, person)
	}
	return out, persons, rows.Err()
}

// statDetails adds to a batch its decisions, events, proofs of stay and,
// for renewals, the end of the permit renewed.
func statDetails(ctx context.Context, tx *Tx, batch []*permit.StatCase, persons []int64) error {
	byID := make(map[int64]*permit.StatCase, len(batch))
	for _, c := range batch {
		byID[c.ID] = c
	}
	lo, hi := batch[0].ID, batch[len(batch)-1].ID
	rows, err := tx.query(ctx, `SELECT application_id, decided_at FROM decisions WHERE application_id BETWEEN ? AND ? AND undone_at IS NULL ORDER BY application_id, id`, lo, hi)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			rows.Close()
			return err
		}
		if c := byID[id]; c != nil {
			at = at.UTC()
			c.DecidedAt = &at
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = tx.query(ctx, `SELECT application_id, from_state, to_state, at FROM application_events WHERE application_id BETWEEN ? AND ? ORDER BY application_id, id`, lo, hi)
	if err != nil {
		return err
	}
	for rows.Next() {
		var ev permit.Event
		var from, to string
		if err := rows.Scan(&ev.ApplicationID, &from, &to, &ev.At); err != nil {
			rows.Close()
			return err
		}
		if c := byID[ev.ApplicationID]; c != nil {
			ev.From, ev.To, ev.At = permit.State(from), permit.State(to), ev.At.UTC()
			c.Events = append(c.Events, &ev)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	atts, err := scanAttestations(ctx, tx, `WHERE application_id BETWEEN ? AND ? AND kind IN (?, ?) ORDER BY application_id, id`,
		lo, hi, string(permit.AttestationExtension), string(permit.AttestationFavourable))
	if err != nil {
		return err
	}
	for _, a := range atts {
		if c := byID[a.ApplicationID]; c != nil {
			c.Proofs = append(c.Proofs, a)
		}
	}
	return statPermits(ctx, tx, batch, persons)
}

// statPermits sets the end of the permit each renewal renews: the
// person's permit that ends last among those begun before the filing,
// other than one the application itself gave.
func statPermits(ctx context.Context, tx *Tx, batch []*permit.StatCase, persons []int64) error {
	owner := map[int64][]*permit.StatCase{}
	var ids []any
	for i, c := range batch {
		if c.Kind == permit.KindRenewal {
			if owner[persons[i]] == nil {
				ids = append(ids, persons[i])
			}
			owner[persons[i]] = append(owner[persons[i]], c)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := tx.query(ctx, `SELECT person_id, valid_from, valid_to, COALESCE(application_id, 0) FROM permits WHERE person_id IN (`+
		strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+`)`, ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var person, app int64
		var from, to time.Time
		if err := rows.Scan(&person, &from, &to, &app); err != nil {
			return err
		}
		to = to.UTC()
		for _, c := range owner[person] {
			if app == c.ID || !from.Before(c.FiledAt) {
				continue
			}
			if c.PermitEnd == nil || to.After(*c.PermitEnd) {
				end := to
				c.PermitEnd = &end
			}
		}
	}
	return rows.Err()
}

// SaveStatistics writes a day's snapshot in one statement, unless the
// day has one already (false then) or replace is set, and forgets the
// snapshots older than the statisticsKept newest.
func (db Statistics) SaveStatistics(ctx context.Context, s *permit.Statistics, replace bool) (bool, error) {
	body, err := json.Marshal(s)
	if err != nil {
		return false, err
	}
	wrote := false
	err = db.inWrite(ctx, func(tx *Tx) error {
		conflict := `DO NOTHING`
		if replace {
			conflict = `DO UPDATE SET computed_at = excluded.computed_at, body = excluded.body`
		}
		res, err := tx.exec(ctx, `INSERT INTO statistics_snapshots (day, computed_at, body) VALUES (?, ?, ?) ON CONFLICT (day) `+conflict,
			s.Day, s.ComputedAt.UTC(), string(body))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		wrote = n == 1
		_, err = tx.exec(ctx, `DELETE FROM statistics_snapshots WHERE day < (SELECT MIN(day) FROM
			(SELECT day FROM statistics_snapshots ORDER BY day DESC LIMIT `+strconv.Itoa(statisticsKept)+`) kept)`)
		return err
	})
	return wrote, err
}

// HasStatistics reports whether day (YYYY-MM-DD) has its snapshot.
func (db Statistics) HasStatistics(ctx context.Context, day string) (bool, error) {
	var n int
	err := db.inRead(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `SELECT COUNT(*) FROM statistics_snapshots WHERE day = ?`, day).Scan(&n)
	})
	return n > 0, err
}

// LatestStatistics returns the newest snapshot, or ENOTFOUND.
func (db Statistics) LatestStatistics(ctx context.Context) (*permit.Statistics, error) {
	var body string
	err := db.inRead(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `SELECT body FROM statistics_snapshots ORDER BY day DESC LIMIT 1`).Scan(&body)
	})
	if err != nil {
		return nil, err
	}
	var s permit.Statistics
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		return nil, err
	}
	return &s, nil
}
