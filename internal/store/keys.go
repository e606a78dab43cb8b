package store

import (
	"context"

	"github.com/sejour/sejour/internal/permit"
)

// SigningKeys returns every attestation signing key, by sequence number.
func (db Keys) SigningKeys(ctx context.Context) ([]permit.SigningKey, error) {
	var keys []permit.SigningKey
	err := db.inRead(ctx, func(tx *Tx) error {
		var err error
		keys, err = signingKeys(ctx, tx)
		return err
	})
	return keys, err
}

// AddSigningKeys stores each key whose sequence number (and key id) is
// free, and returns every key then stored, by sequence number, in one
// transaction. Of two instances adding key n at the same moment, one
// stores its key and the other reads it: the unique sequence number
// decides, and on PostgreSQL the second insert waits for the first to
// commit before it does nothing.
func (db Keys) AddSigningKeys(ctx context.Context, keys []permit.SigningKey) ([]permit.SigningKey, error) {
	var stored []permit.SigningKey
	err := db.inWrite(ctx, func(tx *Tx) error {
		for _, k := range keys {
			if _, err := tx.exec(ctx, `INSERT INTO signing_keys (seq, kid, created_at, public_key, private_key)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, k.Seq, k.ID, k.Created.UTC(), k.Public, k.Sealed); err != nil {
				return err
			}
		}
		var err error
		stored, err = signingKeys(ctx, tx)
		return err
	})
	return stored, err
}

// RetireSigningKey removes the key kid, so that it is no longer published
// nor trusted: after a leak. The newest key, which signs, cannot be
// retired (conflict): rotate first. An unknown kid is not found.
func (db Keys) RetireSigningKey(ctx context.Context, kid string) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		var seq, newest int
		if err := tx.queryRow(ctx, `SELECT seq FROM signing_keys WHERE kid = ?`, kid).Scan(&seq); err != nil {
			return err
		}
		if err := tx.queryRow(ctx, `SELECT MAX(seq) FROM signing_keys`).Scan(&newest); err != nil {
			return err
		}
		if seq == newest {
			return permit.Errorf(permit.ECONFLICT, "error.conflict")
		}
		_, err := tx.exec(ctx, `DELETE FROM signing_keys WHERE seq = ?`, seq)
		return err
	})
}

func signingKeys(ctx context.Context, tx *Tx) ([]permit.SigningKey, error) {
	rows, err := tx.query(ctx, `SELECT seq, kid, created_at, public_key, private_key FROM signing_keys ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []permit.SigningKey
	for rows.Next() {
		var k permit.SigningKey
		if err := rows.Scan(&k.Seq, &k.ID, &k.Created, &k.Public, &k.Sealed); err != nil {
			return nil, err
		}
		k.Created = k.Created.UTC()
		keys = append(keys, k)
	}
	return keys, rows.Err()
}
