package store_test

import (
	"github.com/sejour/sejour/internal/rules"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// queued returns an application's row in its prefecture's queue, or nil.
func queued(t *testing.T, db *store.DB, app *permit.Application) *permit.QueueItem {
	t.Helper()
	items, err := db.WorkQueue().Queue(ctx, permit.QueueFilter{Prefectures: []int64{app.PrefectureID}})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.ID == app.ID {
			return it
		}
	}
	return nil
}

// wantDue fails unless the application's stored deadline is kind on day.
func wantDue(t *testing.T, db *store.DB, app *permit.Application, kind permit.DueKind, day string) {
	t.Helper()
	it := queued(t, db, app)
	if it == nil {
		t.Fatalf("application %d (%s) is not in the queue", app.ID, app.State)
	}
	if kind == "" {
		if it.Deadline != nil {
			t.Fatalf("deadline %s %v, want none", it.Deadline.Kind, it.Deadline.On)
		}
		return
	}
	if it.Deadline == nil || it.Deadline.Kind != kind || it.Deadline.On.Format(time.DateOnly) != day {
		t.Fatalf("deadline %+v, want %s on %s", it.Deadline, kind, day)
	}
}

// TestDueFollowsTheFile walks a renewal through filing, a completion
// request, its answer, attestations and a decision, and checks the stored
// deadline after each write.
func TestDueFollowsTheFile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		_, acc, p, app := fixture(t, db)
		applicant := permit.Actor{Kind: permit.ActorApplicant, AccountID: acc.ID}
		agentAcc := &permit.Account{Email: "agent@rhone.example", Role: permit.RoleAgent, Lang: "fr", Prefectures: []int64{app.PrefectureID}}
		if err := db.Accounts().CreateAccount(ctx, agentAcc, "h", nil, nil); err != nil {
			t.Fatal(err)
		}
		agent := permit.Actor{Kind: permit.ActorAgent, AccountID: agentAcc.ID}
		// The permit's last day is 15 January 2027; filing on 26 November 2026.
		pm := &permit.Permit{Ground: "student", ValidFrom: clk.Now().AddDate(-1, 0, 0), ValidTo: time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)}
		if err := db.Files().SaveProfile(ctx, p, pm); err != nil {
			t.Fatal(err)
		}
		if queued(t, db, app) != nil {
			t.Fatal("a draft is in the queue")
		}
		ev, _ := permit.Transition(app, permit.ActionSubmit, applicant, clk.Now(), "")
		if err := db.Files().File(ctx, app, ev, &permit.Filing{ApplicationID: app.ID, Snapshot: []byte(`{}`)}, nil); err != nil {
			t.Fatal(err)
		}
		wantDue(t, db, app, permit.DuePermitExpiry, "2027-01-15")

		// Once filed, the declared permit is no longer the applicant's to
		// change; a permit the prefecture records (here ending later)
		// moves the deadline.
		if err := db.Files().SaveProfile(ctx, p, &permit.Permit{Ground: "student", ValidFrom: pm.ValidFrom, ValidTo: time.Date(2027, 1, 20, 0, 0, 0, 0, time.UTC)}); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Fatalf("a new declaration after filing: %v, want a conflict", err)
		}
		pm2 := &permit.Permit{PersonID: p.ID, Ground: "student", ValidFrom: pm.ValidFrom, ValidTo: time.Date(2027, 1, 20, 0, 0, 0, 0, time.UTC)}
		if err := db.Files().CreatePermit(ctx, pm2); err != nil {
			t.Fatal(err)
		}
		wantDue(t, db, app, permit.DuePermitExpiry, "2027-01-20")

		ev, _ = permit.Transition(app, permit.ActionRequestDocs, agent, clk.Now(), "payslips")
		cr := &permit.CompletionRequest{Slots: []string{"payslips"}, Reason: "bulletins", DueOn: time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC), RequestedBy: agentAcc.ID}
		if err := db.Decisions().RequestCompletion(ctx, app, ev, cr, &permit.Mail{To: "f@example.org", Subject: "s", Text: "t"}); err != nil {
			t.Fatal(err)
		}
		wantDue(t, db, app, permit.DueCompletion, "2026-12-10")

		ev, _ = permit.Transition(app, permit.ActionComplete, applicant, clk.Now(), "")
		if err := db.Files().Complete(ctx, app, ev, &permit.Filing{ApplicationID: app.ID, Snapshot: []byte(`{}`)}, cr.ID); err != nil {
			t.Fatal(err)
		}
		wantDue(t, db, app, permit.DuePermitExpiry, "2027-01-20")

		// An extension attestation from the day after the permit: the
		// silence (26 March 2027) comes before its end.
		api := &permit.Attestation{ApplicationID: app.ID, Kind: permit.AttestationExtension, ValidFrom: day("2027-01-21"), ValidUntil: day("2027-04-20"), AvailableFrom: day("2027-01-06")}
		if err := db.Issuance().IssueAttestation(ctx, api, &permit.Mail{To: "f@example.org", Subject: "s", Text: "t"}); err != nil {
			t.Fatal(err)
		}
		wantDue(t, db, app, permit.DueImplicitRejection, "2027-03-26")

		// Corrected to a shorter one: its end comes first.
		short := &permit.Attestation{ValidFrom: day("2027-01-21"), ValidUntil: day("2027-02-15"), AvailableFrom: day("2027-01-06")}
		if err := db.Issuance().Supersede(ctx, api, short, &permit.Mail{To: "f@example.org", Subject: "s", Text: "t"}); err != nil {
			t.Fatal(err)
		}
		wantDue(t, db, app, permit.DueAttestationLapse, "2027-02-15")

		// Revoked: nothing covers the day after the permit any more.
		if err := db.Issuance().Revoke(ctx, short.ID, "erreur"); err != nil {
			t.Fatal(err)
		}
		wantDue(t, db, app, permit.DuePermitExpiry, "2027-01-20")

		// Decided: no silence, no permit deadline, until the decision's attestation.
		ev, _ = permit.Transition(app, permit.ActionDecideFavour, agent, clk.Now(), "")
		if err := db.Files().Transition(ctx, app, ev); err != nil {
			t.Fatal(err)
		}
		wantDue(t, db, app, "", "")
		adf := &permit.Attestation{ApplicationID: app.ID, Kind: permit.AttestationFavourable, ValidFrom: day("2026-11-26"), ValidUntil: day("2027-02-25"), AvailableFrom: day("2026-11-26")}
		if err := db.Issuance().IssueAttestation(ctx, adf, &permit.Mail{To: "f@example.org", Subject: "s", Text: "t"}); err != nil {
			t.Fatal(err)
		}
		wantDue(t, db, app, permit.DueAttestationLapse, "2027-02-25")

		for _, a := range []permit.Action{permit.ActionCardProduced, permit.ActionHandOver} {
			ev, _ = permit.Transition(app, a, agent, clk.Now(), "")
			if err := db.Files().Transition(ctx, app, ev); err != nil {
				t.Fatal(err)
			}
		}
		if queued(t, db, app) != nil {
			t.Fatal("a handed-over application is still in the queue")
		}
	})
}

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// TestQueueOrderPagesAndCounts files applications with deadlines in a
// known order, and reads them back sorted, by pages, filtered and counted.
func TestQueueOrderPagesAndCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		pref, _, _, _ := fixture(t, db)
		other := &permit.Prefecture{Code: "13", Name: "Bouches-du-Rhône", Departments: []string{"13"}}
		if err := db.Files().CreatePrefecture(ctx, other); err != nil {
			t.Fatal(err)
		}
		// Seven first issues filed a day apart (their silence a day apart),
		// the third and the fourth filed in the same second; and one in the
		// other prefecture.
		var want []int64
		for i := range 7 {
			if i != 3 {
				clk.Advance(24 * time.Hour)
			}
			a := filedApp(t, db, clk, pref.ID, "p"+string(rune('a'+i)), permit.KindFirstIssue)
			want = append(want, a.ID)
		}
		filedApp(t, db, clk, other.ID, "other", permit.KindFirstIssue)

		all, err := db.WorkQueue().Queue(ctx, permit.QueueFilter{Prefectures: []int64{pref.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(all); !equal(got, want) {
			t.Fatalf("order %v, want %v", got, want)
		}
		var paged []int64
		f := permit.QueueFilter{Prefectures: []int64{pref.ID}, Limit: 2}
		for range 10 {
			page, err := db.WorkQueue().Queue(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			paged = append(paged, ids(page)...)
			f.After = &page[len(page)-1].Mark
		}
		if !equal(paged, want) {
			t.Fatalf("pages %v, want %v", paged, want)
		}
		if got, _ := db.WorkQueue().Queue(ctx, permit.QueueFilter{}); len(got) != 8 {
			t.Fatalf("every prefecture: %d rows", len(got))
		}
		// Pages of two prefectures are merged from each one's pages: the
		// same order as one sorted query over both.
		both, err := db.WorkQueue().Queue(ctx, permit.QueueFilter{Prefectures: []int64{pref.ID, other.ID}})
		if err != nil || len(both) != 8 {
			t.Fatalf("two prefectures: %d, %v", len(both), err)
		}
		paged = nil
		f = permit.QueueFilter{Prefectures: []int64{other.ID, pref.ID}, Limit: 3}
		for range 10 {
			page, err := db.WorkQueue().Queue(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			paged = append(paged, ids(page)...)
			f.After = &page[len(page)-1].Mark
		}
		if !equal(paged, ids(both)) {
			t.Fatalf("merged pages %v, want %v", paged, ids(both))
		}
		from := storetest.Start.AddDate(0, 0, 3)
		got, err := db.WorkQueue().Queue(ctx, permit.QueueFilter{Prefectures: []int64{pref.ID}, FiledFrom: from, FiledBefore: from.AddDate(0, 0, 2)})
		if err != nil || !equal(ids(got), want[2:5]) {
			t.Fatalf("filed between: %v, %v, want %v", ids(got), err, want[2:5])
		}
		counts, err := db.WorkQueue().QueueCounts(ctx, []int64{pref.ID})
		if err != nil || counts[permit.StateSubmitted] != 7 || len(counts) != 1 {
			t.Fatalf("counts %v, %v", counts, err)
		}
	})
}

// filedApp files a first issue for a new person of a prefecture.
func filedApp(t *testing.T, db *store.DB, clk *clock.Fixed, prefID int64, name string, kind permit.Kind) *permit.Application {
	t.Helper()
	acc := newAccount(t, db, name+"@example.org")
	p := &permit.Person{AccountID: acc.ID, GivenNames: name, Surname: "X", PrefectureID: prefID}
	if err := db.Files().SaveProfile(ctx, p, nil); err != nil {
		t.Fatal(err)
	}
	actor := permit.Actor{Kind: permit.ActorApplicant, AccountID: acc.ID}
	a := &permit.Application{PersonID: p.ID, PrefectureID: prefID, Ground: "student", Kind: kind, State: permit.StateDraft}
	if err := db.Files().CreateApplication(ctx, a, actor); err != nil {
		t.Fatal(err)
	}
	ev, _ := permit.Transition(a, permit.ActionSubmit, actor, clk.Now(), "")
	if err := db.Files().File(ctx, a, ev, &permit.Filing{ApplicationID: a.ID, Snapshot: []byte(`{}`)}, nil); err != nil {
		t.Fatal(err)
	}
	return a
}

func ids(items []*permit.QueueItem) []int64 {
	var out []int64
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestMigrationFillsExistingDeadlines runs the Go step of migration 0006
// on rows without deadlines: each filed, open application gets its own.
func TestMigrationFillsExistingDeadlines(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		pref, _, _, draft := fixture(t, db)
		a := filedApp(t, db, clk, pref.ID, "old", permit.KindFirstIssue)
		if err := db.WorkQueue().ForgetDeadlines(ctx); err != nil {
			t.Fatal(err)
		}
		if queued(t, db, a) != nil {
			t.Fatal("a row without a deadline is in the queue")
		}
		if err := db.WorkQueue().RefreshAllDeadlines(ctx); err != nil {
			t.Fatal(err)
		}
		wantDue(t, db, a, permit.DueImplicitRejection, "2027-03-26")
		if queued(t, db, draft) != nil {
			t.Fatal("the refresh queued a draft")
		}
	})
}

// TestDueCountsTheCatalogueDelay files a first application with the
// shipped delay of silence and with another one, and finds the stored
// deadline moved by the difference: the store counts with the
// catalogue's value, and with none when it was not given one.
func TestDueCountsTheCatalogueDelay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		pref, _, _, _ := fixture(t, db)
		shipped := rules.MustLoad().Delays()
		a := filedApp(t, db, clk, pref.ID, "first", permit.KindFirstIssue)
		wantDue(t, db, a, permit.DueImplicitRejection, shipped.ImplicitRejection(clk.Now()).Format(time.DateOnly))

		db.SetDelays(permit.Delays{ImplicitRejectionMonths: shipped.ImplicitRejectionMonths + 2})
		b := filedApp(t, db, clk, pref.ID, "second", permit.KindFirstIssue)
		wantDue(t, db, b, permit.DueImplicitRejection, permit.ParisDay(clk.Now()).AddDate(0, shipped.ImplicitRejectionMonths+2, 0).Format(time.DateOnly))

		db.SetDelays(permit.Delays{})
		acc := newAccount(t, db, "third@example.org")
		p := &permit.Person{AccountID: acc.ID, GivenNames: "C", Surname: "X", PrefectureID: pref.ID}
		if err := db.Files().SaveProfile(ctx, p, nil); err != nil {
			t.Fatal(err)
		}
		actor := permit.Actor{Kind: permit.ActorApplicant, AccountID: acc.ID}
		c := &permit.Application{PersonID: p.ID, PrefectureID: pref.ID, Ground: "student", Kind: permit.KindFirstIssue, State: permit.StateDraft}
		if err := db.Files().CreateApplication(ctx, c, actor); err != nil {
			t.Fatal(err)
		}
		ev, _ := permit.Transition(c, permit.ActionSubmit, actor, clk.Now(), "")
		if err := db.Files().File(ctx, c, ev, &permit.Filing{ApplicationID: c.ID, Snapshot: []byte(`{}`)}, nil); err == nil {
			t.Fatal("filed without the catalogue's delays")
		}
	})
}
