package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// FollowUpEventArgs is the job kind "follow_up_event": tell an
// organisation of one event of a person it follows (issue 14, part 5).
// The filing, attestation or decision that causes the event writes it and
// this job in one transaction (store.JobFollowUpEvent); the job writes the
// mails to the organisation's members and owes the webhook's delivery, in
// one more transaction that marks the event mailed, so a job run twice
// mails once.
type FollowUpEventArgs struct {
	EventID int64 `json:"event_id"`
}

// Kind names the job kind in River's tables.
func (FollowUpEventArgs) Kind() string { return "follow_up_event" }

type followUpEventWorker struct {
	river.WorkerDefaults[FollowUpEventArgs]
	notify func(ctx context.Context, id int64) error
}

func (w *followUpEventWorker) Work(ctx context.Context, job *river.Job[FollowUpEventArgs]) error {
	return w.notify(ctx, job.Args.EventID)
}

// DeliverWebhookArgs is the job kind "deliver_webhook": post one event,
// signed, to the organisation's webhook. Any answer but a 2xx, a refused
// address, a timeout is an error, and River retries on the retry policy's
// schedule (retry.go) up to its attempts; the receiver recognises a
// repeated event by its id. The event is marked delivered at the first
// 2xx, and a delivered event is not posted again.
type DeliverWebhookArgs struct {
	EventID int64 `json:"event_id"`
}

// Kind names the job kind in River's tables.
func (DeliverWebhookArgs) Kind() string { return "deliver_webhook" }

// webhookTimeout bounds one delivery: the poster's own 10 s bound and
// recording the outcome.
const webhookTimeout = 30 * time.Second

type deliverWebhookWorker struct {
	river.WorkerDefaults[DeliverWebhookArgs]
	deliver func(ctx context.Context, id int64) error
}

// Timeout bounds one delivery.
func (*deliverWebhookWorker) Timeout(*river.Job[DeliverWebhookArgs]) time.Duration {
	return webhookTimeout
}

func (w *deliverWebhookWorker) Work(ctx context.Context, job *river.Job[DeliverWebhookArgs]) error {
	return w.deliver(ctx, job.Args.EventID)
}

// followUpSweepInterval is how often the follow-ups' sweep runs.
const followUpSweepInterval = 24 * time.Hour

// FollowUpSweepArgs is the job kind "follow_up_sweep", daily and at
// start: it writes the event "the right ends within 60 days" of each
// active follow-up whose right ends so soon (once per follow-up and last
// day: a sweep run again writes nothing), and mails the events a lost job
// left unmailed.
type FollowUpSweepArgs struct {
	Start time.Time `json:"start,omitzero"`
}

// Kind names the job kind in River's tables.
func (FollowUpSweepArgs) Kind() string { return "follow_up_sweep" }

// InsertOpts keeps at most one sweep waiting.
func (FollowUpSweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: sweepUnique}
}

type followUpSweepWorker struct {
	river.WorkerDefaults[FollowUpSweepArgs]
	sweep  func(ctx context.Context) (int, error)
	logger *slog.Logger
}

// Timeout bounds one sweep.
func (*followUpSweepWorker) Timeout(*river.Job[FollowUpSweepArgs]) time.Duration {
	return attestationSweepTimeout
}

func (w *followUpSweepWorker) Work(ctx context.Context, _ *river.Job[FollowUpSweepArgs]) error {
	n, err := w.sweep(ctx)
	if n > 0 {
		w.logger.Info("follow-up events written by the sweep", "count", n)
	}
	return err
}
