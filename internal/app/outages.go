package app

import (
	"context"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/health"
)

// outageRound is how often the health checks' state is recorded as
// outages, besides each change: a failure becomes an outage once it has
// lasted the catalogue's outages.detect_after_minutes, and a write that
// failed (the database being the one down) is tried again.
const outageRound = time.Minute

// outageWrite bounds each recording, so that a frozen database cannot hold
// the watcher.
const outageWrite = 5 * time.Second

// liveChecks gives the status page the health monitor's checks now.
func liveChecks(mon *health.Monitor) func() []casework.LiveCheck {
	return func() []casework.LiveCheck {
		var out []casework.LiveCheck
		for _, s := range mon.Statuses() {
			out = append(out, casework.LiveCheck{Check: string(s.Check), OK: s.OK, Since: s.Since, Err: s.Err})
		}
		return out
	}
}

// watchOutages records the health monitor's failures as outages until
// ctx ends: at each change of a check and every outageRound. It runs on
// its own goroutine; the monitor's only waits for a channel send. Every
// recording is idempotent (casework.Outages.Observe), so a process killed
// at any line loses at most what the next start observes again. It
// returns when the watcher has stopped.
func watchOutages(ctx context.Context, mon *health.Monitor, outages *casework.Outages) (wait func()) {
	// Each change is handed over as it was, so that a failure that is
	// already over when the watcher runs is still observed, with its
	// start; a full queue falls back on reading every check.
	changes := make(chan health.Status, 64)
	kick := make(chan struct{}, 1)
	mon.OnChange(func(s health.Status) {
		select {
		case changes <- s:
		default:
			select {
			case kick <- struct{}{}:
			default: // a round is already due
			}
		}
	})
	observe := func(s health.Status) {
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), outageWrite)
		_ = outages.Observe(wctx, string(s.Check), s.OK, s.Since) // kept in memory and tried again next round
		cancel()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(outageRound)
		defer t.Stop()
		for {
			for _, s := range mon.Statuses() {
				observe(s)
			}
			// Changes one by one, until a round is due.
			round := false
			for !round {
				select {
				case <-ctx.Done():
					return
				case s := <-changes:
					observe(s)
				case <-kick:
					round = true
				case <-t.C:
					round = true
				}
			}
		}
	}()
	return func() { <-done }
}
