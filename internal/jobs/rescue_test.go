package jobs_test

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/jobs"
	"github.com/sejour/sejour/internal/notify"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// rows reaches River's table directly, as a process of its own would:
// insert jobs the way sejour does, and rewrite a row the way a killed
// process leaves it.
type rows struct {
	insert func(args river.JobArgs) (*rivertype.JobInsertResult, error)
	get    func(id int64) (*rivertype.JobRow, error)
	exec   riverdriver.Executor
}

func riverRows(t *testing.T, db *store.DB) *rows {
	t.Helper()
	if err := jobs.Migrate(ctx, database(t, db), nil); err != nil {
		t.Fatal(err)
	}
	if db.Dialect() == store.SQLite {
		return rowsThrough(t, riversqlite.New(db.SQL()))
	}
	pool, err := pgxpool.New(ctx, db.PostgresURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return rowsThrough(t, riverpgxv5.New(pool))
}

// rowsThrough reaches River's table through a client of driver.
func rowsThrough[TTx any](t *testing.T, driver riverdriver.Driver[TTx]) *rows {
	t.Helper()
	client, err := river.NewClient(driver, &river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return &rows{
		insert: func(args river.JobArgs) (*rivertype.JobInsertResult, error) { return client.Insert(ctx, args, nil) },
		get:    func(id int64) (*rivertype.JobRow, error) { return client.JobGet(ctx, id) },
		exec:   driver.GetExecutor(),
	}
}

// killedSweep leaves a daily attestation sweep as a process killed while
// running it leaves it: "running", attempted at attemptedAt, by nobody
// alive. attemptedAt is on the wall clock, which is the one River's
// rescuer reads (River's test time does not reach it).
func (r *rows) killedSweep(t *testing.T, attemptedAt time.Time) int64 {
	t.Helper()
	res, err := r.insert(jobs.AttestationSweepArgs{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.exec.JobUpdateFull(ctx, &riverdriver.JobUpdateFullParams{
		ID:              res.Job.ID,
		StateDoUpdate:   true,
		State:           rivertype.JobStateRunning,
		AttemptDoUpdate: true, Attempt: 1,
		AttemptedAtDoUpdate: true, AttemptedAt: &attemptedAt,
		AttemptedByDoUpdate: true, AttemptedBy: []string{"killed-process"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return res.Job.ID
}

// waitState polls a job until it is in one of states, or fails after
// bound (real time).
func (r *rows) waitState(t *testing.T, id int64, bound time.Duration, states ...rivertype.JobState) *rivertype.JobRow {
	t.Helper()
	deadline := time.Now().Add(bound)
	for {
		job, err := r.get(id)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range states {
			if job.State == s {
				return job
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d (%s) still %s after %s, want %v", id, job.Kind, job.State, bound, states)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// startSweeping starts a queue whose attestation sweep counts its runs.
func startSweeping(t *testing.T, db *store.DB, clk clock.Clock) *atomic.Int32 {
	t.Helper()
	var runs atomic.Int32
	q, err := jobs.New(ctx, jobs.Options{Database: database(t, db), Store: db.Mails(), Sender: notify.Keep{}, Clock: clk,
		Logger:            slog.New(slog.DiscardHandler),
		SweepAttestations: func(context.Context) (int, error) { runs.Add(1); return 0, nil }})
	if err != nil {
		t.Fatal(err)
	}
	run(t, q)
	return &runs
}

// rescueBound is how long, in real time, a job beyond the rescue delay
// may wait for the rescuer: leader election, the rescuer's staggered
// start, its first pass.
const rescueBound = 20 * time.Second

// A job whose process was killed mid-run (kill -9) is taken back by the
// rescuer once the rescue delay has passed since its start, and runs
// again at its first retry. With River's default delay (an hour) this job
// would still be "running".
func TestKilledJobRunsAgainAfterRescue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		r := riverRows(t, db)
		id := r.killedSweep(t, time.Now().Add(-jobs.RescueAfter-time.Minute))
		startSweeping(t, db, clk)
		rescued := r.waitState(t, id, rescueBound, rivertype.JobStateRetryable, rivertype.JobStateAvailable, rivertype.JobStateCompleted)
		if rescued.State == rivertype.JobStateRetryable {
			if wait := rescued.ScheduledAt.Sub(clk.Now()); wait > 15*time.Second {
				t.Errorf("rescued sweep retries in %s, want its first retry (about 10 s)", wait)
			}
		}
		clk.Advance(time.Minute) // the first retry is due
		done := r.waitState(t, id, wait, rivertype.JobStateCompleted)
		if done.Attempt != 2 {
			t.Errorf("rescued sweep completed at attempt %d, want 2", done.Attempt)
		}
	})
}

// A sweep left running by a dead process blocks a new one (River requires
// uniqueness to count running jobs) only until it is rescued: the rescued,
// retryable job no longer counts.
func TestStaleSweepDoesNotBlockAfterRescue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		r := riverRows(t, db)
		id := r.killedSweep(t, time.Now().Add(-jobs.RescueAfter-time.Minute))
		if res, err := r.insert(jobs.AttestationSweepArgs{}); err != nil || !res.UniqueSkippedAsDuplicate {
			t.Fatalf("a sweep beside a running one: %+v, %v; want skipped as a duplicate", res, err)
		}
		startSweeping(t, db, clk) // the clock stays still: the rescued job waits for its retry
		r.waitState(t, id, rescueBound, rivertype.JobStateRetryable)
		res, err := r.insert(jobs.AttestationSweepArgs{})
		if err != nil {
			t.Fatal(err)
		}
		if res.UniqueSkippedAsDuplicate {
			t.Fatalf("the daily sweep is still blocked by the rescued job %d", id)
		}
	})
}

// A restart right after a kill does not wait for the rescue: the sweep
// of its own start runs at once beside the dead process's job.
func TestStartDoesNotWaitOnAKilledSweep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		r := riverRows(t, db)
		id := r.killedSweep(t, time.Now().Add(-10*time.Second))
		runs := startSweeping(t, db, clk)
		deadline := time.Now().Add(wait)
		for runs.Load() == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("no sweep ran within %s of the start", wait)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if job, err := r.get(id); err != nil || job.State != rivertype.JobStateRunning {
			t.Errorf("the killed job, not yet due for rescue: %+v, %v; want still running", job, err)
		}
	})
}
