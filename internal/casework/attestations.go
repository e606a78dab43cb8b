package casework

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// Sealer signs the essential data of an attestation into the code its
// PDF prints as a QR code.
type Sealer interface {
	Seal(c *Case, a *permit.Attestation, r rules.Granted) (string, error)
	// SealWorkCheck signs the record of a right-to-work check.
	SealWorkCheck(w *permit.WorkCheck) (string, error)
	// SealDeclaration signs the record of a pre-hire declaration's outcome,
	// given at at.
	SealDeclaration(d *permit.Declaration, at time.Time) (string, error)
}

// AttestationStore is what issuing attestations writes, and the list of
// applications the issuer must look at.
type AttestationStore interface {
	IssueAttestation(ctx context.Context, a *permit.Attestation, m *permit.Mail) error
	// IssueSigned is IssueAttestation with the code sign returns stored
	// in the same transaction (nil sign: unsigned).
	IssueSigned(ctx context.Context, a *permit.Attestation, m *permit.Mail, sign func(*permit.Attestation) (string, error)) error
	SetAttestationCode(ctx context.Context, id int64, code string) error
	// SetAttestationPDF records the blob of a signed attestation's PDF.
	SetAttestationPDF(ctx context.Context, id int64, sum string) error
	// IssueDue lists up to limit applications due on today or before,
	// after the mark of the previous batch, oldest due first.
	IssueDue(ctx context.Context, today, afterDay time.Time, afterID int64, limit int) ([]permit.IssueMark, error)
	// Planned records the next day to look at an application again (nil:
	// never), unless it changed since version.
	Planned(ctx context.Context, appID, version int64, next *time.Time) error
	// PlannedOwingPDFs is Planned, and owes the application's issuing
	// job, which keeps the PDFs the sweep left (IssueDue).
	PlannedOwingPDFs(ctx context.Context, appID, version int64, next *time.Time) error
}

// Plan says which attestations an application is owed on day now and
// does not have yet. It is a pure function of the case, so the job that
// issues, the daily sweep that repairs and the simulation all agree:
//   - a filing receipt from the first filing until the implicit-rejection
//     date;
//   - for a renewal filed in its window and complete (filed or under
//     review, not waiting for documents), extension attestations from the
//     day after the current permit's last day, each as long as the
//     catalogue's rule of the kind allows (max_months), each made
//     available lead days before it starts, for as long as no decision is
//     taken;
//   - after a favourable decision, favourable-decision attestations from
//     the decision day, as long each as the catalogue allows, until the
//     card is handed over.
//
// Every legal delay comes from cat, so a change of catalogue.json moves
// the dates.
func Plan(cat *rules.Catalogue, c *Case, existing []*permit.Attestation, decidedAt *time.Time, lead int, now time.Time) []*permit.Attestation {
	due, _ := plan(cat, c, existing, decidedAt, lead, now)
	return due
}

// Schedule is Plan, and the first day after now on which more will be
// owed if nothing changes (nil: nothing, ever): the issue_due_on the
// issuer records. `sejour populate` writes a population's attestations
// and plans with it, so that they are the issuer's own.
func Schedule(cat *rules.Catalogue, c *Case, existing []*permit.Attestation, decidedAt *time.Time, lead int, now time.Time) ([]*permit.Attestation, *time.Time) {
	return plan(cat, c, existing, decidedAt, lead, now)
}

// plan is Plan, and the first day after today on which something more
// will be owed if nothing changes (nil: nothing, ever): the day the
// issuer must look at the application again.
func plan(cat *rules.Catalogue, c *Case, existing []*permit.Attestation, decidedAt *time.Time, lead int, now time.Time) ([]*permit.Attestation, *time.Time) {
	today := permit.ParisDay(now)
	var due []*permit.Attestation
	if len(c.Filings) > 0 && !hasKind(existing, permit.AttestationFilingReceipt) {
		from := permit.ParisDay(c.Filings[0].FiledAt)
		until := cat.Delays().ImplicitRejection(c.Filings[0].FiledAt)
		if c.Rejection != nil {
			until = *c.Rejection
		}
		due = append(due, &permit.Attestation{ApplicationID: c.App.ID, Kind: permit.AttestationFilingReceipt,
			ValidFrom: from, ValidUntil: until, AvailableFrom: from})
	}
	st := c.App.State
	var more []*permit.Attestation
	var next *time.Time
	switch {
	case c.App.Kind == permit.KindRenewal && c.Permit != nil && c.Window != nil && c.Window.Status != rules.WindowLate &&
		(st == permit.StateSubmitted || st == permit.StateUnderReview):
		more, next = chain(cat, c.App.ID, permit.AttestationExtension, permit.CivilDay(c.Permit.ValidTo).AddDate(0, 0, 1), existing, lead, today)
	case decidedAt != nil && (st == permit.StateFavourable || st == permit.StateCardReady):
		more, next = chain(cat, c.App.ID, permit.AttestationFavourable, permit.ParisDay(*decidedAt), existing, lead, today)
	}
	return append(due, more...), next
}

// chain lists the periods of kind, from start on, each as long as the
// catalogue's rule of the kind allows, that are due by today (made
// available lead days ahead) and not yet issued; and the day the next
// period will be made available.
func chain(cat *rules.Catalogue, appID int64, kind permit.AttestationKind, start time.Time, existing []*permit.Attestation, lead int, today time.Time) ([]*permit.Attestation, *time.Time) {
	rule, _ := cat.Attestations.Rule(kind)
	if rule.MaxMonths <= 0 {
		return nil, nil // refused when the catalogue is loaded: a proof of stay has a validity
	}
	var due []*permit.Attestation
	from := start
	for !from.AddDate(0, 0, -lead).After(today) {
		until := from.AddDate(0, rule.MaxMonths, -1)
		if live := covering(existing, kind, from); live != nil {
			from = live.ValidUntil.AddDate(0, 0, 1)
			continue
		}
		// A later attestation already exists (the permit's end was
		// corrected to an earlier day): fill only the gap before it.
		if next := nextStart(existing, kind, from); next != nil && !next.ValidFrom.After(until) {
			until = next.ValidFrom.AddDate(0, 0, -1)
		}
		due = append(due, &permit.Attestation{ApplicationID: appID, Kind: kind, ValidFrom: from, ValidUntil: until,
			AvailableFrom: from.AddDate(0, 0, -lead)})
		from = until.AddDate(0, 0, 1)
	}
	next := from.AddDate(0, 0, -lead)
	return due, &next
}

func hasKind(as []*permit.Attestation, kind permit.AttestationKind) bool {
	for _, a := range as {
		if a.Kind == kind && a.RevokedAt == nil {
			return true
		}
	}
	return false
}

// nextStart returns the live attestation of kind that starts first after d.
func nextStart(as []*permit.Attestation, kind permit.AttestationKind, d time.Time) *permit.Attestation {
	var next *permit.Attestation
	for _, a := range as {
		if a.Kind == kind && a.SupersededAt == nil && a.RevokedAt == nil && a.ValidFrom.After(d) && (next == nil || a.ValidFrom.Before(next.ValidFrom)) {
			next = a
		}
	}
	return next
}

// covering returns the live attestation of kind in force on day d.
func covering(as []*permit.Attestation, kind permit.AttestationKind, d time.Time) *permit.Attestation {
	for _, a := range as {
		if a.Kind == kind && a.Covers(d) {
			return a
		}
	}
	return nil
}

// IssueDue issues what an application is owed today, signs what lacks a
// code, keeps the PDFs not kept yet, and tells the holder by mail. It is
// idempotent: run twice, or by two workers at once, it issues each
// attestation once. It returns how many it issued.
func (s *Attestations) IssueDue(ctx context.Context, appID int64) (int, error) {
	return s.issueDue(ctx, appID, true)
}

// issueDue is IssueDue; without keep (the sweep), the PDFs are left to
// the issuing job the plan's transaction then owes: rendering a PDF costs
// twenty times the rest of issuing, and after an outage every proof of
// stay must be out before any document is drawn (a download renders one
// until it is kept).
func (s *Attestations) issueDue(ctx context.Context, appID int64, keep bool) (int, error) {
	// What the plan reads, in one read transaction (store.Snapshots).
	var (
		p        *permit.Person
		a        *permit.Application
		c        *Case
		existing []*permit.Attestation
		evs      []*permit.Event
	)
	err := s.inSnapshot(ctx, func(ctx context.Context) (err error) {
		if a, err = s.People.Application(ctx, appID); err != nil {
			return err
		}
		if p, err = s.People.Person(ctx, a.PersonID); err != nil {
			return err
		}
		// The whole case when its PDFs are drawn (they name the prefectures
		// it moved between); for the sweep, what the plan and the signature
		// read.
		if c, err = s.load(ctx, p, a, keep); err != nil {
			return err
		}
		if !keep {
			if c.Filings, err = s.Cases.Filings(ctx, appID); err != nil {
				return err
			}
		}
		if existing, err = s.Cases.Attestations(ctx, appID); err != nil {
			return err
		}
		evs, err = s.Cases.Events(ctx, appID)
		return err
	})
	if err != nil {
		return 0, err
	}
	// The favourable decision that stands is the latest (one taken back
	// left the state, which the plan reads, elsewhere).
	var decided *time.Time
	for _, e := range evs {
		if e.To == permit.StateFavourable && (decided == nil || !e.At.Before(*decided)) {
			decided = &e.At
		}
	}
	issued := 0
	due, next := plan(s.Rules, c, existing, decided, s.LeadDays, s.Clock.Now())
	for _, at := range due {
		m, err := s.attestationMail(ctx, p, at)
		if err != nil {
			return issued, err
		}
		if err := s.Store.IssueSigned(ctx, at, m, s.signer(c)); err != nil {
			if permit.ErrorCode(err) == permit.ECONFLICT {
				continue // issued meanwhile by someone else
			}
			return issued, err
		}
		issued++
	}
	// Read again: an attestation issued meanwhile by another worker (the
	// ECONFLICT above) may still lack its code if that worker died before
	// signing it, and nothing else would sign it once the plan moves on.
	if existing, err = s.Cases.Attestations(ctx, appID); err != nil {
		return issued, err
	}
	owed := false
	for _, at := range existing {
		if at.Code == "" && s.Sealer != nil {
			if err := s.seal(ctx, c, at); err != nil {
				return issued, err
			}
		}
		if !keep {
			owed = owed || s.pdfOwed(at)
		} else if err := s.keepPDF(ctx, c, at); err != nil {
			return issued, err // the job runs again, and keeps what is still missing
		}
	}
	// Everything owed today is issued and signed: the application leaves
	// the issuer's list until next (unless it changed meanwhile).
	if owed {
		return issued, s.Store.PlannedOwingPDFs(ctx, a.ID, a.PlanVersion, next)
	}
	return issued, s.Store.Planned(ctx, a.ID, a.PlanVersion, next)
}

// seal signs an attestation's essential data and stores the code.
func (s *Attestations) seal(ctx context.Context, c *Case, at *permit.Attestation) error {
	code, err := s.signer(c)(at)
	if err != nil {
		return err
	}
	at.Code = code
	return s.Store.SetAttestationCode(ctx, at.ID, code)
}

// signer signs the attestations of case c (nil without a sealer).
func (s *Attestations) signer(c *Case) func(*permit.Attestation) (string, error) {
	if s.Sealer == nil {
		return nil
	}
	return func(at *permit.Attestation) (string, error) {
		r, err := s.Rules.Rights(at.Kind, c.App.Ground, c.App.Kind, c.Permit, at.ValidUntil)
		if err != nil {
			return "", err
		}
		return s.Sealer.Seal(c, at, r)
	}
}

func (s *Attestations) attestationMail(ctx context.Context, p *permit.Person, at *permit.Attestation) (*permit.Mail, error) {
	to, lang, err := s.recipient(ctx, p)
	if err != nil || to == "" {
		// No address (a person filed for at the counter): the attestation
		// is issued all the same and printed for them there.
		return nil, err
	}
	key := "mail.attestation." + string(at.Kind)
	return &permit.Mail{To: to, Subject: s.Tr.T(lang, key+".subject"),
		Text: s.Tr.T(lang, key+".body", s.BaseURL+paths.Application.Format(at.ApplicationID))}, nil
}

// sweepBatch is how many applications the sweep reads at once.
const sweepBatch = 200

// sweepWorkers is how many applications of a batch the sweep issues at
// once: most of an application's time is its transactions waiting on the
// database, which several at once overlap (on PostgreSQL, 8 issued 25 %
// more a second than 4 at 4.3M permits). Each application is still
// issued by one issueDue, idempotent.
const sweepWorkers = 8

// ErrSweepUnfinished says that the sweep stopped before the end of its
// list because its time was nearly up; what it did is committed, and the
// next run goes on from the oldest due application left.
var ErrSweepUnfinished = errors.New("casework: the attestation sweep ran out of time")

// SweepAttestations issues what is due: every application whose
// issue_due_on has come (a change the job of which was lost, an extension
// falling due with the passing of days), oldest due first, in batches
// read from an index, so that its cost follows what is due, not how many
// applications are pending; the applications of a batch are issued by
// sweepWorkers at once, and their PDFs left to the issuing jobs each
// application's plan then owes. One application failing does not hold
// back the others. When ctx has a deadline, it stops a tenth of its time before
// and returns ErrSweepUnfinished.
func (s *Attestations) SweepAttestations(ctx context.Context) (int, error) {
	stopAt := time.Time{}
	if dl, ok := ctx.Deadline(); ok {
		stopAt = dl.Add(-time.Until(dl) / 10)
	}
	today := permit.ParisDay(s.Clock.Now())
	var afterDay time.Time
	var afterID int64
	total := 0
	var errs []error
	outOfTime := func() bool { return !stopAt.IsZero() && time.Now().After(stopAt) }
	for {
		if outOfTime() {
			return total, errors.Join(append(errs, ErrSweepUnfinished)...)
		}
		marks, err := s.Store.IssueDue(ctx, today, afterDay, afterID, sweepBatch)
		if err != nil {
			return total, errors.Join(append(errs, err)...)
		}
		n, batchErrs, unfinished := s.sweepBatch(ctx, marks, outOfTime)
		total += n
		errs = append(errs, batchErrs...)
		if unfinished {
			return total, errors.Join(append(errs, ErrSweepUnfinished)...)
		}
		if len(marks) < sweepBatch {
			return total, errors.Join(errs...)
		}
		afterDay, afterID = marks[len(marks)-1].Day, marks[len(marks)-1].ApplicationID
	}
}

// sweepBatch issues what a batch of applications is owed, sweepWorkers
// at once, and says whether it stopped for lack of time.
func (s *Attestations) sweepBatch(ctx context.Context, marks []permit.IssueMark, outOfTime func() bool) (int, []error, bool) {
	var mu sync.Mutex
	total, unfinished := 0, false
	var errs []error
	next := make(chan permit.IssueMark)
	var wg sync.WaitGroup
	for range min(sweepWorkers, len(marks)) {
		wg.Go(func() {
			for m := range next {
				n, err := s.issueDue(ctx, m.ApplicationID, false)
				mu.Lock()
				total += n
				if err != nil {
					s.Logger.Error("attestations not issued", "application", m.ApplicationID, "err", err)
					errs = append(errs, fmt.Errorf("application %d: %w", m.ApplicationID, err))
				}
				mu.Unlock()
			}
		})
	}
	for _, m := range marks {
		if outOfTime() {
			unfinished = true
			break
		}
		next <- m
	}
	close(next)
	wg.Wait()
	return total, errs, unfinished
}
