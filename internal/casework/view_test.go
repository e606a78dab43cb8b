package casework

import (
	"testing"
	"time"

	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// TestEveryStateHasANextStep walks every state of the state machine: in
// each, someone (the applicant or the prefecture) has a next action that
// the catalogue can say in both languages, and open states that wait on
// the prefecture or on the applicant carry a date when the law gives one.
func TestEveryStateHasANextStep(t *testing.T) {
	s := &core{Config: Config{Rules: rules.MustLoad()}}
	tr := i18n.MustLoad()
	filed := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	rejection := filed.AddDate(0, 4, 0)
	for _, st := range permit.States {
		c := &Case{App: &permit.Application{State: st, Kind: permit.KindRenewal, SubmittedAt: &filed}}
		if st.Open() && st != permit.StateDraft {
			c.Rejection = &rejection
		}
		if st == permit.StateIncomplete {
			c.OpenRequest = &permit.CompletionRequest{DueOn: filed.AddDate(0, 0, 30)}
		}
		step := s.nextStep(c)
		if step.Actor != permit.ActorApplicant && step.Actor != permit.ActorAgent {
			t.Errorf("%s: nobody acts next (%q)", st, step.Actor)
		}
		for _, lang := range tr.Langs() {
			if !tr.Has(lang, step.Key) {
				t.Errorf("%s: next step %q has no %s text", st, step.Key, lang)
			}
		}
		switch st {
		case permit.StateSubmitted, permit.StateUnderReview:
			if step.Due == nil || !step.Due.Equal(rejection) {
				t.Errorf("%s: due %v, want the implicit rejection date", st, step.Due)
			}
		case permit.StateIncomplete:
			if step.Due == nil || !step.Due.Equal(c.OpenRequest.DueOn) {
				t.Errorf("%s: due %v, want the completion deadline", st, step.Due)
			}
		}
	}
}
