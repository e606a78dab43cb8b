package casework_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/demo"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/rooms"
	"github.com/sejour/sejour/internal/store/storetest"
)

// underReview files a complete draft renewal of w and takes it into
// review as a new agent of Paris, whom it returns.
func (w *attemptWorld) underReview() (*permit.Account, int64) {
	t := w.t
	acc, appID, _ := w.draft(w.clk.Now().AddDate(0, 3, 0))
	if _, err := w.uc.Applications.File(ctx, acc, appID); err != nil {
		t.Fatal(err)
	}
	prefs, err := w.db.Prefectures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	agent := &permit.Account{Email: fmt.Sprintf("agent%d@prefecture.example", w.n), Role: permit.RoleAgent, Lang: "fr", Prefectures: []int64{prefs[0].ID}}
	if err := w.db.Accounts().CreateAccount(ctx, agent, "!", nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.uc.Decisions.StartReview(ctx, agent, appID); err != nil {
		t.Fatal(err)
	}
	return agent, appID
}

// refusedFor grants and wants the refusal that lists what is missing.
func refusedFor(t *testing.T, d *casework.Decisions, agent *permit.Account, appID int64) *permit.UncheckedError {
	t.Helper()
	err := d.DecideFavourable(ctx, agent, appID, "")
	var missing *permit.UncheckedError
	if !errors.As(err, &missing) || permit.ErrorCode(err) != permit.ECONFLICT {
		t.Fatalf("grant of an unchecked file: %v, want an UncheckedError", err)
	}
	return missing
}

// TestGrantNeedsTheChecks (issue 13, item 15): a favourable decision is
// refused while a required document is not accepted (never reviewed, or
// rejected) or the identity is not confirmed, each named in the refusal,
// and nothing is decided; once all is checked, it is taken.
func TestGrantNeedsTheChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newAttemptWorld(t, db, clk)
		agent, appID := w.underReview()
		d := w.uc.Decisions
		versions, err := db.Documents(ctx, appID)
		if err != nil {
			t.Fatal(err)
		}
		required, _ := w.cfg.Rules.RequiredDocuments("student", permit.KindRenewal)
		slots := func(e *permit.UncheckedError) (out []string) {
			for _, doc := range e.Documents {
				out = append(out, doc.Slot)
			}
			return out
		}

		// Nothing checked: every file and the identity (the photo is an
		// e-photo code: no file to review).
		missing := refusedFor(t, d, agent, appID)
		if len(missing.Documents) != len(versions) || len(versions) != len(required)-1 || !missing.Identity || missing.Documents[0].Version == 0 || missing.Documents[0].Rejected {
			t.Fatalf("nothing checked: %+v, want the %d files unreviewed and the identity", missing, len(versions))
		}

		// The identity confirmed, the first document rejected, the others
		// accepted but the last: the first (rejected) and the last.
		if err := d.ConfirmIdentity(ctx, agent, appID); err != nil {
			t.Fatal(err)
		}
		if err := d.ReviewDocument(ctx, agent, appID, versions[0].ID, casework.ReviewForm{Reason: "illegible"}); err != nil {
			t.Fatal(err)
		}
		last := versions[len(versions)-1]
		for _, v := range versions[1 : len(versions)-1] {
			if err := d.ReviewDocument(ctx, agent, appID, v.ID, casework.ReviewForm{Accept: true}); err != nil {
				t.Fatal(err)
			}
		}
		missing = refusedFor(t, d, agent, appID)
		if missing.Identity || !slices.Equal(slots(missing), []string{versions[0].Slot, last.Slot}) || !missing.Documents[0].Rejected || missing.Documents[1].Rejected {
			t.Fatalf("identity confirmed, one rejected, one unreviewed: %+v", missing)
		}
		if got, err := d.Unchecked(ctx, agent, appID); err != nil || !slices.Equal(slots(got), slots(missing)) {
			t.Errorf("Unchecked says %+v, %v; the refusal %+v", got, err, missing)
		}

		// The rejected one accepted after all: the last one only.
		if err := d.ReviewDocument(ctx, agent, appID, versions[0].ID, casework.ReviewForm{Accept: true}); err != nil {
			t.Fatal(err)
		}
		if missing = refusedFor(t, d, agent, appID); !slices.Equal(slots(missing), []string{last.Slot}) {
			t.Fatalf("one document left: %+v", missing)
		}
		if a, _ := db.Application(ctx, appID); a.State != permit.StateUnderReview {
			t.Fatalf("state after refused grants: %s", a.State)
		}
		if _, err := db.Decision(ctx, appID); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Fatalf("a refused grant recorded a decision: %v", err)
		}

		if err := d.ReviewDocument(ctx, agent, appID, last.ID, casework.ReviewForm{Accept: true}); err != nil {
			t.Fatal(err)
		}
		if got, err := d.Unchecked(ctx, agent, appID); err != nil || got != nil {
			t.Fatalf("all checked, Unchecked says %+v, %v", got, err)
		}
		if err := d.DecideFavourable(ctx, agent, appID, ""); err != nil {
			t.Fatalf("grant of a checked file: %v", err)
		}
	})
}

// TestGrantChecksFollowTheCatalogue: the checks are the catalogue's
// (decisions.favourable_requires), not the code's. A catalogue that
// requires only the identity lets a file whose documents nobody reviewed
// be granted once the identity is confirmed.
func TestGrantChecksFollowTheCatalogue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newAttemptWorld(t, db, clk)
		cat := rules.MustLoad()
		cat.Decisions = rules.DecisionRules{FavourableRequires: []rules.Check{rules.CheckIdentityConfirmed}}
		w.cfg.Rules = cat
		w.uc = casework.New(w.cfg, rooms.Of(db), nil)
		agent, appID := w.underReview()
		if missing := refusedFor(t, w.uc.Decisions, agent, appID); len(missing.Documents) != 0 || !missing.Identity {
			t.Fatalf("with only the identity required: %+v", missing)
		}
		if err := w.uc.Decisions.ConfirmIdentity(ctx, agent, appID); err != nil {
			t.Fatal(err)
		}
		if err := w.uc.Decisions.DecideFavourable(ctx, agent, appID, ""); err != nil {
			t.Fatalf("grant with the identity confirmed: %v", err)
		}
	})
}

// reviewedMeanwhile is the decisions' store with another agent's verdict
// on a document recorded just before a decision's transaction begins.
type reviewedMeanwhile struct {
	casework.DecisionStore
	review *permit.DocumentReview
}

func (s *reviewedMeanwhile) Decide(ctx context.Context, a *permit.Application, ev *permit.Event, d *permit.Decision, m *permit.Mail) error {
	if err := s.ReviewDocument(ctx, s.review); err != nil {
		return err
	}
	return s.DecisionStore.Decide(ctx, a, ev, d, m)
}

// TestGrantStopsOnAReviewMeanwhile: a document rejected by another agent
// between the grant's checks and its transaction stops the grant, which
// the agent takes again on the file as it now is.
func TestGrantStopsOnAReviewMeanwhile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newAttemptWorld(t, db, clk)
		agent, appID := w.underReview()
		d := w.uc.Decisions
		if err := demo.Check(ctx, d, agent, appID); err != nil {
			t.Fatal(err)
		}
		versions, _ := db.Documents(ctx, appID)
		real := d.Store
		d.Store = &reviewedMeanwhile{DecisionStore: real, review: &permit.DocumentReview{DocumentID: versions[0].ID, ApplicationID: appID,
			Reason: "illegible", ReviewedBy: agent.ID}}
		err := d.DecideFavourable(ctx, agent, appID, "")
		if key, _ := permit.ErrorMessage(err); permit.ErrorCode(err) != permit.ECONFLICT || key != "grant.error.reviewed_meanwhile" {
			t.Fatalf("grant with a document rejected meanwhile: %v", err)
		}
		if a, _ := db.Application(ctx, appID); a.State != permit.StateUnderReview {
			t.Fatalf("state: %s", a.State)
		}
		d.Store = real
		if missing := refusedFor(t, d, agent, appID); len(missing.Documents) != 1 || !missing.Documents[0].Rejected {
			t.Fatalf("after the rejection: %+v", missing)
		}
	})
}
