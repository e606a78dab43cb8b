package casework_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/rooms"
	"github.com/sejour/sejour/internal/store/storetest"
)

var ctx = context.Background()

// queueWorld is two prefectures, their staff, an applicant and a few
// filed applications, on a real store.
type queueWorld struct {
	t                *testing.T
	db               *store.DB
	clk              *clock.Fixed
	files            *casework.WorkQueue
	a, b             *permit.Prefecture
	agentA, agentAB  *permit.Account
	admin, applicant *permit.Account
	overdue, fresh   *permit.Application // in A
	incomplete, inB  *permit.Application
	n                int
}

func newQueueWorld(t *testing.T, db *store.DB, clk *clock.Fixed) *queueWorld {
	w := &queueWorld{t: t, db: db, clk: clk}
	w.files = casework.New(casework.Config{Rules: rules.MustLoad(), Clock: clk}, rooms.Of(db), nil).Queue
	w.a, w.b = w.prefecture("75"), w.prefecture("93")
	w.agentA = w.account(permit.RoleAgent, w.a.ID)
	w.agentAB = w.account(permit.RoleAgent, w.a.ID, w.b.ID)
	w.admin = w.account(permit.RoleAdmin)
	w.applicant = w.account(permit.RoleApplicant)
	// A renewal whose permit ended three days ago, filed today.
	w.overdue = w.filed(w.a, permit.KindRenewal, "student", clk.Now().AddDate(0, 0, -3))
	clk.Advance(time.Hour)
	w.fresh = w.filed(w.a, permit.KindFirstIssue, "employee", time.Time{})
	clk.Advance(time.Hour)
	w.incomplete = w.filed(w.a, permit.KindFirstIssue, "visitor", time.Time{})
	ev, _ := permit.Transition(w.incomplete, permit.ActionRequestDocs, permit.Actor{Kind: permit.ActorAgent, AccountID: w.agentA.ID}, clk.Now(), "pièces")
	cr := &permit.CompletionRequest{Slots: []string{"passport"}, Reason: "pièces", DueOn: time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC), RequestedBy: w.agentA.ID}
	if err := db.Decisions().RequestCompletion(ctx, w.incomplete, ev, cr, &permit.Mail{To: "x@example.org", Subject: "s", Text: "t"}); err != nil {
		t.Fatal(err)
	}
	w.inB = w.filed(w.b, permit.KindFirstIssue, "student", time.Time{})
	return w
}

func (w *queueWorld) prefecture(code string) *permit.Prefecture {
	p := &permit.Prefecture{Code: code, Name: "Préfecture " + code, Departments: []string{code}}
	if err := w.db.Files().CreatePrefecture(ctx, p); err != nil {
		w.t.Fatal(err)
	}
	return p
}

func (w *queueWorld) account(role permit.Role, prefs ...int64) *permit.Account {
	w.n++
	a := &permit.Account{Email: fmt.Sprintf("%s%d@example.org", role, w.n), Role: role, Lang: "fr", Prefectures: prefs}
	if err := w.db.Accounts().CreateAccount(ctx, a, "h", nil, nil); err != nil {
		w.t.Fatal(err)
	}
	return a
}

// filed files an application for a new person; permitEnd, when set, is
// the last day of the permit they hold.
func (w *queueWorld) filed(pref *permit.Prefecture, kind permit.Kind, ground string, permitEnd time.Time) *permit.Application {
	acc := w.account(permit.RoleApplicant)
	p := &permit.Person{AccountID: acc.ID, GivenNames: "Awa", Surname: fmt.Sprintf("Diallo %d", w.n), PrefectureID: pref.ID}
	var pm *permit.Permit
	if !permitEnd.IsZero() {
		pm = &permit.Permit{Ground: permit.GroundID(ground), ValidFrom: permitEnd.AddDate(-1, 0, 0), ValidTo: permitEnd}
	}
	if err := w.db.Files().SaveProfile(ctx, p, pm); err != nil {
		w.t.Fatal(err)
	}
	actor := permit.Actor{Kind: permit.ActorApplicant, AccountID: acc.ID}
	a := &permit.Application{PersonID: p.ID, PrefectureID: pref.ID, Ground: permit.GroundID(ground), Kind: kind, State: permit.StateDraft}
	if err := w.db.Files().CreateApplication(ctx, a, actor); err != nil {
		w.t.Fatal(err)
	}
	ev, _ := permit.Transition(a, permit.ActionSubmit, actor, w.clk.Now(), "")
	if err := w.db.Files().File(ctx, a, ev, &permit.Filing{ApplicationID: a.ID, Snapshot: []byte(`{}`)}, nil); err != nil {
		w.t.Fatal(err)
	}
	return a
}

func rowIDs(p *casework.QueuePage) []int64 {
	var out []int64
	for _, r := range p.Rows {
		out = append(out, r.ID)
	}
	return out
}

func same(a []int64, b ...int64) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}

func TestQueueSortsByUrgencyAndCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newQueueWorld(t, db, clk)
		page, err := w.files.Queue(ctx, w.agentA, casework.QueueForm{})
		if err != nil {
			t.Fatal(err)
		}
		// Overdue permit first, then the documents due on 10 December,
		// then the silence of the first issue filed on 26 November.
		if !same(rowIDs(page), w.overdue.ID, w.incomplete.ID, w.fresh.ID) {
			t.Fatalf("rows %v", rowIDs(page))
		}
		first := page.Rows[0]
		if first.Deadline.Kind != permit.DuePermitExpiry || first.DaysLeft != -3 || !first.Overdue() || first.Surname == "" {
			t.Fatalf("first row %+v, deadline %+v", first, first.Deadline)
		}
		if r := page.Rows[1]; r.Deadline.Kind != permit.DueCompletion || r.DaysLeft != 14 || r.Overdue() {
			t.Fatalf("second row %+v", r.Deadline)
		}
		if r := page.Rows[2]; r.Deadline.Kind != permit.DueImplicitRejection || r.Deadline.On.Format(time.DateOnly) != "2027-03-26" {
			t.Fatalf("third row %+v", r.Deadline)
		}
		counts := map[permit.State]int{}
		for _, c := range page.Counts {
			counts[c.State] = c.Count
		}
		if len(page.Counts) != len(permit.QueueStates) || counts[permit.StateSubmitted] != 2 || counts[permit.StateIncomplete] != 1 {
			t.Fatalf("counts %+v", page.Counts)
		}
		if len(page.Prefectures) != 1 || page.Prefectures[0].ID != w.a.ID || page.Next != "" {
			t.Fatalf("prefectures %+v, next %q", page.Prefectures, page.Next)
		}
	})
}

func TestQueueFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newQueueWorld(t, db, clk)
		for _, tt := range []struct {
			name string
			acc  *permit.Account
			form casework.QueueForm
			want []int64
		}{
			{"state", w.agentA, casework.QueueForm{States: []string{"incomplete"}}, []int64{w.incomplete.ID}},
			{"two states", w.agentA, casework.QueueForm{States: []string{"incomplete", "submitted"}}, []int64{w.overdue.ID, w.incomplete.ID, w.fresh.ID}},
			{"ground", w.agentA, casework.QueueForm{Ground: "employee"}, []int64{w.fresh.ID}},
			{"kind", w.agentA, casework.QueueForm{Kind: "renewal"}, []int64{w.overdue.ID}},
			{"filed today", w.agentA, casework.QueueForm{From: "2026-11-26", To: "2026-11-26"}, []int64{w.overdue.ID, w.incomplete.ID, w.fresh.ID}},
			{"filed later", w.agentA, casework.QueueForm{From: "2026-11-27"}, nil},
			{"filed before", w.agentA, casework.QueueForm{To: "2026-11-25"}, nil},
			{"a date as typed", w.agentA, casework.QueueForm{From: "26/11/2026", To: "26/11/2026", Kind: "renewal"}, []int64{w.overdue.ID}},
			{"an agent of two sees both", w.agentAB, casework.QueueForm{}, []int64{w.overdue.ID, w.incomplete.ID, w.fresh.ID, w.inB.ID}},
			{"and may choose one", w.agentAB, casework.QueueForm{Prefecture: fmt.Sprint(w.b.ID)}, []int64{w.inB.ID}},
			{"an admin sees every prefecture", w.admin, casework.QueueForm{}, []int64{w.overdue.ID, w.incomplete.ID, w.fresh.ID, w.inB.ID}},
			{"and may choose one", w.admin, casework.QueueForm{Prefecture: fmt.Sprint(w.a.ID)}, []int64{w.overdue.ID, w.incomplete.ID, w.fresh.ID}},
		} {
			page, err := w.files.Queue(ctx, tt.acc, tt.form)
			if err != nil || !same(rowIDs(page), tt.want...) {
				t.Errorf("%s: %v, %v; want %v", tt.name, rowIDs(page), err, tt.want)
			}
		}
	})
}

func TestQueueRefusesWhoMayNotSee(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newQueueWorld(t, db, clk)
		if _, err := w.files.Queue(ctx, w.agentA, casework.QueueForm{Prefecture: fmt.Sprint(w.b.ID)}); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("another prefecture's queue: %v", err)
		}
		if _, err := w.files.Queue(ctx, w.admin, casework.QueueForm{Prefecture: "999"}); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("a prefecture that does not exist: %v", err)
		}
		for _, acc := range []*permit.Account{w.applicant, nil} {
			if _, err := w.files.Queue(ctx, acc, casework.QueueForm{}); permit.ErrorCode(err) != permit.ENOTFOUND {
				t.Errorf("queue as %v: %v", acc, err)
			}
			err := w.files.ExportQueue(ctx, acc, casework.QueueForm{}, func(casework.QueueRow) error { t.Error("exported a row"); return nil })
			if permit.ErrorCode(err) != permit.ENOTFOUND {
				t.Errorf("export as %v: %v", acc, err)
			}
		}
		err := w.files.ExportQueue(ctx, w.agentA, casework.QueueForm{Prefecture: fmt.Sprint(w.b.ID)}, func(casework.QueueRow) error { return nil })
		if permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("export of another prefecture: %v", err)
		}
		// An agent who works for no prefecture sees an empty queue.
		none := w.account(permit.RoleAgent)
		if page, err := w.files.Queue(ctx, none, casework.QueueForm{}); err != nil || len(page.Rows) != 0 {
			t.Errorf("agent of no prefecture: %v, %v", rowIDs(page), err)
		}
	})
}

func TestQueueBadFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newQueueWorld(t, db, clk)
		for _, tt := range []struct {
			form  casework.QueueForm
			field string
		}{
			{casework.QueueForm{Prefecture: "paris"}, "prefecture"},
			{casework.QueueForm{States: []string{"draft"}}, "state"},
			{casework.QueueForm{States: []string{"withdrawn"}}, "state"},
			{casework.QueueForm{Ground: "astronaut"}, "ground"},
			{casework.QueueForm{Kind: "duplicate"}, "kind"},
			{casework.QueueForm{From: "26.11.2026"}, "from"},
			{casework.QueueForm{To: "2026-02-30"}, "to"},
			{casework.QueueForm{From: "2026-12-01", To: "2026-11-01"}, "to"},
			{casework.QueueForm{After: "x"}, "page"},
		} {
			_, err := w.files.Queue(ctx, w.agentA, tt.form)
			if fields := permit.FieldErrors(err); fields[tt.field] == "" {
				t.Errorf("%+v: %v, want an error on %s", tt.form, err, tt.field)
			}
		}
	})
}

func TestQueuePagesAndExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newQueueWorld(t, db, clk)
		for range casework.QueuePageSize {
			clk.Advance(time.Minute)
			w.filed(w.a, permit.KindFirstIssue, "student", time.Time{})
		}
		page, err := w.files.Queue(ctx, w.agentA, casework.QueueForm{})
		if err != nil || len(page.Rows) != casework.QueuePageSize || page.Next == "" {
			t.Fatalf("first page: %d rows, next %q, %v", len(page.Rows), page.Next, err)
		}
		next, err := w.files.Queue(ctx, w.agentA, casework.QueueForm{After: page.Next})
		if err != nil || len(next.Rows) != 3 || next.Next != "" {
			t.Fatalf("second page: %d rows, next %q, %v", len(next.Rows), next.Next, err)
		}
		all := append(rowIDs(page), rowIDs(next)...)
		var exported []int64
		err = w.files.ExportQueue(ctx, w.agentA, casework.QueueForm{After: page.Next}, func(r casework.QueueRow) error {
			exported = append(exported, r.ID)
			return nil
		})
		if err != nil || !same(exported, all...) {
			t.Fatalf("export %v, %v; want %v", exported, err, all)
		}
	})
}
