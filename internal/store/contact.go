package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// ChangeContact writes an applicant's change of contact data in one
// transaction: the new address and phone (source applicant), the new
// competent prefecture (source move), each following application with its
// transfer and refreshed deadline, the pending e-mail address with its
// tokens, and the mails. It returns ECONFLICT when an application to move
// changed state or prefecture since it was read: nothing is written then.
func (db Contacts) ChangeContact(ctx context.Context, ch *permit.ContactChange) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		now := db.clock.Now()
		if ch.Person != nil {
			if err := changePerson(ctx, tx, ch.Person, ch.AccountID, now); err != nil {
				return err
			}
		}
		for _, t := range ch.Moves {
			if err := moveApplication(ctx, tx, t, now); err != nil {
				return err
			}
		}
		if err := moveReports(ctx, tx, ch, now); err != nil {
			return err
		}
		if ch.Email != nil {
			if err := askEmail(ctx, tx, ch.AccountID, ch.Email, now); err != nil {
				return err
			}
		}
		for _, m := range ch.Mails {
			if err := insertMail(ctx, tx, m, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// changePerson records the applicant's new address and phone, then, when
// the competent prefecture changes with them, the move: two changes of
// the history with their own sources.
func changePerson(ctx context.Context, tx *Tx, p *permit.Person, actor int64, now time.Time) error {
	old, err := lockPerson(ctx, tx, p.ID)
	if err != nil {
		return err
	}
	moved := *old
	moved.Address, moved.Phone = p.Address, p.Phone
	by := permit.PersonChange{Source: permit.ChangeByApplicant, ActorID: actor}
	if _, err := updatePerson(ctx, tx, old, &moved, by, now); err != nil {
		return err
	}
	if p.PrefectureID == old.PrefectureID {
		return nil
	}
	placed := moved
	placed.PrefectureID = p.PrefectureID
	by.Source = permit.ChangeByMove
	_, err = updatePerson(ctx, tx, &moved, &placed, by, now)
	return err
}

// moveReports sends the person's reports of problems along with them:
// those about the person alone, and those about an application that
// moved. A report about an application that stays (decided) stays with
// its prefecture. A moved report loses its assignee, who worked for the
// former prefecture.
func moveReports(ctx context.Context, tx *Tx, ch *permit.ContactChange, now time.Time) error {
	if ch.Person == nil || ch.Person.PrefectureID == 0 {
		return nil
	}
	to := ch.Person.PrefectureID
	_, err := tx.exec(ctx, `UPDATE reports SET prefecture_id = ?, assignee_id = NULL, updated_at = ?, version = version + 1
		WHERE person_id = ? AND prefecture_id <> ? AND (application_id IS NULL
			OR application_id IN (SELECT application_id FROM transfers WHERE person_id = ? AND moved_at = ?))`,
		to, now, ch.Person.ID, to, ch.Person.ID, now)
	return err
}

// moveApplication hands an application to another prefecture, on the
// condition that it is still where and as it was read.
func moveApplication(ctx context.Context, tx *Tx, t *permit.Transfer, now time.Time) error {
	res, err := tx.exec(ctx, `UPDATE applications SET prefecture_id = ?, updated_at = ?
		WHERE id = ? AND person_id = ? AND prefecture_id = ? AND state = ?`,
		t.To, now, t.ApplicationID, t.PersonID, t.From, string(t.State))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return permit.Errorf(permit.ECONFLICT, "contact.error.moved_meanwhile")
	}
	t.At = now
	err = tx.queryRow(ctx, `INSERT INTO transfers (application_id, person_id, from_prefecture_id, to_prefecture_id, state, actor_id, moved_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		t.ApplicationID, t.PersonID, t.From, t.To, string(t.State), nullID(t.ActorID), now).Scan(&t.ID)
	if err != nil {
		return err
	}
	return refreshDue(ctx, tx, t.ApplicationID)
}

// askEmail keeps a new address as pending and stores its tokens. A new
// request ends the links of the earlier ones.
func askEmail(ctx context.Context, tx *Tx, accountID int64, e *permit.EmailChange, now time.Time) error {
	if err := endEmailTokens(ctx, tx, accountID, now); err != nil {
		return err
	}
	e.Pending.AskedAt = now
	_, err := tx.exec(ctx, `UPDATE accounts SET pending_email = ?, pending_email_at = ?, pending_email_until = ? WHERE id = ?`,
		permit.NormalizeEmail(e.Pending.Address), now, e.Pending.ExpiresAt, accountID)
	if err != nil {
		return err
	}
	for _, tok := range []*permit.Token{e.Confirm, e.Cancel} {
		if tok == nil {
			continue
		}
		tok.AccountID = accountID
		if err := insertToken(ctx, tx, tok, now); err != nil {
			return err
		}
	}
	return nil
}

// endEmailTokens makes the account's unused links of e-mail changes stop
// working.
func endEmailTokens(ctx context.Context, tx *Tx, accountID int64, now time.Time) error {
	_, err := tx.exec(ctx, `UPDATE tokens SET used_at = ? WHERE account_id = ? AND purpose IN (?, ?) AND used_at IS NULL`,
		now, accountID, string(permit.TokenChangeEmail), string(permit.TokenCancelEmail))
	return err
}

// PendingEmail returns the address an account asked to change to, or
// ENOTFOUND when there is none.
func (db Contacts) PendingEmail(ctx context.Context, accountID int64) (*permit.PendingEmail, error) {
	var p permit.PendingEmail
	err := db.inRead(ctx, func(tx *Tx) error {
		var at, until nullTime
		err := tx.queryRow(ctx, `SELECT pending_email, pending_email_at, pending_email_until FROM accounts WHERE id = ?`, accountID).
			Scan(&p.Address, &at, &until)
		if err != nil {
			return err
		}
		if p.Address == "" || at.ptr() == nil || until.ptr() == nil {
			return permit.Errorf(permit.ENOTFOUND, "error.not_found")
		}
		p.AskedAt, p.ExpiresAt = *at.ptr(), *until.ptr()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// ConfirmEmailChange consumes the link mailed to a new address and makes
// it the account's, in one transaction: the former address is kept in
// the person's history (field email, source applicant), the account's
// other sessions end (all but keepSession, the confirming browser's, when
// it is the account's), and mail, when given, is written to the former
// address. An unknown, used or expired link is ENOTFOUND; an address that
// another account took meanwhile is ECONFLICT.
func (db Contacts) ConfirmEmailChange(ctx context.Context, tokenHash, keepSession string, mail func(a *permit.Account, former string) *permit.Mail) (*permit.Account, error) {
	var a *permit.Account
	err := db.inWrite(ctx, func(tx *Tx) error {
		now := db.clock.Now()
		id, err := consumeToken(ctx, tx, tokenHash, permit.TokenChangeEmail, now)
		if err != nil {
			return err
		}
		var former, pending string
		if err := tx.queryRow(ctx, `SELECT email, pending_email FROM accounts WHERE id = ?`, id).Scan(&former, &pending); err != nil {
			return err
		}
		if pending == "" {
			return permit.Errorf(permit.ENOTFOUND, "error.token_invalid")
		}
		var taken int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM accounts WHERE email = ? AND id <> ?`, pending, id).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			return permit.Errorf(permit.ECONFLICT, "contact.error.email_taken")
		}
		if _, err := tx.exec(ctx, `UPDATE accounts SET email = ?, pending_email = '', pending_email_at = NULL, pending_email_until = NULL WHERE id = ?`,
			pending, id); err != nil {
			return err
		}
		if err := endEmailTokens(ctx, tx, id, now); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE account_id = ? AND hash <> ?`, id, keepSession); err != nil {
			return err
		}
		var personID int64
		switch err := tx.queryRow(ctx, `SELECT id FROM persons WHERE account_id = ?`, id).Scan(&personID); {
		case err == nil:
			c := &permit.PersonChange{PersonID: personID, Field: permit.FieldEmail, Old: former, New: pending,
				Source: permit.ChangeByApplicant, ActorID: id, At: now}
			if err := recordChange(ctx, tx, c); err != nil {
				return err
			}
		case err != sql.ErrNoRows:
			return err
		}
		if a, _, err = findAccount(ctx, tx, "id = ?", id); err != nil {
			return err
		}
		return insertMail(ctx, tx, mail(a, former), now)
	})
	return a, err
}

// CancelEmailChange drops an account's pending address and ends its
// links: from the contact page (accountID set, tokenHash empty) or from
// the link mailed to the former address (tokenHash set). An unknown, used
// or expired link is ENOTFOUND. It returns the account.
func (db Contacts) CancelEmailChange(ctx context.Context, accountID int64, tokenHash string) (*permit.Account, error) {
	var a *permit.Account
	err := db.inWrite(ctx, func(tx *Tx) error {
		now := db.clock.Now()
		if tokenHash != "" {
			id, err := consumeToken(ctx, tx, tokenHash, permit.TokenCancelEmail, now)
			if err != nil {
				return err
			}
			accountID = id
		}
		if _, err := tx.exec(ctx, `UPDATE accounts SET pending_email = '', pending_email_at = NULL, pending_email_until = NULL WHERE id = ?`,
			accountID); err != nil {
			return err
		}
		if err := endEmailTokens(ctx, tx, accountID, now); err != nil {
			return err
		}
		var err error
		a, _, err = findAccount(ctx, tx, "id = ?", accountID)
		return err
	})
	return a, err
}

const transferColumns = `t.id, t.application_id, t.person_id, t.from_prefecture_id, t.to_prefecture_id, t.state, t.actor_id, t.moved_at,
	pf.name, pt.name, a.ground, a.prefecture_id
	FROM transfers t JOIN prefectures pf ON pf.id = t.from_prefecture_id JOIN prefectures pt ON pt.id = t.to_prefecture_id
	JOIN applications a ON a.id = t.application_id`

// Transfers returns the moves of an application, oldest first.
func (db *DB) Transfers(ctx context.Context, applicationID int64) ([]*permit.Transfer, error) {
	return db.transfers(ctx, `WHERE t.application_id = ? ORDER BY t.id`, applicationID)
}

// TransfersOf returns, newest first, at most limit moves out of or into
// the prefectures named; every move when prefectureIDs is nil.
func (db Audit) TransfersOf(ctx context.Context, prefectureIDs []int64, limit int) ([]*permit.Transfer, error) {
	if prefectureIDs == nil {
		return db.transfers(ctx, `ORDER BY t.moved_at DESC, t.id DESC LIMIT ?`, limit)
	}
	if len(prefectureIDs) == 0 {
		return nil, nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(prefectureIDs)), ", ")
	var args []any
	for range 2 {
		for _, id := range prefectureIDs {
			args = append(args, id)
		}
	}
	return db.transfers(ctx, `WHERE t.from_prefecture_id IN (`+marks+`) OR t.to_prefecture_id IN (`+marks+`)
		ORDER BY t.moved_at DESC, t.id DESC LIMIT ?`, append(args, limit)...)
}

func (db *DB) transfers(ctx context.Context, tail string, args ...any) ([]*permit.Transfer, error) {
	var out []*permit.Transfer
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT `+transferColumns+` `+tail, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t permit.Transfer
			var state, ground string
			var actor nullInt
			if err := rows.Scan(&t.ID, &t.ApplicationID, &t.PersonID, &t.From, &t.To, &state, &actor, &t.At,
				&t.FromName, &t.ToName, &ground, &t.HolderID); err != nil {
				return err
			}
			t.State, t.ActorID, t.Ground, t.At = permit.State(state), actor.Int64, permit.GroundID(ground), t.At.UTC()
			out = append(out, &t)
		}
		return rows.Err()
	})
	return out, err
}
