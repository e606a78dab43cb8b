package store

import "context"

// ForgetDeadlines empties every stored deadline, as the rows were before
// migration 0006, and RefreshAllDeadlines runs the migration's Go step.
func (db *DB) ForgetDeadlines(ctx context.Context) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE applications SET due_on = NULL, due_kind = ''`)
		return err
	})
}

func (db *DB) RefreshAllDeadlines(ctx context.Context) error {
	return db.inWrite(ctx, func(tx *Tx) error { return refreshAllDue(ctx, tx) })
}
