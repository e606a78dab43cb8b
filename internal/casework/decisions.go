package casework

import (
	"context"
	"github.com/sejour/sejour/internal/rules"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
)

// DecisionStore is what the prefecture's decisions need from the database.
type DecisionStore interface {
	Decide(ctx context.Context, a *permit.Application, ev *permit.Event, d *permit.Decision, m *permit.Mail) error
	ProduceCard(ctx context.Context, a *permit.Application, ev *permit.Event, ap *permit.Appointment, m *permit.Mail) error
	HandOver(ctx context.Context, a *permit.Application, ev *permit.Event, card *permit.Permit) error
	Undo(ctx context.Context, a *permit.Application, ev *permit.Event, m *permit.Mail) error
	ReviewDocument(ctx context.Context, r *permit.DocumentReview) error
	AnswerCompletion(ctx context.Context, a *permit.Application, ev *permit.Event) error
	Step(ctx context.Context, a *permit.Application, ev *permit.Event, m *permit.Mail) error
	ConfirmIdentity(ctx context.Context, personID, actorID int64) error
	RequestCompletion(ctx context.Context, a *permit.Application, ev *permit.Event, cr *permit.CompletionRequest, m *permit.Mail) error
}

// ActionConfirmIdentity is what an agent's check of an identity against
// the passport is recorded as in the audit trail.
const ActionConfirmIdentity = "confirm_identity"

// ConfirmIdentity records that the agent checked the applicant's declared
// identity against their passport (at the counter, or on the scan in the
// file). The identity is then shown as confirmed and changes only through
// a correction request.
func (s *Decisions) ConfirmIdentity(ctx context.Context, acc *permit.Account, appID int64) error {
	a, p, err := s.act(ctx, acc, appID)
	if err != nil {
		return err
	}
	return s.Store.ConfirmIdentity(acting(ctx, acc, a, ActionConfirmIdentity, ""), p.ID, acc.ID)
}

// maxReason bounds the free text of a decision, a review or a reason.
const maxReason = 2000

// act loads an application a staff member may act on, with its person.
func (s *Decisions) act(ctx context.Context, acc *permit.Account, appID int64) (*permit.Application, *permit.Person, error) {
	a, err := s.staff(ctx, acc, appID)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.People.Person(ctx, a.PersonID)
	if err != nil {
		return nil, nil, err
	}
	return a, p, nil
}

// tell writes the mail that tells the applicant about a step of their
// application, in their language; nil when there is no address to write to
// (a person recorded at the counter, without account or contact address).
func (s *Decisions) tell(ctx context.Context, p *permit.Person, a *permit.Application, key string) (*permit.Mail, error) {
	to, lang, err := s.recipient(ctx, p)
	if err != nil || to == "" {
		return nil, err
	}
	return &permit.Mail{To: to, Subject: s.Tr.T(lang, "mail."+key+".subject"),
		Text: s.Tr.T(lang, "mail."+key+".body", s.BaseURL+paths.Application.Format(a.ID))}, nil
}

// reasonText checks a mandatory free-text reason.
func reasonText(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", permit.Invalid(map[string]string{field: "decision.error.reason"})
	}
	if utf8.RuneCountInString(s) > maxReason {
		return "", permit.Invalid(map[string]string{field: "decision.error.too_long"})
	}
	return s, nil
}

// MarkComplete records that the file is complete: the agent ends the
// wait for documents (for instance when they were handed in at the
// counter) and the examination goes on.
func (s *Decisions) MarkComplete(ctx context.Context, acc *permit.Account, appID int64) error {
	a, _, err := s.act(ctx, acc, appID)
	if err != nil {
		return err
	}
	ev, err := permit.Transition(a, permit.ActionComplete, actorOf(acc), s.Clock.Now(), "")
	if err != nil {
		return err
	}
	if err := s.Store.AnswerCompletion(acting(ctx, acc, a, string(permit.ActionComplete), ""), a, ev); err != nil {
		return err
	}
	s.attest.issueNow(ctx, a.ID)
	return nil
}

// DecideFavourable grants the application. The favourable-decision
// attestation is issued at once (or by the queue's retry if that fails),
// and the applicant is told. The file must first be checked as the
// catalogue requires (rules.DecisionRules): otherwise the refusal is a
// *permit.UncheckedError listing what is missing.
func (s *Decisions) DecideFavourable(ctx context.Context, acc *permit.Account, appID int64, note string) error {
	a, p, err := s.act(ctx, acc, appID)
	if err != nil {
		return err
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > maxReason {
		return permit.Invalid(map[string]string{"note": "decision.error.too_long"})
	}
	c, err := s.checkedCase(ctx, p, a)
	if err != nil {
		return err
	}
	ev, err := permit.Transition(a, permit.ActionDecideFavour, actorOf(acc), s.Clock.Now(), note)
	if err != nil {
		return err
	}
	if missing := s.unchecked(c); missing != nil {
		return missing
	}
	m, err := s.tell(ctx, p, a, "decided_favourable")
	if err != nil {
		return err
	}
	d := &permit.Decision{Outcome: permit.OutcomeFavourable, Note: note, DecidedBy: acc.ID}
	for _, r := range c.Reviews {
		d.ReviewsSeen = max(d.ReviewsSeen, r.ID)
	}
	if err := s.Store.Decide(acting(ctx, acc, a, string(permit.ActionDecideFavour), note), a, ev, d, m); err != nil {
		return err
	}
	s.attest.issueNow(ctx, a.ID)
	return nil
}

// Unchecked says what the catalogue requires checked before a favourable
// decision on the application and is not yet: nil when nothing is
// missing. The case page shows the same (Case.Unchecked).
func (s *Decisions) Unchecked(ctx context.Context, acc *permit.Account, appID int64) (*permit.UncheckedError, error) {
	a, p, err := s.act(ctx, acc, appID)
	if err != nil {
		return nil, err
	}
	c, err := s.checkedCase(ctx, p, a)
	if err != nil {
		return nil, err
	}
	return s.unchecked(c), nil
}

// checkedCase reads what unchecked needs of an application: its
// checklist and the verdicts on its documents.
func (s *core) checkedCase(ctx context.Context, p *permit.Person, a *permit.Application) (*Case, error) {
	c, err := s.load(ctx, p, a, false)
	if err != nil {
		return nil, err
	}
	c.Reviews, err = s.reviews(ctx, a.ID)
	return c, err
}

// unchecked says what the catalogue requires checked before a favourable
// decision and is not, from a case with its reviews: nil when nothing is
// missing. A slot counts as accepted when it holds at least one current
// file (or, for a slot that takes a code, the code is given) and the
// latest verdict on each of its current files accepts it, so a file sent
// after an acceptance needs a look of its own. Each file not accepted is
// named; a slot with nothing is named once, without a version.
func (s *core) unchecked(c *Case) *permit.UncheckedError {
	rule := s.Rules.Decisions
	e := &permit.UncheckedError{}
	if rule.Requires(rules.CheckDocumentsAccepted) {
		for _, it := range c.Checklist {
			files := c.CurrentDocuments(it.Doc.ID)
			if !c.Provided(it.Doc) {
				e.Documents = append(e.Documents, permit.UncheckedDocument{Slot: it.Doc.ID})
				continue
			}
			for _, f := range files {
				if r := c.Review(f); r == nil || !r.Accepted {
					e.Documents = append(e.Documents, permit.UncheckedDocument{Slot: it.Doc.ID, Version: f.ID, Rejected: r != nil})
				}
			}
		}
	}
	e.Identity = rule.Requires(rules.CheckIdentityConfirmed) && c.Person.ConfirmedAt == nil
	if len(e.Documents) == 0 && !e.Identity {
		return nil
	}
	return e
}

// RefusalForm is a refusal: reasons from the list, the agent's words, and
// whether an obligation to leave France (OQTF) comes with it.
type RefusalForm struct {
	Reasons []string
	Note    string
	OQTF    bool
}

// DecideUnfavourable refuses the application, with reasons the applicant
// reads together with the appeal routes and their deadlines.
func (s *Decisions) DecideUnfavourable(ctx context.Context, acc *permit.Account, appID int64, f RefusalForm) error {
	a, p, err := s.act(ctx, acc, appID)
	if err != nil {
		return err
	}
	errs := map[string]string{}
	if len(f.Reasons) == 0 {
		errs["reasons"] = "decision.error.reasons"
	}
	for _, r := range f.Reasons {
		if !slices.Contains(permit.RefusalReasons, r) {
			errs["reasons"] = "decision.error.reasons"
		}
	}
	note := strings.TrimSpace(f.Note)
	if note == "" {
		errs["note"] = "decision.error.refusal_note"
	} else if utf8.RuneCountInString(note) > maxReason {
		errs["note"] = "decision.error.too_long"
	}
	if err := permit.Invalid(errs); err != nil {
		return err
	}
	ev, err := permit.Transition(a, permit.ActionDecideRefuse, actorOf(acc), s.Clock.Now(), note)
	if err != nil {
		return err
	}
	m, err := s.tell(ctx, p, a, "decided_unfavourable")
	if err != nil {
		return err
	}
	d := &permit.Decision{Outcome: permit.OutcomeUnfavourable, Reasons: slices.Compact(slices.Sorted(slices.Values(f.Reasons))),
		Note: note, WithOQTF: f.OQTF, DecidedBy: acc.ID}
	if err := s.Store.Decide(acting(ctx, acc, a, string(permit.ActionDecideRefuse), strings.Join(d.Reasons, ",")), a, ev, d, m); err != nil {
		return err
	}
	return nil
}

// ProduceCard records that the card is made and ready to collect, and
// tells the applicant, who picks a collection slot among the free
// card_collection slots of the prefecture on the application's page
// (Appointments.Collection): the agent no longer types a date.
func (s *Decisions) ProduceCard(ctx context.Context, acc *permit.Account, appID int64) error {
	a, p, err := s.act(ctx, acc, appID)
	if err != nil {
		return err
	}
	ev, err := permit.Transition(a, permit.ActionCardProduced, actorOf(acc), s.Clock.Now(), "")
	if err != nil {
		return err
	}
	m, err := s.tell(ctx, p, a, "card_collection")
	if err != nil {
		return err
	}
	return s.Store.ProduceCard(acting(ctx, acc, a, string(permit.ActionCardProduced), ""), a, ev, nil, m)
}

// HandOverForm is the card handed over: its number and validity.
type HandOverForm struct {
	Number    string
	ValidFrom string // YYYY-MM-DD
	ValidTo   string // YYYY-MM-DD
}

// HandOver records that the card was handed over; it becomes the person's
// current permit, confirmed by the prefecture.
func (s *Decisions) HandOver(ctx context.Context, acc *permit.Account, appID int64, f HandOverForm) error {
	a, _, err := s.act(ctx, acc, appID)
	if err != nil {
		return err
	}
	errs := map[string]string{}
	number := strings.ToUpper(strings.TrimSpace(f.Number))
	if n := len(number); n < 6 || n > 20 || strings.Trim(number, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
		errs["number"] = "card.error.number"
	}
	from, err1 := time.Parse(time.DateOnly, strings.TrimSpace(f.ValidFrom))
	to, err2 := time.Parse(time.DateOnly, strings.TrimSpace(f.ValidTo))
	today := permit.ParisDay(s.Clock.Now())
	if err1 != nil {
		errs["valid_from"] = "card.error.valid_from"
	}
	maxYears := 0
	if g, ok := s.Rules.Ground(a.Ground); ok {
		maxYears = g.Card.MaxYears
	}
	if err2 != nil || (err1 == nil && !to.After(from)) || !to.After(today) || to.After(from.AddDate(maxYears, 0, 1)) {
		errs["valid_to"] = "card.error.valid_to"
	}
	if err := permit.InvalidWith(errs, map[string][]any{"valid_to": {maxYears}}); err != nil {
		return err
	}
	ev, err := permit.Transition(a, permit.ActionHandOver, actorOf(acc), s.Clock.Now(), "")
	if err != nil {
		return err
	}
	card := &permit.Permit{PersonID: a.PersonID, Ground: a.Ground, Number: number, ValidFrom: from, ValidTo: to}
	return s.Store.HandOver(acting(ctx, acc, a, string(permit.ActionHandOver), number), a, ev, card)
}

// Close closes an application with a reason the applicant reads; it can
// be reopened.
func (s *Decisions) Close(ctx context.Context, acc *permit.Account, appID int64, reason string) error {
	return s.reasoned(ctx, acc, appID, permit.ActionClose, reason, "closed")
}

// Reopen takes a closed application back into examination.
func (s *Decisions) Reopen(ctx context.Context, acc *permit.Account, appID int64, reason string) error {
	return s.reasoned(ctx, acc, appID, permit.ActionReopen, reason, "reopened")
}

func (s *Decisions) reasoned(ctx context.Context, acc *permit.Account, appID int64, action permit.Action, reason, mail string) error {
	a, p, err := s.act(ctx, acc, appID)
	if err != nil {
		return err
	}
	if reason, err = reasonText("reason", reason); err != nil {
		return err
	}
	ev, err := permit.Transition(a, action, actorOf(acc), s.Clock.Now(), reason)
	if err != nil {
		return err
	}
	m, err := s.tell(ctx, p, a, mail)
	if err != nil {
		return err
	}
	if err := s.Store.Step(acting(ctx, acc, a, string(action), reason), a, ev, m); err != nil {
		return err
	}
	s.attest.issueNow(ctx, a.ID)
	return nil
}

// Undo takes back the latest step of an application, when a supervisor
// finds it was a mistake and the rules allow it (permit.Undo).
func (s *Decisions) Undo(ctx context.Context, acc *permit.Account, appID int64, reason string) error {
	a, p, err := s.act(ctx, acc, appID)
	if err != nil {
		return err
	}
	if !acc.Supervises() {
		return permit.Errorf(permit.EFORBIDDEN, "undo.error.supervisor")
	}
	if reason, err = reasonText("reason", reason); err != nil {
		return err
	}
	evs, err := s.Cases.Events(ctx, a.ID)
	if err != nil {
		return err
	}
	var last *permit.Event
	if len(evs) > 0 {
		last = evs[len(evs)-1]
	}
	ev, err := permit.Undo(a, last, actorOf(acc), s.Clock.Now(), reason)
	if err != nil {
		return err
	}
	m, err := s.tell(ctx, p, a, "undone")
	if err != nil {
		return err
	}
	if err := s.Store.Undo(acting(ctx, acc, a, "undo", reason), a, ev, m); err != nil {
		return err
	}
	s.attest.issueNow(ctx, a.ID)
	return nil
}

// ReviewForm is an agent's verdict on a document.
type ReviewForm struct {
	Accept bool
	Reason string // from permit.DocumentRejections, when rejected
	Note   string
}

// ReviewDocument accepts or rejects one version of a document. The
// applicant sees a rejection and its reason on their page.
func (s *Decisions) ReviewDocument(ctx context.Context, acc *permit.Account, appID, docID int64, f ReviewForm) error {
	a, _, err := s.act(ctx, acc, appID)
	if err != nil {
		return err
	}
	d, err := s.Cases.Document(ctx, docID)
	if err != nil || d.ApplicationID != a.ID || d.MessageID != 0 {
		return errNotFound
	}
	errs := map[string]string{}
	note := strings.TrimSpace(f.Note)
	if !f.Accept && !slices.Contains(permit.DocumentRejections, f.Reason) {
		errs["reason"] = "review.error.reason"
	}
	if !f.Accept && f.Reason == "other" && note == "" {
		errs["note"] = "review.error.note"
	}
	if utf8.RuneCountInString(note) > maxReason {
		errs["note"] = "decision.error.too_long"
	}
	if err := permit.Invalid(errs); err != nil {
		return err
	}
	r := &permit.DocumentReview{DocumentID: d.ID, ApplicationID: a.ID, Accepted: f.Accept, Note: note, ReviewedBy: acc.ID}
	action := "document_accepted"
	if !f.Accept {
		r.Reason, action = f.Reason, "document_rejected"
	}
	e := entryFor(acc, a, action, r.Reason)
	e.DocumentID = d.ID
	return s.Store.ReviewDocument(audit.With(ctx, e), r)
}

// Appeal is what an applicant can do against a refusal, and by when.
type Appeal struct {
	Gracious time.Time // recours gracieux (to the prefect) or hiérarchique (to the minister)
	Court    time.Time // recours contentieux at the administrative court
	OQTF     bool      // an obligation to leave France shortens the court deadline...
	OQTFDays int       // ...to this many days (the catalogue's), said to the applicant
}

// appealOf computes the appeal deadlines of a refusal, counted from the
// day of the decision (its notification through the portal), with the
// catalogue's delays (rules.Appeals): one for the administrative
// appeals, one for the court, and a shorter one for the court when an
// obligation to leave France comes with the refusal, which an
// administrative appeal does not extend.
func appealOf(delays rules.Appeals, d *permit.Decision) *Appeal {
	if d == nil || d.Outcome != permit.OutcomeUnfavourable {
		return nil
	}
	ap := &Appeal{OQTF: d.WithOQTF, OQTFDays: delays.CourtDaysWithOQTF}
	ap.Gracious, ap.Court = delays.Deadlines(permit.ParisDay(d.DecidedAt), d.WithOQTF)
	return ap
}
