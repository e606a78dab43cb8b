package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// attestationSweepInterval is how often the sweep recomputes which
// attestations should exist and issues the missing ones. Issuing also
// happens at once when an application is filed or decided; the sweep
// repairs what a lost job or an outage left, and issues the extension
// attestations that fall due with the passing of days.
const attestationSweepInterval = 24 * time.Hour

// AttestationSweepArgs is the job kind "attestation_sweep": it checks
// every pending application and issues what it is owed (idempotent: an
// attestation already issued for a period is never issued again).
type AttestationSweepArgs struct{}

// Kind names the job kind in River's tables.
func (AttestationSweepArgs) Kind() string { return "attestation_sweep" }

// InsertOpts keeps at most one sweep waiting.
func (AttestationSweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type attestationSweepWorker struct {
	river.WorkerDefaults[AttestationSweepArgs]
	sweep  func(ctx context.Context) (int, error)
	logger *slog.Logger
}

func (w *attestationSweepWorker) Work(ctx context.Context, _ *river.Job[AttestationSweepArgs]) error {
	n, err := w.sweep(ctx)
	if n > 0 {
		w.logger.Info("attestations issued by the sweep", "count", n)
	}
	return err
}
