package permit

import (
	"slices"
	"time"
)

// State is where an application stands in its lifecycle.
type State string

// The states of an application. See docs/architecture.md for the diagram.
const (
	StateDraft        State = "draft"        // being prepared by the applicant
	StateSubmitted    State = "submitted"    // filed; attestation de dépôt issued
	StateIncomplete   State = "incomplete"   // the prefecture asked for documents
	StateUnderReview  State = "under_review" // a prefecture agent examines it
	StateFavourable   State = "favourable"   // decided favourably; card to produce
	StateCardReady    State = "card_ready"   // card produced, to be collected
	StateHandedOver   State = "handed_over"  // card handed over: done
	StateUnfavourable State = "unfavourable" // refused, with reasons and appeal routes
	StateWithdrawn    State = "withdrawn"    // withdrawn by the applicant
	StateClosed       State = "closed"       // closed by the prefecture, reasoned, reopenable
)

// States lists every state.
var States = []State{
	StateDraft, StateSubmitted, StateIncomplete, StateUnderReview,
	StateFavourable, StateCardReady, StateHandedOver, StateUnfavourable,
	StateWithdrawn, StateClosed,
}

// Action names a transition.
type Action string

// The actions that move an application between states.
const (
	ActionSubmit       Action = "submit"
	ActionStartReview  Action = "start_review"
	ActionRequestDocs  Action = "request_completion"
	ActionComplete     Action = "complete"
	ActionDecideFavour Action = "decide_favourable"
	ActionDecideRefuse Action = "decide_unfavourable"
	ActionCardProduced Action = "card_produced"
	ActionHandOver     Action = "hand_over"
	ActionWithdraw     Action = "withdraw"
	ActionClose        Action = "close"
	ActionReopen       Action = "reopen"
)

// transition is one edge of the state machine.
type transition struct {
	from   []State
	to     State
	actors []ActorKind
	reason bool // a reason is mandatory
}

// transitions is the whole state machine, in one place. Nothing else in
// sejour changes an application's state.
var transitions = map[Action]transition{
	ActionSubmit:       {from: []State{StateDraft}, to: StateSubmitted, actors: []ActorKind{ActorApplicant, ActorAgent}},
	ActionStartReview:  {from: []State{StateSubmitted}, to: StateUnderReview, actors: []ActorKind{ActorAgent, ActorSystem}},
	ActionRequestDocs:  {from: []State{StateSubmitted, StateUnderReview}, to: StateIncomplete, actors: []ActorKind{ActorAgent}, reason: true},
	ActionComplete:     {from: []State{StateIncomplete}, to: StateUnderReview, actors: []ActorKind{ActorApplicant, ActorAgent}},
	ActionDecideFavour: {from: []State{StateUnderReview}, to: StateFavourable, actors: []ActorKind{ActorAgent}},
	ActionDecideRefuse: {from: []State{StateUnderReview}, to: StateUnfavourable, actors: []ActorKind{ActorAgent}, reason: true},
	ActionCardProduced: {from: []State{StateFavourable}, to: StateCardReady, actors: []ActorKind{ActorAgent, ActorSystem}},
	ActionHandOver:     {from: []State{StateCardReady}, to: StateHandedOver, actors: []ActorKind{ActorAgent}},
	ActionWithdraw:     {from: []State{StateDraft, StateSubmitted, StateIncomplete, StateUnderReview}, to: StateWithdrawn, actors: []ActorKind{ActorApplicant}},
	ActionClose:        {from: []State{StateSubmitted, StateIncomplete, StateUnderReview}, to: StateClosed, actors: []ActorKind{ActorAgent}, reason: true},
	ActionReopen:       {from: []State{StateClosed}, to: StateUnderReview, actors: []ActorKind{ActorAgent}, reason: true},
}

// Transition checks that actor may apply action to an application in state
// from, and returns the event that records it. It is the only way a state
// changes; the store persists the event and the new state together.
func Transition(app *Application, action Action, actor Actor, at time.Time, reason string) (*Event, error) {
	t, ok := transitions[action]
	if !ok {
		return nil, Errorf(EINVALID, "error.transition.unknown")
	}
	if !slices.Contains(t.from, app.State) {
		return nil, Errorf(ECONFLICT, "error.transition.state")
	}
	if !slices.Contains(t.actors, actor.Kind) {
		return nil, Errorf(EFORBIDDEN, "error.forbidden")
	}
	if t.reason && reason == "" {
		return nil, Errorf(EINVALID, "error.transition.reason")
	}
	ev := &Event{ApplicationID: app.ID, From: app.State, To: t.to, Actor: actor, At: at, Reason: reason}
	app.State = t.to
	app.UpdatedAt = at
	if action == ActionSubmit {
		app.SubmittedAt = &at
	}
	return ev, nil
}

// Actions returns the actions that can follow state s, for any actor.
func Actions(s State) []Action {
	var out []Action
	for a, t := range transitions {
		if slices.Contains(t.from, s) {
			out = append(out, a)
		}
	}
	return out
}

// Allowed reports whether actor may take action on an application in
// state s: the state machine's own answer, so that pages offer exactly
// the actions Transition would accept.
func Allowed(s State, action Action, actor ActorKind) bool {
	t, ok := transitions[action]
	return ok && slices.Contains(t.from, s) && slices.Contains(t.actors, actor)
}

// Open reports whether an application in state s is still in progress, so
// that a second one on the same ground would be a duplicate.
// AwaitsDecision reports whether the application is filed and not yet
// decided, withdrawn or closed: the only states in which the prefecture's
// silence can become an implicit rejection.
func (s State) AwaitsDecision() bool {
	return s == StateSubmitted || s == StateIncomplete || s == StateUnderReview
}

// Open reports whether the application is still in progress.
func (s State) Open() bool {
	switch s {
	case StateHandedOver, StateUnfavourable, StateWithdrawn, StateClosed:
		return false
	}
	return true
}

// EndStates are the states in which an application is no longer in
// progress (not Open), in the order of States: the store's "one open
// application per ground" index and queries are checked against them.
func EndStates() []State {
	var out []State
	for _, s := range States {
		if !s.Open() {
			out = append(out, s)
		}
	}
	return out
}

// NextActor says who must act next in state s. No state leaves nobody with
// something to do: in a final state the applicant may still file again,
// appeal, or ask for a reopening.
func (s State) NextActor() ActorKind {
	switch s {
	case StateSubmitted, StateUnderReview, StateFavourable, StateClosed:
		return ActorAgent
	}
	return ActorApplicant
}
