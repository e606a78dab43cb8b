package simulate

import (
	"time"

	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sync"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
)

// errCrash is what an issuing step that crashed returns to the worker.
var errCrash = errors.New("simulate: the worker crashed while issuing")

// errOutage is what every issuing step returns during an outage.
var errOutage = errors.New("simulate: issuing is unavailable (outage)")

// issuer stands between the use cases and the real attestation store. It
// passes every call on, records each attestation issued and the day it
// was signed (from then on its holder can download it), and
// makes issuing steps crash with probability rate. It is safe for
// concurrent use: River's workers issue too.
type issuer struct {
	casework.AttestationStore
	clock clock.Clock
	days  calendar

	mu       sync.Mutex
	seed     uint64
	rate     float64
	noSweep  bool
	down     bool         // an outage: every issuing step fails
	broken   bool         // a broken build: issuing steps do nothing and report success
	control  *sharedClock // in the engine's process, where the simulation says down and broken
	attempts map[step]int // how many times each step was tried
	crashes  int
	byApp    map[int64][]*record
	byID     map[int64]*record
}

// step is one issuing step of one attestation: issuing it (its
// application, kind and first day) or signing it (its id).
type step struct {
	sign     bool
	app, id  int64
	kind     permit.AttestationKind
	firstDay int
}

// record is one attestation as the simulation saw it, in simulated days.
type record struct {
	id, app            int64
	kind               permit.AttestationKind
	from, until, avail int // ValidFrom, ValidUntil, AvailableFrom
	signed             int // the day its code was stored, notSigned until then
	superseded         int // the day a new version replaced it, never until then
	reissue            int // for a new version, the day it replaced the old one; -1 otherwise
}

const notSigned = -1 << 30

func newIssuer(next casework.AttestationStore, clk clock.Clock, days calendar, seed uint64, rate float64) *issuer {
	return &issuer{AttestationStore: next, clock: clk, days: days, seed: seed, rate: rate,
		attempts: map[step]int{}, byApp: map[int64][]*record{}, byID: map[int64]*record{}}
}

// crash draws whether this try of a step crashes, and where: 0 no crash,
// 1 before the write, 2 after it. The draw depends on the seed, the step
// and how many times it was tried, not on the order in which the sweep
// and River's workers happen to try steps, so a run can be repeated.
func (s *issuer) crash(st step) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rate <= 0 {
		return 0
	}
	s.attempts[st]++
	h := fnv.New64a()
	fmt.Fprintf(h, "%t/%d/%d/%s/%d/%d", st.sign, st.app, st.id, st.kind, st.firstDay, s.attempts[st])
	rng := rand.New(rand.NewPCG(s.seed, h.Sum64()))
	if rng.Float64() >= s.rate {
		return 0
	}
	s.crashes++
	return 1 + rng.IntN(2)
}

// IssueAttestation issues through the real store, unless the worker
// crashes before the write, or after the commit and before it hears of it.
func (s *issuer) IssueAttestation(ctx context.Context, a *permit.Attestation, m *permit.Mail) error {
	return s.IssueSigned(ctx, a, m, nil)
}

// IssueSigned issues and signs through the real store, in its one
// transaction, unless the worker crashes before the write, or after the
// commit and before it hears of it.
func (s *issuer) IssueSigned(ctx context.Context, a *permit.Attestation, m *permit.Mail, sign func(*permit.Attestation) (string, error)) error {
	if s.isDown() {
		return errOutage
	}
	if s.isBroken() {
		return nil
	}
	where := s.crash(step{app: a.ApplicationID, kind: a.Kind, firstDay: s.days.of(a.ValidFrom)})
	if where == 1 {
		return errCrash
	}
	if err := s.AttestationStore.IssueSigned(ctx, a, m, sign); err != nil {
		return err
	}
	s.issued(a)
	if where == 2 {
		return errCrash
	}
	return nil
}

// SetAttestationCode signs through the real store, unless the worker
// crashes between issuing and signing.
func (s *issuer) SetAttestationCode(ctx context.Context, id int64, code string) error {
	if s.isDown() {
		return errOutage
	}
	if s.isBroken() {
		return nil
	}
	if s.crash(step{sign: true, id: id}) != 0 {
		return errCrash
	}
	if err := s.AttestationStore.SetAttestationCode(ctx, id, code); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.byID[id]; r != nil && r.signed == notSigned {
		r.signed = s.days.today(s.clock)
	}
	return nil
}

func (s *issuer) issued(a *permit.Attestation) {
	r := &record{id: a.ID, app: a.ApplicationID, kind: a.Kind, from: s.days.of(a.ValidFrom), until: s.days.of(a.ValidUntil),
		avail: s.days.of(a.AvailableFrom), signed: notSigned, superseded: never, reissue: -1}
	if a.Code != "" { // signed in the transaction that issued it
		r.signed = s.days.today(s.clock)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byID[r.id] = r
	s.byApp[r.app] = append(s.byApp[r.app], r)
}

// IssueDue lists the applications the sweep visits: none when the sweep
// is disabled (Options.NoSweep), whoever runs it.
func (s *issuer) IssueDue(ctx context.Context, today, afterDay time.Time, afterID int64, limit int) ([]permit.IssueMark, error) {
	if s.noSweep {
		return nil, nil
	}
	return s.AttestationStore.IssueDue(ctx, today, afterDay, afterID, limit)
}

// reissued learns of a correction accepted on day d from the
// application's attestations as the database has them after it: those
// superseded stop proving on d, and their new versions (signed already
// if the engine signed them at once) prove from their signing.
func (s *issuer) reissued(atts []*permit.Attestation, d int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, at := range atts {
		r := s.byID[at.ID]
		switch {
		case r == nil:
			r = &record{id: at.ID, app: at.ApplicationID, kind: at.Kind, from: s.days.of(at.ValidFrom), until: s.days.of(at.ValidUntil),
				avail: s.days.of(at.AvailableFrom), signed: notSigned, superseded: never, reissue: d}
			if at.Code != "" {
				r.signed = d
			}
			s.byID[r.id] = r
			s.byApp[r.app] = append(s.byApp[r.app], r)
		case (at.SupersededAt != nil || at.RevokedAt != nil) && r.superseded == never:
			r.superseded = d
		}
	}
}

// hasReceipt reports whether an application had on day d a filing
// receipt signed by then and not superseded.
func (s *issuer) hasReceipt(app int64, d int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.byApp[app] {
		if r.kind == permit.AttestationFilingReceipt && r.signed != notSigned && r.signed <= d && d < r.superseded {
			return true
		}
	}
	return false
}

// covered reports whether the holder of an application could show, on
// day d, an extension or favourable-decision attestation valid that day.
func (s *issuer) covered(app int64, d int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.byApp[app] {
		if r.kind != permit.AttestationFilingReceipt && r.from <= d && d <= r.until && r.avail <= d && r.signed != notSigned && r.signed <= d && d < r.superseded {
			return true
		}
	}
	return false
}

// setDay says whether the issuing worker is down (an outage) and whether
// the build is broken (Options.BreakIssuingOn) from now on.
func (s *issuer) setDay(down, broken bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down, s.broken = down, broken
}

// day returns what setDay said, or, in the engine's process, what the
// control file says.
func (s *issuer) day() control {
	if s.control != nil {
		return s.control.read()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return control{Down: s.down, Broken: s.broken}
}

func (s *issuer) isDown() bool   { return s.day().Down }
func (s *issuer) isBroken() bool { return s.day().Broken }

// crashCount returns how many steps crashed.
func (s *issuer) crashCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.crashes
}

// lookup returns the record of an attestation, or nil.
func (s *issuer) lookup(id int64) *record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byID[id]
}

func (s *issuer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byID)
}

// observe learns on day d of an application's attestations as the
// database holds them. In a run with kills the engine issues and signs in
// a process of its own, and the simulation sees its work only there: an
// attestation first seen signed on d counts as signed on d (the engine's
// clock stood on d), one superseded from the day the database says.
func (s *issuer) observe(atts []*permit.Attestation, d int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, at := range atts {
		r := s.byID[at.ID]
		if r == nil {
			r = &record{id: at.ID, app: at.ApplicationID, kind: at.Kind, from: s.days.of(at.ValidFrom), until: s.days.of(at.ValidUntil),
				avail: s.days.of(at.AvailableFrom), signed: notSigned, superseded: never, reissue: -1}
			s.byID[r.id] = r
			s.byApp[r.app] = append(s.byApp[r.app], r)
		}
		if at.Code != "" && r.signed == notSigned {
			r.signed = d
		}
		if at.SupersededAt != nil && r.superseded == never {
			r.superseded = s.days.today(clock.NewFixed(*at.SupersededAt))
		}
		if at.RevokedAt != nil && r.superseded == never {
			r.superseded = s.days.today(clock.NewFixed(*at.RevokedAt))
		}
	}
}
