package permit

import "testing"

// TestOnlyUndecidedApplicationsFollowAMove walks every state: those with
// no decision follow the applicant; decided, closed and withdrawn ones
// stay (decision 0004).
func TestOnlyUndecidedApplicationsFollowAMove(t *testing.T) {
	follows := map[State]bool{StateDraft: true, StateSubmitted: true, StateIncomplete: true, StateUnderReview: true}
	for _, s := range States {
		if s.FollowsMove() != follows[s] {
			t.Errorf("%s follows a move: %v, want %v", s, s.FollowsMove(), follows[s])
		}
	}
}
