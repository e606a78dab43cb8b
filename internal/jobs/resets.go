package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// AnswerResetArgs is the job kind "answer_reset": answer one password
// reset request. The reset page writes the request and this job in one
// transaction (store.JobAnswerReset) without looking the address up; the
// job mails a link when the address has an account and only deletes the
// request when it has none, so the page's timing says nothing about
// which (issue 13, item 7). Answering twice mails once.
type AnswerResetArgs struct {
	RequestID int64 `json:"request_id"`
}

// Kind names the job kind in River's tables.
func (AnswerResetArgs) Kind() string { return "answer_reset" }

type answerResetWorker struct {
	river.WorkerDefaults[AnswerResetArgs]
	answer func(ctx context.Context, id int64) error
}

// answerTimeout bounds one answer: a read, a look-up and a write.
const answerTimeout = 30 * time.Second

// Timeout bounds one answer.
func (*answerResetWorker) Timeout(*river.Job[AnswerResetArgs]) time.Duration { return answerTimeout }

func (w *answerResetWorker) Work(ctx context.Context, job *river.Job[AnswerResetArgs]) error {
	return w.answer(ctx, job.Args.RequestID)
}

// ResetSweepArgs is the job kind "reset_sweep", run at start: it answers
// the reset requests written while no queue was set.
type ResetSweepArgs struct {
	Start time.Time `json:"start,omitzero"`
}

// Kind names the job kind in River's tables.
func (ResetSweepArgs) Kind() string { return "reset_sweep" }

// InsertOpts keeps at most one sweep waiting.
func (ResetSweepArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{UniqueOpts: sweepUnique} }

type resetSweepWorker struct {
	river.WorkerDefaults[ResetSweepArgs]
	sweep  func(ctx context.Context) (int, error)
	logger *slog.Logger
}

func (w *resetSweepWorker) Work(ctx context.Context, _ *river.Job[ResetSweepArgs]) error {
	n, err := w.sweep(ctx)
	if n > 0 {
		w.logger.Info("reset requests answered by the sweep", "count", n)
	}
	return err
}
