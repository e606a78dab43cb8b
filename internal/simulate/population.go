package simulate

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// never is the day of an event that does not happen.
const never = math.MaxInt32

// notFiled is the filing day of an application not filed.
const notFiled = -1

// calendar numbers simulated days from the first one (day 0).
type calendar struct{ start time.Time }

func newCalendar(t time.Time) calendar {
	return calendar{start: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)}
}

// of returns the day of a civil date stored at midnight UTC.
func (c calendar) of(t time.Time) int {
	t = t.UTC()
	return int(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Sub(c.start).Round(time.Hour).Hours() / 24)
}

// today returns the Paris day the clock is on.
func (c calendar) today(clk clock.Clock) int {
	t := clk.Now().In(permit.Paris)
	return c.of(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC))
}

// at returns the instant of day d at hour h, UTC (the same civil day in Paris for 0 < h < 22).
func (c calendar) at(d, h int) time.Time {
	return c.start.AddDate(0, 0, d).Add(time.Duration(h) * time.Hour)
}

// date returns day d as YYYY-MM-DD.
func (c calendar) date(d int) string { return c.start.AddDate(0, 0, d).Format(time.DateOnly) }

// person is one permit holder: what will happen to them (days from the
// start, never when it does not), and where their application stands.
type person struct {
	n      int
	kind   permit.Kind     // of the application
	ground permit.GroundID // of the application
	held   permit.GroundID // of the current permit, "" for none
	expiry int             // the current permit's last day

	draft, file, review, ask, answer, close, reopen int
	decide, card, hand, withdraw, correct, settle   int
	favourable                                      bool
	acceptCorrection                                bool // the agent accepts the correction request

	acc     *permit.Account
	app     int64
	state   permit.State // "" before the draft
	asked   []string     // documents the prefecture asked for
	filed   int          // the day of the first filing, notFiled before
	inTime  bool         // a complete, in-time renewal once filed
	lastDay int          // the permit's last day as the engine reads it
	history []change     // the state after each day's events, when it changed

	correction int64 // the pending correction request, 0 for none
	corrected  bool  // the surname was corrected

	pref     int  // index of the prefecture of their address in prefectures
	counter  bool // filed for at the counter by an agent: no account, no e-mail
	move     int  // the day they move to another prefecture's area
	undo     int  // the day a supervisor takes back the decision
	redecide int  // the day the decision is taken again after the undo
	undone   bool // a decision of theirs was taken back
}

type change struct {
	day   int
	state permit.State
}

// stateOn returns the application's state once day d's events were applied.
func (p *person) stateOn(d int) permit.State {
	var st permit.State
	for _, c := range p.history {
		if c.day > d {
			break
		}
		st = c.state
	}
	return st
}

// weighted grounds: most holders renew a student, employee or family
// permit; the rest are spread over the other grounds of the catalogue.
var renewalGrounds = []struct {
	id     permit.GroundID
	weight int
}{
	{"student", 30}, {"employee", 18}, {"family", 20}, {"temporary_worker", 5}, {"talent_passport", 5},
	{"visitor", 4}, {"seasonal_worker", 3}, {"refugee", 5}, {"subsidiary_protection", 3}, {"resident", 7},
}

var changes = []struct{ from, to permit.GroundID }{
	{"student", "employee"}, {"student", "talent_passport"}, {"student", "job_seeker"}, {"employee", "family"}, {"visitor", "family"},
}

var firstGrounds = []permit.GroundID{"refugee", "family", "student", "employee", "subsidiary_protection"}

// newPerson draws person n's story. Filings are spread evenly over the
// period; the permit's expiry follows from when, relative to its renewal
// window, the holder files: early, in the window, late (before or after
// expiry) or never. Some are asked for documents and answer on time,
// late or never; some unanswered files are closed, and some of those
// reopened; decisions take from one to eleven months. With a correction
// rate, some holders ask for their surname to be corrected after filing.
func newPerson(n int, rng *rand.Rand, o *Options, cat *rules.Catalogue) *person {
	days := o.Days
	p := &person{n: n, draft: never, file: never, review: never, ask: never, answer: never, close: never,
		reopen: never, filed: notFiled, decide: never, card: never, hand: never, withdraw: never, correct: never, settle: never}
	between := func(lo, hi int) int { return lo + rng.IntN(hi-lo+1) }
	file := rng.IntN(days)
	switch r := rng.Float64(); {
	case r < 0.05:
		p.kind, p.ground = permit.KindFirstIssue, firstGrounds[rng.IntN(len(firstGrounds))]
	case r < 0.12:
		c := changes[rng.IntN(len(changes))]
		p.kind, p.held, p.ground = permit.KindChangeOfStatus, c.from, c.to
		p.expiry = file + between(30, 200)
	default:
		p.kind, p.ground = permit.KindRenewal, pickRenewalGround(rng)
		p.held = p.ground
		switch r := rng.Float64(); {
		case r < 0.08: // before the window opens
			p.expiry = file + between(121, 150)
		case r < 0.70: // in the window
			p.expiry = file + between(cat.RenewalWindow.ClosesDaysBefore, cat.RenewalWindow.OpensDaysBefore)
		case r < 0.82: // late, before expiry
			p.expiry = file + between(0, cat.RenewalWindow.ClosesDaysBefore-1)
		case r < 0.87: // late, after expiry
			p.expiry = file - between(1, 30)
		default: // never files in the period
			p.expiry = file + between(-30, 120)
			file = never
		}
	}
	if file == never {
		if rng.IntN(2) == 0 {
			p.draft = rng.IntN(days) // a draft, abandoned
		}
		return p
	}
	p.file = file
	p.draft = max(0, file-rng.IntN(15))
	p.plan(rng, between, o.CorrectionRate)
	return p
}

// planMore draws, from a generator of its own (so that the population
// of a run without these scenarios stays what it was), whether a holder
// who files is filed for at the counter, moves, or has a decision taken
// back.
func (p *person) planMore(rng *rand.Rand, o *Options) {
	p.pref, p.move, p.undo, p.redecide = p.n%len(prefectures), never, never, never
	if p.file == never {
		return
	}
	between := func(lo, hi int) int { return lo + rng.IntN(hi-lo+1) }
	if rng.Float64() < o.CounterRate {
		// An agent files for them and takes every later step; they do
		// not answer requests for documents online, withdraw, or ask
		// for corrections: those need an account.
		p.counter = true
		p.ask, p.answer, p.close, p.reopen, p.withdraw, p.correct, p.settle = never, never, never, never, never, never, never
		p.decide = p.file + between(30, 330)
		p.card, p.hand = never, never
		if p.favourable {
			p.card = p.decide + between(7, 45)
			p.hand = p.card + between(3, 60)
		}
	}
	if !p.counter && rng.Float64() < o.MoveRate {
		p.move = p.file + between(1, 120)
	}
	if p.decide != never && rng.Float64() < o.UndoRate {
		p.undo = p.decide + between(1, 5)
		p.redecide = p.undo + between(5, 40)
	}
}

func pickRenewalGround(rng *rand.Rand) permit.GroundID {
	total := 0
	for _, g := range renewalGrounds {
		total += g.weight
	}
	n := rng.IntN(total)
	for _, g := range renewalGrounds {
		if n < g.weight {
			return g.id
		}
		n -= g.weight
	}
	return renewalGrounds[0].id
}

// plan draws what happens after the filing.
func (p *person) plan(rng *rand.Rand, between func(lo, hi int) int, correctionRate float64) {
	p.review = p.file + between(1, 30)
	p.decide = p.file + between(30, 330)
	if rng.Float64() < 0.22 {
		p.ask = p.file + between(3, 45)
		p.answerOrClose(rng, between)
	}
	p.favourable = rng.Float64() < 0.8
	if p.decide != never && p.favourable {
		p.card = p.decide + between(7, 45)
		p.hand = p.card + between(3, 60)
	}
	if rng.Float64() < 0.02 {
		p.withdraw = p.file + between(5, 200)
	}
	if correct, settle, accept := rng.Float64(), between(1, 10), rng.Float64() < 0.8; correct < correctionRate {
		p.correct = p.file + between(1, 90)
		p.settle, p.acceptCorrection = p.correct+settle, accept
	}
}

// answerOrClose draws how a completion request ends: answered on time or
// late, or never, the file then being closed (and sometimes reopened).
// The decision waits for the answer.
func (p *person) answerOrClose(rng *rand.Rand, between func(lo, hi int) int) {
	switch r := rng.Float64(); {
	case r < 0.55:
		p.answer = p.ask + between(2, 25)
	case r < 0.80:
		p.answer = p.ask + between(40, 120) // after the deadline
	case r < 0.90:
		p.close = p.ask + between(60, 120)
		if rng.Float64() < 0.4 {
			p.reopen = p.close + between(10, 90)
		}
	}
	if p.decide <= p.ask {
		return // decided before the prefecture would have asked
	}
	switch {
	case p.answer != never:
		p.decide = p.answer + between(5, 60)
	case p.reopen != never:
		p.decide = p.reopen + between(5, 60)
	default:
		p.decide = never
	}
}
