package casework

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// Step is the next action on an application: who must take it, what it
// is (a translation key), and by when, if there is a date.
type Step struct {
	Actor permit.ActorKind
	Key   string
	Due   *time.Time
}

// ChecklistItem is one document the ground and kind require (or the
// prefecture asked for). Its current files are the case's
// CurrentDocuments(Doc.ID).
type ChecklistItem struct {
	Doc       *rules.Document
	Requested bool // asked for by the open completion request
	// Reusable are the files given for the person's other applications
	// that this slot may take again (Documents.Reuse): still current
	// there, not refused, not older than the catalogue allows, and not
	// already here. Filled only on a full view of an editable file.
	Reusable []*permit.Document
}

// Entry is one line of an application's timeline.
type Entry struct {
	At    time.Time
	Key   string // translation key of what happened
	Actor permit.ActorKind
	Event *permit.Event
	Doc   *permit.Document
	Msg   *permit.Message
	Req   *permit.CompletionRequest
	Filed *permit.Filing
	Moved *permit.Transfer // the application moved to another prefecture
}

// Case is everything the applicant sees of one application.
type Case struct {
	App        *permit.Application
	Person     *permit.Person
	Permit     *permit.Permit
	Prefecture *permit.Prefecture
	Ground     *rules.Ground
	Checklist  []ChecklistItem
	Window     *rules.Window // renewals only
	Next       Step
	Rejection  *time.Time // when silence becomes an implicit rejection
	// CardGrace is, for a pending in-time renewal of a multi-year card,
	// the last day the card stays valid after it expires (L.433-3).
	CardGrace   *time.Time
	Filings     []*permit.Filing
	OpenRequest *permit.CompletionRequest
	Messages    []*permit.Message
	Timeline    []Entry
	Moves       []*permit.Transfer // from one prefecture to another, oldest first
	FeeCents    int64
	Done, Total int // progress of the file: documents and fee stamp

	// Attestations are those the holder can already see, newest first,
	// with the rights each grants derived from today's catalogue.
	Attestations []AttestationView

	Decision    *permit.Decision    // the decision that stands, if any
	Appeal      *Appeal             // for a refusal: the routes and deadlines
	Appointment *permit.Appointment // the collection appointment offered, if any
	// Reviews holds the latest verdict on each document version, by id.
	Reviews map[int64]*permit.DocumentReview
	// Others are the person's other applications, on any ground.
	Others []*permit.Application
	// Undoable says a supervisor may take back the latest step.
	Undoable bool

	// For staff only: the person's data history (oldest first) and the
	// correction request awaiting a decision, if any.
	History           []permit.PersonChange
	PendingCorrection *permit.Correction
	// Unchecked is what the catalogue requires checked before a
	// favourable decision and is not; nil when nothing is missing.
	Unchecked *permit.UncheckedError
	// current holds each slot's current files, oldest first.
	current map[string][]*permit.Document
}

// CurrentDocuments lists the current files of a slot, oldest first: those
// neither removed nor replaced (permit.Document.Current). It is the one
// list of what a slot holds now, read by the checklist, the filing's
// snapshot, the pages and the prefecture's review.
func (c *Case) CurrentDocuments(slot string) []*permit.Document {
	return c.current[slot]
}

// Provided reports whether a slot of the checklist is complete: its code
// given, for a document that takes one (the e-photo code, with files
// optional), else at least one current file.
func (c *Case) Provided(d *rules.Document) bool {
	if d.Code != nil {
		return c.App.PhotoCode != ""
	}
	return len(c.CurrentDocuments(d.ID)) > 0
}

// currentDocuments indexes the current files of an application's
// documents by slot.
func currentDocuments(docs []*permit.Document) map[string][]*permit.Document {
	out := map[string][]*permit.Document{}
	for _, d := range docs {
		if d.Current() {
			out[d.Slot] = append(out[d.Slot], d)
		}
	}
	return out
}

// Review returns the latest verdict on a document version, or nil.
func (c *Case) Review(d *permit.Document) *permit.DocumentReview {
	if d == nil {
		return nil
	}
	return c.Reviews[d.ID]
}

// AttestationView is an attestation with its status today and its rights.
type AttestationView struct {
	*permit.Attestation
	Status permit.AttestationStatus
	Rights rules.Granted
	// Issuer is the prefecture that issued it, which it keeps naming
	// after the application moved to another one.
	Issuer *permit.Prefecture
}

// Missing lists the documents of the checklist not yet provided.
func (c *Case) Missing() []*rules.Document {
	var out []*rules.Document
	for _, it := range c.Checklist {
		if !c.Provided(it.Doc) {
			out = append(out, it.Doc)
		}
	}
	return out
}

// Summary is one application on the dashboard.
type Summary struct {
	App       *permit.Application
	Ground    *rules.Ground
	Next      Step
	Rejection *time.Time
	Window    *rules.Window
	CardGrace *time.Time
	// Attestations are the application's current attestations, newest
	// first: available to download, neither expired, replaced nor
	// revoked (one that starts later, available ahead, included).
	Attestations []AttestationView
}

// Dashboard is what the applicant's dashboard shows.
type Dashboard struct {
	Apps       []Summary
	HasProfile bool
	// Replayed are the account's filings attempted during an outage that
	// the database recorded, with what became of each, newest first.
	Replayed []*permit.FilingAttempt
	// Declarations are the pre-hire declarations employers made naming
	// the person, newest first.
	Declarations []*permit.Declaration
}

// Dashboard lists the applicant's applications, newest first, each with
// its next step, and what else the dashboard shows. It is one read of
// the database, a fixed number of statements whatever the size of the
// person's files (issue 15, part 5).
func (s *Applications) Dashboard(ctx context.Context, acc *permit.Account) (*Dashboard, error) {
	if acc == nil || acc.Role != permit.RoleApplicant {
		return nil, errNotFound
	}
	o, err := s.Store.Overview(ctx, acc.ID, maxListedChecks)
	if err != nil {
		return nil, err
	}
	d := &Dashboard{HasProfile: o.Person != nil, Replayed: o.Attempts, Declarations: o.Declarations}
	today := permit.ParisDay(s.Clock.Now())
	for _, a := range o.Applications {
		g, ok := s.Rules.Ground(a.Ground)
		pref := o.Prefectures[a.PrefectureID]
		if !ok || pref == nil {
			return nil, permit.Errorf(permit.EINTERNAL, "error.internal")
		}
		c := &Case{App: a, Person: o.Person, Ground: g, Permit: o.Permit, Prefecture: pref}
		if err := s.assemble(ctx, c, o.Documents[a.ID], o.Requests[a.ID]); err != nil {
			return nil, err
		}
		if err := s.attestationViews(c, o.Attestations[a.ID]); err != nil {
			return nil, err
		}
		d.Apps = append(d.Apps, Summary{App: a, Ground: c.Ground, Next: c.Next, Rejection: c.Rejection, Window: c.Window, CardGrace: c.CardGrace,
			Attestations: current(c.Attestations, today)})
	}
	return d, nil
}

// current keeps the attestations that still prove something on day
// today: valid, or to be (available ahead of their first day).
func current(all []AttestationView, today time.Time) []AttestationView {
	var out []AttestationView
	for _, a := range all {
		if a.StillProves(today) {
			out = append(out, a)
		}
	}
	return out
}

// View returns one of the applicant's applications in full.
func (s *Applications) View(ctx context.Context, acc *permit.Account, appID int64) (c *Case, err error) {
	err = s.inSnapshot(ctx, func(ctx context.Context) error {
		p, a, err := s.own(ctx, acc, appID)
		if err != nil {
			return err
		}
		c, err = s.load(ctx, p, a, true)
		return err
	})
	return c, err
}

// inSnapshot runs fn with its reads in one read transaction, when the
// store offers it.
func (s *core) inSnapshot(ctx context.Context, fn func(context.Context) error) error {
	if s.Snapshots == nil {
		return fn(ctx)
	}
	return s.Snapshots.InSnapshot(ctx, fn)
}

// load assembles a case, its reads in one read transaction; the timeline
// and messages only when full.
func (s *core) load(ctx context.Context, p *permit.Person, a *permit.Application, full bool) (c *Case, err error) {
	err = s.inSnapshot(ctx, func(ctx context.Context) error {
		c, err = s.loadIn(ctx, p, a, full)
		return err
	})
	return c, err
}

func (s *core) loadIn(ctx context.Context, p *permit.Person, a *permit.Application, full bool) (*Case, error) {
	g, ok := s.Rules.Ground(a.Ground)
	if !ok {
		return nil, permit.Errorf(permit.EINTERNAL, "error.internal")
	}
	c := &Case{App: a, Person: p, Ground: g}
	if pm, err := s.People.CurrentPermit(ctx, p.ID); err == nil {
		c.Permit = pm
	} else if permit.ErrorCode(err) != permit.ENOTFOUND {
		return nil, err
	}
	var err error
	if c.Prefecture, err = s.People.Prefecture(ctx, a.PrefectureID); err != nil {
		return nil, err
	}
	docs, err := s.Cases.Documents(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	reqs, err := s.Cases.CompletionRequests(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	if err := s.assemble(ctx, c, docs, reqs); err != nil {
		return nil, err
	}
	if !full {
		return c, nil
	}
	if err := s.history(ctx, c, docs, reqs); err != nil {
		return nil, err
	}
	if err := s.decisions(ctx, c); err != nil {
		return nil, err
	}
	if err := s.offerReuse(ctx, c); err != nil {
		return nil, err
	}
	return c, s.attestations(ctx, c)
}

// assemble works out, from an application's permit, documents and
// completion requests, its checklist, window, fee, deadlines and next
// step. It reads nothing more, but the outages that relieve a late
// renewal.
func (s *core) assemble(ctx context.Context, c *Case, docs []*permit.Document, reqs []*permit.CompletionRequest) error {
	a := c.App
	for _, r := range reqs {
		if r.AnsweredAt == nil && a.State == permit.StateIncomplete {
			c.OpenRequest = r
		}
	}
	if err := s.checklist(c, docs); err != nil {
		return err
	}
	late := false
	if a.Kind == permit.KindRenewal && c.Permit != nil {
		filed := s.Clock.Now()
		if a.SubmittedAt != nil {
			filed = *a.SubmittedAt
		}
		w, err := s.window(ctx, c.Permit.ValidTo, filed)
		if err != nil {
			return err
		}
		c.Window, late = &w, w.Status == rules.WindowLate
	}
	var err error
	if c.FeeCents, err = s.Rules.Fee(a.Ground, a.Kind, late); err != nil {
		return err
	}
	if a.SubmittedAt != nil && a.State.AwaitsDecision() {
		r := s.Rules.Delays().ImplicitRejection(*a.SubmittedAt)
		c.Rejection = &r
		if c.Window != nil && !late {
			if g, ok := s.Rules.CardGrace(c.Permit); ok {
				c.CardGrace = &g
			}
		}
	}
	c.Next = s.nextStep(c)
	return nil
}

// decisions adds the decision, the appointment, the document reviews and
// the person's other applications.
func (s *core) decisions(ctx context.Context, c *Case) error {
	var err error
	if c.Decision, err = s.Cases.Decision(ctx, c.App.ID); err != nil && permit.ErrorCode(err) != permit.ENOTFOUND {
		return err
	}
	c.Appeal = appealOf(s.Rules.Appeals, c.Decision)
	if c.App.State == permit.StateCardReady {
		if c.Appointment, err = s.Cases.Appointment(ctx, c.App.ID); err != nil && permit.ErrorCode(err) != permit.ENOTFOUND {
			return err
		}
	}
	if c.Reviews, err = s.reviews(ctx, c.App.ID); err != nil {
		return err
	}
	apps, err := s.People.ApplicationsByPerson(ctx, c.Person.ID)
	if err != nil {
		return err
	}
	for _, a := range apps {
		if a.ID != c.App.ID {
			c.Others = append(c.Others, a)
		}
	}
	return nil
}

// reviews returns the latest verdict on each document version of an
// application, by version id.
func (s *core) reviews(ctx context.Context, appID int64) (map[int64]*permit.DocumentReview, error) {
	all, err := s.Cases.DocumentReviews(ctx, appID)
	if err != nil {
		return nil, err
	}
	out := map[int64]*permit.DocumentReview{}
	for _, r := range all {
		out[r.DocumentID] = r
	}
	return out, nil
}

// attestations lists what the holder may already download.
func (s *core) attestations(ctx context.Context, c *Case) error {
	if s.Cases == nil {
		return nil
	}
	all, err := s.Cases.Attestations(ctx, c.App.ID)
	if err != nil {
		return err
	}
	return s.attestationViews(c, all)
}

// attestationViews adds an application's attestations, all its versions
// given oldest first, newest first with their status and rights.
func (s *core) attestationViews(c *Case, all []*permit.Attestation) error {
	now := s.Clock.Now()
	today := permit.ParisDay(now)
	for i := len(all) - 1; i >= 0; i-- {
		a := all[i]
		if a.AvailableFrom.After(today) {
			continue
		}
		r, err := s.Rules.Rights(a.Kind, c.App.Ground, c.App.Kind, c.Permit, a.ValidUntil)
		if err != nil {
			return err
		}
		c.Attestations = append(c.Attestations, AttestationView{Attestation: a, Status: a.Status(today), Rights: r,
			Issuer: issuerAt(c.Moves, c.Prefecture, a.IssuedAt)})
	}
	return nil
}

// checklist lists each required (or requested) document, indexes the
// current files of each slot, and counts the progress of the file.
func (s *core) checklist(c *Case, docs []*permit.Document) error {
	required, err := s.Rules.RequiredDocuments(c.App.Ground, c.App.Kind)
	if err != nil {
		return err
	}
	c.current = currentDocuments(docs)
	seen := map[string]bool{}
	for _, d := range required {
		c.Checklist = append(c.Checklist, ChecklistItem{Doc: d})
		seen[d.ID] = true
	}
	if c.OpenRequest != nil {
		for _, slot := range c.OpenRequest.Slots {
			if !seen[slot] {
				if d, ok := s.Rules.Document(slot); ok {
					c.Checklist = append(c.Checklist, ChecklistItem{Doc: d})
				}
			}
		}
		for i := range c.Checklist {
			c.Checklist[i].Requested = slices.Contains(c.OpenRequest.Slots, c.Checklist[i].Doc.ID)
		}
	}
	c.Total = len(c.Checklist) + 1
	for _, it := range c.Checklist {
		if c.Provided(it.Doc) {
			c.Done++
		}
	}
	if permit.ValidFeeStamp(c.App.FeeStamp) {
		c.Done++
	}
	return nil
}

// nextStep says who acts next and by when. Every state has one: the test
// TestEveryStateHasANextStep walks them all.
func (s *core) nextStep(c *Case) Step {
	st := Step{Actor: c.App.State.NextActor(), Key: "step." + string(c.App.State)}
	switch c.App.State {
	case permit.StateDraft:
		if c.Window != nil && c.Window.Status != rules.WindowLate {
			d := c.Window.Closes
			st.Due = &d
		}
	case permit.StateSubmitted, permit.StateUnderReview:
		st.Due = c.Rejection
	case permit.StateIncomplete:
		if c.OpenRequest != nil {
			d := c.OpenRequest.DueOn
			st.Due = &d
		}
	}
	return st
}

// history merges events, filings, document versions, completion requests,
// messages and moves between prefectures into one timeline, oldest first.
func (s *core) history(ctx context.Context, c *Case, docs []*permit.Document, reqs []*permit.CompletionRequest) error {
	evs, err := s.Cases.Events(ctx, c.App.ID)
	if err != nil {
		return err
	}
	if c.Filings, err = s.Cases.Filings(ctx, c.App.ID); err != nil {
		return err
	}
	if c.Messages, err = s.Cases.Messages(ctx, c.App.ID); err != nil {
		return err
	}
	if len(evs) > 0 {
		c.Undoable = permit.Undoable(c.App, evs[len(evs)-1])
	}
	var tl []Entry
	for _, e := range evs {
		tl = append(tl, Entry{At: e.At, Key: "timeline.state", Actor: e.Actor.Kind, Event: e})
	}
	for _, f := range c.Filings {
		tl = append(tl, Entry{At: f.FiledAt, Key: "timeline.filed", Actor: permit.ActorApplicant, Filed: f})
	}
	for _, d := range docs {
		if d.MessageID != 0 {
			continue
		}
		key := "timeline.document_added"
		if d.ReusedFrom != 0 {
			key = "timeline.document_reused"
		}
		tl = append(tl, Entry{At: d.UploadedAt, Key: key, Actor: permit.ActorApplicant, Doc: d})
		if d.RemovedAt != nil {
			tl = append(tl, Entry{At: *d.RemovedAt, Key: "timeline.document_removed", Actor: permit.ActorApplicant, Doc: d})
		}
	}
	for _, m := range c.Messages {
		tl = append(tl, Entry{At: m.CreatedAt, Key: "timeline.message", Actor: m.Sender.Kind, Msg: m})
	}
	if tl, err = s.transferEntries(ctx, c, tl); err != nil {
		return err
	}
	sort.SliceStable(tl, func(i, j int) bool { return tl[i].At.Before(tl[j].At) })
	c.Timeline = tl
	return nil
}

// Needs reports whether a document is on the case's checklist.
func (c *Case) Needs(docID string) bool {
	for _, it := range c.Checklist {
		if it.Doc.ID == docID {
			return true
		}
	}
	return false
}
