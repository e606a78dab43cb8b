package store

import (
	"context"
	"database/sql"
)

// Snapshots is the room of reads that share one read transaction: the
// many small reads of a case's page see one consistent state and, on
// PostgreSQL, pay one BEGIN and COMMIT instead of one pair each.
type Snapshots struct{ *DB }

type snapshotKey struct{}

// snapshot is the read transaction a context carries, with its database.
type snapshot struct {
	db *DB
	tx *Tx
}

// InSnapshot runs fn with a context whose reads of this database (every
// method that reads in a transaction of its own) share one read
// transaction, ended when fn returns. Writes are not affected. Inside
// another snapshot of the same database, it shares the outer one.
func (db Snapshots) InSnapshot(ctx context.Context, fn func(context.Context) error) error {
	if s, ok := ctx.Value(snapshotKey{}).(*snapshot); ok && s.db == db.DB {
		return fn(ctx)
	}
	// PostgreSQL's default isolation gives each statement its own
	// snapshot; repeatable read gives the transaction one (and a read-only
	// one never fails to serialise). SQLite's read transaction keeps the
	// state of its first read.
	opts := &sql.TxOptions{}
	if db.dialect == Postgres {
		opts = &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	}
	var err error
	inner := db.in(ctx, db.read, opts, func(tx *Tx) error {
		err = fn(context.WithValue(ctx, snapshotKey{}, &snapshot{db: db.DB, tx: tx}))
		return nil // fn's error is its own, not the transaction's
	})
	if err != nil {
		return err
	}
	return inner
}

// snapshotOf returns the read transaction of db that ctx carries, if any.
func snapshotOf(ctx context.Context, db *DB) *Tx {
	if s, ok := ctx.Value(snapshotKey{}).(*snapshot); ok && s.db == db {
		return s.tx
	}
	return nil
}
