package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// CreateAccount adds an account, with an optional token and mail written in
// the same transaction (the confirmation link). It returns ECONFLICT when
// the e-mail address already has an account.
func (db Accounts) CreateAccount(ctx context.Context, a *permit.Account, passwordHash string, tok *permit.Token, m *permit.Mail) error {
	return db.inWrite(ctx, func(tx *Tx) error { return insertAccount(ctx, tx, a, passwordHash, tok, m, db.clock.Now()) })
}

// insertAccount adds an account with its prefectures or membership, and
// the optional token and mail, in tx.
func insertAccount(ctx context.Context, tx *Tx, a *permit.Account, passwordHash string, tok *permit.Token, m *permit.Mail, now time.Time) error {
	a.Email = permit.NormalizeEmail(a.Email)
	a.CreatedAt = now
	role, helpDesk := storedRole(a.Role)
	err := tx.queryRow(ctx, `INSERT INTO accounts (email, password_hash, role, supervisor, help_desk, lang, confirmed_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.Email, passwordHash, role, a.Supervisor, helpDesk, a.Lang, a.ConfirmedAt, a.CreatedAt).Scan(&a.ID)
	if err != nil {
		return err
	}
	for _, p := range a.Prefectures {
		if _, err := tx.exec(ctx, `INSERT INTO agent_prefectures (account_id, prefecture_id) VALUES (?, ?)`, a.ID, p); err != nil {
			return err
		}
	}
	if err := insertMember(ctx, tx, a); err != nil {
		return err
	}
	if tok != nil {
		tok.AccountID = a.ID
		if err := insertToken(ctx, tx, tok, a.CreatedAt); err != nil {
			return err
		}
	}
	return insertMail(ctx, tx, m, a.CreatedAt)
}

// storedRole is how a role is kept: the help desk is an agent account
// with the help_desk flag, since the role column's CHECK allows three
// values (decision 0003).
func storedRole(r permit.Role) (role string, helpDesk bool) {
	if r == permit.RoleHelpDesk {
		return string(permit.RoleAgent), true
	}
	if r == permit.RoleEmployer {
		return string(permit.RoleApplicant), false // and a row of org_members
	}
	return string(r), false
}

// AccountByEmail returns an account and its password hash, or ENOTFOUND.
func (db Accounts) AccountByEmail(ctx context.Context, email string) (*permit.Account, string, error) {
	var a *permit.Account
	var hash string
	err := db.inRead(ctx, func(tx *Tx) error {
		var err error
		a, hash, err = findAccount(ctx, tx, "email = ?", permit.NormalizeEmail(email))
		return err
	})
	return a, hash, err
}

// AccountByID returns an account, or ENOTFOUND.
func (db *DB) AccountByID(ctx context.Context, id int64) (*permit.Account, error) {
	var a *permit.Account
	err := db.inRead(ctx, func(tx *Tx) error {
		var err error
		a, _, err = findAccount(ctx, tx, "id = ?", id)
		return err
	})
	return a, err
}

func findAccount(ctx context.Context, tx *Tx, where string, arg any) (*permit.Account, string, error) {
	var a permit.Account
	var hash, role string
	var confirmed, disabled, enrolled nullTime
	var helpDesk bool
	err := tx.queryRow(ctx, `SELECT id, email, password_hash, role, supervisor, help_desk, lang, confirmed_at, disabled_at, created_at, totp_enrolled_at
		FROM accounts WHERE `+where, arg).Scan(&a.ID, &a.Email, &hash, &role, &a.Supervisor, &helpDesk, &a.Lang, &confirmed, &disabled, &a.CreatedAt, &enrolled)
	if err != nil {
		return nil, "", err
	}
	a.Role = permit.Role(role)
	if helpDesk {
		a.Role = permit.RoleHelpDesk
	}
	a.ConfirmedAt = confirmed.ptr()
	a.DisabledAt = disabled.ptr()
	a.EnrolledAt = enrolled.ptr()
	if err := readMembership(ctx, tx, &a); err != nil {
		return nil, "", err
	}
	rows, err := tx.query(ctx, `SELECT prefecture_id FROM agent_prefectures WHERE account_id = ? ORDER BY prefecture_id`, a.ID)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	for rows.Next() {
		var p int64
		if err := rows.Scan(&p); err != nil {
			return nil, "", err
		}
		a.Prefectures = append(a.Prefectures, p)
	}
	return &a, hash, rows.Err()
}

// IssueToken stores a token and the mail that carries it, together.
func (db Accounts) IssueToken(ctx context.Context, tok *permit.Token, m *permit.Mail) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		now := db.clock.Now()
		if err := insertToken(ctx, tx, tok, now); err != nil {
			return err
		}
		return insertMail(ctx, tx, m, now)
	})
}

// ConfirmEmail consumes a confirmation token and marks its account
// confirmed. An unknown, used or expired token is ENOTFOUND, whichever it is.
func (db Accounts) ConfirmEmail(ctx context.Context, tokenHash string) (*permit.Account, error) {
	var a *permit.Account
	err := db.inWrite(ctx, func(tx *Tx) error {
		id, err := consumeToken(ctx, tx, tokenHash, permit.TokenConfirmEmail, db.clock.Now())
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE accounts SET confirmed_at = COALESCE(confirmed_at, ?) WHERE id = ?`, db.clock.Now(), id); err != nil {
			return err
		}
		a, _, err = findAccount(ctx, tx, "id = ?", id)
		return err
	})
	return a, err
}

// ResetPassword consumes a reset token, sets the new password hash and ends
// every session of the account, in one transaction. A reset also confirms
// the address, since the link was received there.
func (db Accounts) ResetPassword(ctx context.Context, tokenHash, passwordHash string) (*permit.Account, error) {
	var a *permit.Account
	err := db.inWrite(ctx, func(tx *Tx) error {
		now := db.clock.Now()
		id, err := consumeToken(ctx, tx, tokenHash, permit.TokenResetPassword, now)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE accounts SET password_hash = ?, confirmed_at = COALESCE(confirmed_at, ?) WHERE id = ?`, passwordHash, now, id); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE account_id = ?`, id); err != nil {
			return err
		}
		if err := endResetLinks(ctx, tx, id, now); err != nil {
			return err
		}
		a, _, err = findAccount(ctx, tx, "id = ?", id)
		return err
	})
	return a, err
}

// CheckToken returns ENOTFOUND unless tokenHash is a live token of
// purpose; it uses nothing up. A reset checks its link with it before it
// spends a password hash on the new password.
func (db Accounts) CheckToken(ctx context.Context, tokenHash string, purpose permit.TokenPurpose) error {
	return db.inRead(ctx, func(tx *Tx) error {
		var one int
		err := tx.queryRow(ctx, `SELECT 1 FROM tokens WHERE hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?`,
			tokenHash, string(purpose), db.clock.Now()).Scan(&one)
		if err == sql.ErrNoRows {
			return permit.Errorf(permit.ENOTFOUND, "error.token_invalid")
		}
		return err
	})
}

// UnlockLogIn consumes a log-in unlock token and returns its account. An
// unknown, used or expired token is ENOTFOUND.
func (db Accounts) UnlockLogIn(ctx context.Context, tokenHash string) (*permit.Account, error) {
	var a *permit.Account
	err := db.inWrite(ctx, func(tx *Tx) error {
		id, err := consumeToken(ctx, tx, tokenHash, permit.TokenUnlockLogIn, db.clock.Now())
		if err != nil {
			return err
		}
		a, _, err = findAccount(ctx, tx, "id = ?", id)
		return err
	})
	return a, err
}

// SetPasswordHash replaces a password hash, e.g. to upgrade its
// parameters. Like every write of a password, it ends the account's
// outstanding reset links.
func (db Accounts) SetPasswordHash(ctx context.Context, accountID int64, hash string) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `UPDATE accounts SET password_hash = ? WHERE id = ?`, hash, accountID); err != nil {
			return err
		}
		return endResetLinks(ctx, tx, accountID, db.clock.Now())
	})
}

// SetLanguage records the language an account chose: its pages and its
// mails are in it from then on.
func (db Accounts) SetLanguage(ctx context.Context, accountID int64, lang string) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE accounts SET lang = ? WHERE id = ?`, lang, accountID)
		return err
	})
}

// endResetLinks uses up every outstanding reset link of an account: once
// its password changed, by a link or any other way, no older link may
// change it again (issue 13, item 6).
func endResetLinks(ctx context.Context, tx *Tx, accountID int64, now time.Time) error {
	_, err := tx.exec(ctx, `UPDATE tokens SET used_at = ? WHERE account_id = ? AND purpose = ? AND used_at IS NULL`,
		now, accountID, string(permit.TokenResetPassword))
	return err
}

func insertToken(ctx context.Context, tx *Tx, tok *permit.Token, now time.Time) error {
	_, err := tx.exec(ctx, `INSERT INTO tokens (hash, account_id, purpose, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		tok.Hash, tok.AccountID, string(tok.Purpose), now, tok.ExpiresAt)
	return err
}

func consumeToken(ctx context.Context, tx *Tx, hash string, purpose permit.TokenPurpose, now time.Time) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `UPDATE tokens SET used_at = ?
		WHERE hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ? RETURNING account_id`,
		now, hash, string(purpose), now).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, permit.Errorf(permit.ENOTFOUND, "error.token_invalid")
	}
	return id, err
}

// CreateSession stores a new session and, when replaces is not empty,
// deletes the session it replaces: a log-in rotates the session id.
func (db Accounts) CreateSession(ctx context.Context, s *permit.Session, replaces string) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		if replaces != "" {
			if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE hash = ?`, replaces); err != nil {
				return err
			}
		}
		_, err := tx.exec(ctx, `INSERT INTO sessions (hash, account_id, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?)`,
			s.Hash, s.AccountID, s.CreatedAt, s.ExpiresAt, s.CreatedAt)
		return err
	})
}

// SessionAccount returns the account of a live session. An unknown or
// expired session, or one whose account is disabled, is ENOTFOUND.
func (db Accounts) SessionAccount(ctx context.Context, hash string) (*permit.Account, error) {
	_, a, err := db.Session(ctx, hash)
	return a, err
}

// Session returns a live session and its account, the session telling
// whether it passed the second factor. An unknown or expired session, or
// one whose account is disabled, is ENOTFOUND.
func (db Accounts) Session(ctx context.Context, hash string) (*permit.Session, *permit.Account, error) {
	// One statement (issue 15, part 5): the session, its account, the
	// organisation it belongs to and the prefectures it works for.
	var a permit.Account
	s := permit.Session{Hash: hash}
	var passed, confirmed, disabled, enrolled nullTime
	var role string
	var helpDesk bool
	var org nullInt
	var orgAdmin sql.NullBool
	var prefectures sql.NullString
	err := readRow(ctx, db.DB, `SELECT s.created_at, s.expires_at, s.second_factor_at,
			a.id, a.email, a.role, a.supervisor, a.help_desk, a.lang, a.confirmed_at, a.disabled_at, a.created_at, a.totp_enrolled_at,
			m.organisation_id, m.admin,
			(SELECT `+listIDs[db.dialect]+` FROM agent_prefectures p WHERE p.account_id = a.id)
		FROM sessions s JOIN accounts a ON a.id = s.account_id LEFT JOIN org_members m ON m.account_id = a.id
		WHERE s.hash = ? AND s.expires_at > ?`, hash, db.clock.Now()).Scan(
		&s.CreatedAt, &s.ExpiresAt, &passed,
		&a.ID, &a.Email, &role, &a.Supervisor, &helpDesk, &a.Lang, &confirmed, &disabled, &a.CreatedAt, &enrolled,
		&org, &orgAdmin, &prefectures)
	if err != nil {
		return nil, nil, translate(err)
	}
	if disabled.Valid {
		return nil, nil, permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	s.AccountID = a.ID
	s.SecondFactorAt = passed.ptr()
	a.Role = permit.Role(role)
	if helpDesk {
		a.Role = permit.RoleHelpDesk
	}
	if org.Valid {
		a.Role, a.OrganisationID, a.OrgAdmin = permit.RoleEmployer, org.Int64, orgAdmin.Bool
	}
	a.ConfirmedAt, a.EnrolledAt = confirmed.ptr(), enrolled.ptr()
	if a.Prefectures, err = parseIDs(prefectures.String); err != nil {
		return nil, nil, err
	}
	return &s, &a, nil
}

// listIDs aggregates a column of ids into one comma-separated string
// (NULL for none), in each database's words.
var listIDs = map[Dialect]string{
	SQLite:   `group_concat(p.prefecture_id)`,
	Postgres: `string_agg(p.prefecture_id::text, ',')`,
}

// parseIDs reads what listIDs made, in ascending order.
func parseIDs(list string) ([]int64, error) {
	if list == "" {
		return nil, nil
	}
	var out []int64
	for _, f := range strings.Split(list, ",") {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("read an id list: %w", err)
		}
		out = append(out, id)
	}
	slices.Sort(out)
	return out, nil
}

// DeleteSession ends a session (log-out). Deleting an unknown session is not an error.
func (db Accounts) DeleteSession(ctx context.Context, hash string) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `DELETE FROM sessions WHERE hash = ?`, hash)
		return err
	})
}

// DeleteExpired removes expired sessions and tokens; it returns how many.
func (db Accounts) DeleteExpired(ctx context.Context) (int64, error) {
	var n int64
	err := db.inWrite(ctx, func(tx *Tx) error {
		now := db.clock.Now()
		for _, q := range []string{`DELETE FROM sessions WHERE expires_at <= ?`, `DELETE FROM tokens WHERE expires_at <= ?`} {
			res, err := tx.exec(ctx, q, now)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += k
		}
		return nil
	})
	return n, err
}

// nullTime scans a nullable timestamp from either database.
type nullTime struct{ sql.NullTime }

func (t nullTime) ptr() *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

func joinDepts(d []string) string { return strings.Join(d, ",") }

func splitDepts(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
