package jobs

import (
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/sejour/sejour/internal/clock"
)

// How long a job may run, and when River takes back a job that a dead
// process left "running" (issue 11, defect 4).
//
// Every kind has its own timeout, all shorter than rescueAfter: River
// cancels a job's context at its timeout, so a job still "running" after
// rescueAfter belongs to a process that died (kill -9, power cut). River's
// rescuer, which looks every 30 seconds, then makes it retryable, and the
// retry policy below runs it again within seconds. A killed job is thus
// picked up within rescueAfter plus half a minute of its start, whatever
// the restarts in between.
const (
	rescueAfter = 5 * time.Minute

	// jobTimeout is River's default for a kind without its own.
	jobTimeout = time.Minute
	// deliverTimeout covers one SMTP conversation (notify's 30 s bound)
	// and recording its outcome (markTimeout).
	deliverTimeout = time.Minute
	// sweepTimeout bounds a mail sweep, one query and one insert.
	sweepTimeout = time.Minute
	// issueTimeout bounds issuing one application's attestations.
	issueTimeout = time.Minute
	// attestationSweepTimeout bounds the daily sweep of every pending
	// application (a few seconds for 10,000 persons, docs/performance.md);
	// a sweep cut short is idempotent and its retry finishes the work.
	attestationSweepTimeout = 3 * time.Minute
)

// The retry schedule of every kind: 10 s, 30 s, 1 min, then every 2 to
// 5 min, each with jitter so that mails failed together do not all retry
// in the same second. River's default (attempt⁴ seconds) waits 40 min
// after the 7th failure: a mail would arrive long after its link expired,
// and a sweep killed at each restart would fall further behind.
var retrySteps = []time.Duration{10 * time.Second, 30 * time.Second, time.Minute}

const (
	retryFloor = 2 * time.Minute // after the steps, between retryFloor
	retryCeil  = 5 * time.Minute // and retryCeil
)

// retryPolicy is River's ClientRetryPolicy on sejour's clock, so that
// retries follow simulated time in tests.
type retryPolicy struct{ clock clock.Clock }

// NextRetry schedules the attempt after job.Attempt failed attempts.
func (p retryPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	return p.clock.Now().Add(retryDelay(job.Attempt))
}

// retryDelay is the wait after the attempt-th failed attempt: a step plus
// up to a fifth of it, then a uniform draw between retryFloor and
// retryCeil. It never exceeds retryCeil.
func retryDelay(attempt int) time.Duration {
	if attempt >= 1 && attempt <= len(retrySteps) {
		step := retrySteps[attempt-1]
		return step + rand.N(step/5)
	}
	if attempt < 1 {
		return retrySteps[0]
	}
	return retryFloor + rand.N(retryCeil-retryFloor)
}
