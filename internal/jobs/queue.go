// Package jobs runs sejour's background work on River, a durable job queue
// kept in sejour's own database (SQLite or PostgreSQL). Each job kind is a
// typed argument struct and a worker; each is idempotent, so that River may
// retry it, and a process that died may be restarted, without harm. The
// kinds and what they do are documented beside their workers.
//
// River runs on the injected clock: with a simulated clock, scheduling,
// retries and periodic jobs follow simulated time, so tests can step over
// backoffs and deadlines instead of sleeping through them.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/notify"
	"github.com/sejour/sejour/internal/permit"
)

// Options are what New needs. Database, Store and Sender are required.
type Options struct {
	Database Database
	Store    MailStore
	Sender   notify.Sender
	Clock    clock.Clock  // clock.System{} when nil
	Logger   *slog.Logger // discards when nil

	// SweepAttestations, when set, is run daily and at start: it issues
	// the attestations pending applications are owed.
	SweepAttestations func(ctx context.Context) (int, error)
	// IssueAttestations, when set, works the issue_attestations jobs.
	IssueAttestations func(ctx context.Context, appID int64) (int, error)
	// AnswerReset, when set, works the answer_reset jobs, and
	// AnswerPendingResets, run at start, answers the reset requests
	// written while no queue was set.
	AnswerReset         func(ctx context.Context, requestID int64) error
	AnswerPendingResets func(ctx context.Context) (int, error)
	// SweepSilence, when set, is run every quarter of an hour and at
	// start: it closes the pre-hire declarations unanswered after their
	// due day (casework.Declarations.SweepSilence).
	SweepSilence func(ctx context.Context) (int, error)
	// RemindAppointments, when set, is run every hour and at start: it
	// writes the reminder mails of tomorrow's counter appointments, once
	// each (casework.Appointments.SendReminders); ErrMore when a batch
	// is left.
	RemindAppointments func(ctx context.Context) (int, error)
	// RemindLegalDates, when set, is run daily and at start: it writes
	// the reminders of legal dates due on the day, once each
	// (casework.Reminders.SendDue); ErrMore when a batch is left.
	RemindLegalDates func(ctx context.Context) (int, error)
	// SMS and SMSSender, when both set, work the deliver_sms jobs.
	SMS       SMSStore
	SMSSender notify.SMSSender
	// RefreshStatistics, when set, is run every hour and at start: it
	// computes the day's public statistics when the day has none
	// (casework.Statistics.Refresh).
	RefreshStatistics func(ctx context.Context) (bool, error)
	// NotifyFollowUpEvent, DeliverWebhook and SweepFollowUps, when all
	// set, work the follow-ups' jobs (follow_up_event, deliver_webhook,
	// and the daily follow_up_sweep, also run at start).
	NotifyFollowUpEvent func(ctx context.Context, eventID int64) error
	DeliverWebhook      func(ctx context.Context, eventID int64) error
	SweepFollowUps      func(ctx context.Context) (int, error)
	// RecordIncident, when set, keeps every failed attempt of a job as
	// an incident of the portal, for support.
	RecordIncident func(ctx context.Context, inc *permit.Incident) error
	// PollInterval, when set, is how often River looks for new jobs
	// (River's default, a second, when zero). On SQLite, where no
	// notification tells a worker that another process queued a job, it
	// bounds how long that job waits.
	PollInterval time.Duration
	// ID, when set, is River's name for this process in its tables (the
	// attempted_by of the jobs it works); River makes one when empty.
	ID string
}

// Queue is sejour's job queue: a River client with sejour's job kinds.
type Queue struct {
	client   riverClient
	inserter txInserter // inserts the jobs a store write owes, in its transaction
	release  func()
	keep     bool
	issuing  bool
	resets   bool // answer_reset jobs are worked
	follow   bool // the follow-ups' jobs are worked
	sms      bool // deliver_sms jobs are worked
	logger   *slog.Logger
	clock    clock.Clock
	// sweeps builds the sweeps queued at each start (see startSweeps).
	sweeps []func(start time.Time) river.JobArgs
}

// stopGrace bounds how long Stop waits for cancelled jobs once its own
// context has run out.
const stopGrace = 10 * time.Second

// New prepares a queue; call Start to work jobs. River's tables must exist
// (see Migrate). Without SMTP (a notify.Keep sender), mails are not
// delivered at all: they stay in the outbox, no job is queued for them and
// nothing retries.
func New(ctx context.Context, opts Options) (*Queue, error) {
	if opts.Store == nil || opts.Sender == nil {
		return nil, errors.New("jobs: Options.Store and Options.Sender are required")
	}
	if opts.Clock == nil {
		opts.Clock = clock.System{}
	}
	logger := orDiscard(opts.Logger)
	_, keep := opts.Sender.(notify.Keep)
	q := &Queue{keep: keep, logger: logger, clock: opts.Clock}

	workers := river.NewWorkers()
	river.AddWorker(workers, &deliverWorker{store: opts.Store, sender: opts.Sender, logger: logger, flush: q.flushMail, clock: opts.Clock})
	river.AddWorker(workers, &sweepWorker{store: opts.Store, enqueue: q.enqueueMails})
	cfg := &river.Config{
		Logger:               logger,
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}},
		Workers:              workers,
		JobTimeout:           jobTimeout,
		RescueStuckJobsAfter: rescueAfter,
		RetryPolicy:          retryPolicy{clock: opts.Clock},
	}
	cfg.ID = opts.ID
	if opts.PollInterval > 0 {
		cfg.FetchPollInterval = opts.PollInterval
		cfg.FetchCooldown = min(opts.PollInterval, river.FetchCooldownDefault)
	}
	if opts.RecordIncident != nil {
		cfg.ErrorHandler = &incidents{record: opts.RecordIncident, logger: logger}
	}
	if !keep {
		cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(
			river.PeriodicInterval(mailSweepInterval),
			func() (river.JobArgs, *river.InsertOpts) { return MailSweepArgs{}, nil }, nil,
		))
		q.sweeps = append(q.sweeps, func(start time.Time) river.JobArgs { return MailSweepArgs{Start: start} })
	}
	if opts.IssueAttestations != nil {
		river.AddWorker(workers, &issueWorker{issue: opts.IssueAttestations})
		q.issuing = true
	}
	if opts.AnswerReset != nil && opts.AnswerPendingResets != nil {
		river.AddWorker(workers, &answerResetWorker{answer: opts.AnswerReset})
		river.AddWorker(workers, &resetSweepWorker{sweep: opts.AnswerPendingResets, logger: logger})
		q.sweeps = append(q.sweeps, func(start time.Time) river.JobArgs { return ResetSweepArgs{Start: start} })
		q.resets = true
	}
	if opts.NotifyFollowUpEvent != nil && opts.DeliverWebhook != nil && opts.SweepFollowUps != nil {
		river.AddWorker(workers, &followUpEventWorker{notify: opts.NotifyFollowUpEvent})
		river.AddWorker(workers, &deliverWebhookWorker{deliver: opts.DeliverWebhook})
		river.AddWorker(workers, &followUpSweepWorker{sweep: opts.SweepFollowUps, logger: logger})
		cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(
			river.PeriodicInterval(followUpSweepInterval),
			func() (river.JobArgs, *river.InsertOpts) { return FollowUpSweepArgs{}, nil }, nil,
		))
		q.sweeps = append(q.sweeps, func(start time.Time) river.JobArgs { return FollowUpSweepArgs{Start: start} })
		q.follow = true
	}
	if opts.SweepAttestations != nil {
		river.AddWorker(workers, &attestationSweepWorker{sweep: opts.SweepAttestations, logger: logger})
		cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(
			river.PeriodicInterval(attestationSweepInterval),
			func() (river.JobArgs, *river.InsertOpts) { return AttestationSweepArgs{}, nil }, nil,
		))
		q.sweeps = append(q.sweeps, func(start time.Time) river.JobArgs { return AttestationSweepArgs{Start: start} })
	}
	if opts.SweepSilence != nil {
		river.AddWorker(workers, &silenceSweepWorker{sweep: opts.SweepSilence, logger: logger})
		cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(
			river.PeriodicInterval(silenceSweepInterval),
			func() (river.JobArgs, *river.InsertOpts) { return SilenceSweepArgs{}, nil }, nil,
		))
		q.sweeps = append(q.sweeps, func(start time.Time) river.JobArgs { return SilenceSweepArgs{Start: start} })
	}
	if opts.RemindAppointments != nil {
		river.AddWorker(workers, &reminderSweepWorker{sweep: opts.RemindAppointments, logger: logger})
		cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(
			river.PeriodicInterval(reminderSweepInterval),
			func() (river.JobArgs, *river.InsertOpts) { return ReminderSweepArgs{}, nil }, nil,
		))
		q.sweeps = append(q.sweeps, func(start time.Time) river.JobArgs { return ReminderSweepArgs{Start: start} })
	}
	if opts.RemindLegalDates != nil {
		river.AddWorker(workers, &legalReminderSweepWorker{sweep: opts.RemindLegalDates, logger: logger})
		cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(
			river.PeriodicInterval(legalReminderSweepInterval),
			func() (river.JobArgs, *river.InsertOpts) { return LegalReminderSweepArgs{}, nil }, nil,
		))
		q.sweeps = append(q.sweeps, func(start time.Time) river.JobArgs { return LegalReminderSweepArgs{Start: start} })
	}
	if opts.SMS != nil && opts.SMSSender != nil {
		river.AddWorker(workers, &deliverSMSWorker{store: opts.SMS, sender: opts.SMSSender})
		q.sms = true
	}
	if opts.RefreshStatistics != nil {
		river.AddWorker(workers, &statisticsWorker{refresh: opts.RefreshStatistics, logger: logger})
		cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(
			river.PeriodicInterval(statisticsInterval),
			func() (river.JobArgs, *river.InsertOpts) { return StatisticsArgs{}, nil }, nil,
		))
		q.sweeps = append(q.sweeps, func(start time.Time) river.JobArgs { return StatisticsArgs{Start: start} })
	}
	// River reads the system clock itself (keeping Go's monotonic reading,
	// and letting the database stamp rows with its own now()); any other
	// clock is simulated time and goes through River's time generator.
	if _, system := opts.Clock.(clock.System); !system {
		cfg.Test.Time = riverTime{opts.Clock}
	}
	client, inserter, release, err := opts.Database.newClient(ctx, cfg)
	if err != nil {
		return nil, err
	}
	q.client, q.inserter, q.release = client, inserter, release
	return q, nil
}

// Start works jobs until Stop. It returns once River has started, not
// when it stops. ctx must live as long as the queue: River treats its end
// as a hard stop, cancelling running jobs; for a graceful stop call Stop.
//
// It first queues the sweeps run at start (startSweeps).
func (q *Queue) Start(ctx context.Context) error {
	if err := q.startSweeps(ctx); err != nil {
		return err
	}
	if err := q.client.Start(ctx); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	return nil
}

// Stop lets running jobs finish, until ctx ends; then it cancels them and
// waits a little more. It closes what New opened: the queue cannot be
// started again, and the store's database may be closed after it. If jobs
// still run after all that, Stop returns an error and leaves River's
// PostgreSQL pool open rather than wait for them forever.
func (q *Queue) Stop(ctx context.Context) error {
	if err := q.client.Stop(ctx); err != nil {
		q.logger.WarnContext(ctx, "jobs did not finish in time; cancelling them", "error", err)
		cancelCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopGrace)
		defer cancel()
		if err := q.client.StopAndCancel(cancelCtx); err != nil {
			return fmt.Errorf("jobs: stop: %w", err)
		}
	}
	q.release()
	return nil
}

func (q *Queue) enqueueMails(ctx context.Context, ids []int64) error {
	if q.keep || len(ids) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		params[i] = river.InsertManyParams{Args: DeliverMailArgs{MailID: id}}
	}
	if _, err := q.client.InsertMany(ctx, params); err != nil {
		return fmt.Errorf("jobs: queue delivery of %d mail(s): %w", len(ids), err)
	}
	return nil
}

// startSweeps queues one run of each sweep, marked with this start's
// instant. River's own "run on start" would queue the periodic sweep,
// which a sweep left "running" by a killed process blocks until it is
// rescued (rescueAfter); a sweep of its own start never waits on a dead
// process's job. Sweeps are idempotent, so one running beside it is
// harmless.
func (q *Queue) startSweeps(ctx context.Context) error {
	start := q.clock.Now()
	params := make([]river.InsertManyParams, len(q.sweeps))
	for i, sweep := range q.sweeps {
		params[i] = river.InsertManyParams{Args: sweep(start)}
	}
	if len(params) == 0 {
		return nil
	}
	if _, err := q.client.InsertMany(ctx, params); err != nil {
		return fmt.Errorf("jobs: queue the sweeps run at start: %w", err)
	}
	return nil
}

// flushBatch bounds how many waiting deliveries one flush makes available.
const flushBatch = 1000

// flushMail makes every delivery waiting for its retry available now:
// the relay answers again, so the mails queued during an outage go out at
// once rather than at their next retry (up to retryCeil later).
func (q *Queue) flushMail(ctx context.Context) error {
	res, err := q.client.JobList(ctx, river.NewJobListParams().
		Kinds(DeliverMailArgs{}.Kind()).States(rivertype.JobStateRetryable).First(flushBatch))
	if err != nil {
		return fmt.Errorf("jobs: list deliveries waiting for a retry: %w", err)
	}
	var errs []error
	for _, job := range res.Jobs {
		if _, err := q.client.JobRetry(ctx, job.ID); err != nil {
			errs = append(errs, fmt.Errorf("retry delivery job %d: %w", job.ID, err))
		}
	}
	if len(res.Jobs) > 0 {
		q.logger.InfoContext(ctx, "relay answers again: deliveries waiting for a retry flushed", "count", len(res.Jobs))
	}
	return errors.Join(errs...)
}

// riverTime makes a sejour clock River's time generator. Every reading is
// reported as stubbed, so that River writes the simulated time into the
// database instead of the database's own now().
type riverTime struct{ clock clock.Clock }

func (t riverTime) Now() time.Time { return t.clock.Now() }

func (t riverTime) NowOrNil() *time.Time {
	now := t.clock.Now()
	return &now
}

// Jobs lists up to limit jobs in the given states, in the order they were
// queued: what an operator's tool or the simulation (which kills the
// process working them) reads of the queue.
func (q *Queue) Jobs(ctx context.Context, limit int, states ...rivertype.JobState) ([]*rivertype.JobRow, error) {
	res, err := q.client.JobList(ctx, river.NewJobListParams().States(states...).First(limit))
	if err != nil {
		return nil, fmt.Errorf("jobs: list jobs: %w", err)
	}
	return res.Jobs, nil
}

// Job returns one job.
func (q *Queue) Job(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	job, err := q.client.JobGet(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("jobs: job %d: %w", id, err)
	}
	return job, nil
}

// RetryNow makes a job that waits for its retry available at once, as if
// its back-off had passed.
func (q *Queue) RetryNow(ctx context.Context, id int64) error {
	if _, err := q.client.JobRetry(ctx, id); err != nil {
		return fmt.Errorf("jobs: retry job %d now: %w", id, err)
	}
	return nil
}

// SweepAttestationsNow queues a run of the attestation sweep marked with
// at (two runs with the same mark are one), and returns its job's id.
func (q *Queue) SweepAttestationsNow(ctx context.Context, at time.Time) (int64, error) {
	res, err := q.client.InsertMany(ctx, []river.InsertManyParams{{Args: AttestationSweepArgs{Start: at}}})
	if err != nil {
		return 0, fmt.Errorf("jobs: queue an attestation sweep: %w", err)
	}
	return res[0].Job.ID, nil
}
