package app

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/health"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/rooms"
	"github.com/sejour/sejour/internal/store/storetest"
)

// TestHealthFailuresBecomeOutages wires a real health monitor to the
// outages as Serve does: the database probe fails, ten minutes pass (past
// the catalogue's delay), it recovers, and the outage is recorded with
// the failure's start and the recovery's time; the status page showed the
// failure meanwhile, from the monitor, before any outage was written.
func TestHealthFailuresBecomeOutages(t *testing.T) {
	clk := clock.NewFixed(storetest.Start)
	db := storetest.SQLite(t, clk)
	uc := casework.New(casework.Config{Rules: rules.MustLoad(), Clock: clk}, rooms.Of(db), nil)
	var failing atomic.Bool
	failing.Store(true)
	mon := health.New(health.Options{Clock: clk, Period: 10 * time.Millisecond, Probes: map[health.Check]health.Probe{
		health.Database: func(context.Context) error {
			if failing.Load() {
				return errors.New("connection refused")
			}
			return nil
		}}})
	uc.Outages.Live = liveChecks(mon)
	ctx, cancel := context.WithCancel(t.Context())
	mon.Start(ctx)
	wait := watchOutages(ctx, mon, uc.Outages)
	defer func() { cancel(); wait(); mon.Stop() }()

	t0 := clk.Now()
	// Bounds for what the monitor and the watcher do on their own
	// goroutines: generous, since a loaded machine under the race
	// detector is slow; a working build meets them in milliseconds.
	deadline := time.Now().Add(time.Minute)
	for mon.Status(health.Database).OK {
		if time.Now().After(deadline) {
			t.Fatal("the probe's failure was not seen")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if st := uc.Outages.Status(t.Context()); !st.Down() || len(st.Current) != 0 {
		t.Fatalf("while failing, before the delay: %+v", st)
	}
	clk.Advance(10 * time.Minute)
	t1 := clk.Now()
	failing.Store(false)
	deadline = time.Now().Add(time.Minute)
	for {
		list, err := store.Outages{DB: db}.OutagesSince(t.Context(), t0.Add(-time.Hour), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 1 && list[0].EndedAt != nil {
			if !list[0].StartedAt.Equal(t0) || !list[0].EndedAt.Equal(t1) || list[0].Check != "database" {
				t.Fatalf("recorded %+v, want %s to %s", list[0], t0, t1)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no closed outage recorded: %+v", list)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
