package store_test

import (
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// TestFollowUpsStore: one open follow-up per person and organisation; no
// event before the person's yes; then a renewal filed and a decision
// write one event each in their transition's transaction, the 60-day
// notice once per last day; an event is mailed once; an ended follow-up
// takes no event; the webhook is replaced and removed.
func TestFollowUpsStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		fu := store.FollowUps{DB: db}
		pref := &permit.Prefecture{Code: "75", Name: "Préfecture de police", Departments: []string{"75"}}
		if err := db.Files().CreatePrefecture(ctx, pref); err != nil {
			t.Fatal(err)
		}
		acc := newAccount(t, db, "awa@example.org")
		person := &permit.Person{AccountID: acc.ID, GivenNames: "Awa", Surname: "Diallo", BirthDate: "1994-05-17", Nationality: "MLI", PrefectureID: pref.ID}
		if err := db.Files().CreatePerson(ctx, person); err != nil {
			t.Fatal(err)
		}
		app := &permit.Application{PersonID: person.ID, PrefectureID: pref.ID, Ground: "student", Kind: permit.KindRenewal, State: permit.StateDraft}
		if err := db.Files().CreateApplication(ctx, app, permit.Actor{Kind: permit.ActorApplicant, AccountID: acc.ID}); err != nil {
			t.Fatal(err)
		}
		org := &permit.Organisation{Name: "Boulangerie A", SIRET: "73282932000074", Address: permit.Address{Line: "2 rue du Bac", Postcode: "75007", City: "Paris"}}
		admin := &permit.Account{Email: "rh@a.example", Lang: "fr", ConfirmedAt: new(clk.Now())}
		if err := (store.Employers{DB: db}).SignUpOrganisation(ctx, org, admin, "h", nil, nil); err != nil {
			t.Fatal(err)
		}
		sc := &permit.ShareCode{PersonID: person.ID, Purpose: permit.ShareWork, CreatedAt: clk.Now(), ExpiresAt: clk.Now().AddDate(0, 0, 90)}
		if err := (store.WorkChecks{DB: db}).CreateShareCode(ctx, sc, "hash"); err != nil {
			t.Fatal(err)
		}
		wc := &permit.WorkCheck{Number: "VER-TEST-0001", OrganisationID: org.ID, AccountID: admin.ID, ShareCodeID: sc.ID, PersonID: person.ID,
			CheckedAt: clk.Now(), GivenNames: "Awa", Surname: "Diallo", BirthDate: "1994-05-17", Work: "full", Basis: permit.BasisPermit,
			PrefectureCode: "75", PrefectureName: "Préfecture de police", Code: "SJ1:x"}
		if err := (store.WorkChecks{DB: db}).RecordWorkCheck(ctx, wc); err != nil {
			t.Fatal(err)
		}
		f := &permit.FollowUp{OrganisationID: org.ID, PersonID: person.ID, WorkCheckID: wc.ID, RequestedBy: admin.ID}
		if err := fu.RequestFollowUp(ctx, f, nil); err != nil {
			t.Fatal(err)
		}
		if err := fu.RequestFollowUp(ctx, &permit.FollowUp{OrganisationID: org.ID, PersonID: person.ID, WorkCheckID: wc.ID, RequestedBy: admin.ID}, nil); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Fatalf("a second open follow-up: %v", err)
		}
		step := func(action permit.Action, actor permit.Actor) {
			t.Helper()
			clk.Advance(time.Hour)
			ev, err := permit.Transition(app, action, actor, clk.Now(), "")
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Files().Transition(ctx, app, ev); err != nil {
				t.Fatal(err)
			}
		}
		events := func() []permit.FollowUpEventKind {
			t.Helper()
			evs, err := fu.FollowUpEvents(ctx, f.ID, 10)
			if err != nil {
				t.Fatal(err)
			}
			var out []permit.FollowUpEventKind
			for _, e := range evs {
				out = append([]permit.FollowUpEventKind{e.Kind}, out...)
			}
			return out
		}
		if made, err := fu.RecordRightEnds(ctx, f.ID, clk.Now().AddDate(0, 1, 0)); err != nil || made {
			t.Errorf("a notice before the yes: %v, %v", made, err)
		}
		if err := fu.AnswerFollowUp(ctx, person.ID+1, f.ID, true); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("another person answers: %v", err)
		}
		if err := fu.AnswerFollowUp(ctx, person.ID, f.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := fu.AnswerFollowUp(ctx, person.ID, f.ID, false); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("answering twice: %v", err)
		}
		step(permit.ActionSubmit, permit.Actor{Kind: permit.ActorApplicant, AccountID: acc.ID})
		until := permit.CivilDay(clk.Now().AddDate(0, 1, 0))
		for i, want := range []bool{true, false} {
			if made, err := fu.RecordRightEnds(ctx, f.ID, until); err != nil || made != want {
				t.Errorf("notice %d: %v, %v", i, made, err)
			}
		}
		step(permit.ActionStartReview, permit.Actor{Kind: permit.ActorAgent, AccountID: admin.ID})
		step(permit.ActionDecideFavour, permit.Actor{Kind: permit.ActorAgent, AccountID: admin.ID})
		got := events()
		if len(got) != 3 || got[0] != permit.EventRenewalFiled || got[1] != permit.EventRightEnds || got[2] != permit.EventDecisionFavourable {
			t.Fatalf("events %v", got)
		}
		evs, _ := fu.FollowUpEvents(ctx, f.ID, 10)
		before, _ := db.Mails().RecentMails(ctx, 100)
		for range 2 {
			if err := fu.MailFollowUpEvent(ctx, evs[0].ID, []*permit.Mail{{To: "rh@a.example", Subject: "s", Text: "t"}}, true); err != nil {
				t.Fatal(err)
			}
		}
		if after, _ := db.Mails().RecentMails(ctx, 100); len(after) != len(before)+1 {
			t.Errorf("an event mailed twice wrote %d mails", len(after)-len(before))
		}
		if unmailed, _ := fu.UnmailedFollowUpEvents(ctx, 10); len(unmailed) != 2 {
			t.Errorf("unmailed events: %d", len(unmailed))
		}
		if err := fu.EndFollowUp(ctx, f.ID, 0, org.ID+1); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("another organisation ends it: %v", err)
		}
		if err := fu.EndFollowUp(ctx, f.ID, person.ID, 0); err != nil {
			t.Fatal(err)
		}
		if made, err := fu.RecordRightEnds(ctx, f.ID, until.AddDate(0, 0, 1)); err != nil || made {
			t.Errorf("a notice after the end: %v, %v", made, err)
		}
		if got, _ := fu.FollowUp(ctx, f.ID); got.State != permit.FollowUpEnded || got.EndedBy != "worker" || got.Organisation != "Boulangerie A" || got.Surname != "Diallo" {
			t.Errorf("after the end: %+v", got)
		}
		// A new request is possible once the former one is over.
		if err := fu.RequestFollowUp(ctx, &permit.FollowUp{OrganisationID: org.ID, PersonID: person.ID, WorkCheckID: wc.ID, RequestedBy: admin.ID}, nil); err != nil {
			t.Errorf("a request after the end: %v", err)
		}

		h := &permit.Webhook{OrganisationID: org.ID, URL: "https://a.example/hook", Nonce: "n1", CreatedBy: admin.ID}
		if err := fu.SetWebhook(ctx, h); err != nil {
			t.Fatal(err)
		}
		h2 := &permit.Webhook{OrganisationID: org.ID, URL: "https://a.example/other", Nonce: "n2", CreatedBy: admin.ID}
		if err := fu.SetWebhook(ctx, h2); err != nil {
			t.Fatal(err)
		}
		if got, err := fu.Webhook(ctx, org.ID); err != nil || got.URL != h2.URL || got.Nonce != "n2" {
			t.Errorf("the webhook: %+v, %v", got, err)
		}
		if err := fu.RemoveWebhook(ctx, org.ID); err != nil {
			t.Fatal(err)
		}
		if err := fu.RemoveWebhook(ctx, org.ID); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("removing twice: %v", err)
		}
	})
}
