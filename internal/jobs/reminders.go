package jobs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// reminderSweepInterval is how often the appointments' reminder sweep
// runs: a booking made during the day before its appointment is reminded
// within this interval.
const reminderSweepInterval = time.Hour

// reminderSweepTimeout bounds one sweep of a batch.
const reminderSweepTimeout = 2 * time.Minute

// ReminderSweepArgs is the job kind "appointment_reminder_sweep", run
// every reminderSweepInterval and at start: it writes the reminder mail
// of each counter appointment held for the next day (issue 18), each
// with the key that marks it written in one transaction
// (casework.Appointments.SendReminders), so a sweep that died at any line
// and runs again, or two at once, mail each person once.
type ReminderSweepArgs struct {
	Start time.Time `json:"start,omitzero"`
}

// Kind names the job kind in River's tables.
func (ReminderSweepArgs) Kind() string { return "appointment_reminder_sweep" }

// InsertOpts keeps at most one sweep waiting.
func (ReminderSweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: sweepUnique}
}

type reminderSweepWorker struct {
	river.WorkerDefaults[ReminderSweepArgs]
	sweep  func(ctx context.Context) (int, error)
	logger *slog.Logger
}

// Timeout bounds one sweep.
func (*reminderSweepWorker) Timeout(*river.Job[ReminderSweepArgs]) time.Duration {
	return reminderSweepTimeout
}

func (w *reminderSweepWorker) Work(ctx context.Context, _ *river.Job[ReminderSweepArgs]) error {
	n, err := w.sweep(ctx)
	if n > 0 {
		w.logger.Info("appointment reminders written", "count", n)
	}
	if errors.Is(err, ErrMore) {
		return river.JobSnooze(time.Second)
	}
	return err
}
