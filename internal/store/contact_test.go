package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// dueAt is an application's deadline as a prefecture's queue lists it,
// or "" when that queue does not list it.
func dueAt(t *testing.T, db *store.DB, prefectureID, appID int64) string {
	t.Helper()
	it := queued(t, db, &permit.Application{ID: appID, PrefectureID: prefectureID})
	if it == nil {
		return ""
	}
	return it.Mark.DueOn.UTC().Format(time.DateOnly)
}

// TestMoveTakesPendingApplicationsWithTheirHistory: a new address in
// another department moves the person and their filed application, with
// its events and deadline; a decided one stays; the history keeps the
// former address (source applicant) and prefecture (source move).
func TestMoveTakesPendingApplicationsWithTheirHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		lyon, acc, p, app := fixture(t, db)
		paris := &permit.Prefecture{Code: "75", Name: "Préfecture de police", Departments: []string{"75"}}
		if err := db.Files().CreatePrefecture(ctx, paris); err != nil {
			t.Fatal(err)
		}
		pm := &permit.Permit{PersonID: p.ID, Ground: "student", Number: "X1", ValidFrom: clk.Now().AddDate(-1, 0, 0), ValidTo: clk.Now().AddDate(0, 3, 0)}
		if err := db.Files().CreatePermit(ctx, pm); err != nil {
			t.Fatal(err)
		}
		actor := permit.Actor{Kind: permit.ActorApplicant, AccountID: acc.ID}
		ev, err := permit.Transition(app, permit.ActionSubmit, actor, clk.Now(), "")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Files().Transition(ctx, app, ev); err != nil {
			t.Fatal(err)
		}
		decided := &permit.Application{PersonID: p.ID, PrefectureID: lyon.ID, Ground: "employee", Kind: permit.KindFirstIssue, State: permit.StateFavourable}
		if err := db.Files().CreateApplication(ctx, decided, actor); err != nil {
			t.Fatal(err)
		}
		due := dueAt(t, db, lyon.ID, app.ID)
		events, _ := db.Events(ctx, app.ID)
		clk.Advance(time.Hour)

		next := *p
		next.Address, next.Phone, next.PrefectureID = permit.Address{Line: "2 rue B", Postcode: "75011", City: "Paris"}, "0102030405", paris.ID
		stale := &permit.Transfer{ApplicationID: app.ID, PersonID: p.ID, From: lyon.ID, To: paris.ID, State: permit.StateDraft, ActorID: acc.ID}
		err = db.Contacts().ChangeContact(ctx, &permit.ContactChange{AccountID: acc.ID, Person: &next, Moves: []*permit.Transfer{stale}})
		if permit.ErrorCode(err) != permit.ECONFLICT {
			t.Fatalf("a move read before the application changed: %v, want a conflict", err)
		}
		if got, _ := db.Person(ctx, p.ID); got.Address.Postcode != "69001" || got.PrefectureID != lyon.ID {
			t.Fatalf("a refused change wrote the person: %+v", got)
		}

		move := &permit.Transfer{ApplicationID: app.ID, PersonID: p.ID, From: lyon.ID, To: paris.ID, State: permit.StateSubmitted, ActorID: acc.ID}
		mail := &permit.Mail{To: acc.Email, Subject: "s", Text: "t"}
		if err := db.Contacts().ChangeContact(ctx, &permit.ContactChange{AccountID: acc.ID, Person: &next, Moves: []*permit.Transfer{move}, Mails: []*permit.Mail{mail}}); err != nil {
			t.Fatal(err)
		}
		if move.ID == 0 || mail.ID == 0 {
			t.Errorf("transfer %d or mail %d not written", move.ID, mail.ID)
		}
		got, _ := db.Person(ctx, p.ID)
		if got.Address != next.Address || got.Phone != "0102030405" || got.PrefectureID != paris.ID {
			t.Fatalf("person = %+v", got)
		}
		if a, _ := db.Application(ctx, app.ID); a.PrefectureID != paris.ID || a.State != permit.StateSubmitted {
			t.Errorf("filed application = %+v, want it at the new prefecture, still submitted", a)
		}
		if a, _ := db.Application(ctx, decided.ID); a.PrefectureID != lyon.ID {
			t.Errorf("decided application moved: %+v", a)
		}
		if after, _ := db.Events(ctx, app.ID); len(after) != len(events) {
			t.Errorf("events %d, were %d: a move is not a step of the state machine", len(after), len(events))
		}
		if got := dueAt(t, db, paris.ID, app.ID); got != due || due == "" {
			t.Errorf("the new prefecture's queue: deadline %q, was %q at the former one", got, due)
		}
		if got := dueAt(t, db, lyon.ID, app.ID); got != "" {
			t.Errorf("the former prefecture's queue still lists the file (%s)", got)
		}
		ch, err := db.PersonChanges(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		sources := map[string]permit.ChangeSource{}
		olds := map[string]string{}
		for _, c := range ch {
			sources[c.Field], olds[c.Field] = c.Source, c.Old
		}
		for field, want := range map[string]permit.ChangeSource{permit.FieldAddressLine: permit.ChangeByApplicant, permit.FieldPostcode: permit.ChangeByApplicant,
			permit.FieldCity: permit.ChangeByApplicant, permit.FieldPhone: permit.ChangeByApplicant, permit.FieldPrefecture: permit.ChangeByMove} {
			if sources[field] != want {
				t.Errorf("history of %s: source %q, want %q (%+v)", field, sources[field], want, ch)
			}
		}
		if olds[permit.FieldPostcode] != "69001" || olds[permit.FieldCity] != "Lyon" {
			t.Errorf("former address not kept: %+v", olds)
		}

		moves, err := db.Transfers(ctx, app.ID)
		if err != nil || len(moves) != 1 || moves[0].FromName != lyon.Name || moves[0].ToName != paris.Name ||
			moves[0].State != permit.StateSubmitted || !moves[0].At.Equal(clk.Now()) || moves[0].HolderID != paris.ID {
			t.Fatalf("transfers = %+v, %v", moves, err)
		}
		for _, scope := range [][]int64{{lyon.ID}, {paris.ID}, nil} {
			if got, err := db.Audit().TransfersOf(ctx, scope, 10); err != nil || len(got) != 1 || got[0].ApplicationID != app.ID {
				t.Errorf("transfers of %v = %+v, %v", scope, got, err)
			}
		}
		other := &permit.Prefecture{Code: "13", Name: "Bouches-du-Rhône", Departments: []string{"13"}}
		if err := db.Files().CreatePrefecture(ctx, other); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Audit().TransfersOf(ctx, []int64{other.ID}, 10); len(got) != 0 {
			t.Errorf("a third prefecture sees %+v", got)
		}
		for _, q := range []string{`UPDATE transfers SET state = 'draft'`, `DELETE FROM transfers`} {
			if _, err := db.SQL().ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want a refusal", q, err)
			}
		}
	})
}

// emailChange asks for a new address with both links.
func emailChange(t *testing.T, db *store.DB, clk *clock.Fixed, acc *permit.Account, to, confirm, cancel string) {
	t.Helper()
	until := clk.Now().Add(48 * time.Hour)
	e := &permit.EmailChange{Pending: permit.PendingEmail{Address: to, ExpiresAt: until},
		Confirm: &permit.Token{Hash: confirm, Purpose: permit.TokenChangeEmail, ExpiresAt: until},
		Cancel:  &permit.Token{Hash: cancel, Purpose: permit.TokenCancelEmail, ExpiresAt: until}}
	if err := db.Contacts().ChangeContact(ctx, &permit.ContactChange{AccountID: acc.ID, Email: e}); err != nil {
		t.Fatal(err)
	}
}

func noMail(*permit.Account, string) *permit.Mail { return nil }

// TestEmailChangeWaitsForItsLink: the account keeps its address until the
// link mailed to the new one is followed, once; the former address goes
// to the history; other sessions end; a replaced, cancelled or expired
// link does nothing; an address taken meanwhile is a conflict.
func TestEmailChangeWaitsForItsLink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		_, acc, p, _ := fixture(t, db)
		for _, h := range []string{"here", "elsewhere"} {
			s := &permit.Session{Hash: h, AccountID: acc.ID, CreatedAt: clk.Now(), ExpiresAt: clk.Now().Add(time.Hour)}
			if err := db.Accounts().CreateSession(ctx, s, ""); err != nil {
				t.Fatal(err)
			}
		}
		emailChange(t, db, clk, acc, "first@example.org", "c1", "x1")
		emailChange(t, db, clk, acc, "New@Example.org", "c2", "x2")
		pending, err := db.Contacts().PendingEmail(ctx, acc.ID)
		if err != nil || pending.Address != "new@example.org" || !pending.Live(clk.Now()) {
			t.Fatalf("pending = %+v, %v", pending, err)
		}
		if _, _, err := db.Accounts().AccountByEmail(ctx, "f@example.org"); err != nil {
			t.Errorf("the account's address must work until confirmed: %v", err)
		}
		if _, _, err := db.Accounts().AccountByEmail(ctx, "new@example.org"); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("the pending address must not log in yet: %v", err)
		}
		for _, h := range []string{"c1", "x2"} {
			if _, err := db.Contacts().ConfirmEmailChange(ctx, h, "", noMail); permit.ErrorCode(err) != permit.ENOTFOUND {
				t.Errorf("confirming with %s: %v, want not found (replaced, or a cancelling link)", h, err)
			}
		}
		var former string
		a, err := db.Contacts().ConfirmEmailChange(ctx, "c2", "here", func(a *permit.Account, f string) *permit.Mail {
			former = f
			return &permit.Mail{To: f, Subject: "s", Text: "t"}
		})
		if err != nil || a.Email != "new@example.org" || former != "f@example.org" {
			t.Fatalf("confirm = %+v, %v (former %q)", a, err, former)
		}
		if _, err := db.Contacts().ConfirmEmailChange(ctx, "c2", "", noMail); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("a link used twice: %v", err)
		}
		if _, err := db.Contacts().PendingEmail(ctx, acc.ID); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("still pending after confirmation: %v", err)
		}
		if _, err := db.Accounts().SessionAccount(ctx, "here"); err != nil {
			t.Errorf("the confirming session ended: %v", err)
		}
		if _, err := db.Accounts().SessionAccount(ctx, "elsewhere"); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("another session survived the change of address: %v", err)
		}
		ch, _ := db.PersonChanges(ctx, p.ID)
		if n := len(ch); n == 0 || ch[n-1].Field != permit.FieldEmail || ch[n-1].Old != "f@example.org" || ch[n-1].New != "new@example.org" ||
			ch[n-1].Source != permit.ChangeByApplicant {
			t.Errorf("history = %+v", ch)
		}

		// Cancelled from the former address: the link to the new one dies.
		emailChange(t, db, clk, acc, "third@example.org", "c3", "x3")
		if _, err := db.Contacts().CancelEmailChange(ctx, 0, "x3"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Contacts().ConfirmEmailChange(ctx, "c3", "", noMail); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("confirmed after cancelling: %v", err)
		}
		if _, err := db.Contacts().CancelEmailChange(ctx, 0, "x3"); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("a cancelling link used twice: %v", err)
		}

		// Expired.
		emailChange(t, db, clk, acc, "fourth@example.org", "c4", "x4")
		clk.Advance(49 * time.Hour)
		if pending, _ := db.Contacts().PendingEmail(ctx, acc.ID); pending.Live(clk.Now()) {
			t.Errorf("an expired request is still live: %+v", pending)
		}
		if _, err := db.Contacts().ConfirmEmailChange(ctx, "c4", "", noMail); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("an expired link: %v", err)
		}

		// Taken meanwhile by another account.
		emailChange(t, db, clk, acc, "taken@example.org", "c5", "x5")
		newAccount(t, db, "taken@example.org")
		if _, err := db.Contacts().ConfirmEmailChange(ctx, "c5", "", noMail); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Errorf("an address taken meanwhile: %v, want a conflict", err)
		}
		if a, _ := db.AccountByID(ctx, acc.ID); a.Email != "new@example.org" {
			t.Errorf("address = %q after a refused confirmation", a.Email)
		}
	})
}
