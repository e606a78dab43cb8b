package store_test

import (
	"testing"
	"time"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// TestDetectedOutagesAreIdempotent reports one failure of the database
// the ways several instances would: opened twice, closed twice, and once
// only afterwards (start and end at once, as after an outage that the
// database itself could not record). Each is one outage.
func TestDetectedOutagesAreIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		room := store.Outages{DB: db}
		fns := permit.OutageFunctionsOf("database")
		t0 := clk.Now().Add(-20 * time.Minute)
		o1, wrote, err := room.RecordDetected(ctx, "database", fns, t0, nil)
		if err != nil || !wrote || o1.EndedAt != nil || !o1.Relieves {
			t.Fatalf("open: %+v, %v, %v", o1, wrote, err)
		}
		// Another instance saw it start a little later: the same outage.
		o2, wrote, err := room.RecordDetected(ctx, "database", fns, t0.Add(time.Minute), nil)
		if err != nil || wrote || o2.ID != o1.ID {
			t.Fatalf("second open: %+v, %v, %v", o2, wrote, err)
		}
		t1 := clk.Now()
		o3, wrote, err := room.RecordDetected(ctx, "database", fns, t0, &t1)
		if err != nil || !wrote || o3.ID != o1.ID || o3.EndedAt == nil || !o3.EndedAt.Equal(t1) {
			t.Fatalf("close: %+v, %v, %v", o3, wrote, err)
		}
		if _, wrote, err := room.RecordDetected(ctx, "database", fns, t0.Add(time.Minute), &t1); err != nil || wrote {
			t.Fatalf("second close wrote %v, %v", wrote, err)
		}
		// A close-only call with nothing open does nothing.
		if o, wrote, err := room.RecordDetected(ctx, "database", fns, time.Time{}, &t1); err != nil || wrote || o != nil {
			t.Fatalf("close-only: %+v, %v, %v", o, wrote, err)
		}

		// An outage seen only after it ended (the database was the one
		// down): recorded whole, once, with its real start.
		clk.Advance(3 * time.Hour)
		s, e := clk.Now().Add(-time.Hour), clk.Now().Add(-10*time.Minute)
		late, wrote, err := room.RecordDetected(ctx, "database", fns, s, &e)
		if err != nil || !wrote || late.ID == o1.ID || !late.StartedAt.Equal(s) || !late.EndedAt.Equal(e) {
			t.Fatalf("late record: %+v, %v, %v", late, wrote, err)
		}
		if _, wrote, _ := room.RecordDetected(ctx, "database", fns, s.Add(time.Second), &e); wrote {
			t.Error("the same late record was written twice")
		}
		// Another check is another outage.
		m, wrote, err := room.RecordDetected(ctx, "mail", permit.OutageFunctionsOf("mail"), s, nil)
		if err != nil || !wrote || m.Relieves {
			t.Fatalf("mail: %+v, %v, %v (a mail outage does not relieve filing deadlines)", m, wrote, err)
		}

		all, err := room.OutagesSince(ctx, t0.Add(-time.Hour), 100)
		if err != nil || len(all) != 3 {
			t.Fatalf("since: %d outages, %v; want 3", len(all), err)
		}
		evs, err := room.OutageEvents(ctx, o1.ID)
		if err != nil || len(evs) != 2 || evs[0].Action != permit.OutageOpened || evs[1].Action != permit.OutageClosed {
			t.Fatalf("trail: %+v, %v", evs, err)
		}
		cover, err := room.OutagesCovering(ctx, t0.Add(5*time.Minute), t0.Add(6*time.Minute))
		if err != nil || len(cover) != 1 || cover[0].ID != o1.ID {
			t.Fatalf("covering: %+v, %v", cover, err)
		}
	})
}

// TestDeclaredOutagesAreCorrectedWithTheirTrail declares planned
// maintenance, corrects it (a stale copy refused), cancels it, and finds
// each step with its reason, and the audit entries.
func TestDeclaredOutagesAreCorrectedWithTheirTrail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		admin := newAccount(t, db, "admin@example.org")
		room := store.Outages{DB: db}
		start := clk.Now().Add(48 * time.Hour)
		end := start.Add(2 * time.Hour)
		o := &permit.Outage{Kind: permit.OutagePlanned, Functions: []permit.Function{permit.FunctionFiling}, StartedAt: start, EndedAt: &end,
			Description: map[string]string{"fr": "Maintenance", "en": "Maintenance"}, Relieves: true, DeclaredBy: admin.ID}
		c := audit.With(ctx, audit.Entry{ActorAccountID: admin.ID, Action: "outage_declare", Detail: "annonce"})
		if err := room.DeclareOutage(c, o, &permit.OutageEvent{ActorID: admin.ID, Reason: "annonce"}); err != nil {
			t.Fatal(err)
		}
		read, err := room.Outage(ctx, o.ID)
		if err != nil || read.Kind != permit.OutagePlanned || !read.Upcoming(clk.Now()) || read.Description["en"] != "Maintenance" {
			t.Fatalf("read: %+v, %v", read, err)
		}
		stale := *read
		later := end.Add(time.Hour)
		read.EndedAt = &later
		if err := room.CorrectOutage(ctx, read, &permit.OutageEvent{Action: permit.OutageCorrect, ActorID: admin.ID, Reason: "plus long"}); err != nil {
			t.Fatal(err)
		}
		stale.Cancelled = true
		if err := room.CorrectOutage(ctx, &stale, &permit.OutageEvent{Action: permit.OutageCancel, ActorID: admin.ID, Reason: "x"}); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Fatalf("stale correction: %v, want conflict", err)
		}
		read.Cancelled = true
		if err := room.CorrectOutage(ctx, read, &permit.OutageEvent{Action: permit.OutageCancel, ActorID: admin.ID, Reason: "annulée"}); err != nil {
			t.Fatal(err)
		}
		evs, _ := room.OutageEvents(ctx, o.ID)
		if len(evs) != 3 || evs[1].Reason != "plus long" || evs[2].Action != permit.OutageCancel || evs[0].ActorID != admin.ID {
			t.Fatalf("trail: %+v", evs)
		}
		if live, _ := room.OutagesSince(ctx, clk.Now(), 10); len(live) != 0 {
			t.Errorf("a cancelled outage is still listed: %+v", live)
		}
		if all, _ := room.AllOutages(ctx, 10); len(all) != 1 || !all[0].Cancelled {
			t.Errorf("admin list: %+v", all)
		}
		lines, err := db.Audit().AuditTrail(ctx, audit.Filter{Everywhere: true, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, l := range lines {
			found = found || l.Action == "outage_declare"
		}
		if !found {
			t.Error("the declaration is not in the audit trail")
		}
	})
}
