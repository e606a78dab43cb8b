package health

import (
	"bufio"
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
)

// switchable is a probe whose failure the test sets.
type switchable struct{ err atomic.Value }

func (s *switchable) fail(err error) { s.err.Store(&errBox{err}) }
func (s *switchable) heal()          { s.err.Store(&errBox{}) }

type errBox struct{ error }

func (s *switchable) probe(context.Context) error {
	b, _ := s.err.Load().(*errBox)
	if b == nil || b.error == nil {
		return nil
	}
	return b.error
}

func TestMonitorChanges(t *testing.T) {
	clk := clock.NewFixed(time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC))
	db, writes, blobs := &switchable{}, &switchable{}, &switchable{}
	m := New(Options{Clock: clk, Probes: map[Check]Probe{
		Database: db.probe, Writes: writes.probe, Blobs: blobs.probe,
	}})
	var mu sync.Mutex
	var changes []Status
	m.OnChange(func(s Status) {
		m.Statuses() // never called under the lock: this would deadlock
		mu.Lock()
		changes = append(changes, s)
		mu.Unlock()
	})
	if got := m.Statuses(); len(got) != 3 || got[0].Check != Database || got[1].Check != Writes || got[2].Check != Blobs {
		t.Fatalf("statuses: %+v", got)
	}
	if err := m.Ready(context.Background()); err != nil {
		t.Fatalf("ready: %v", err)
	}
	if len(changes) != 0 {
		t.Fatalf("no change expected, got %+v", changes)
	}

	clk.Advance(time.Minute)
	writes.fail(errors.New("disk I/O error"))
	err := m.Ready(context.Background())
	var ce *CheckError
	if !errors.As(err, &ce) || ce.Check != Writes {
		t.Fatalf("ready with writes failing: %v", err)
	}
	if len(changes) != 1 || changes[0].Check != Writes || changes[0].OK || changes[0].Err != "disk I/O error" || !changes[0].Since.Equal(clk.Now()) {
		t.Fatalf("changes: %+v", changes)
	}
	since := clk.Now()
	clk.Advance(time.Minute)
	_ = m.Ready(context.Background()) // still failing: no new change, Since kept
	if s := m.Status(Writes); len(changes) != 1 || !s.Since.Equal(since) || s.OK {
		t.Fatalf("second failure: %+v %+v", s, changes)
	}
	writes.heal()
	if err := m.Ready(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(changes) != 2 || !changes[1].OK || changes[1].Err != "" {
		t.Fatalf("recovery: %+v", changes)
	}
	if s := m.Status(Mail); !s.OK {
		t.Fatalf("an unprobed check is OK: %+v", s)
	}
}

// TestReadyBounded: a probe stuck on a frozen database (one that ignores
// its context) does not hold Ready past the timeout.
func TestReadyBounded(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	m := New(Options{Timeout: 200 * time.Millisecond, Probes: map[Check]Probe{
		Writes: func(context.Context) error { <-release; return nil },
		Blobs:  func(context.Context) error { return nil },
	}})
	start := time.Now()
	err := m.Ready(context.Background())
	if took := time.Since(start); took > time.Second {
		t.Fatalf("Ready took %s", took)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ready: %v", err)
	}
	if s := m.Status(Writes); s.OK {
		t.Fatalf("writes: %+v", s)
	}
	if s := m.Status(Blobs); !s.OK {
		t.Fatalf("blobs: %+v", s)
	}
}

func TestStartStop(t *testing.T) {
	var n atomic.Int32
	m := New(Options{Period: 10 * time.Millisecond, Probes: map[Check]Probe{
		Database: func(context.Context) error { n.Add(1); return nil },
	}})
	m.Start(context.Background())
	deadline := time.Now().Add(5 * time.Second)
	for n.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	m.Stop()
	got := n.Load()
	time.Sleep(50 * time.Millisecond)
	if got < 3 || n.Load() != got {
		t.Fatalf("probes: %d then %d", got, n.Load())
	}
}

func TestSMTPHello(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				c.Write([]byte("220 relay ESMTP\r\n"))
				r.ReadString('\n')
				c.Write([]byte("250-relay\r\n250 8BITMIME\r\n"))
				r.ReadString('\n')
			}()
		}
	}()
	if err := SMTPHello(ln.Addr().String())(context.Background()); err != nil {
		t.Fatalf("relay up: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := SMTPHello(addr)(ctx); err == nil {
		t.Fatal("relay down: no error")
	}
}
