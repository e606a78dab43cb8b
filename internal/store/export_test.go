package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/sejour/sejour/internal/permit"
)

// ForgetDeadlines empties every stored deadline, as the rows were before
// migration 0006, and RefreshAllDeadlines runs the migration's Go step.
func (db WorkQueue) ForgetDeadlines(ctx context.Context) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE applications SET due_on = NULL, due_kind = ''`)
		return err
	})
}

func (db WorkQueue) RefreshAllDeadlines(ctx context.Context) error {
	return db.inWrite(ctx, func(tx *Tx) error { return refreshAllDue(ctx, tx) })
}

// QueueSQL and CountsSQL are the statements the queue runs, in the
// database's placeholders, for EXPLAIN in the benchmarks.
func (db WorkQueue) QueueSQL(f permit.QueueFilter) (string, []any) {
	q, args := queueQuery(f)
	return rebind(db.dialect, q), args
}

func (db WorkQueue) CountsSQL(prefectures []int64) (string, []any) {
	q, args := countsQuery(prefectures)
	return rebind(db.dialect, q), args
}

// Reader is the pool of read-only connections.
func (db *DB) Reader() *sql.DB { return db.read }

// ForgetReplacements clears every file's replacement, as the rows were
// before migration 0021, and BackfillReplacements runs that migration's
// update again: the newest version of a slot was its one current file.
func (db Files) ForgetReplacements(ctx context.Context) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE documents SET replaced_by = NULL`)
		return err
	})
}

func (db Files) BackfillReplacements(ctx context.Context) error {
	ms, err := loadMigrations(db.dialect)
	if err != nil {
		return err
	}
	sql := ms[20].sql
	return db.inWrite(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, sql[strings.Index(sql, "UPDATE documents SET replaced_by"):])
		return err
	})
}

// BlobColumn names a column that holds a blob's sum.
type BlobColumn = struct{ Table, Column string }

// BlobColumns lists the columns SnapshotBlobs reads.
func BlobColumns() []BlobColumn {
	var out []BlobColumn
	for _, c := range blobColumns {
		out = append(out, BlobColumn{c.table, c.column})
	}
	return out
}

// LargestGroup is the most writes SQLite's group commit committed
// together so far (0 on PostgreSQL).
func LargestGroup(db *DB) int64 {
	if db.group == nil {
		return 0
	}
	return db.group.largest.Load()
}
