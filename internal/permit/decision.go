package permit

import "time"

// Outcome is what the prefecture decided.
type Outcome string

// The two outcomes of a decision.
const (
	OutcomeFavourable   Outcome = "favourable"
	OutcomeUnfavourable Outcome = "unfavourable"
)

// RefusalReasons are the reasons a refusal may give, each with a
// translation key "refusal.reason.<id>"; "other" needs free text.
var RefusalReasons = []string{
	"conditions_not_met", "insufficient_resources", "no_real_studies", "no_work_authorisation",
	"no_community_of_life", "public_order", "fraud", "completion_unanswered", "other",
}

// DocumentRejections are the reasons a document may be rejected for, each
// with a translation key "review.reason.<id>"; "other" needs free text.
var DocumentRejections = []string{"illegible", "expired", "wrong_document", "incomplete", "identity_mismatch", "other"}

// Decision is the prefecture's decision on an application. An undone
// decision (a supervisor took it back) stays in the history.
type Decision struct {
	ID            int64
	ApplicationID int64
	Outcome       Outcome
	Reasons       []string // refusal reasons, from RefusalReasons
	Note          string   // the agent's words, shown to the applicant
	WithOQTF      bool     // the refusal comes with an obligation to leave France
	DecidedBy     int64
	DecidedAt     time.Time
	EventID       int64
	UndoneAt      *time.Time
	// ReviewsSeen is, for a favourable decision, the newest verdict on a
	// document the decision was taken on (a DocumentReview's id, 0 for
	// none): a verdict recorded since makes the decision a conflict, so
	// that a document rejected while another agent grants stops the
	// grant. It is not stored.
	ReviewsSeen int64
}

// DocumentReview is an agent's verdict on one version of a document.
type DocumentReview struct {
	ID            int64
	DocumentID    int64
	ApplicationID int64
	Accepted      bool
	Reason        string // from DocumentRejections when rejected
	Note          string
	ReviewedBy    int64
	ReviewedAt    time.Time
}

// Appointment is the collection appointment offered for a card that is
// ready. A new offer cancels the previous one.
type Appointment struct {
	ID            int64
	ApplicationID int64
	StartsAt      time.Time
	Place         string
	OfferedBy     int64
	OfferedAt     time.Time
	CancelledAt   *time.Time
}

// undoable lists the steps a supervisor may take back, as from → to: the
// prefecture's own decisions and card steps, and closing or reopening.
// What the applicant did (filing, completing, withdrawing) and what
// sejour did by itself are never undone.
var undoable = map[[2]State]bool{
	{StateUnderReview, StateFavourable}:   true,
	{StateUnderReview, StateUnfavourable}: true,
	{StateFavourable, StateCardReady}:     true,
	{StateCardReady, StateHandedOver}:     true,
	{StateSubmitted, StateClosed}:         true,
	{StateIncomplete, StateClosed}:        true,
	{StateUnderReview, StateClosed}:       true,
	{StateClosed, StateUnderReview}:       true,
}

// Undoable reports whether last, the latest event of app, may be undone.
func Undoable(app *Application, last *Event) bool {
	return last != nil && last.ApplicationID == app.ID && last.To == app.State &&
		last.Actor.Kind == ActorAgent && last.UndoOf == 0 && undoable[[2]State{last.From, last.To}]
}

// Undo takes back the latest step of an application, when the rules
// allow it: it must be the latest event, taken by an agent, one of the
// undoable steps, and not itself an undo. The reason is mandatory. The
// caller checks that the actor is a supervisor.
func Undo(app *Application, last *Event, actor Actor, at time.Time, reason string) (*Event, error) {
	if !Undoable(app, last) {
		return nil, Errorf(ECONFLICT, "undo.error.not_undoable")
	}
	if actor.Kind != ActorAgent {
		return nil, Errorf(EFORBIDDEN, "error.forbidden")
	}
	if reason == "" {
		return nil, Errorf(EINVALID, "error.transition.reason")
	}
	ev := &Event{ApplicationID: app.ID, From: app.State, To: last.From, Actor: actor, At: at, Reason: reason, UndoOf: last.ID}
	app.State = last.From
	app.UpdatedAt = at
	return ev, nil
}
