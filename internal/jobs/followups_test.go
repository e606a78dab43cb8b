package jobs_test

import (
	"context"
	"errors"
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

// TestWebhookDeliveryRetried: a deliver_webhook job owed by a write (in
// its transaction) is worked; its failure (an answer 500) is retried by
// River after the retry policy's wait, on the queue's clock, until it
// succeeds; a follow_up_event job is worked the same way.
func TestWebhookDeliveryRetried(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		d := database(t, db)
		logger := slog.New(slog.DiscardHandler)
		if err := jobs.Migrate(ctx, d, logger); err != nil {
			t.Fatal(err)
		}
		var tries, notified atomic.Int32
		var delivered atomic.Int64
		q, err := jobs.New(ctx, jobs.Options{Database: d, Store: db.Mails(), Sender: notify.Keep{}, Clock: clk, Logger: logger,
			PollInterval: 50 * time.Millisecond,
			NotifyFollowUpEvent: func(_ context.Context, id int64) error {
				notified.Add(1)
				return nil
			},
			DeliverWebhook: func(_ context.Context, id int64) error {
				if tries.Add(1) == 1 {
					return errors.New("notify: webhook answered 500")
				}
				delivered.Store(id)
				return nil
			},
			SweepFollowUps: func(context.Context) (int, error) { return 0, nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		run(t, q)
		tx, err := db.SQL().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := q.InsertJobsTx(ctx, tx, []store.Job{{Kind: store.JobDeliverWebhook, ID: 42}, {Kind: store.JobFollowUpEvent, ID: 43}}); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(3 * wait)
		for delivered.Load() != 42 {
			if time.Now().After(deadline) {
				t.Fatalf("not delivered: %d tries", tries.Load())
			}
			if tries.Load() >= 1 {
				clk.Advance(15 * time.Second) // past the first retry's wait (10 s + up to 2 s)
			}
			time.Sleep(100 * time.Millisecond)
		}
		// River runs a job at least once: moving the queue's clock 15 s to
		// reach the webhook's retry may run the event's job again, which
		// casework.FollowUps.NotifyEvent makes harmless (the event is
		// marked mailed in the transaction that writes its mails;
		// TestFollowUpConsentProofAndEvents counts the mails).
		if tries.Load() != 2 || notified.Load() < 1 {
			t.Errorf("%d tries, %d notifications; want 2 and at least 1", tries.Load(), notified.Load())
		}
	})
}
