package web

import (
	"context"
	"sync"

	"github.com/sejour/sejour/internal/health"
	"github.com/sejour/sejour/internal/permit"
)

// maxPendingIncidents bounds the incidents kept in memory while the
// database cannot take them: at one per failed request, an hour of a
// busy outage; beyond it the oldest are dropped, and counted in the log.
const maxPendingIncidents = 5000

// pendingIncidents are the incidents recordIncident could not write,
// kept until the database answers again. They live in the process: a
// crash during the outage loses them, but never their log lines, which
// carry the same reference.
type pendingIncidents struct {
	mu       sync.Mutex
	list     []*permit.Incident
	dropped  int
	flushing sync.Mutex // one flush at a time
}

// keep adds an incident that could not be written.
func (p *pendingIncidents) keep(inc *permit.Incident) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.list) >= maxPendingIncidents {
		p.list = p.list[1:]
		p.dropped++
	}
	p.list = append(p.list, inc)
}

// take removes and returns the incidents kept so far, and how many were
// dropped since the last take.
func (p *pendingIncidents) take() ([]*permit.Incident, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	list, dropped := p.list, p.dropped
	p.list, p.dropped = nil, 0
	return list, dropped
}

// putBack returns to the front the incidents a flush could not write.
func (p *pendingIncidents) putBack(list []*permit.Incident) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.list = append(list, p.list...)
	if over := len(p.list) - maxPendingIncidents; over > 0 {
		p.list = p.list[over:]
		p.dropped += over
	}
}

// Pending tells how many incidents wait for the database to record them.
func (s *Server) PendingIncidents() int {
	s.incidents.mu.Lock()
	defer s.incidents.mu.Unlock()
	return len(s.incidents.list)
}

// writesDown tells whether the monitor knows the database cannot take a
// write now, so that an error page does not wait for it in vain.
func (s *Server) writesDown() bool {
	if s.Health == nil {
		return false
	}
	return !s.Health.Status(health.Writes).OK || !s.Health.Status(health.Database).OK
}

// whenBack writes the kept incidents once the monitor sees a dependency
// come back while the database takes writes: the database itself, or the
// disk, whose outage may have failed the incidents' writes without the
// database's probe ever failing (SQLite reusing its log's space). It runs
// on a goroutine of its own: the monitor's listeners must return at once.
func (s *Server) whenBack(st health.Status) {
	if !st.OK || s.writesDown() || s.PendingIncidents() == 0 {
		return
	}
	go s.FlushIncidents(context.Background())
}

// FlushIncidents writes the incidents kept during an outage, in the order
// they happened, stopping at the first failure (the rest wait for the
// next recovery). It returns how many it wrote.
func (s *Server) FlushIncidents(ctx context.Context) int {
	if !s.incidents.flushing.TryLock() {
		return 0
	}
	defer s.incidents.flushing.Unlock()
	list, dropped := s.incidents.take()
	if dropped > 0 {
		s.Logger.Warn("incidents dropped during the outage: only their log lines remain", "dropped", dropped)
	}
	for i, inc := range list {
		wctx, cancel := context.WithTimeout(ctx, incidentTimeout)
		err := s.opts.Reports.RecordIncident(wctx, inc)
		cancel()
		if err != nil {
			s.incidents.putBack(list[i:])
			s.Logger.Warn("incidents still waiting for the database", "written", i, "waiting", len(list)-i, "err", err)
			return i
		}
	}
	if len(list) > 0 {
		s.Logger.Info("incidents of the outage recorded", "count", len(list))
	}
	return len(list)
}
