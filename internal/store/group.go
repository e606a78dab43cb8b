package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// Group commit on SQLite (docs/decisions/0011-group-commit.md). SQLite
// has one writer, and with synchronous=FULL each commit waits for the
// disk. Writes that arrive while another commits wait together, and the
// committer runs them one after the other in one transaction, each under
// a savepoint of its own, then commits them with one flush: each caller
// is answered only after that commit, so nothing is acknowledged that is
// not durable, and a write that fails is rolled back to its savepoint
// without touching the others.

// errClosed answers a write sent after the database was closed.
var errClosed = errors.New("the database is closed")

// maxGroup bounds the writes committed together, so that one commit's
// wait stays short.
const maxGroup = 64

type groupWrite struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan error
}

// committer is the goroutine that owns SQLite's writes.
type committer struct {
	db    *DB
	queue chan *groupWrite // unbuffered: a write waits until taken
	stop  chan struct{}
	once  sync.Once
	ended chan struct{}

	largest atomic.Int64 // the most writes committed together, for tests
}

func newCommitter(db *DB) *committer {
	c := &committer{db: db, queue: make(chan *groupWrite), stop: make(chan struct{}), ended: make(chan struct{})}
	go c.run()
	return c
}

// write runs fn in a transaction shared with the writes waiting beside
// it, and returns once that transaction committed (nil) or fn's part was
// undone (its error).
func (c *committer) write(ctx context.Context, fn func(*Tx) error) error {
	w := &groupWrite{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case c.queue <- w:
	case <-c.stop:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once taken, the write is answered whatever the caller's context:
	// the committer always answers.
	return <-w.done
}

func (c *committer) close() {
	c.once.Do(func() { close(c.stop) })
	<-c.ended
}

func (c *committer) run() {
	defer close(c.ended)
	for {
		var first *groupWrite
		select {
		case first = <-c.queue:
		case <-c.stop:
			return
		}
		group := []*groupWrite{first}
	more:
		for len(group) < maxGroup {
			select {
			case w := <-c.queue:
				group = append(group, w)
			default:
				break more
			}
		}
		c.commit(group)
	}
}

// commit runs a group in one transaction and answers each write.
func (c *committer) commit(group []*groupWrite) {
	db := c.db
	answer := func(errs []error) {
		for i, w := range group {
			w.done <- errs[i]
		}
	}
	if n := int64(len(group)); n > c.largest.Load() {
		c.largest.Store(n)
	}
	errs := make([]error, len(group))
	all := func(err error) []error {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
		return errs
	}
	if len(group) == 1 {
		// Alone: the plain transaction, bound to the caller's context as
		// any other.
		errs[0] = db.in(group[0].ctx, db.write, nil, group[0].fn)
		answer(errs)
		return
	}
	// The group's transaction outlives any one caller: a caller that
	// leaves stops its own statements only.
	ctx := context.Background()
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		answer(all(translate(fmt.Errorf("begin: %w", err))))
		return
	}
	for i, w := range group {
		if err := w.ctx.Err(); err != nil {
			errs[i] = err // left before its turn: nothing was written
			continue
		}
		if c := countsOf(w.ctx); c != nil {
			c.Transactions.Add(1)
		}
		if _, err := sqlTx.ExecContext(ctx, `SAVEPOINT w`); err != nil {
			_ = sqlTx.Rollback()
			answer(all(translate(fmt.Errorf("savepoint: %w", err))))
			return
		}
		if err := runWrite(w.ctx, db, sqlTx, w.fn); err != nil {
			errs[i] = translate(err)
			// SQLite may have rolled the whole transaction back (a
			// statement interrupted by its caller's context): then the
			// savepoint is gone and nobody's write stands.
			if _, rerr := sqlTx.ExecContext(ctx, `ROLLBACK TO w`); rerr != nil {
				_ = sqlTx.Rollback()
				answer(all(translate(fmt.Errorf("the group's transaction was lost with a write that failed: %w", rerr))))
				return
			}
		}
		if _, err := sqlTx.ExecContext(ctx, `RELEASE w`); err != nil {
			_ = sqlTx.Rollback()
			answer(all(translate(fmt.Errorf("release: %w", err))))
			return
		}
	}
	if err := sqlTx.Commit(); err != nil {
		answer(all(translate(fmt.Errorf("commit: %w", err))))
		return
	}
	answer(errs)
}

// run runs one write's fn in sqlTx, with the jobs it owes.
func runWrite(ctx context.Context, db *DB, sqlTx *sql.Tx, fn func(*Tx) error) error {
	tx := &Tx{tx: sqlTx, dialect: db.dialect, delays: db.delays}
	if err := fn(tx); err != nil {
		return err
	}
	if len(tx.jobs) > 0 && db.jobs != nil {
		if err := db.jobs.InsertJobsTx(ctx, sqlTx, tx.jobs); err != nil {
			return fmt.Errorf("insert the jobs the write owes: %w", err)
		}
	}
	return nil
}
