package simulate

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sync"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/permit"
)

// errFault is what a write that failed around its commit returns.
var errFault = errors.New("simulate: the request failed around its commit")

// fault is where a request fails: not at all, before its write, after the
// commit (the caller gets an error), or by hanging up (the request's
// context ends as soon as the write commits, and the use case goes on
// with a dead context, as when a browser leaves).
type fault int

const (
	noFault fault = iota
	faultBefore
	faultAfter
	faultHangUp
)

// faults draws, for filings and the prefecture's decisions, whether the
// write fails, and cancels the request of a hang-up. The draw depends on
// the seed, the application, the kind of write and the try, so that a run
// can be repeated.
type faults struct {
	seed uint64
	rate float64

	mu     sync.Mutex
	tries  map[string]int
	count  int
	cancel context.CancelFunc // of the request under way
}

func (f *faults) draw(what string, app int64) fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rate <= 0 {
		return noFault
	}
	key := fmt.Sprintf("%s/%d", what, app)
	f.tries[key]++
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%d", key, f.tries[key])
	rng := rand.New(rand.NewPCG(f.seed, h.Sum64()))
	if rng.Float64() >= f.rate {
		return noFault
	}
	f.count++
	return fault(1 + rng.IntN(3))
}

// request returns the context of one request, which a hang-up cancels.
func (f *faults) request(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	f.mu.Lock()
	f.cancel = cancel
	f.mu.Unlock()
	return ctx, cancel
}

// around runs one write with the fault drawn for it.
func (f *faults) around(what string, app int64, write func() error) error {
	switch f.draw(what, app) {
	case faultBefore:
		return errFault
	case faultAfter:
		if err := write(); err != nil {
			return err
		}
		return errFault
	case faultHangUp:
		err := write()
		f.mu.Lock()
		f.cancel()
		f.mu.Unlock()
		return err
	}
	return write()
}

// faultyFilings fails filings around their commit.
type faultyFilings struct {
	casework.ApplicationStore
	f *faults
}

func (s faultyFilings) File(ctx context.Context, a *permit.Application, ev *permit.Event, fl *permit.Filing, mail func(*permit.Filing) *permit.Mail) error {
	return s.f.around("file", a.ID, func() error { return s.ApplicationStore.File(ctx, a, ev, fl, mail) })
}

// faultyDecisions fails the prefecture's decisions around their commit.
type faultyDecisions struct {
	casework.DecisionStore
	f *faults
}

func (s faultyDecisions) Decide(ctx context.Context, a *permit.Application, ev *permit.Event, d *permit.Decision, m *permit.Mail) error {
	return s.f.around("decide", a.ID, func() error { return s.DecisionStore.Decide(ctx, a, ev, d, m) })
}

func (s faultyDecisions) ProduceCard(ctx context.Context, a *permit.Application, ev *permit.Event, ap *permit.Appointment, m *permit.Mail) error {
	return s.f.around("card", a.ID, func() error { return s.DecisionStore.ProduceCard(ctx, a, ev, ap, m) })
}

func (s faultyDecisions) HandOver(ctx context.Context, a *permit.Application, ev *permit.Event, card *permit.Permit) error {
	return s.f.around("hand", a.ID, func() error { return s.DecisionStore.HandOver(ctx, a, ev, card) })
}

// failed reports whether err is what a faulty request leaves its caller
// with: the injected error, or its own context ended by a hang-up.
func failed(err error) bool {
	return errors.Is(err, errFault) || errors.Is(err, context.Canceled)
}
