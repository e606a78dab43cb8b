package jobs

import (
	"testing"
	"time"

	"github.com/riverqueue/river"
)

// The wait between two attempts is bounded by retryCeil however many
// attempts failed, starts short, and a mail keeps trying for about a day.
func TestRetryDelayIsBounded(t *testing.T) {
	var total time.Duration
	for attempt := 1; attempt < maxDeliveryAttempts; attempt++ {
		d := retryDelay(attempt)
		lo, hi := retryFloor, retryCeil
		if attempt <= len(retrySteps) {
			step := retrySteps[attempt-1]
			lo, hi = step, step+step/5
		}
		if d < lo || d > hi {
			t.Fatalf("attempt %d: retry in %s, want between %s and %s", attempt, d, lo, hi)
		}
		total += d
	}
	if d := retryDelay(0); d != retrySteps[0] {
		t.Errorf("attempt 0: retry in %s, want %s", d, retrySteps[0])
	}
	if total < 20*time.Hour || total > 30*time.Hour {
		t.Errorf("a mail tries for %s, want about a day", total)
	}
}

// Retries are jittered: mails failed together do not retry together.
func TestRetryDelayIsJittered(t *testing.T) {
	for _, attempt := range []int{1, 2, 3, 10} {
		seen := map[time.Duration]bool{}
		for range 20 {
			seen[retryDelay(attempt)] = true
		}
		if len(seen) < 10 {
			t.Errorf("attempt %d: %d distinct delays in 20 draws", attempt, len(seen))
		}
	}
}

// Every kind gives up before River's rescuer would take its job back, so
// that only a dead process's job is ever rescued.
func TestEveryKindTimesOutBeforeRescue(t *testing.T) {
	for kind, timeout := range map[string]time.Duration{
		"default":                      jobTimeout,
		DeliverMailArgs{}.Kind():       (&deliverWorker{}).Timeout(&river.Job[DeliverMailArgs]{}),
		MailSweepArgs{}.Kind():         (&sweepWorker{}).Timeout(&river.Job[MailSweepArgs]{}),
		AttestationSweepArgs{}.Kind():  (&attestationSweepWorker{}).Timeout(&river.Job[AttestationSweepArgs]{}),
		IssueAttestationsArgs{}.Kind(): (&issueWorker{}).Timeout(&river.Job[IssueAttestationsArgs]{}),
		StatisticsArgs{}.Kind():        (&statisticsWorker{}).Timeout(&river.Job[StatisticsArgs]{}),
	} {
		if timeout <= 0 || timeout >= rescueAfter {
			t.Errorf("%s: timeout %s, want above zero and under the rescue delay %s", kind, timeout, rescueAfter)
		}
	}
	if rescueAfter > 10*time.Minute {
		t.Errorf("rescue delay %s: a killed job would wait too long", rescueAfter)
	}
}
