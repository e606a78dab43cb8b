package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// Employers is the room of employers' organisations, their members and
// their API keys (issue 14), taken as store.Employers{DB: db}, since DB
// is at its method limit.
type Employers struct{ *DB }

// insertMember records an employer account's membership of its
// organisation, in the transaction that creates the account.
func insertMember(ctx context.Context, tx *Tx, a *permit.Account) error {
	if a.Role != permit.RoleEmployer {
		return nil
	}
	_, err := tx.exec(ctx, `INSERT INTO org_members (account_id, organisation_id, admin, created_at) VALUES (?, ?, ?, ?)`,
		a.ID, a.OrganisationID, a.OrgAdmin, a.CreatedAt)
	return err
}

// readMembership makes an account with a membership row an employer's.
func readMembership(ctx context.Context, tx *Tx, a *permit.Account) error {
	err := tx.queryRow(ctx, `SELECT organisation_id, admin FROM org_members WHERE account_id = ?`, a.ID).Scan(&a.OrganisationID, &a.OrgAdmin)
	if err == sql.ErrNoRows {
		return nil
	} else if err != nil {
		return err
	}
	a.Role = permit.RoleEmployer
	return nil
}

// SignUpOrganisation creates an organisation and its first member, the
// organisation's admin, with the confirmation link and its mail, in one
// transaction. A SIRET already signed up is ECONFLICT with the key
// employers.error.siret_taken; an address that has an account is
// ECONFLICT too (error.conflict), and nothing is created.
func (db Employers) SignUpOrganisation(ctx context.Context, o *permit.Organisation, a *permit.Account, passwordHash string, tok *permit.Token, m *permit.Mail) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		var one int
		err := tx.queryRow(ctx, `SELECT 1 FROM organisations WHERE siret = ?`, o.SIRET).Scan(&one)
		if err == nil {
			return permit.Errorf(permit.ECONFLICT, "employers.error.siret_taken")
		} else if err != sql.ErrNoRows {
			return err
		}
		o.CreatedAt = db.clock.Now()
		err = tx.queryRow(ctx, `INSERT INTO organisations (name, siret, address_line, postcode, city, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, o.Name, o.SIRET, o.Address.Line, o.Address.Postcode, o.Address.City, o.CreatedAt).Scan(&o.ID)
		if err != nil {
			return err
		}
		a.Role, a.OrganisationID, a.OrgAdmin = permit.RoleEmployer, o.ID, true
		return insertAccount(ctx, tx, a, passwordHash, tok, m, o.CreatedAt)
	})
}

// Organisation returns an organisation, or ENOTFOUND.
func (db Employers) Organisation(ctx context.Context, id int64) (*permit.Organisation, error) {
	var o permit.Organisation
	err := db.inRead(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `SELECT id, name, siret, address_line, postcode, city, created_at FROM organisations WHERE id = ?`, id).
			Scan(&o.ID, &o.Name, &o.SIRET, &o.Address.Line, &o.Address.Postcode, &o.Address.City, &o.CreatedAt)
	})
	if err != nil {
		return nil, err
	}
	o.CreatedAt = o.CreatedAt.UTC()
	return &o, nil
}

// Members lists an organisation's accounts, by address.
func (db Employers) Members(ctx context.Context, organisationID int64) ([]*permit.Account, error) {
	var out []*permit.Account
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT a.id FROM org_members m JOIN accounts a ON a.id = m.account_id
			WHERE m.organisation_id = ? ORDER BY a.email`, organisationID)
		if err != nil {
			return err
		}
		ids, err := scanIDs(rows)
		if err != nil {
			return err
		}
		for _, id := range ids {
			a, _, err := findAccount(ctx, tx, "id = ?", id)
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		return nil
	})
	return out, err
}

// scanIDs reads a column of ids and closes the rows.
func scanIDs(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// CreateAPIKey stores a new key (the hash of its whole text) with the
// audit entry the context carries.
func (db Employers) CreateAPIKey(ctx context.Context, k *permit.APIKey, hash string) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		k.CreatedAt = db.clock.Now()
		return tx.queryRow(ctx, `INSERT INTO api_keys (organisation_id, name, prefix, hash, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, k.OrganisationID, k.Name, k.Prefix, hash, k.CreatedBy, k.CreatedAt).Scan(&k.ID)
	})
}

const apiKeyColumns = `id, organisation_id, name, prefix, created_by, created_at, last_used_at, revoked_at`

func scanAPIKey(row interface{ Scan(...any) error }, k *permit.APIKey, more ...any) error {
	var used, revoked nullTime
	err := row.Scan(append([]any{&k.ID, &k.OrganisationID, &k.Name, &k.Prefix, &k.CreatedBy, &k.CreatedAt, &used, &revoked}, more...)...)
	k.CreatedAt, k.LastUsedAt, k.RevokedAt = k.CreatedAt.UTC(), used.ptr(), revoked.ptr()
	return err
}

// APIKeys lists an organisation's keys, newest first, revoked ones too.
func (db Employers) APIKeys(ctx context.Context, organisationID int64) ([]*permit.APIKey, error) {
	var out []*permit.APIKey
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE organisation_id = ? ORDER BY id DESC`, organisationID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k permit.APIKey
			if err := scanAPIKey(rows, &k); err != nil {
				return err
			}
			out = append(out, &k)
		}
		return rows.Err()
	})
	return out, err
}

// APIKeyByPrefix returns a key that is not revoked, with its organisation
// and the hash to compare, or ENOTFOUND.
func (db Employers) APIKeyByPrefix(ctx context.Context, prefix string) (*permit.APIKey, string, error) {
	var k permit.APIKey
	var hash string
	err := db.inRead(ctx, func(tx *Tx) error {
		return scanAPIKey(tx.queryRow(ctx, `SELECT `+apiKeyColumns+`, hash FROM api_keys WHERE prefix = ? AND revoked_at IS NULL`, prefix), &k, &hash)
	})
	if err != nil {
		return nil, "", err
	}
	return &k, hash, nil
}

// RevokeAPIKey ends one of an organisation's keys, with the audit entry
// the context carries. Another organisation's key, or one already
// revoked, is ENOTFOUND.
func (db Employers) RevokeAPIKey(ctx context.Context, organisationID, id int64) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND organisation_id = ? AND revoked_at IS NULL`,
			db.clock.Now(), id, organisationID)
		return oneRow(res, err, permit.ENOTFOUND, "error.not_found")
	})
}

// touchKey records a key's last use, in the transaction of what it did.
func touchKey(ctx context.Context, tx *Tx, id int64, at time.Time) error {
	if id == 0 {
		return nil
	}
	_, err := tx.exec(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ?`, at, id)
	return err
}
