package store

import (
	"context"

	"github.com/sejour/sejour/internal/permit"
)

// This file holds what only tests and benchmarks ask of the store.

// PendingApplicationIDs lists the applications that may be owed an
// attestation: filed and not closed one way or another (the states of the
// work queue, permit.QueueStates). The sweep lists only those due; the
// benchmark compares the two listings.
func (db Issuance) PendingApplicationIDs(ctx context.Context) ([]int64, error) {
	var out []int64
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id FROM applications WHERE state IN (`+stateList(permit.QueueStates)+`) ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out = append(out, id)
		}
		return rows.Err()
	})
	return out, err
}
