package upload

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

// TestGateBoundsMemory runs twenty checks of 30 bytes each through a gate
// of 100 bytes and ten slots. Each check, once in, says so and blocks
// until the test lets one out. The test waits for three to be in (what
// fits), then lets one out for each that comes in. At most three are ever
// in at once: without the gate all twenty would be, blocked together.
func TestGateBoundsMemory(t *testing.T) {
	g := NewGate(100, 10)
	var inUse, most atomic.Int64
	entered := make(chan struct{})
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			err := g.Do(context.Background(), 30, func() error {
				n := inUse.Add(30)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				entered <- struct{}{}
				<-release
				inUse.Add(-30)
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	for range 3 {
		<-entered
	}
	if n := inUse.Load(); n != 90 {
		t.Errorf("%d bytes in after three came in; want 90", n)
	}
	for range 17 {
		release <- struct{}{}
		<-entered
	}
	for range 3 {
		release <- struct{}{}
	}
	wg.Wait()
	if m := most.Load(); m > 100 {
		t.Errorf("%d bytes of checks ran at once; the gate allows 100", m)
	}
}

// TestGateBoundsParallelChecks checks the other bound: cheap checks run at
// most as many at once as the gate has slots.
func TestGateBoundsParallelChecks(t *testing.T) {
	g := NewGate(1<<30, 2)
	var in, most atomic.Int64
	entered := make(chan struct{})
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			g.Do(context.Background(), 1, func() error {
				n := in.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				entered <- struct{}{}
				<-release
				in.Add(-1)
				return nil
			})
		})
	}
	for range 2 {
		<-entered
	}
	for range 4 {
		release <- struct{}{}
		<-entered
	}
	for range 2 {
		release <- struct{}{}
	}
	wg.Wait()
	if m := most.Load(); m != 2 {
		t.Errorf("%d checks ran at once; the gate has 2 slots", m)
	}
}

// TestGateGivesUpWithTheRequest checks that a check waiting for memory
// returns when its request ends, and that a cost above the gate's memory
// waits for all of it rather than forever.
func TestGateGivesUpWithTheRequest(t *testing.T) {
	g := NewGate(100, 1)
	hold := make(chan struct{})
	held := make(chan struct{})
	go g.Do(context.Background(), 100, func() error { close(held); <-hold; return nil })
	<-held
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := g.Do(ctx, 1, func() error { t.Error("ran without memory"); return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Do = %v; want %v", err, context.Canceled)
	}
	close(hold)
	if err := g.Do(context.Background(), 1000, func() error { return nil }); err != nil {
		t.Errorf("Do of more than the gate = %v; want nil", err)
	}
}
