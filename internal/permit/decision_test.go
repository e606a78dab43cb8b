package permit

import (
	"testing"
	"time"
)

func TestUndoFollowsTheRules(t *testing.T) {
	agent := Actor{Kind: ActorAgent, AccountID: 7}
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	ev := func(from, to State, by ActorKind, undoOf int64) *Event {
		return &Event{ID: 9, ApplicationID: 1, From: from, To: to, Actor: Actor{Kind: by}, UndoOf: undoOf}
	}
	tests := []struct {
		name  string
		state State
		last  *Event
		ok    bool
	}{
		{"favourable decision", StateFavourable, ev(StateUnderReview, StateFavourable, ActorAgent, 0), true},
		{"refusal", StateUnfavourable, ev(StateUnderReview, StateUnfavourable, ActorAgent, 0), true},
		{"card produced", StateCardReady, ev(StateFavourable, StateCardReady, ActorAgent, 0), true},
		{"hand-over", StateHandedOver, ev(StateCardReady, StateHandedOver, ActorAgent, 0), true},
		{"closing", StateClosed, ev(StateIncomplete, StateClosed, ActorAgent, 0), true},
		{"reopening", StateUnderReview, ev(StateClosed, StateUnderReview, ActorAgent, 0), true},
		{"the applicant's filing", StateSubmitted, ev(StateDraft, StateSubmitted, ActorApplicant, 0), false},
		{"the applicant's withdrawal", StateWithdrawn, ev(StateUnderReview, StateWithdrawn, ActorApplicant, 0), false},
		{"the system's step", StateUnderReview, ev(StateSubmitted, StateUnderReview, ActorSystem, 0), false},
		{"a completion request", StateIncomplete, ev(StateUnderReview, StateIncomplete, ActorAgent, 0), false},
		{"an undo", StateUnderReview, ev(StateFavourable, StateUnderReview, ActorAgent, 8), false},
		{"not the latest step", StateCardReady, ev(StateUnderReview, StateFavourable, ActorAgent, 0), false},
		{"no event", StateUnderReview, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := &Application{ID: 1, State: tt.state}
			got, err := Undo(app, tt.last, agent, at, "erreur")
			if !tt.ok {
				if err == nil || ErrorCode(err) != ECONFLICT || app.State != tt.state {
					t.Fatalf("Undo = %+v, %v; state %s", got, err, app.State)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.From != tt.state || got.To != tt.last.From || got.UndoOf != tt.last.ID || app.State != tt.last.From || got.Reason != "erreur" {
				t.Fatalf("Undo = %+v, state %s", got, app.State)
			}
		})
	}
	app := &Application{ID: 1, State: StateFavourable}
	last := ev(StateUnderReview, StateFavourable, ActorAgent, 0)
	if _, err := Undo(app, last, agent, at, ""); ErrorCode(err) != EINVALID {
		t.Fatalf("undo without a reason: %v", err)
	}
	if _, err := Undo(app, last, Actor{Kind: ActorApplicant}, at, "x"); ErrorCode(err) != EFORBIDDEN {
		t.Fatalf("undo by an applicant: %v", err)
	}
}
