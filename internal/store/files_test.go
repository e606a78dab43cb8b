package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// fixture makes a prefecture, an applicant with a person, and a draft.
func fixture(t *testing.T, db *store.DB) (*permit.Prefecture, *permit.Account, *permit.Person, *permit.Application) {
	t.Helper()
	pref := &permit.Prefecture{Code: "69", Name: "Préfecture du Rhône", Departments: []string{"69"}, Email: "sejour@rhone.example"}
	if err := db.Files().CreatePrefecture(ctx, pref); err != nil {
		t.Fatal(err)
	}
	acc, p, app := draftOf(t, db, pref, "f@example.org")
	return pref, acc, p, app
}

// draftOf makes an applicant of the prefecture, with a person and a draft.
func draftOf(t *testing.T, db *store.DB, pref *permit.Prefecture, email string) (*permit.Account, *permit.Person, *permit.Application) {
	t.Helper()
	acc := newAccount(t, db, email)
	p := &permit.Person{AccountID: acc.ID, GivenNames: "Ana", Surname: "Lima", PrefectureID: pref.ID, Address: permit.Address{Line: "1 rue X", Postcode: "69001", City: "Lyon"}}
	if err := db.Files().SaveProfile(ctx, p, nil); err != nil {
		t.Fatal(err)
	}
	app := &permit.Application{PersonID: p.ID, PrefectureID: pref.ID, Ground: "student", Kind: permit.KindRenewal, State: permit.StateDraft}
	if err := db.Files().CreateApplication(ctx, app, permit.Actor{Kind: permit.ActorApplicant, AccountID: acc.ID}); err != nil {
		t.Fatal(err)
	}
	return acc, p, app
}

func TestProfile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		_, acc, p, _ := fixture(t, db)
		got, err := db.PersonByAccount(ctx, acc.ID)
		if err != nil || got.Address.Postcode != "69001" || got.ConfirmedAt != nil {
			t.Fatalf("PersonByAccount = %+v, %v", got, err)
		}
		pm := &permit.Permit{Ground: "student", Number: "6900000001", ValidFrom: clk.Now().AddDate(-1, 0, 0), ValidTo: clk.Now().AddDate(0, 3, 0)}
		if err := db.Files().SaveProfile(ctx, p, pm); err != nil {
			t.Fatal(err)
		}
		pm2 := &permit.Permit{Ground: "student", Number: "6900000002", ValidFrom: clk.Now().AddDate(-1, 0, 0), ValidTo: clk.Now().AddDate(0, 2, 0)}
		p.Phone = "+33 6 12 34 56 78"
		if err := db.Files().SaveProfile(ctx, p, pm2); err != nil {
			t.Fatal(err)
		}
		cur, err := db.CurrentPermit(ctx, p.ID)
		if err != nil || cur.Number != "6900000002" {
			t.Fatalf("a new declaration must replace the previous one: %+v, %v", cur, err)
		}
		// Contact details change through ChangeContact, after the password:
		// the profile's save keeps them as stored.
		if got, _ := db.Person(ctx, p.ID); got.Phone != "" {
			t.Fatalf("the profile's save changed the phone: %+v", got)
		}
	})
}

func TestOneOpenApplicationPerGround(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		pref, acc, p, app := fixture(t, db)
		actor := permit.Actor{Kind: permit.ActorApplicant, AccountID: acc.ID}
		dup := &permit.Application{PersonID: p.ID, PrefectureID: pref.ID, Ground: "student", Kind: permit.KindFirstIssue, State: permit.StateDraft}
		if err := db.Files().CreateApplication(ctx, dup, actor); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Fatalf("second open application on a ground: %v", err)
		}
		other := &permit.Application{PersonID: p.ID, PrefectureID: pref.ID, Ground: "employee", Kind: permit.KindChangeOfStatus, State: permit.StateDraft}
		if err := db.Files().CreateApplication(ctx, other, actor); err != nil {
			t.Fatalf("an application on another ground must be possible: %v", err)
		}
		open, err := db.Files().OpenApplicationOnGround(ctx, p.ID, "student")
		if err != nil || open.ID != app.ID {
			t.Fatalf("OpenApplicationOnGround = %+v, %v", open, err)
		}
		ev, _ := permit.Transition(app, permit.ActionWithdraw, actor, clk.Now(), "")
		if err := db.Files().Transition(ctx, app, ev); err != nil {
			t.Fatal(err)
		}
		again := &permit.Application{PersonID: p.ID, PrefectureID: pref.ID, Ground: "student", Kind: permit.KindRenewal, State: permit.StateDraft}
		if err := db.Files().CreateApplication(ctx, again, actor); err != nil {
			t.Fatalf("after a withdrawal, the ground is free again: %v", err)
		}
	})
}

func TestDocumentsKeepEveryVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		_, acc, p, app := fixture(t, db)
		var ids []int64
		for i, sum := range []string{"aa", "bb"} {
			d := &permit.Document{BlobSum: sum, Filename: "passeport.pdf", Kind: "pdf", Size: int64(100 * (i + 1)), UploadedBy: acc.ID}
			if err := db.Files().AddDocuments(ctx, app.ID, "passport", []*permit.Document{d}, 3, 0); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, d.ID)
			clk.Advance(time.Minute)
		}
		if err := db.Files().RemoveDocument(ctx, app.ID, "passport", ids[1]); err != nil {
			t.Fatal(err)
		}
		if err := db.Files().RemoveDocument(ctx, app.ID, "passport", ids[1]); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Fatalf("removing twice: %v", err)
		}
		if err := db.Files().RemoveDocument(ctx, app.ID, "photo", ids[0]); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Fatalf("removing a file through another slot: %v", err)
		}
		docs, err := db.Documents(ctx, app.ID)
		if err != nil || len(docs) != 2 || !docs[0].Current() || docs[1].Current() || docs[1].RemovedAt == nil || docs[1].BlobSum != "bb" {
			t.Fatalf("Documents = %+v, %v", docs, err)
		}
		if n, err := db.StorageUsed(ctx, p.ID); err != nil || n != 300 {
			t.Fatalf("StorageUsed = %d, %v", n, err)
		}
	})
}

// TestSlotHoldsItsMostFiles checks a slot's limit: several current files
// up to its most, then a refusal; a slot of one file has it replaced, the
// old version kept; a file reused from another application costs no
// quota.
func TestSlotHoldsItsMostFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		_, acc, p, app := fixture(t, db)
		file := func(sum string) *permit.Document {
			return &permit.Document{BlobSum: sum, Filename: sum + ".pdf", Kind: "pdf", Size: 100, UploadedBy: acc.ID}
		}
		if err := db.Files().AddDocuments(ctx, app.ID, "payslips", []*permit.Document{file("m1"), file("m2")}, 3, 0); err != nil {
			t.Fatal(err)
		}
		err := db.Files().AddDocuments(ctx, app.ID, "payslips", []*permit.Document{file("m3"), file("m4")}, 3, 0)
		if key, args := permit.ErrorMessage(err); permit.ErrorCode(err) != permit.EINVALID || key != "slots.error.full" || args[0] != 3 {
			t.Fatalf("a fourth payslip in a slot of three: %v", err)
		}
		first := file("front")
		if err := db.Files().AddDocuments(ctx, app.ID, "photo", []*permit.Document{first}, 1, 0); err != nil {
			t.Fatal(err)
		}
		second := file("front2")
		if err := db.Files().AddDocuments(ctx, app.ID, "photo", []*permit.Document{second}, 1, 0); err != nil {
			t.Fatalf("a slot of one file takes a new one in its place: %v", err)
		}
		reused := file("m1")
		reused.ReusedFrom = first.ID
		if err := db.Files().AddDocuments(ctx, app.ID, "passport", []*permit.Document{reused}, 2, 0); err != nil {
			t.Fatal(err)
		}
		docs, err := db.Documents(ctx, app.ID)
		if err != nil {
			t.Fatal(err)
		}
		current := map[string]int{}
		for _, d := range docs {
			if d.Current() {
				current[d.Slot]++
			}
			if d.ID == first.ID && d.ReplacedBy != second.ID {
				t.Errorf("the replaced photo: %+v, want replaced by %d", d, second.ID)
			}
		}
		if len(docs) != 5 || current["payslips"] != 2 || current["photo"] != 1 || current["passport"] != 1 {
			t.Fatalf("%d versions, current %v", len(docs), current)
		}
		if n, err := db.StorageUsed(ctx, p.ID); err != nil || n != 400 {
			t.Fatalf("StorageUsed = %d, %v; want 400 (the reused file counted once)", n, err)
		}
	})
}

// TestMigrationKeepsOneCurrentFilePerSlot checks migration 0021 on rows
// written before it: the newest version of a slot was its one current
// file, so each earlier one not removed is marked replaced by the next.
func TestMigrationKeepsOneCurrentFilePerSlot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		_, acc, _, app := fixture(t, db)
		add := func(slot, sum string) *permit.Document {
			d := &permit.Document{BlobSum: sum, Filename: sum + ".pdf", Kind: "pdf", Size: 1, UploadedBy: acc.ID}
			if err := db.Files().AddDocuments(ctx, app.ID, slot, []*permit.Document{d}, 5, 0); err != nil {
				t.Fatal(err)
			}
			return d
		}
		// Before: passport a, b, c (c removed, so none current); photo x.
		a, b, c, x := add("passport", "a"), add("passport", "b"), add("passport", "c"), add("photo", "x")
		if err := db.Files().RemoveDocument(ctx, app.ID, "passport", c.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.Files().ForgetReplacements(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.Files().BackfillReplacements(ctx); err != nil {
			t.Fatal(err)
		}
		docs, err := db.Documents(ctx, app.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64]int64{a.ID: b.ID, b.ID: c.ID, c.ID: 0, x.ID: 0}
		for _, d := range docs {
			if d.ReplacedBy != want[d.ID] {
				t.Errorf("%s replaced by %d, want %d", d.BlobSum, d.ReplacedBy, want[d.ID])
			}
			if d.Current() != (d.ID == x.ID) {
				t.Errorf("%s current: %v", d.BlobSum, d.Current())
			}
		}
	})
}

func TestFilingAndCompletion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		_, acc, _, app := fixture(t, db)
		applicant := permit.Actor{Kind: permit.ActorApplicant, AccountID: acc.ID}
		agent := &permit.Account{Email: "agent@rhone.example", Role: permit.RoleAgent, Lang: "fr", Prefectures: []int64{app.PrefectureID}}
		if err := db.Accounts().CreateAccount(ctx, agent, "h", nil, nil); err != nil {
			t.Fatal(err)
		}
		stale := *app
		ev, _ := permit.Transition(app, permit.ActionSubmit, applicant, clk.Now(), "")
		f := &permit.Filing{ApplicationID: app.ID, Snapshot: []byte(`{"documents":[]}`)}
		if err := db.Files().File(ctx, app, ev, f, nil); err != nil {
			t.Fatal(err)
		}
		if f.Number != "DEP-2026-"+pad(app.ID)+"-1" {
			t.Fatalf("number %q", f.Number)
		}
		ev2, _ := permit.Transition(&stale, permit.ActionSubmit, applicant, clk.Now(), "")
		if err := db.Files().File(ctx, &stale, ev2, &permit.Filing{ApplicationID: app.ID, Snapshot: []byte(`{}`)}, nil); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Fatalf("double filing: %v", err)
		}
		if fs, _ := db.Filings(ctx, app.ID); len(fs) != 1 {
			t.Fatalf("filed %d times", len(fs))
		}
		if emails, err := db.Files().StaffEmails(ctx, app.PrefectureID); err != nil || len(emails) != 1 || emails[0] != "agent@rhone.example" {
			t.Fatalf("StaffEmails = %v, %v", emails, err)
		}

		ev3, _ := permit.Transition(app, permit.ActionRequestDocs, permit.Actor{Kind: permit.ActorAgent, AccountID: agent.ID}, clk.Now(), "payslips")
		cr := &permit.CompletionRequest{Slots: []string{"payslips"}, Reason: "Les 3 derniers bulletins", DueOn: clk.Now().AddDate(0, 0, 30), RequestedBy: agent.ID}
		if err := db.Decisions().RequestCompletion(ctx, app, ev3, cr, &permit.Mail{To: "f@example.org", Subject: "Pièces", Text: "..."}); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Hour)
		ev4, _ := permit.Transition(app, permit.ActionComplete, applicant, clk.Now(), "")
		if err := db.Files().Complete(ctx, app, ev4, &permit.Filing{ApplicationID: app.ID, Snapshot: []byte(`{}`)}, cr.ID); err != nil {
			t.Fatal(err)
		}
		crs, err := db.CompletionRequests(ctx, app.ID)
		if err != nil || len(crs) != 1 || crs[0].AnsweredAt == nil || crs[0].Slots[0] != "payslips" || !crs[0].DueOn.Equal(cr.DueOn) {
			t.Fatalf("CompletionRequests = %+v, %v", crs, err)
		}
		fs, _ := db.Filings(ctx, app.ID)
		if len(fs) != 2 || fs[1].Number != "DEP-2026-"+pad(app.ID)+"-2" {
			t.Fatalf("filings = %+v", fs)
		}
		if got, _ := db.Application(ctx, app.ID); got.State != permit.StateUnderReview {
			t.Fatalf("state %s", got.State)
		}
	})
}

func TestMessages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		_, acc, _, app := fixture(t, db)
		msg := &permit.Message{ApplicationID: app.ID, Sender: permit.Actor{Kind: permit.ActorApplicant, AccountID: acc.ID}, Body: "Bonjour, voici mon bail.",
			Attachments: []*permit.Document{{BlobSum: "cc", Filename: "bail.pdf", Kind: "pdf", Size: 10, UploadedBy: acc.ID}}}
		// Every agent told (a prefecture without a shared address) is
		// told in the message's own transaction.
		if err := db.Files().AddMessage(ctx, msg, 0, &permit.Mail{To: "agent1@rhone.example", Subject: "Nouveau message", Text: "..."},
			&permit.Mail{To: "agent2@rhone.example", Subject: "Nouveau message", Text: "..."}); err != nil {
			t.Fatal(err)
		}
		msgs, err := db.Messages(ctx, app.ID)
		if err != nil || len(msgs) != 1 || msgs[0].Body != msg.Body || len(msgs[0].Attachments) != 1 || msgs[0].Attachments[0].Slot != "message" {
			t.Fatalf("Messages = %+v, %v", msgs, err)
		}
		if unsent, _ := db.Mails().UnsentMails(ctx, 10, 25); len(unsent) != 2 {
			t.Fatalf("the message's mails in the outbox: %d, want 2", len(unsent))
		}
	})
}

func pad(id int64) string { return fmt.Sprintf("%06d", id) }
