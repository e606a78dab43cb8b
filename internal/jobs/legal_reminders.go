package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/sejour/sejour/internal/notify"
	"github.com/sejour/sejour/internal/permit"
)

// legalReminderSweepInterval is how often the legal dates' reminder sweep
// runs: reminders are counted in days.
const legalReminderSweepInterval = 24 * time.Hour

// LegalReminderSweepArgs is the job kind "legal_reminder_sweep", daily
// and at start: it writes the reminders of legal dates due on the day
// (issue 16, part 3: the renewal window opening and closing, an
// attestation ending with nothing to replace it, a completion deadline),
// each with its mail and SMS in one transaction under a unique key
// (casework.Reminders.SendDue), so that a sweep that died at any line and
// runs again, or two at once, write each once. Batches of 200 accounts;
// the job snoozes a second while more are left.
type LegalReminderSweepArgs struct {
	Start time.Time `json:"start,omitzero"`
}

// Kind names the job kind in River's tables.
func (LegalReminderSweepArgs) Kind() string { return "legal_reminder_sweep" }

// InsertOpts keeps at most one sweep waiting.
func (LegalReminderSweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: sweepUnique}
}

type legalReminderSweepWorker struct {
	river.WorkerDefaults[LegalReminderSweepArgs]
	sweep  func(ctx context.Context) (int, error)
	logger *slog.Logger
}

// Timeout bounds one batch.
func (*legalReminderSweepWorker) Timeout(*river.Job[LegalReminderSweepArgs]) time.Duration {
	return reminderSweepTimeout
}

func (w *legalReminderSweepWorker) Work(ctx context.Context, _ *river.Job[LegalReminderSweepArgs]) error {
	n, err := w.sweep(ctx)
	if n > 0 {
		w.logger.Info("legal date reminders written", "count", n)
	}
	if errors.Is(err, ErrMore) {
		return river.JobSnooze(time.Second)
	}
	return err
}

// SMSStore is what the SMS deliveries read and record (store.Reminders).
type SMSStore interface {
	// SMS returns one text of the outbox, or an ENOTFOUND error.
	SMS(ctx context.Context, id int64) (*permit.SMS, error)
	// MarkSMSSent records a delivery, or with a reason a failed attempt.
	MarkSMSSent(ctx context.Context, id int64, reason string) error
}

// DeliverSMSArgs is the job kind "deliver_sms": hand one text of the SMS
// outbox to the SMS sender (the logging sender by default). The write
// that makes the text queues this job in its transaction
// (store.JobDeliverSMS); a text already sent is not sent again.
type DeliverSMSArgs struct {
	SMSID int64 `json:"sms_id"`
}

// Kind names the job kind in River's tables.
func (DeliverSMSArgs) Kind() string { return "deliver_sms" }

type deliverSMSWorker struct {
	river.WorkerDefaults[DeliverSMSArgs]
	store  SMSStore
	sender notify.SMSSender
}

func (w *deliverSMSWorker) Work(ctx context.Context, job *river.Job[DeliverSMSArgs]) error {
	s, err := w.store.SMS(ctx, job.Args.SMSID)
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		return river.JobCancel(err)
	} else if err != nil {
		return err
	}
	if s.SentAt != nil {
		return nil
	}
	if err := w.sender.SendSMS(ctx, s); err != nil {
		if markErr := w.store.MarkSMSSent(ctx, s.ID, err.Error()); markErr != nil {
			return errors.Join(err, markErr)
		}
		return fmt.Errorf("jobs: send sms %d: %w", s.ID, err)
	}
	return w.store.MarkSMSSent(ctx, s.ID, "")
}
