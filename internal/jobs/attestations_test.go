package jobs_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/jobs"
	"github.com/sejour/sejour/internal/notify"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// TestAttestationJobs checks that the sweep runs at start and that a
// queued issue_attestations job reaches the issuing function, on both
// databases; a failing issue is retried.
func TestAttestationJobs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		d := database(t, db)
		logger := slog.New(slog.DiscardHandler)
		if err := jobs.Migrate(ctx, d, logger); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		swept, issued, fails := 0, []int64{}, 1
		q, err := jobs.New(ctx, jobs.Options{Database: d, Store: db.Mails(), Sender: notify.Keep{}, Clock: clock.System{}, Logger: logger,
			SweepAttestations: func(context.Context) (int, error) { mu.Lock(); swept++; mu.Unlock(); return 0, nil },
			IssueAttestations: func(_ context.Context, id int64) (int, error) {
				mu.Lock()
				defer mu.Unlock()
				if fails > 0 {
					fails--
					return 0, context.DeadlineExceeded // the first try fails
				}
				issued = append(issued, id)
				return 1, nil
			}})
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer func() {
			stopCtx, cancel := context.WithTimeout(ctx, wait)
			defer cancel()
			q.Stop(stopCtx)
		}()
		// A write owes the job: it is inserted in the write's transaction.
		tx, err := db.SQL().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := q.InsertJobsTx(ctx, tx, []store.Job{{Kind: store.JobIssueAttestations, ID: 42}}); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			mu.Lock()
			done := swept > 0 && len(issued) == 1 && issued[0] == 42
			mu.Unlock()
			if done {
				return
			}
			if time.Now().After(deadline) {
				mu.Lock()
				defer mu.Unlock()
				t.Fatalf("after 20 s: swept %d times, issued %v", swept, issued)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}
