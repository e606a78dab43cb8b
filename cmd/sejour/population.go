package main

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/store"
)

// A population is drawn household by household: household n's story
// depends only on the seed and n (each has a generator of its own), so
// that workers draw batches in any order and a seed gives the same rows.
// The first `pending` households have a pending application; of those,
// 3 in 25 are first issues (a person without a permit), 2 in 25 changes
// of status, the rest renewals. Every other household holds a current
// permit and nothing pending.

// population is what every household's story is drawn from.
type population struct {
	cat     *rules.Catalogue
	seed    uint64
	permits int // households holding a permit
	pending int // households with a pending application
	today   time.Time
	// asOf is when the issuer last ran: yesterday for a typical day,
	// 100 days ago with --all-due (an outage longer than an extension
	// attestation lasts). What was owed by then is written issued; what
	// fell due since is left for the sweep.
	asOf  time.Time
	lead  int
	prefs []*permit.Prefecture
	// prefWeights are the prefectures' shares, out of prefTotal.
	prefWeights []int
	prefTotal   int
	agents      map[int64]int64 // an agent account of each prefecture
	first       store.PopulationIDs
	hash        string
}

// perApp bounds how many events and attestations an application gets, for
// the ids each application reserves.
const perApp = 8

// firstIssue and change say which pending households are first issues and
// changes of status.
func firstIssue(n int) bool { return n%25 < 3 }
func change(n int) bool     { return n%25 == 3 || n%25 == 4 }

// households is how many households a population has: every permit
// holder and every first-issue applicant.
func (p *population) households() int {
	first := p.pending / 25 * 3
	first += min(p.pending%25, 3)
	return p.permits + first
}

var (
	givenNames  = []string{"Awa", "Mohamed", "Linh", "Fatoumata", "Youssef", "Ana", "Wei", "Amina", "Karim", "Olena", "Ibrahima", "Sofia"}
	surnames    = []string{"Diallo", "Nguyen", "Haddad", "Silva", "Kowalski", "Traoré", "Chen", "Benali", "Popescu", "Okafor", "Kone", "Rahman"}
	nationality = []string{"DZA", "MAR", "TUN", "SEN", "MLI", "CIV", "CHN", "VNM", "TUR", "BRA", "UKR", "IND"}
	// renewal grounds, weighted as simulate draws them.
	renewalGrounds = []struct {
		id     permit.GroundID
		weight int
	}{{"student", 30}, {"employee", 18}, {"family", 20}, {"temporary_worker", 5}, {"talent_passport", 5},
		{"visitor", 4}, {"seasonal_worker", 3}, {"refugee", 5}, {"subsidiary_protection", 3}, {"resident", 7}}
	changes      = []struct{ from, to permit.GroundID }{{"student", "employee"}, {"student", "talent_passport"}, {"employee", "family"}, {"visitor", "family"}}
	firstGrounds = []permit.GroundID{"refugee", "family", "student", "employee", "subsidiary_protection"}
)

// story is one household being drawn.
type story struct {
	p   *population
	n   int
	rng *rand.Rand
	h   *store.Household
}

// household draws household n.
func (p *population) household(n int) (*store.Household, *casework.Case, error) {
	s := &story{p: p, n: n, rng: rand.New(rand.NewPCG(p.seed, uint64(n))), h: &store.Household{}}
	s.person()
	if n >= p.pending {
		s.permit(pickGround(s.rng), s.p.today.AddDate(0, 0, 1+s.rng.IntN(4*365)))
		return s.h, nil, nil
	}
	c, err := s.application()
	return s.h, c, err
}

func (s *story) between(lo, hi int) int { return lo + s.rng.IntN(hi-lo+1) }

func (s *story) person() {
	r := s.rng
	pref := s.p.prefs[len(s.p.prefs)-1]
	for i, x := 0, r.IntN(s.p.prefTotal); i < len(s.p.prefWeights); i++ {
		if x -= s.p.prefWeights[i]; x < 0 {
			pref = s.p.prefs[i]
			break
		}
	}
	since := s.p.today.AddDate(0, 0, -s.between(30, 5*365)).Add(10 * time.Hour)
	s.h.Person = &permit.Person{ID: s.p.first.Person + int64(s.n), GivenNames: givenNames[r.IntN(len(givenNames))],
		Surname:   fmt.Sprintf("%s %d", surnames[r.IntN(len(surnames))], s.n),
		BirthDate: fmt.Sprintf("%d-%02d-%02d", 1955+r.IntN(50), 1+r.IntN(12), 1+r.IntN(28)), BirthPlace: "Ville de naissance",
		Nationality: nationality[r.IntN(len(nationality))], ForeignerNumber: fmt.Sprintf("%010d", 7_000_000_000+s.n),
		PrefectureID: pref.ID, CreatedAt: since, ConfirmedAt: &since,
		Address: permit.Address{Line: fmt.Sprintf("%d rue de la République", 1+r.IntN(200)), Postcode: pref.Code + "001", City: "Ville"}}
}

func pickGround(r *rand.Rand) permit.GroundID {
	x := r.IntN(100)
	for _, g := range renewalGrounds {
		if x -= g.weight; x < 0 {
			return g.id
		}
	}
	return renewalGrounds[0].id
}

// permit gives the household its current permit, ending on validTo.
func (s *story) permit(g permit.GroundID, validTo time.Time) {
	years := 1
	switch g {
	case "resident", "refugee":
		years = 10
	case "subsidiary_protection", "talent_passport":
		years = 4
	}
	from := validTo.AddDate(-years, 0, 1)
	s.h.Permit = &permit.Permit{ID: s.p.first.Permit + int64(s.n), PersonID: s.h.Person.ID, Ground: g,
		Number: fmt.Sprintf("%010d", 1_000_000_000+s.n), ValidFrom: from, ValidTo: validTo, ConfirmedAt: &from}
}

// application draws household n's pending application and its history,
// and returns its case as the issuer sees it.
func (s *story) application() (*casework.Case, error) {
	r, p, n := s.rng, s.p, s.n
	age := s.between(3, 150)
	filedDay := p.today.AddDate(0, 0, -age)
	filed := filedDay.Add(time.Duration(8*60+r.IntN(8*60)) * time.Minute)
	app := &permit.Application{ID: p.first.Application + int64(n), PersonID: s.h.Person.ID, PrefectureID: s.h.Person.PrefectureID}
	switch {
	case firstIssue(n):
		app.Kind, app.Ground = permit.KindFirstIssue, firstGrounds[r.IntN(len(firstGrounds))]
	case change(n):
		c := changes[r.IntN(len(changes))]
		app.Kind, app.Ground = permit.KindChangeOfStatus, c.to
		s.permit(c.from, filedDay.AddDate(0, 0, s.between(30, 200)))
	default:
		app.Kind, app.Ground = permit.KindRenewal, pickGround(r)
		var end int
		switch x := r.IntN(100); {
		case x < 8: // before the window opens
			end = s.between(p.cat.RenewalWindow.OpensDaysBefore+1, p.cat.RenewalWindow.OpensDaysBefore+30)
		case x < 85: // in the window
			end = s.between(p.cat.RenewalWindow.ClosesDaysBefore, p.cat.RenewalWindow.OpensDaysBefore)
		default: // late, some after the permit ended
			end = s.between(-20, p.cat.RenewalWindow.ClosesDaysBefore-1)
		}
		s.permit(app.Ground, filedDay.AddDate(0, 0, end))
	}
	if g, ok := p.cat.Ground(app.Ground); !ok || !g.Allows(app.Kind) {
		return nil, fmt.Errorf("populate: ground %q does not allow %s", app.Ground, app.Kind)
	}
	s.account()
	agent := permit.Actor{Kind: permit.ActorAgent, AccountID: p.agents[app.PrefectureID]}
	applicant := permit.Actor{Kind: permit.ActorApplicant, AccountID: s.h.Account.ID}
	created := filed.AddDate(0, 0, -s.between(1, 10))
	app.CreatedAt, app.SubmittedAt = created, &filed
	s.event(app, "", permit.StateDraft, applicant, created)
	s.event(app, permit.StateDraft, permit.StateSubmitted, applicant, filed)
	var decided *time.Time
	switch x := r.IntN(100); {
	case x < 32:
	case x < 70:
		s.event(app, permit.StateSubmitted, permit.StateUnderReview, agent, s.later(filed, age/2))
	default:
		reviewed := s.later(filed, age/2)
		s.event(app, permit.StateSubmitted, permit.StateUnderReview, agent, reviewed)
		left := int(p.today.Sub(permit.CivilDay(reviewed)).Hours()/24) - 1
		next := s.later(reviewed, left)
		if x < 85 {
			s.event(app, permit.StateUnderReview, permit.StateIncomplete, agent, next)
			s.h.Request = &permit.CompletionRequest{ID: p.first.Request + int64(n), ApplicationID: app.ID, Slots: []string{"passport"},
				Reason: "Copie du passeport illisible.", DueOn: permit.CivilDay(next).AddDate(0, 0, 30), RequestedAt: next, RequestedBy: agent.AccountID}
		} else {
			ev := s.event(app, permit.StateUnderReview, permit.StateFavourable, agent, next)
			s.h.Decision = &permit.Decision{ID: p.first.Decision + int64(n), ApplicationID: app.ID, Outcome: permit.OutcomeFavourable,
				DecidedBy: agent.AccountID, DecidedAt: next, EventID: ev.ID}
			decided = &next
		}
	}
	s.h.App = app
	c := &casework.Case{App: app, Person: s.h.Person, Permit: s.h.Permit, Prefecture: p.prefecture(app.PrefectureID)}
	if app.Kind == permit.KindRenewal {
		w := p.cat.RenewalWindow.Assess(s.h.Permit.ValidTo, filed.In(permit.Paris))
		c.Window = &w
	}
	f, err := casework.FilingOf(p.cat, c, filed)
	if err != nil {
		return nil, err
	}
	f.ID, f.FiledAt, f.Number = p.first.Filing+int64(n), filed, fmt.Sprintf("DEP-%d-%06d-%d", filed.Year(), app.ID, 1)
	s.h.Filing, c.Filings = f, []*permit.Filing{f}
	return c, s.attestations(c, decided)
}

// later returns an instant on one of the days after t, at most within
// days, and before today.
func (s *story) later(t time.Time, within int) time.Time {
	d := permit.CivilDay(t).AddDate(0, 0, 1+s.rng.IntN(max(within, 1)))
	if !d.Before(s.p.today) {
		d = s.p.today.AddDate(0, 0, -1)
	}
	at := d.Add(time.Duration(8*60+s.rng.IntN(8*60)) * time.Minute)
	if !at.After(t) {
		at = t.Add(time.Minute)
	}
	return at
}

func (s *story) account() {
	at := s.h.Person.CreatedAt
	s.h.Account = &permit.Account{ID: s.p.first.Account + int64(s.n), Email: fmt.Sprintf("personne%d@population.sejour.localhost", s.n),
		Role: permit.RoleApplicant, Lang: "fr", ConfirmedAt: &at, CreatedAt: at}
	s.h.PasswordHash = s.p.hash
	s.h.Person.AccountID = s.h.Account.ID
}

func (s *story) event(a *permit.Application, from, to permit.State, by permit.Actor, at time.Time) *permit.Event {
	ev := &permit.Event{ID: s.p.first.Event + int64(s.n*perApp+len(s.h.Events)), ApplicationID: a.ID, From: from, To: to, Actor: by, At: at}
	s.h.Events = append(s.h.Events, ev)
	a.State, a.UpdatedAt = to, at
	return ev
}

// attestations writes what the issuer had issued by asOf, by its own
// plan (casework.Schedule), and the day it must look at the application
// again: the next day its plan names, or, for an application filed or
// decided since asOf, the day the store marks a change with (every
// change asks for a new plan).
func (s *story) attestations(c *casework.Case, decided *time.Time) error {
	p := s.p
	changed := c.Filings[0].FiledAt.After(p.asOf) || (decided != nil && decided.After(p.asOf))
	var issued []*permit.Attestation
	var next *time.Time
	if !c.Filings[0].FiledAt.After(p.asOf) {
		if decided != nil { // what the issuer issued before the decision
			before := *c.App
			before.State = permit.StateUnderReview
			prev := *c
			prev.App = &before
			issued, _ = casework.Schedule(p.cat, &prev, nil, nil, p.lead, minTime(decided.AddDate(0, 0, -1), p.asOf))
		}
		if decided == nil || !decided.After(p.asOf) {
			var more []*permit.Attestation
			more, next = casework.Schedule(p.cat, c, issued, decided, p.lead, p.asOf)
			issued = append(issued, more...)
		}
	}
	if changed {
		mark := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
		next = &mark
	}
	if len(issued) > perApp {
		return fmt.Errorf("populate: application %d owes %d attestations, more than %d", c.App.ID, len(issued), perApp)
	}
	for i, a := range issued {
		a.ID, a.Version = p.first.Attestation+int64(s.n*perApp+i), 1
		a.IssuedAt = a.AvailableFrom.Add(3 * time.Hour)
		switch {
		case a.Kind == permit.AttestationFilingReceipt:
			a.Number, a.IssuedAt = c.Filings[0].Number, c.Filings[0].FiledAt
		case a.Kind == permit.AttestationFavourable && a.IssuedAt.Before(*decided):
			a.IssuedAt = *decided
		}
		if a.Number == "" {
			a.Number = fmt.Sprintf("%s-%d-%07d", a.Kind.NumberPrefix(), a.ValidFrom.Year(), a.ID)
		}
	}
	s.h.Attestations, s.h.IssueDueOn = issued, next
	return nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func (p *population) prefecture(id int64) *permit.Prefecture {
	for _, pr := range p.prefs {
		if pr.ID == id {
			return pr
		}
	}
	return nil
}
