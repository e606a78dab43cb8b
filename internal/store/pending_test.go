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
	err := db.inRead(ctx, func(tx *Tx) (err error) {
		out, err = queryIDs(ctx, tx, `SELECT id FROM applications WHERE state IN (`+stateList(permit.QueueStates)+`) ORDER BY id`)
		return err
	})
	return out, err
}
