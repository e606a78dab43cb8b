package jobs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
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
type AttestationSweepArgs struct {
	// Start is when the process that queued this sweep started, for the
	// sweep run at start; zero for the daily runs (see startSweeps).
	Start time.Time `json:"start,omitzero"`
}

// Kind names the job kind in River's tables.
func (AttestationSweepArgs) Kind() string { return "attestation_sweep" }

// InsertOpts keeps at most one sweep waiting.
func (AttestationSweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: sweepUnique}
}

// sweepUnique makes a sweep unique only while one like it waits or runs
// (River's default also counts completed jobs, kept for a day: a daily
// sweep would then be skipped every other day), and not while it is
// retryable, the only state River lets us drop (running must stay: River
// requires it). A sweep left
// "running" by a dead process blocks a new one until the rescuer makes it
// retryable (rescueAfter); from then on a new sweep is queued again, and
// both may run, which is harmless since a sweep is idempotent.
var sweepUnique = river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
	rivertype.JobStateScheduled,
}}

type attestationSweepWorker struct {
	river.WorkerDefaults[AttestationSweepArgs]
	sweep  func(ctx context.Context) (int, error)
	logger *slog.Logger
}

// Timeout bounds one sweep.
func (*attestationSweepWorker) Timeout(*river.Job[AttestationSweepArgs]) time.Duration {
	return attestationSweepTimeout
}

// ErrMore is what a sweep's error wraps when the sweep stopped before the
// end of its list for lack of time, having committed what it did: the
// job is then run again a second later, not retried as a failure.
var ErrMore = errors.New("jobs: the sweep has more to do")

func (w *attestationSweepWorker) Work(ctx context.Context, _ *river.Job[AttestationSweepArgs]) error {
	n, err := w.sweep(ctx)
	if n > 0 {
		w.logger.Info("attestations issued by the sweep", "count", n)
	}
	if errors.Is(err, ErrMore) {
		w.logger.Info("the attestation sweep goes on in a new run", "issued", n, "err", err)
		return river.JobSnooze(time.Second)
	}
	return err
}

// IssueAttestationsArgs is the job kind "issue_attestations": issue what
// one application is owed now. Every write that changes what an
// application is owed (filing, a decision, a correction...) inserts one
// in its own transaction (store.JobIssueAttestations), and River retries
// it until it succeeds.
//
// It is not unique: a job already running may have read the application
// before the write that queues the next one, and must not stand for it.
// Issuing is idempotent, so two jobs for one application cost a few reads.
type IssueAttestationsArgs struct {
	ApplicationID int64 `json:"application_id"`
}

// Kind names the job kind in River's tables.
func (IssueAttestationsArgs) Kind() string { return "issue_attestations" }

type issueWorker struct {
	river.WorkerDefaults[IssueAttestationsArgs]
	issue func(ctx context.Context, appID int64) (int, error)
}

// Timeout bounds one issuing.
func (*issueWorker) Timeout(*river.Job[IssueAttestationsArgs]) time.Duration { return issueTimeout }

func (w *issueWorker) Work(ctx context.Context, job *river.Job[IssueAttestationsArgs]) error {
	_, err := w.issue(ctx, job.Args.ApplicationID)
	return err
}
