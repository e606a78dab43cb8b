package simulate

import (
	"context"
	"fmt"
	"math"

	"github.com/sejour/sejour/internal/permit"
)

// audit reads back, once the queue has stopped, every application and
// attestation from the database, checks that they are what the
// simulation saw happen, and counts duplicates and late issues.
func (s *sim) audit(ctx context.Context) (*Summary, error) {
	sum := &Summary{Persons: s.opts.Persons, Days: s.opts.Days, Start: s.days.date(0), Seed: s.opts.Seed,
		Database: string(s.db.Dialect()), CompletionRequests: s.completionRequests, Corrections: s.corrections,
		CounterFilings: s.counterFilings, Moves: s.moves, Undos: s.undos,
		RequestFaults: s.requestFaults, ReceiptsMissing: s.receiptsMissing, ProofsChecked: s.proofsChecked, ProofsBad: s.proofsBad,
		FirstBadProof: s.firstBadProof, FirstMissingReceipt: s.firstMissingReceipt, Rotations: s.rotations, OutageDays: s.outageDays, SigningKeys: len(s.kids), OwedDays: s.owedDays, GapDays: s.gapDays, OutageGapDays: s.outageGapDays, FirstGap: s.firstGap,
		Crashes: s.iss.crashCount(), Sweeps: s.sweeps, SweepRetries: s.retries, UnfinishedSweeps: s.unfinished, Kills: s.kills()}
	if s.eng != nil {
		sum.StuckJobsMaxMinutes = math.Round(s.eng.stuckMax.Minutes()*100) / 100
		sum.StuckJobsRescued, sum.StuckJobsLeft = s.eng.released, s.eng.left
	}
	for _, p := range s.people {
		if p.app == 0 {
			continue
		}
		if err := s.auditApplication(ctx, p, sum); err != nil {
			return nil, fmt.Errorf("simulate: audit of person %d, application %d: %w", p.n, p.app, err)
		}
	}
	if seen := s.iss.count(); seen != sum.Attestations {
		return nil, fmt.Errorf("simulate: audit: %d attestations seen issued, %d in the database", seen, sum.Attestations)
	}
	return sum, nil
}

func (s *sim) auditApplication(ctx context.Context, p *person, sum *Summary) error {
	a, err := s.db.Application(ctx, p.app)
	if err != nil {
		return err
	}
	if a.State != p.state {
		return fmt.Errorf("the database says %s, the simulation %s", a.State, p.state)
	}
	sum.Applications++
	switch p.state {
	case permit.StateFavourable, permit.StateCardReady, permit.StateHandedOver:
		sum.Favourable++
	case permit.StateUnfavourable:
		sum.Unfavourable++
	}
	if err := s.auditDecision(ctx, p); err != nil {
		return err
	}
	if a.SubmittedAt != nil {
		sum.Filed++
		if a.Kind == permit.KindRenewal {
			sum.Renewals++
		}
		if p.inTime {
			sum.InTimeRenewals++
		}
	}
	atts, err := s.db.Attestations(ctx, p.app)
	if err != nil {
		return err
	}
	for i, at := range atts {
		r := s.iss.lookup(at.ID)
		if r == nil {
			return fmt.Errorf("attestation %d is in the database but was never seen issued", at.ID)
		}
		if at.RevokedAt != nil && (!p.undone || at.Kind != permit.AttestationFavourable) {
			return fmt.Errorf("attestation %d (%s) revoked, and no favourable decision of it was taken back", at.ID, at.Kind)
		}
		if (at.SupersededAt != nil || at.RevokedAt != nil) != (r.superseded != never) {
			return fmt.Errorf("attestation %d: revoked %t, superseded in the database %t, seen withdrawn %t",
				at.ID, at.RevokedAt != nil, at.SupersededAt != nil, r.superseded != never)
		}
		if (at.Code == "") != (r.signed == notSigned) {
			return fmt.Errorf("attestation %d: signed in the database %t, seen signed %t", at.ID, at.Code != "", r.signed != notSigned)
		}
		sum.Attestations++
		if at.RevokedAt != nil {
			sum.Revoked++
			continue
		}
		if at.SupersededAt != nil {
			sum.Superseded++
			continue
		}
		switch at.Kind {
		case permit.AttestationFilingReceipt:
			sum.FilingReceipts++
		case permit.AttestationExtension:
			sum.Extensions++
		case permit.AttestationFavourable:
			sum.FavourableDecisions++
		}
		if at.Code == "" {
			sum.Unsigned++
		} else if late := r.signed - p.dueDay(r); late > 0 {
			sum.LateIssues++
			if late > sum.MaxLateDays {
				sum.MaxLateDays = late
				sum.MostLate = &Finding{Person: p.n, Application: p.app, Day: s.days.date(p.dueDay(r)),
					Detail: fmt.Sprintf("%s %s signed %d days after it was due", at.Kind, at.Number, late)}
			}
		}
		for _, other := range atts[i+1:] {
			if overlap(at, other) {
				sum.Duplicates++
				if sum.FirstDuplicate == nil {
					sum.FirstDuplicate = &Finding{Person: p.n, Application: p.app, Day: s.days.date(s.days.of(other.ValidFrom)),
						Detail: fmt.Sprintf("%s %s and %s overlap", at.Kind, at.Number, other.Number)}
				}
			}
		}
	}
	return nil
}

// overlap reports whether two attestations are live duplicates: the same
// kind, neither superseded nor revoked, valid on a common day.
func overlap(a, b *permit.Attestation) bool {
	live := func(x *permit.Attestation) bool { return x.SupersededAt == nil && x.RevokedAt == nil }
	return a.Kind == b.Kind && live(a) && live(b) && !a.ValidFrom.After(b.ValidUntil) && !b.ValidFrom.After(a.ValidUntil)
}

// dueDay is the day an attestation was due: the first day from its
// AvailableFrom on which the application was in a state that owes its
// kind. When no such day came before it was signed, it was not late. A
// favourable-decision attestation is owed by the decision standing when
// it was signed: the days of a decision taken back before (an undo) do
// not count.
func (p *person) dueDay(r *record) int {
	owes := func(st permit.State) bool {
		switch r.kind {
		case permit.AttestationFilingReceipt:
			return st != "" && st != permit.StateDraft
		case permit.AttestationExtension:
			return st == permit.StateSubmitted || st == permit.StateUnderReview
		}
		return st == permit.StateFavourable || st == permit.StateCardReady
	}
	first := max(r.avail, r.reissue)
	if r.kind == permit.AttestationFavourable {
		for d := r.signed - 1; d >= first; d-- {
			if !owes(p.stateOn(d)) {
				first = d + 1
				break
			}
		}
	}
	for d := first; d < r.signed; d++ {
		if owes(p.stateOn(d)) {
			return d
		}
	}
	return r.signed
}

// auditDecision checks that a decided application has the decision
// record the decision use cases write (a bare transition writes none),
// with the outcome the simulation chose.
func (s *sim) auditDecision(ctx context.Context, p *person) error {
	want := permit.OutcomeUnfavourable
	switch p.state {
	case permit.StateFavourable, permit.StateCardReady, permit.StateHandedOver:
		want = permit.OutcomeFavourable
	case permit.StateUnfavourable:
	default:
		return nil
	}
	d, err := s.db.Decision(ctx, p.app)
	if err != nil {
		return fmt.Errorf("decided (%s) without its decision: %w", p.state, err)
	}
	if d.Outcome != want {
		return fmt.Errorf("decided (%s) with outcome %s", p.state, d.Outcome)
	}
	return nil
}
