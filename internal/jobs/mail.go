package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/notify"
	"github.com/sejour/sejour/internal/permit"
)

// MailStore is what the mail jobs need of the outbox.
type MailStore interface {
	// Mail returns one mail, or an ENOTFOUND error.
	Mail(ctx context.Context, id int64) (*permit.Mail, error)
	// UnsentMails returns up to limit mails not yet sent and tried fewer
	// than maxAttempts times, oldest first.
	UnsentMails(ctx context.Context, limit, maxAttempts int) ([]*permit.Mail, error)
	// MarkMailSent records a delivery.
	MarkMailSent(ctx context.Context, id int64) error
	// MarkMailFailed records a failed attempt; the mail stays unsent.
	MarkMailFailed(ctx context.Context, id int64, reason string) error
	// DropMail gives up on a mail whose link expired: it is never sent.
	DropMail(ctx context.Context, id int64, reason string) error
}

const (
	// maxDeliveryAttempts keeps a mail trying for about a day: with the
	// retry policy (retry.go: 10 s, 30 s, 1 min, then 3.5 min on average)
	// the 400th attempt comes some 23 hours after the first. A mail that
	// failed this many times is left in the outbox, with its last error,
	// for an operator.
	maxDeliveryAttempts = 400

	// mailSweepInterval and mailSweepBatch bound how late and how many
	// forgotten mails one sweep re-queues.
	mailSweepInterval = time.Minute
	mailSweepBatch    = 1000

	// markTimeout bounds recording the outcome of a delivery, which is
	// done even when the job's own context has ended: a mail the server
	// took must be marked sent if at all possible.
	markTimeout = 10 * time.Second
)

// DeliverMailArgs is the job kind "deliver_mail": send one mail of the
// outbox.
//
// It loads the mail; does nothing if it is already sent (so running it
// twice is harmless); sends it; and records the outcome on the mail. A
// failed send is recorded (attempts, last_error) and returned, so that River
// retries with backoff. Delivery is at least once: if the process dies
// between the server's acceptance and MarkMailSent, the mail is sent again,
// with the same Message-ID. Jobs are unique by mail while pending, so the
// sweep and a write's own delivery job never stack deliveries of the same
// mail.
//
// A delivery that succeeds after the relay failed (this mail failed
// before, or another delivery failed for a reason other than its
// recipient) flushes the outbox: every delivery waiting for its retry is
// made available at once, so that mails queued during an outage go out
// when the relay answers again, not at their next retry.
type DeliverMailArgs struct {
	MailID int64 `json:"mail_id"`
}

// Kind names the job in River's table.
func (DeliverMailArgs) Kind() string { return "deliver_mail" }

// InsertOpts makes deliveries unique per mail while not finished.
func (DeliverMailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: maxDeliveryAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type deliverWorker struct {
	river.WorkerDefaults[DeliverMailArgs]
	store  MailStore
	sender notify.Sender
	logger *slog.Logger
	clock  clock.Clock // when a mail's link expires; clock.System{} when nil
	// flush makes the deliveries waiting for a retry available now.
	flush func(ctx context.Context) error
	// relayFailed is set when a delivery failed other than by a refused
	// recipient, and cleared by the success that flushes.
	relayFailed atomic.Bool
}

// Timeout bounds one delivery.
func (*deliverWorker) Timeout(*river.Job[DeliverMailArgs]) time.Duration { return deliverTimeout }

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverMailArgs]) error {
	m, err := w.store.Mail(ctx, job.Args.MailID)
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		return river.JobCancel(fmt.Errorf("mail %d is not in the outbox: %w", job.Args.MailID, err))
	} else if err != nil {
		return fmt.Errorf("load mail %d: %w", job.Args.MailID, err)
	}
	if m.SentAt != nil || m.DroppedAt != nil {
		return nil
	}
	if m.ExpiresAt != nil && !w.now().Before(*m.ExpiresAt) {
		// The relay was down longer than the link lives: a dead link
		// would only mislead. The person asks again (the page said so).
		w.logger.WarnContext(ctx, "mail not sent: its link expired before the relay took it", "mail_id", m.ID, "expired_at", *m.ExpiresAt)
		markCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
		defer cancel()
		if err := w.store.DropMail(markCtx, m.ID, "link expired before delivery"); err != nil {
			return fmt.Errorf("drop mail %d: %w", m.ID, err)
		}
		return nil
	}
	sendErr := w.sender.Send(ctx, m)
	if errors.Is(sendErr, notify.ErrKept) {
		return nil
	}
	markCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	if sendErr != nil {
		w.logger.WarnContext(ctx, "mail delivery failed", "mail_id", m.ID, "attempt", job.Attempt, "error", sendErr)
		if !notify.RecipientRefused(sendErr) {
			w.relayFailed.Store(true)
		}
		if err := w.store.MarkMailFailed(markCtx, m.ID, sendErr.Error()); err != nil {
			return errors.Join(sendErr, fmt.Errorf("record failure of mail %d: %w", m.ID, err))
		}
		return sendErr
	}
	if err := w.store.MarkMailSent(markCtx, m.ID); err != nil {
		return fmt.Errorf("mail %d was sent but could not be marked sent: %w", m.ID, err)
	}
	if w.relayFailed.Swap(false) || job.Attempt > 1 {
		// The mail is sent: a failed flush is only logged, the retries
		// deliver the others anyway.
		if err := w.flush(markCtx); err != nil {
			w.logger.WarnContext(ctx, "relay answers again but the outbox was not flushed", "error", err)
		}
	}
	return nil
}

// MailSweepArgs is the periodic job kind "mail_sweep", every minute and at
// start: queue a delivery for every unsent mail. It is the safety net of
// the outbox: a mail whose delivery job was lost, or that was written
// without one, is delivered by the next sweep. Mails that used up their attempts are left alone. It is not
// scheduled without SMTP.
type MailSweepArgs struct {
	// Start is when the process that queued this sweep started, for the
	// sweep run at start; zero for the periodic runs (see startSweeps).
	Start time.Time `json:"start,omitzero"`
}

// Kind names the job in River's table.
func (MailSweepArgs) Kind() string { return "mail_sweep" }

// InsertOpts keeps at most one sweep waiting.
func (MailSweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: sweepUnique}
}

type sweepWorker struct {
	river.WorkerDefaults[MailSweepArgs]
	store   MailStore
	enqueue func(ctx context.Context, mailIDs []int64) error
}

// Timeout bounds one sweep.
func (*sweepWorker) Timeout(*river.Job[MailSweepArgs]) time.Duration { return sweepTimeout }

func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[MailSweepArgs]) error {
	mails, err := w.store.UnsentMails(ctx, mailSweepBatch, maxDeliveryAttempts)
	if err != nil {
		return fmt.Errorf("list unsent mails: %w", err)
	}
	ids := make([]int64, len(mails))
	for i, m := range mails {
		ids[i] = m.ID
	}
	return w.enqueue(ctx, ids)
}

func (w *deliverWorker) now() time.Time {
	if w.clock == nil {
		return time.Now()
	}
	return w.clock.Now()
}
