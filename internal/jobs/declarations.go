package jobs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// silenceSweepInterval is how often the silence sweep looks for pre-hire
// declarations whose due day has passed unanswered. A due day ends at
// midnight in Paris; the employer learns of the silence within this
// interval after it.
const silenceSweepInterval = 15 * time.Minute

// silenceSweepTimeout bounds one sweep of a batch.
const silenceSweepTimeout = 2 * time.Minute

// SilenceSweepArgs is the job kind "declaration_silence_sweep", run every
// silenceSweepInterval and at start: it closes each pre-hire declaration
// still referred after its due day as "silence: duty met"
// (R.5221-41), with its signed record and the employer's mail in the same
// transaction. It is idempotent: a declaration is closed only while still
// referred, so a sweep that died at any line and runs again, or two
// sweeps at once, close each declaration once.
type SilenceSweepArgs struct {
	Start time.Time `json:"start,omitzero"`
}

// Kind names the job kind in River's tables.
func (SilenceSweepArgs) Kind() string { return "declaration_silence_sweep" }

// InsertOpts keeps at most one sweep waiting.
func (SilenceSweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: sweepUnique}
}

type silenceSweepWorker struct {
	river.WorkerDefaults[SilenceSweepArgs]
	sweep  func(ctx context.Context) (int, error)
	logger *slog.Logger
}

// Timeout bounds one sweep.
func (*silenceSweepWorker) Timeout(*river.Job[SilenceSweepArgs]) time.Duration {
	return silenceSweepTimeout
}

func (w *silenceSweepWorker) Work(ctx context.Context, _ *river.Job[SilenceSweepArgs]) error {
	n, err := w.sweep(ctx)
	if n > 0 {
		w.logger.Info("pre-hire declarations closed by silence", "count", n)
	}
	if errors.Is(err, ErrMore) {
		return river.JobSnooze(time.Second)
	}
	return err
}
