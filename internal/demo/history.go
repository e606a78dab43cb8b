package demo

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/store"
)

// HistoryCase is one application of the past, written as the use cases
// would have left it (store.Population): so that the public statistics
// (issue 16, part 4) have a year of history to show.
type HistoryCase struct {
	Prefecture int64
	Ground     permit.GroundID
	Kind       permit.Kind
	// FiledDaysAgo is how many days before today it was filed.
	FiledDaysAgo int
	// DecidedAfter is how many days after its filing it was decided (0:
	// it awaits a decision, under review); Refused makes it a refusal.
	DecidedAfter int
	Refused      bool
	// PermitEndAfter is, for a renewal, the last day of the permit
	// renewed, in days after the filing. Its extension attestations
	// follow, three months each, issued 15 days ahead, or ProofLate days
	// after the first should have started, or none at all (NoProof).
	PermitEndAfter int
	ProofLate      int
	NoProof        bool
}

// History is the demonstration's past: applications filed over the last
// 12 months in Paris and Lyon, decided at various speeds, some renewals
// left a few days without proof, a backlog of every age, and a few cases
// in Seine-Saint-Denis (too few to be published). Their persons have no
// account. Like Load, it is idempotent: the first person's foreigner
// number marks it written.
func History(prefs []*permit.Prefecture) []HistoryCase {
	code := map[string]int64{}
	for _, p := range prefs {
		code[p.Code] = p.ID
	}
	var out []HistoryCase
	add := func(n int, c HistoryCase, step func(i int, c *HistoryCase)) {
		for i := range n {
			cc := c
			step(i, &cc)
			out = append(out, cc)
		}
	}
	// Paris, students: renewals decided within 60 to 115 days, two of
	// them a few days without proof; a backlog filed this month and
	// months ago.
	add(14, HistoryCase{Prefecture: code["75"], Ground: "student", Kind: permit.KindRenewal, PermitEndAfter: 60}, func(i int, c *HistoryCase) {
		c.FiledDaysAgo, c.DecidedAfter = 120+i*15, 60+i*4
		c.ProofLate = map[bool]int{true: 6}[i == 3]
		c.NoProof = i == 9
	})
	add(12, HistoryCase{Prefecture: code["75"], Ground: "student", Kind: permit.KindFirstIssue}, func(i int, c *HistoryCase) {
		c.FiledDaysAgo = 3 + i*2
	})
	add(3, HistoryCase{Prefecture: code["75"], Ground: "student", Kind: permit.KindFirstIssue}, func(i int, c *HistoryCase) {
		c.FiledDaysAgo = 200 + i*10
	})
	// Paris, employees: first issues, some refused, several decided
	// after the implicit-rejection day.
	add(11, HistoryCase{Prefecture: code["75"], Ground: "employee", Kind: permit.KindFirstIssue}, func(i int, c *HistoryCase) {
		c.FiledDaysAgo, c.DecidedAfter, c.Refused = 150+i*12, 40+i*12, i%4 == 0
	})
	// Lyon, students: quick decisions; family life: a handful.
	add(12, HistoryCase{Prefecture: code["69"], Ground: "student", Kind: permit.KindFirstIssue}, func(i int, c *HistoryCase) {
		c.FiledDaysAgo, c.DecidedAfter = 60+i*20, 20+i*3
	})
	add(4, HistoryCase{Prefecture: code["69"], Ground: "family", Kind: permit.KindFirstIssue}, func(i int, c *HistoryCase) {
		c.FiledDaysAgo, c.DecidedAfter = 90+i*30, 45
	})
	// Seine-Saint-Denis: too few to publish.
	add(5, HistoryCase{Prefecture: code["93"], Ground: "employee", Kind: permit.KindFirstIssue}, func(i int, c *HistoryCase) {
		c.FiledDaysAgo, c.DecidedAfter = 100+i*10, 100
	})
	return out
}

// historyMark is the foreigner number of the first person of the
// history: its presence says the history was written.
const historyMark = "9900000001"

// LoadHistory writes the demonstration's history unless it was written,
// then computes today's statistics: again when it wrote the history,
// else only when the day has none.
func LoadHistory(ctx context.Context, uc *casework.UseCases, st Store, pop store.Population, now time.Time, out io.Writer) error {
	prefs, err := Prefectures(ctx, st)
	if err != nil {
		return err
	}
	agent, _, err := st.Accounts.AccountByEmail(ctx, "agent@demo.sejour.localhost")
	if err != nil {
		return fmt.Errorf("the demonstration agent: %w", err)
	}
	written, err := pop.HasForeignerNumber(ctx, historyMark)
	if err != nil {
		return err
	}
	cases := History(prefs)
	if written {
		_, err = uc.Statistics.Refresh(ctx)
	} else if err = WriteHistory(ctx, pop, uc.Attestations.Sealer, uc.Attestations.Rules, prefs, agent.ID, now, cases); err == nil {
		// Today's snapshot may predate the history (a queue that
		// started first): it is computed again with it.
		err = uc.Statistics.Recompute(ctx)
	}
	if err != nil {
		return fmt.Errorf("demonstration history and statistics: %w", err)
	}
	fmt.Fprintf(out, "\n  %d applications of the last 12 months behind the public statistics (/statistiques)\n", len(cases))
	return nil
}

// WriteHistory writes cases in one transaction, their persons without
// accounts, decided by agent, their attestations signed by sealer in the
// name of their prefecture (one of prefs).
func WriteHistory(ctx context.Context, pop store.Population, sealer casework.Sealer, cat *rules.Catalogue, prefs []*permit.Prefecture,
	agent int64, now time.Time, cases []HistoryCase) error {
	ids, err := pop.FirstIDs(ctx)
	if err != nil {
		return err
	}
	byID := map[int64]*permit.Prefecture{}
	for _, p := range prefs {
		byID[p.ID] = p
	}
	hs := make([]*store.Household, 0, len(cases))
	for i, hc := range cases {
		h, err := historyHousehold(&ids, hc, i, cat, sealer, byID[hc.Prefecture], agent, now)
		if err != nil {
			return err
		}
		hs = append(hs, h)
	}
	if err := pop.Write(ctx, hs); err != nil {
		return err
	}
	return pop.Finish(ctx)
}

// historyHousehold lays one case out as the rows the use cases write.
func historyHousehold(ids *store.PopulationIDs, hc HistoryCase, n int, cat *rules.Catalogue, sealer casework.Sealer, pref *permit.Prefecture,
	agent int64, now time.Time) (*store.Household, error) {
	// Days are counted on Paris's wall clock, so that a case decided d
	// days after its filing is d civil days apart whatever the DST.
	filed := now.In(permit.Paris).AddDate(0, 0, -hc.FiledDaysAgo)
	created := filed.Add(-time.Hour)
	p := &permit.Person{ID: next(&ids.Person), GivenNames: "Personne", Surname: fmt.Sprintf("Historique %d", n+1), BirthDate: "1995-01-01",
		BirthPlace: "Dakar, Sénégal", Nationality: "SEN", ForeignerNumber: fmt.Sprintf("99%08d", n+1), PrefectureID: hc.Prefecture, CreatedAt: created}
	h := &store.Household{Person: p}
	a := &permit.Application{ID: next(&ids.Application), PersonID: p.ID, PrefectureID: hc.Prefecture, Ground: hc.Ground, Kind: hc.Kind,
		State: permit.StateUnderReview, CreatedAt: created, UpdatedAt: filed, SubmittedAt: &filed}
	h.App = a
	if hc.Kind == permit.KindRenewal {
		end := permit.ParisDay(filed).AddDate(0, 0, hc.PermitEndAfter)
		h.Permit = &permit.Permit{ID: next(&ids.Permit), PersonID: p.ID, Ground: hc.Ground, Number: fmt.Sprintf("99%08d", n+1),
			ValidFrom: end.AddDate(-1, 0, 1), ValidTo: end}
	}
	event := func(from, to permit.State, at time.Time, actor permit.Actor) *permit.Event {
		ev := &permit.Event{ID: next(&ids.Event), ApplicationID: a.ID, From: from, To: to, Actor: actor, At: at}
		h.Events = append(h.Events, ev)
		return ev
	}
	staff := permit.Actor{Kind: permit.ActorAgent, AccountID: agent}
	event(permit.StateDraft, permit.StateSubmitted, filed, permit.Actor{Kind: permit.ActorApplicant})
	event(permit.StateSubmitted, permit.StateUnderReview, filed.Add(2*time.Hour), staff)
	h.Filing = &permit.Filing{ID: next(&ids.Filing), ApplicationID: a.ID, Number: fmt.Sprintf("HIST-%d", a.ID), FiledAt: filed, Snapshot: []byte("{}")}
	last := permit.ParisDay(now)
	if hc.DecidedAfter > 0 {
		at := filed.AddDate(0, 0, hc.DecidedAfter)
		last = permit.ParisDay(at)
		outcome, to := permit.OutcomeFavourable, permit.StateFavourable
		if hc.Refused {
			outcome, to = permit.OutcomeUnfavourable, permit.StateUnfavourable
		}
		ev := event(permit.StateUnderReview, to, at, staff)
		h.Decision = &permit.Decision{ID: next(&ids.Decision), ApplicationID: a.ID, Outcome: outcome, DecidedBy: agent, DecidedAt: at, EventID: ev.ID}
		a.State = to
		if !hc.Refused { // the card was made and handed over the same day
			event(permit.StateFavourable, permit.StateCardReady, at.Add(time.Hour), staff)
			event(permit.StateCardReady, permit.StateHandedOver, at.Add(2*time.Hour), staff)
			a.State = permit.StateHandedOver
		}
		a.UpdatedAt = at
	}
	if h.Permit != nil && !hc.NoProof {
		c := &casework.Case{App: a, Person: p, Permit: h.Permit, Prefecture: pref}
		for from := h.Permit.ValidTo.AddDate(0, 0, 1); !from.After(last); from = from.AddDate(0, 3, 0) {
			issued := time.Date(from.Year(), from.Month(), from.Day()-15, 8, 0, 0, 0, permit.Paris)
			if hc.ProofLate > 0 && from.Equal(h.Permit.ValidTo.AddDate(0, 0, 1)) {
				issued = time.Date(from.Year(), from.Month(), from.Day()+hc.ProofLate, 8, 0, 0, 0, permit.Paris)
			}
			at := &permit.Attestation{ID: next(&ids.Attestation), ApplicationID: a.ID, Kind: permit.AttestationExtension,
				Version: 1, ValidFrom: from, ValidUntil: from.AddDate(0, 3, -1), AvailableFrom: permit.ParisDay(issued), IssuedAt: issued}
			at.Number = fmt.Sprintf("%s-HIST-%d", permit.AttestationExtension.NumberPrefix(), at.ID)
			r, err := cat.Rights(at.Kind, a.Ground, a.Kind, h.Permit, at.ValidUntil)
			if err != nil {
				return nil, err
			}
			if at.Code, err = sealer.Seal(c, at, r); err != nil {
				return nil, err
			}
			h.Attestations = append(h.Attestations, at)
		}
	}
	return h, nil
}

// next returns the id *n and moves it on.
func next(n *int64) int64 {
	id := *n
	*n++
	return id
}
