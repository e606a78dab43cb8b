package permit

import (
	"slices"
	"testing"
	"time"
)

var at = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func TestTransitions(t *testing.T) {
	applicant := Actor{Kind: ActorApplicant, AccountID: 1}
	agent := Actor{Kind: ActorAgent, AccountID: 2}
	tests := []struct {
		name   string
		from   State
		action Action
		actor  Actor
		reason string
		to     State
		code   string
	}{
		{"applicant submits a draft", StateDraft, ActionSubmit, applicant, "", StateSubmitted, ""},
		{"agent files at the counter", StateDraft, ActionSubmit, agent, "", StateSubmitted, ""},
		{"submitting twice", StateSubmitted, ActionSubmit, applicant, "", "", ECONFLICT},
		{"applicant cannot decide", StateUnderReview, ActionDecideFavour, applicant, "", "", EFORBIDDEN},
		{"agent asks for documents", StateUnderReview, ActionRequestDocs, agent, "payslips missing", StateIncomplete, ""},
		{"completion request needs a reason", StateUnderReview, ActionRequestDocs, agent, "", "", EINVALID},
		{"applicant completes", StateIncomplete, ActionComplete, applicant, "", StateUnderReview, ""},
		{"refusal needs reasons", StateUnderReview, ActionDecideRefuse, agent, "", "", EINVALID},
		{"refusal", StateUnderReview, ActionDecideRefuse, agent, "resources below threshold", StateUnfavourable, ""},
		{"favourable decision", StateUnderReview, ActionDecideFavour, agent, "", StateFavourable, ""},
		{"card handed over", StateCardReady, ActionHandOver, agent, "", StateHandedOver, ""},
		{"withdrawal while pending", StateUnderReview, ActionWithdraw, applicant, "", StateWithdrawn, ""},
		{"no withdrawal after decision", StateFavourable, ActionWithdraw, applicant, "", "", ECONFLICT},
		{"agent cannot withdraw for the applicant", StateSubmitted, ActionWithdraw, agent, "", "", EFORBIDDEN},
		{"closing is reasoned", StateIncomplete, ActionClose, agent, "", "", EINVALID},
		{"a closed file can be reopened", StateClosed, ActionReopen, agent, "documents arrived by post", StateUnderReview, ""},
		{"unknown action", StateDraft, Action("teleport"), agent, "", "", EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := &Application{ID: 7, State: tt.from}
			ev, err := Transition(app, tt.action, tt.actor, at, tt.reason)
			if tt.code != "" {
				if ErrorCode(err) != tt.code || app.State != tt.from {
					t.Fatalf("err = %v, state %s; want code %s and state unchanged", err, app.State, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if app.State != tt.to || ev.From != tt.from || ev.To != tt.to || ev.Actor != tt.actor || !ev.At.Equal(at) || ev.Reason != tt.reason || ev.ApplicationID != 7 {
				t.Fatalf("state %s, event %+v", app.State, ev)
			}
		})
	}
}

func TestSubmitSetsDate(t *testing.T) {
	app := &Application{State: StateDraft}
	if _, err := Transition(app, ActionSubmit, Actor{Kind: ActorApplicant}, at, ""); err != nil {
		t.Fatal(err)
	}
	if app.SubmittedAt == nil || !app.SubmittedAt.Equal(at) {
		t.Fatalf("SubmittedAt = %v", app.SubmittedAt)
	}
}

// TestEveryStateIsReachableAndHasANextStep walks the state machine from
// the draft: every state must be reachable, and every open state must lead
// somewhere, so that no application is stuck with nobody to act.
func TestEveryStateIsReachableAndHasANextStep(t *testing.T) {
	seen := map[State]bool{StateDraft: true}
	queue := []State{StateDraft}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, a := range Actions(s) {
			to := transitions[a].to
			if !seen[to] {
				seen[to] = true
				queue = append(queue, to)
			}
		}
	}
	for _, s := range States {
		if !seen[s] {
			t.Errorf("state %s cannot be reached from a draft", s)
		}
		if s.Open() && len(Actions(s)) == 0 {
			t.Errorf("open state %s has no way out", s)
		}
		if k := s.NextActor(); k != ActorApplicant && k != ActorAgent {
			t.Errorf("state %s: nobody acts next", s)
		}
	}
}

// TestAllowedIsTransition checks that Allowed, which pages ask, answers
// what Transition does, for every state, action and actor.
func TestAllowedIsTransition(t *testing.T) {
	actions := []Action{ActionSubmit, ActionStartReview, ActionRequestDocs, ActionComplete, ActionDecideFavour,
		ActionDecideRefuse, ActionCardProduced, ActionHandOver, ActionWithdraw, ActionClose, ActionReopen, "fly"}
	for _, s := range States {
		for _, a := range actions {
			for _, k := range []ActorKind{ActorApplicant, ActorAgent, ActorSystem} {
				_, err := Transition(&Application{State: s}, a, Actor{Kind: k}, at, "a reason")
				if got := Allowed(s, a, k); got != (err == nil) {
					t.Errorf("Allowed(%s, %s, %s) = %v, Transition says %v", s, a, k, got, err)
				}
			}
		}
		if slices.Contains(EndStates(), s) == s.Open() {
			t.Errorf("EndStates and Open disagree on %s", s)
		}
	}
}
