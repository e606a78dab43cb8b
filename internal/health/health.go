// Package health watches what sejour depends on — the database (reading
// and writing), the blob store and the mail relay — by probing each on a
// period, with a short timeout, and remembers since when each has been in
// its present state. The web server asks it whether it is ready (/readyz),
// the status page and the read-only mode follow its changes, and the
// incidents that could not be recorded during an outage are written when
// it says the database answers again.
package health

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/sejour/sejour/internal/clock"
)

// Check names one dependency the Monitor probes.
type Check string

// The checks, in the order Statuses lists them.
const (
	Database Check = "database" // the database answers a read
	Writes   Check = "writes"   // the database commits a write
	Blobs    Check = "blobs"    // the blob store takes a durable write
	Mail     Check = "mail"     // the mail relay greets us
)

// order is the order of Statuses, and of the probes run together.
var order = []Check{Database, Writes, Blobs, Mail}

// Status is the state of one check. Since is when it last changed (or when
// the Monitor started, before its first change); Err is the last failure's
// message, empty when OK.
type Status struct {
	Check Check
	OK    bool
	Since time.Time
	Err   string
}

// Probe checks one dependency; it must return once ctx is done.
type Probe func(ctx context.Context) error

// Options configure a Monitor. A nil probe leaves its check out (an
// installation without a mail relay has no "mail" check).
type Options struct {
	Probes  map[Check]Probe
	Period  time.Duration // between two rounds of probes; 0 means DefaultPeriod
	Timeout time.Duration // of each probe; 0 means DefaultTimeout
	Clock   clock.Clock
	Logger  *slog.Logger
}

// Defaults: a round every 5 seconds, each probe given 3 seconds, so that
// /readyz answers within about that even with a frozen database.
const (
	DefaultPeriod  = 5 * time.Second
	DefaultTimeout = 3 * time.Second
)

// Monitor probes the dependencies and keeps their statuses. It is safe
// for concurrent use.
type Monitor struct {
	opts Options

	mu        sync.Mutex
	statuses  map[Check]Status
	listeners []func(Status)

	stop    context.CancelFunc
	stopped chan struct{}
}

// New returns a Monitor that assumes every check OK until a probe says
// otherwise. Start runs it on its period.
func New(opts Options) *Monitor {
	if opts.Period <= 0 {
		opts.Period = DefaultPeriod
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Clock == nil {
		opts.Clock = clock.System{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	m := &Monitor{opts: opts, statuses: map[Check]Status{}}
	now := opts.Clock.Now()
	for c, p := range opts.Probes {
		if p != nil {
			m.statuses[c] = Status{Check: c, OK: true, Since: now}
		}
	}
	return m
}

// Statuses returns the state of every check, in a fixed order.
func (m *Monitor) Statuses() []Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Status, 0, len(m.statuses))
	for _, c := range order {
		if s, ok := m.statuses[c]; ok {
			out = append(out, s)
		}
	}
	return out
}

// Status returns the state of one check; a check the Monitor does not
// probe is reported OK.
func (m *Monitor) Status(c Check) Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.statuses[c]; ok {
		return s
	}
	return Status{Check: c, OK: true}
}

// OnChange registers fn, called with the new status after each change of
// a check, never under the Monitor's lock, from the goroutine that probed.
func (m *Monitor) OnChange(fn func(Status)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.listeners = append(m.listeners, fn)
}

// Ready runs the database read, database write and blob probes now, each
// bounded by the Monitor's timeout, records their results and returns
// their failures joined (nil when all work). It returns within about one
// timeout, the probes running together.
func (m *Monitor) Ready(ctx context.Context) error {
	return m.probe(ctx, Database, Writes, Blobs)
}

// Probe runs every probe now, as one round of Start does.
func (m *Monitor) Probe(ctx context.Context) error {
	return m.probe(ctx, order...)
}

func (m *Monitor) probe(ctx context.Context, checks ...Check) error {
	type result struct {
		check Check
		err   error
	}
	results := make(chan result, len(checks))
	n := 0
	for _, c := range checks {
		p := m.opts.Probes[c]
		if p == nil {
			continue
		}
		n++
		go func() {
			pctx, cancel := context.WithTimeout(ctx, m.opts.Timeout)
			defer cancel()
			results <- result{c, run(pctx, p)}
		}()
	}
	var errs []error
	got := map[Check]error{}
	for range n {
		r := <-results
		got[r.check] = r.err
	}
	for _, c := range checks { // a stable order for the changes and the error
		err, ok := got[c]
		if !ok {
			continue
		}
		m.set(c, err)
		if err != nil {
			errs = append(errs, &CheckError{Check: c, Err: err})
		}
	}
	return errors.Join(errs...)
}

// run calls p and gives up when ctx is done even if p does not: a driver
// stuck on a frozen connection must not hold the caller past its timeout.
func run(ctx context.Context, p Probe) error {
	done := make(chan error, 1)
	go func() { done <- p(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// CheckError is the failure of one check.
type CheckError struct {
	Check Check
	Err   error
}

func (e *CheckError) Error() string { return string(e.Check) + ": " + e.Err.Error() }
func (e *CheckError) Unwrap() error { return e.Err }

// set records a probe's result and tells the listeners when it changed
// the check's state.
func (m *Monitor) set(c Check, err error) {
	ok := err == nil
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	m.mu.Lock()
	old, known := m.statuses[c]
	if known && old.OK == ok {
		if !ok && old.Err != msg {
			old.Err = msg
			m.statuses[c] = old
		}
		m.mu.Unlock()
		return
	}
	s := Status{Check: c, OK: ok, Since: m.opts.Clock.Now(), Err: msg}
	m.statuses[c] = s
	listeners := append([]func(Status){}, m.listeners...)
	m.mu.Unlock()
	if ok {
		m.opts.Logger.Info("dependency back", "check", string(c))
	} else {
		m.opts.Logger.Error("dependency failing", "check", string(c), "err", msg)
	}
	for _, fn := range listeners {
		fn(s)
	}
}

// Start probes every check at once and then on the period, until Stop.
func (m *Monitor) Start(ctx context.Context) {
	ctx, m.stop = context.WithCancel(context.WithoutCancel(ctx))
	m.stopped = make(chan struct{})
	go func() {
		defer close(m.stopped)
		t := time.NewTicker(m.opts.Period)
		defer t.Stop()
		for {
			_ = m.Probe(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// Stop ends the probing started by Start and waits for the round under
// way, which its timeout bounds.
func (m *Monitor) Stop() {
	if m.stop == nil {
		return
	}
	m.stop()
	<-m.stopped
}
