package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

var ctx = context.Background()

func newAccount(t *testing.T, db *store.DB, email string) *permit.Account {
	t.Helper()
	a := &permit.Account{Email: email, Role: permit.RoleApplicant, Lang: "fr"}
	if err := db.Accounts().CreateAccount(ctx, a, "hash-"+email, nil, nil); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, _ *clock.Fixed) {
		n, err := db.Migrate(ctx)
		if err != nil || n != 0 {
			t.Fatalf("second Migrate applied %d, err %v; want 0, nil", n, err)
		}
		v, err := db.SchemaVersion(ctx)
		if err != nil || v < 1 {
			t.Fatalf("SchemaVersion = %d, %v", v, err)
		}
	})
}

func TestAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		tok := &permit.Token{Hash: "tokhash", Purpose: permit.TokenConfirmEmail, ExpiresAt: clk.Now().Add(time.Hour)}
		mail := &permit.Mail{To: "Amina@Example.org", Subject: "Confirm", Text: "Click"}
		a := &permit.Account{Email: " Amina@Example.org ", Role: permit.RoleApplicant, Lang: "en"}
		if err := db.Accounts().CreateAccount(ctx, a, "argon-hash", tok, mail); err != nil {
			t.Fatal(err)
		}
		if a.ID == 0 || mail.ID == 0 || a.Email != "amina@example.org" {
			t.Fatalf("account not created as expected: %+v mail %+v", a, mail)
		}
		dup := &permit.Account{Email: "AMINA@example.org", Role: permit.RoleApplicant, Lang: "fr"}
		if err := db.Accounts().CreateAccount(ctx, dup, "x", nil, nil); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Fatalf("duplicate e-mail: err = %v, want conflict", err)
		}
		got, hash, err := db.Accounts().AccountByEmail(ctx, "amina@EXAMPLE.org")
		if err != nil || got.ID != a.ID || hash != "argon-hash" || got.Confirmed() || got.Lang != "en" {
			t.Fatalf("AccountByEmail = %+v, %q, %v", got, hash, err)
		}
		if _, _, err := db.Accounts().AccountByEmail(ctx, "nobody@example.org"); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Fatalf("unknown e-mail: err = %v", err)
		}
		if _, err := db.Accounts().ConfirmEmail(ctx, "wrong"); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Fatalf("wrong token: %v", err)
		}
		confirmed, err := db.Accounts().ConfirmEmail(ctx, "tokhash")
		if err != nil || !confirmed.Confirmed() || !confirmed.ConfirmedAt.Equal(clk.Now()) {
			t.Fatalf("ConfirmEmail = %+v, %v", confirmed, err)
		}
		if _, err := db.Accounts().ConfirmEmail(ctx, "tokhash"); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Fatalf("replayed token: err = %v, want not found", err)
		}
		unsent, err := db.Mails().UnsentMails(ctx, 10, 25)
		if err != nil || len(unsent) != 1 || unsent[0].Subject != "Confirm" {
			t.Fatalf("UnsentMails = %v, %v", unsent, err)
		}
	})
}

func TestTokensExpire(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		a := newAccount(t, db, "b@example.org")
		tok := &permit.Token{Hash: "reset1", AccountID: a.ID, Purpose: permit.TokenResetPassword, ExpiresAt: clk.Now().Add(time.Hour)}
		if err := db.Accounts().IssueToken(ctx, tok, &permit.Mail{To: a.Email, Subject: "Reset", Text: "link"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Accounts().ConfirmEmail(ctx, "reset1"); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Fatalf("token used for another purpose: err = %v", err)
		}
		clk.Advance(2 * time.Hour)
		if _, err := db.Accounts().ResetPassword(ctx, "reset1", "new"); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Fatalf("expired token: err = %v", err)
		}
	})
}

func TestResetEndsSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		a := newAccount(t, db, "c@example.org")
		s := &permit.Session{Hash: "sess1", AccountID: a.ID, CreatedAt: clk.Now(), ExpiresAt: clk.Now().Add(time.Hour)}
		if err := db.Accounts().CreateSession(ctx, s, ""); err != nil {
			t.Fatal(err)
		}
		if got, err := db.Accounts().SessionAccount(ctx, "sess1"); err != nil || got.ID != a.ID {
			t.Fatalf("SessionAccount = %v, %v", got, err)
		}
		tok := &permit.Token{Hash: "r", AccountID: a.ID, Purpose: permit.TokenResetPassword, ExpiresAt: clk.Now().Add(time.Hour)}
		if err := db.Accounts().IssueToken(ctx, tok, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Accounts().ResetPassword(ctx, "r", "newhash"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Accounts().SessionAccount(ctx, "sess1"); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Fatalf("session survived a password reset: %v", err)
		}
		if _, hash, _ := db.Accounts().AccountByEmail(ctx, a.Email); hash != "newhash" {
			t.Fatalf("hash = %q", hash)
		}
		if _, err := db.Accounts().ResetPassword(ctx, "r", "again"); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Fatalf("replayed reset link: err = %v", err)
		}
	})
}

func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		a := newAccount(t, db, "d@example.org")
		old := &permit.Session{Hash: "old", AccountID: a.ID, CreatedAt: clk.Now(), ExpiresAt: clk.Now().Add(time.Hour)}
		if err := db.Accounts().CreateSession(ctx, old, ""); err != nil {
			t.Fatal(err)
		}
		rotated := &permit.Session{Hash: "new", AccountID: a.ID, CreatedAt: clk.Now(), ExpiresAt: clk.Now().Add(time.Hour)}
		if err := db.Accounts().CreateSession(ctx, rotated, "old"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Accounts().SessionAccount(ctx, "old"); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Fatalf("rotated-out session still valid: %v", err)
		}
		if _, err := db.Accounts().SessionAccount(ctx, "new"); err != nil {
			t.Fatal(err)
		}
		clk.Advance(61 * time.Minute)
		if _, err := db.Accounts().SessionAccount(ctx, "new"); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Fatalf("expired session still valid: %v", err)
		}
		if n, err := db.Accounts().DeleteExpired(ctx); err != nil || n != 1 {
			t.Fatalf("DeleteExpired = %d, %v", n, err)
		}
		if err := db.Accounts().DeleteSession(ctx, "unknown"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestApplicationLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		pref := &permit.Prefecture{Code: "75", Name: "Préfecture de police", Departments: []string{"75"}}
		if err := db.Files().CreatePrefecture(ctx, pref); err != nil {
			t.Fatal(err)
		}
		agent := &permit.Account{Email: "agent@pref.example", Role: permit.RoleAgent, Lang: "fr", Prefectures: []int64{pref.ID}}
		if err := db.Accounts().CreateAccount(ctx, agent, "h", nil, nil); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.AccountByID(ctx, agent.ID); len(got.Prefectures) != 1 || got.Prefectures[0] != pref.ID {
			t.Fatalf("agent scopes = %v", got.Prefectures)
		}
		acc := newAccount(t, db, "e@example.org")
		person := &permit.Person{AccountID: acc.ID, GivenNames: "Zoë", Surname: "N'Diaye", BirthDate: "1999-02-03", Nationality: "SEN", PrefectureID: pref.ID}
		if err := db.Files().CreatePerson(ctx, person); err != nil {
			t.Fatal(err)
		}
		if got, err := db.PersonByAccount(ctx, acc.ID); err != nil || got.Surname != "N'Diaye" || got.GivenNames != "Zoë" {
			t.Fatalf("PersonByAccount = %+v, %v", got, err)
		}
		pm := &permit.Permit{PersonID: person.ID, Ground: "student", Number: "7501234567", ValidFrom: storetest.Start.AddDate(-1, 0, 0), ValidTo: storetest.Start.AddDate(0, 3, 0)}
		if err := db.Files().CreatePermit(ctx, pm); err != nil {
			t.Fatal(err)
		}
		if got, err := db.CurrentPermit(ctx, person.ID); err != nil || !got.ValidTo.Equal(pm.ValidTo) || got.Ground != "student" {
			t.Fatalf("CurrentPermit = %+v, %v", got, err)
		}
		app := &permit.Application{PersonID: person.ID, PrefectureID: pref.ID, Ground: "student", Kind: permit.KindRenewal, State: permit.StateDraft}
		if err := db.Files().CreateApplication(ctx, app, permit.Actor{Kind: permit.ActorApplicant, AccountID: acc.ID}); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Hour)
		stale := *app
		ev, err := permit.Transition(app, permit.ActionSubmit, permit.Actor{Kind: permit.ActorApplicant, AccountID: acc.ID}, clk.Now(), "")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Files().Transition(ctx, app, ev); err != nil {
			t.Fatal(err)
		}
		// A second, concurrent submission of the same draft is refused.
		ev2, err := permit.Transition(&stale, permit.ActionSubmit, permit.Actor{Kind: permit.ActorApplicant, AccountID: acc.ID}, clk.Now(), "")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Files().Transition(ctx, &stale, ev2); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Fatalf("stale transition: err = %v, want conflict", err)
		}
		got, err := db.Application(ctx, app.ID)
		if err != nil || got.State != permit.StateSubmitted || got.SubmittedAt == nil || !got.SubmittedAt.Equal(clk.Now()) {
			t.Fatalf("Application = %+v, %v", got, err)
		}
		evs, err := db.Events(ctx, app.ID)
		if err != nil || len(evs) != 2 || evs[1].From != permit.StateDraft || evs[1].To != permit.StateSubmitted || evs[1].Actor.AccountID != acc.ID {
			t.Fatalf("Events = %+v, %v", evs, err)
		}
		if list, err := db.ApplicationsByPerson(ctx, person.ID); err != nil || len(list) != 1 {
			t.Fatalf("ApplicationsByPerson = %v, %v", list, err)
		}
		if _, err := db.Application(ctx, 999999); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Fatalf("unknown application: %v", err)
		}
	})
}

func TestMailOutbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		m := &permit.Mail{To: "x@example.org", Subject: "Café « test » €", Text: "Bonjour œuvre"}
		if err := db.EnqueueMail(ctx, m); err != nil {
			t.Fatal(err)
		}
		if err := db.Mails().MarkMailFailed(ctx, m.ID, "connection refused"); err != nil {
			t.Fatal(err)
		}
		got, err := db.Mails().Mail(ctx, m.ID)
		if err != nil || got.Attempts != 1 || got.LastError != "connection refused" || got.SentAt != nil || got.Subject != m.Subject {
			t.Fatalf("after failure: %+v, %v", got, err)
		}
		if err := db.Mails().MarkMailSent(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		if unsent, _ := db.Mails().UnsentMails(ctx, 10, 25); len(unsent) != 0 {
			t.Fatalf("sent mail still unsent: %v", unsent)
		}
		sent, _ := db.Mails().Mail(ctx, m.ID)
		clk.Advance(time.Minute)
		if err := db.Mails().MarkMailSent(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		// Marking a sent mail again changes nothing.
		if again, _ := db.Mails().Mail(ctx, m.ID); again.Attempts != 2 || !again.SentAt.Equal(*sent.SentAt) {
			t.Fatalf("second MarkMailSent changed the mail: %+v", again)
		}
		// A mail past its attempts is left out of the sweep.
		tired := &permit.Mail{To: "y@example.org", Subject: "s", Text: "t"}
		if err := db.EnqueueMail(ctx, tired); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			db.Mails().MarkMailFailed(ctx, tired.ID, "refused")
		}
		if unsent, _ := db.Mails().UnsentMails(ctx, 10, 3); len(unsent) != 0 {
			t.Fatalf("exhausted mail offered again: %v", unsent)
		}
		if unsent, _ := db.Mails().UnsentMails(ctx, 10, 4); len(unsent) != 1 {
			t.Fatalf("mail with attempts left not offered: %v", unsent)
		}
		if recent, _ := db.Mails().RecentMails(ctx, 10); len(recent) != 2 || recent[0].ID != tired.ID || recent[1].SentAt == nil {
			t.Fatalf("RecentMails = %v", recent)
		}
	})
}

func TestPing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, _ *clock.Fixed) {
		if err := db.Ping(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.PingWrite(ctx); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if err := db.Ping(ctx); permit.ErrorCode(err) != permit.EUNAVAILABLE {
			t.Fatalf("Ping on closed db = %v, want unavailable", err)
		}
		if err := db.PingWrite(ctx); permit.ErrorCode(err) != permit.EUNAVAILABLE {
			t.Fatalf("PingWrite on closed db = %v, want unavailable", err)
		}
	})
}
