package casework

import (
	"context"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// StatisticsStore is the public statistics' room (store.Statistics).
type StatisticsStore interface {
	// StatisticsCases calls fn with each application filed on or after
	// since, and each still awaiting a decision, in one read transaction.
	StatisticsCases(ctx context.Context, since time.Time, fn func(*permit.StatCase) error) error
	// SaveStatistics writes a day's snapshot unless that day has one
	// (false then), or in its place when replace is set: one statement,
	// so a computation that dies before it leaves the previous one served.
	SaveStatistics(ctx context.Context, s *permit.Statistics, replace bool) (bool, error)
	// HasStatistics reports whether day (YYYY-MM-DD) has its snapshot.
	HasStatistics(ctx context.Context, day string) (bool, error)
	// LatestStatistics returns the newest snapshot, or ENOTFOUND.
	LatestStatistics(ctx context.Context) (*permit.Statistics, error)
}

// Statistics are the public figures on processing times (issue 16,
// part 4): computed once a day from the applications of the last 12
// months into a snapshot, which the pages, the CSV and the JSON read.
// What each figure counts, and the suppression rule, are in
// docs/statistics.md.
type Statistics struct {
	*core
	Store StatisticsStore

	mu     sync.Mutex
	cached *permit.Statistics
	readAt time.Time
}

// statisticsCache is how long a snapshot read is served from memory.
const statisticsCache = 5 * time.Minute

// Refresh computes and saves today's snapshot (the Paris civil day)
// when it is missing, and says whether it wrote one. Two instances may
// compute at once: the first INSERT wins and the other writes nothing.
func (s *Statistics) Refresh(ctx context.Context) (bool, error) {
	day := permit.ParisDay(s.Clock.Now()).Format(time.DateOnly)
	if ok, err := s.Store.HasStatistics(ctx, day); err != nil || ok {
		return false, err
	}
	return s.save(ctx, false)
}

// Recompute computes today's snapshot again and puts it in place of the
// day's: for data loaded after the day's computation (the
// demonstration), never for the daily job.
func (s *Statistics) Recompute(ctx context.Context) error {
	_, err := s.save(ctx, true)
	return err
}

func (s *Statistics) save(ctx context.Context, replace bool) (bool, error) {
	st, err := s.Compute(ctx)
	if err != nil {
		return false, err
	}
	wrote, err := s.Store.SaveStatistics(ctx, st, replace)
	if err == nil {
		s.mu.Lock()
		s.cached = nil
		s.mu.Unlock()
	}
	return wrote, err
}

// Compute works out today's figures from the database, without saving
// them.
func (s *Statistics) Compute(ctx context.Context) (*permit.Statistics, error) {
	now := s.Clock.Now()
	prefs, err := s.People.Prefectures(ctx)
	if err != nil {
		return nil, err
	}
	acc := newStatTally(s.Rules, now)
	since := time.Date(acc.from.Year(), acc.from.Month(), acc.from.Day(), 0, 0, 0, 0, permit.Paris)
	if err := s.Store.StatisticsCases(ctx, since, func(c *permit.StatCase) error {
		acc.add(c)
		return nil
	}); err != nil {
		return nil, err
	}
	return acc.snapshot(prefs, s.Rules.Grounds()), nil
}

// Latest returns the newest snapshot (ENOTFOUND before the first),
// read from the database at most every few minutes.
func (s *Statistics) Latest(ctx context.Context) (*permit.Statistics, error) {
	now := s.Clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cached != nil && now.Sub(s.readAt) < statisticsCache && now.Sub(s.readAt) >= 0 {
		return s.cached, nil
	}
	st, err := s.Store.LatestStatistics(ctx)
	if err != nil {
		return nil, err
	}
	s.cached, s.readAt = st, now
	return st, nil
}

// statKey names a cell: a prefecture's code ("" national) and a ground
// ("" all grounds).
type statKey struct {
	pref   string
	ground permit.GroundID
}

// tally is what a cell's figures are computed from.
type tally struct {
	cases     int   // applications the cell rests on
	filed     int   // filed in the window
	days      []int // filing to decision, decided ones filed in the window
	due, kept int   // due a decision; decided before the implicit rejection
	owed, met int   // in-time renewals owed a proof; never a day without
	backlog   [4]int
}

// statTally accumulates the cases into every cell they count in.
type statTally struct {
	cat      *rules.Catalogue
	today    time.Time // the Paris day computed
	from     time.Time // first day of the window: today, 12 months before
	computed time.Time
	cells    map[statKey]*tally
}

func newStatTally(cat *rules.Catalogue, now time.Time) *statTally {
	today := permit.ParisDay(now)
	return &statTally{cat: cat, today: today, from: today.AddDate(0, -12, 0), computed: now, cells: map[statKey]*tally{}}
}

// add counts one application in its four cells.
func (a *statTally) add(c *permit.StatCase) {
	filedDay := permit.ParisDay(c.FiledAt)
	inWindow := !filedDay.Before(a.from) && filedDay.Before(a.today)
	waiting := c.State.AwaitsDecision() && filedDay.Before(a.today)
	if !inWindow && !waiting {
		return
	}
	var f tally
	f.cases = 1
	if inWindow {
		f.filed = 1
		rejection := a.cat.Delays().ImplicitRejection(c.FiledAt)
		if c.DecidedAt != nil {
			decided := permit.ParisDay(*c.DecidedAt)
			f.days = []int{daysBetween(filedDay, decided)}
			f.due = 1
			if decided.Before(rejection) {
				f.kept = 1
			}
		} else if c.State.AwaitsDecision() && !rejection.After(a.today) {
			f.due = 1
		}
		if owed, met := a.renewal(c); owed {
			f.owed = 1
			if met {
				f.met = 1
			}
		}
	}
	if waiting {
		f.backlog[backlogBucket(filedDay, a.today)] = 1
	}
	for _, k := range []statKey{{c.Prefecture, c.Ground}, {c.Prefecture, ""}, {"", c.Ground}, {"", ""}} {
		t := a.cells[k]
		if t == nil {
			t = &tally{}
			a.cells[k] = t
		}
		t.cases += f.cases
		t.filed += f.filed
		t.days = append(t.days, f.days...)
		t.due += f.due
		t.kept += f.kept
		t.owed += f.owed
		t.met += f.met
		for i := range t.backlog {
			t.backlog[i] += f.backlog[i]
		}
	}
}

// backlogBucket is the age bucket of an application filed on filed:
// under 1 month, 1 to 3, 3 to 6, over 6 months.
func backlogBucket(filed, today time.Time) int {
	switch {
	case filed.After(today.AddDate(0, -1, 0)):
		return 0
	case filed.After(today.AddDate(0, -3, 0)):
		return 1
	case filed.After(today.AddDate(0, -6, 0)):
		return 2
	}
	return 3
}

// daysBetween counts the days from one civil day to another.
func daysBetween(from, to time.Time) int { return int(math.Round(to.Sub(from).Hours() / 24)) }

// renewal says whether c is an in-time renewal owed a proof of stay on
// at least one day up to yesterday, and whether it had one on each.
func (a *statTally) renewal(c *permit.StatCase) (owed, met bool) {
	if c.Kind != permit.KindRenewal || c.PermitEnd == nil {
		return false, false
	}
	if a.cat.RenewalWindow.Assess(*c.PermitEnd, c.FiledAt).Status == rules.WindowLate {
		return false, false
	}
	spans := owedSpans(c, permit.CivilDay(*c.PermitEnd).AddDate(0, 0, 1), a.today.AddDate(0, 0, -1))
	if len(spans) == 0 {
		return false, false
	}
	return true, covered(spans, proofSpans(c.Proofs))
}

// span is a run of civil days, both ends included.
type span struct{ from, to time.Time }

// owedSpans are the days from first to last on which c, at the end of
// the day, was in a state owed a proof (permit.OwesProof), read from its
// transitions.
func owedSpans(c *permit.StatCase, first, last time.Time) []span {
	var out []span
	for i, ev := range c.Events {
		if !permit.OwesProof(ev.To) {
			continue
		}
		from, to := permit.ParisDay(ev.At), last
		if i+1 < len(c.Events) {
			to = permit.ParisDay(c.Events[i+1].At).AddDate(0, 0, -1)
		}
		if from.Before(first) {
			from = first
		}
		if to.After(last) {
			to = last
		}
		if !to.Before(from) {
			out = append(out, span{from, to})
		}
	}
	return out
}

// proofSpans are the days each signed attestation proved stay on: from
// its first valid day, or the day it was issued when later, to its last,
// or the day before it was superseded or revoked. A superseded version's
// successor proves from its own issue.
func proofSpans(atts []*permit.Attestation) []span {
	var out []span
	for _, at := range atts {
		if at.Code == "" {
			continue
		}
		from, to := at.ValidFrom, at.ValidUntil
		if d := permit.ParisDay(at.IssuedAt); d.After(from) {
			from = d
		}
		for _, end := range []*time.Time{at.SupersededAt, at.RevokedAt} {
			if end != nil {
				if d := permit.ParisDay(*end).AddDate(0, 0, -1); d.Before(to) {
					to = d
				}
			}
		}
		if !to.Before(from) {
			out = append(out, span{from, to})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].from.Before(out[j].from) })
	return out
}

// covered reports whether every day of owed lies in one of proofs
// (sorted by their first day).
func covered(owed, proofs []span) bool {
	for _, o := range owed {
		day := o.from
		for _, p := range proofs {
			if p.from.After(day) {
				break
			}
			if !p.to.Before(day) {
				day = p.to.AddDate(0, 0, 1)
			}
			if day.After(o.to) {
				break
			}
		}
		if !day.After(o.to) {
			return false
		}
	}
	return true
}

// nearestRank is the nearest-rank p-th percentile of sorted values.
func nearestRank(sorted []int, p int) int {
	rank := max((p*len(sorted)+99)/100, 1)
	return sorted[rank-1]
}
