package upload

import (
	"context"

	"golang.org/x/sync/semaphore"
)

// DefaultGateMemory is the memory the checks of a process may take
// together by default: four images at the per-file bound, or about thirty
// phone photos of 12 megapixels.
const DefaultGateMemory = 4 * DefaultMaxDecodeBytes

// Gate bounds the checks of uploaded content that run at once in the
// process — documents, messages' attachments, corrections' evidence,
// reports' screenshots and the verifier's photos alike —: their number,
// so that they leave processors to the rest of the portal, and the memory
// they take together, each weighted by what it may take (Cost, or
// qr.Cost for a photo to read). A check waits for its turn; the waiting
// is fair (first come, first served), so a large file is not starved by
// small ones.
type Gate struct {
	memory   *semaphore.Weighted
	capacity int64
	slots    chan struct{}
}

// NewGate returns a gate letting at most parallel checks run at once,
// taking at most memory bytes together.
func NewGate(memory int64, parallel int) *Gate {
	return &Gate{memory: semaphore.NewWeighted(memory), capacity: memory, slots: make(chan struct{}, max(1, parallel))}
}

// Do runs f once cost bytes and a slot are free, and returns its error,
// or ctx's error if ctx ends first. A cost above the gate's memory waits
// for all of it.
func (g *Gate) Do(ctx context.Context, cost int64, f func() error) error {
	cost = min(max(cost, 0), g.capacity)
	if err := g.memory.Acquire(ctx, cost); err != nil {
		return err
	}
	defer g.memory.Release(cost)
	select {
	case g.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-g.slots }()
	return f()
}

// Check runs Check(data, lim) through the gate, weighted by Cost(data,
// lim). It returns ctx's error if ctx ends while it waits.
func (g *Gate) Check(ctx context.Context, data []byte, lim Limits) (Kind, error) {
	var kind Kind
	err := g.Do(ctx, Cost(data, lim), func() error {
		var err error
		kind, err = Check(data, lim)
		return err
	})
	return kind, err
}
