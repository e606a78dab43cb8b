package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// statisticsInterval is how often the statistics job looks for today's
// snapshot: it computes one only when the Paris day has none, so the
// figures are refreshed within this interval after midnight.
const statisticsInterval = time.Hour

// statisticsTimeout bounds one computation (one read of the
// applications of the last 12 months), under River's rescue delay like
// every kind: a computation that takes longer fails and is retried,
// and the previous snapshot stays served (docs/operations.md).
const statisticsTimeout = 4 * time.Minute

// StatisticsArgs is the job kind "statistics_snapshot", run every
// statisticsInterval and at start: it computes the public statistics of
// the day when the day has no snapshot yet, and writes them in one
// INSERT that a second instance's, or a retried job's, leaves as it is
// (casework.Statistics.Refresh). A computation that dies leaves the
// previous day's snapshot served; the next run computes again.
type StatisticsArgs struct {
	Start time.Time `json:"start,omitzero"`
}

// Kind names the job kind in River's tables.
func (StatisticsArgs) Kind() string { return "statistics_snapshot" }

// InsertOpts keeps at most one waiting.
func (StatisticsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: sweepUnique}
}

type statisticsWorker struct {
	river.WorkerDefaults[StatisticsArgs]
	refresh func(ctx context.Context) (bool, error)
	logger  *slog.Logger
}

// Timeout bounds one computation.
func (*statisticsWorker) Timeout(*river.Job[StatisticsArgs]) time.Duration { return statisticsTimeout }

func (w *statisticsWorker) Work(ctx context.Context, _ *river.Job[StatisticsArgs]) error {
	wrote, err := w.refresh(ctx)
	if wrote {
		w.logger.Info("public statistics computed")
	}
	return err
}
