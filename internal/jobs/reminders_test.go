package jobs_test

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/jobs"
	"github.com/sejour/sejour/internal/notify"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// The appointments' reminder sweep is a durable River job run at start
// (and hourly); a sweep that says a batch is left (ErrMore) runs again
// at once, until it has done all.
func TestReminderSweepRunsAtStartUntilDone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		d := database(t, db)
		logger := slog.New(slog.DiscardHandler)
		if err := jobs.Migrate(ctx, d, logger); err != nil {
			t.Fatal(err)
		}
		var runs atomic.Int32
		q, err := jobs.New(ctx, jobs.Options{Database: d, Store: db.Mails(), Sender: notify.Keep{}, Clock: clk, Logger: logger,
			PollInterval: 50 * time.Millisecond,
			RemindAppointments: func(context.Context) (int, error) {
				if runs.Add(1) == 1 {
					return 200, jobs.ErrMore
				}
				return 3, nil
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		run(t, q)
		deadline := time.Now().Add(3 * wait)
		for runs.Load() < 2 {
			if time.Now().After(deadline) {
				t.Fatalf("the reminder sweep ran %d times, want 2", runs.Load())
			}
			clk.Advance(2 * time.Second) // past the snooze
			time.Sleep(100 * time.Millisecond)
		}
	})
}
