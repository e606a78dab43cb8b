package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// record appends one view entry, as staff opening a file do.
func record(t *testing.T, db *store.DB, e audit.Entry) {
	t.Helper()
	if err := db.RecordAudit(audit.With(ctx, e)); err != nil {
		t.Fatal(err)
	}
}

func verify(t *testing.T, db *store.DB) *audit.Report {
	t.Helper()
	rep, err := db.Audit().VerifyAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// tamper runs SQL behind the store's back, as someone with the database
// file or a superuser could.
func tamper(t *testing.T, db *store.DB, sqlite, postgres string) {
	t.Helper()
	q := sqlite
	if db.Dialect() == store.Postgres {
		q = postgres
	}
	if _, err := db.SQL().ExecContext(ctx, q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func fiveEntries(t *testing.T, db *store.DB, clk *clock.Fixed) {
	t.Helper()
	for i := 1; i <= 5; i++ {
		clk.Advance(time.Minute)
		record(t, db, audit.Entry{ActorAccountID: 7, Action: "case.view", PrefectureID: 1, PersonID: int64(i), ApplicationID: int64(10 + i), Detail: fmt.Sprint("n", i)})
	}
}

func TestAuditChainVerifies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		if rep := verify(t, db); rep.Break != nil || rep.Count != 0 || rep.Head != audit.Genesis {
			t.Fatalf("empty trail: %+v", rep)
		}
		fiveEntries(t, db, clk)
		// Two entries carried by one write are chained in order.
		two := audit.With(audit.With(ctx, audit.Entry{Action: "a"}), audit.Entry{Action: "b"})
		if err := db.Files().CreatePrefecture(two, &permit.Prefecture{Code: "13", Name: "Bouches-du-Rhône"}); err != nil {
			t.Fatal(err)
		}
		rep := verify(t, db)
		if rep.Break != nil || rep.Count != 7 {
			t.Fatalf("VerifyAudit = %+v, %v; want 7 entries, no break", rep, rep.Break)
		}
		lines, err := db.Audit().AuditTrail(ctx, audit.Filter{Everywhere: true, Limit: 10})
		if err != nil || len(lines) != 7 || lines[0].Action != "b" || lines[1].Action != "a" || lines[0].PrevHash != lines[1].Hash || lines[0].Hash != rep.Head {
			t.Fatalf("AuditTrail = %v, %v", lines, err)
		}
	})
}

// TestAuditTimeSurvivesRoundTrip writes a time with nanoseconds in
// another zone and checks that what is read back hashes as written.
func TestAuditTimeSurvivesRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		clk.Set(time.Date(2026, 3, 29, 1, 59, 59, 123456789, time.FixedZone("CEST", 2*3600)))
		record(t, db, audit.Entry{ActorAccountID: 1, Action: "case.view", Detail: "é\x00\xff"})
		lines, err := db.Audit().AuditTrail(ctx, audit.Filter{Everywhere: true, Limit: 1})
		if err != nil || len(lines) != 1 {
			t.Fatal(lines, err)
		}
		r := lines[0].Record
		if got, want := r.At.Format(audit.TimeLayout), "2026-03-28T23:59:59.123456Z"; got != want {
			t.Errorf("time read back %s, want %s", got, want)
		}
		if r.Detail != "é\uFFFD\uFFFD" {
			t.Errorf("detail read back %q", r.Detail)
		}
		if r.Sum() != r.Hash {
			t.Errorf("the record read back does not hash as written")
		}
	})
}

func TestAuditIsAppendOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		fiveEntries(t, db, clk)
		for _, q := range []string{`UPDATE audit_log SET detail = 'x' WHERE id = 2`, `DELETE FROM audit_log WHERE id = 5`} {
			if _, err := db.SQL().ExecContext(ctx, q); err == nil {
				t.Errorf("%s: accepted", q)
			}
		}
		if db.Dialect() == store.Postgres {
			if _, err := db.SQL().ExecContext(ctx, `TRUNCATE audit_log`); err == nil {
				t.Error("TRUNCATE accepted")
			}
		}
		if rep := verify(t, db); rep.Break != nil || rep.Count != 5 {
			t.Fatalf("after refused changes: %+v", rep)
		}
	})
}

func TestAuditAlterationIsCaught(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		fiveEntries(t, db, clk)
		tamper(t, db, `DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_change ON audit_log`)
		tamper(t, db, `UPDATE audit_log SET person_id = 99 WHERE id = 3`, `UPDATE audit_log SET person_id = 99 WHERE id = 3`)
		rep := verify(t, db)
		if rep.Break == nil || rep.Break.ID != 3 || rep.Break.Problem != audit.HashMismatch || rep.Count != 2 {
			t.Fatalf("altered entry 3: %+v %v", rep, rep.Break)
		}
		// A forger who also rewrites the altered row's hash breaks the
		// next link instead.
		lines, err := db.Audit().AuditTrail(ctx, audit.Filter{Everywhere: true, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		third := lines[2].Record
		tamper(t, db, `UPDATE audit_log SET hash = '`+third.Sum()+`' WHERE id = 3`, `UPDATE audit_log SET hash = '`+third.Sum()+`' WHERE id = 3`)
		rep = verify(t, db)
		if rep.Break == nil || rep.Break.ID != 4 || rep.Break.Problem != audit.PrevMismatch || rep.Count != 3 {
			t.Fatalf("rehashed entry 3: %+v %v", rep, rep.Break)
		}
	})
}

func TestAuditDeletionIsCaught(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		fiveEntries(t, db, clk)
		tamper(t, db, `DROP TRIGGER audit_log_no_delete`, `DROP TRIGGER audit_log_no_change ON audit_log`)
		tamper(t, db, `DELETE FROM audit_log WHERE id = 2`, `DELETE FROM audit_log WHERE id = 2`)
		rep := verify(t, db)
		if rep.Break == nil || rep.Break.ID != 2 || rep.Break.Problem != audit.MissingID || rep.Count != 1 {
			t.Fatalf("deleted entry 2: %+v %v", rep, rep.Break)
		}
		// Deleting the first entry is caught too.
		tamper(t, db, `DELETE FROM audit_log WHERE id = 1`, `DELETE FROM audit_log WHERE id = 1`)
		if rep := verify(t, db); rep.Break == nil || rep.Break.ID != 1 || rep.Break.Problem != audit.MissingID {
			t.Fatalf("deleted entry 1: %+v", rep)
		}
	})
}

// TestAuditEntryOnlyWithItsAction: a write that fails leaves no entry,
// and the chain goes on from the last committed one.
func TestAuditEntryOnlyWithItsAction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		fiveEntries(t, db, clk)
		if err := db.Files().CreatePrefecture(ctx, &permit.Prefecture{Code: "75", Name: "Paris"}); err != nil {
			t.Fatal(err)
		}
		dup := audit.With(ctx, audit.Entry{ActorAccountID: 1, Action: "prefecture.create"})
		if err := db.Files().CreatePrefecture(dup, &permit.Prefecture{Code: "75", Name: "Paris again"}); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Fatalf("duplicate prefecture: %v", err)
		}
		record(t, db, audit.Entry{Action: "after"})
		rep := verify(t, db)
		if rep.Break != nil || rep.Count != 6 {
			t.Fatalf("after a failed write: %+v %v", rep, rep.Break)
		}
		lines, _ := db.Audit().AuditTrail(ctx, audit.Filter{Everywhere: true, Actions: []string{"prefecture.create"}, Limit: 10})
		if len(lines) != 0 {
			t.Fatalf("the failed write left %d entries", len(lines))
		}
	})
}

// TestAuditConcurrentAppendsKeepOneChain appends from many goroutines at
// once (run it with -race); the chain must stay one line.
func TestAuditConcurrentAppendsKeepOneChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, _ *clock.Fixed) {
		const writers, each = 8, 15
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					e := audit.Entry{ActorAccountID: int64(w + 1), Action: "case.view", Detail: fmt.Sprint(w, "/", i)}
					errs <- db.RecordAudit(audit.With(context.Background(), e))
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if rep := verify(t, db); rep.Break != nil || rep.Count != writers*each {
			t.Fatalf("after concurrent appends: count %d, break %v", rep.Count, rep.Break)
		}
	})
}

func TestAuditTrailFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		agent := newAccount(t, db, "agent@example.org")
		record(t, db, audit.Entry{ActorAccountID: agent.ID, Action: "case.view", PrefectureID: 1, PersonID: 5, ApplicationID: 50})
		clk.Advance(24 * time.Hour)
		record(t, db, audit.Entry{ActorAccountID: agent.ID, Action: "document.view", PrefectureID: 2, PersonID: 6, ApplicationID: 60, DocumentID: 3})
		record(t, db, audit.Entry{ActorAccountID: 999, Action: "start_review", PrefectureID: 1, PersonID: 5, ApplicationID: 51})
		cases := []struct {
			name string
			f    audit.Filter
			want []string
		}{
			{"prefecture 1", audit.Filter{Prefectures: []int64{1}}, []string{"start_review", "case.view"}},
			{"no prefecture", audit.Filter{}, nil},
			{"person", audit.Filter{Everywhere: true, PersonID: 6}, []string{"document.view"}},
			{"application", audit.Filter{Prefectures: []int64{1, 2}, ApplicationID: 50}, []string{"case.view"}},
			{"actor", audit.Filter{Everywhere: true, ActorEmail: "agent@example.org"}, []string{"document.view", "case.view"}},
			{"from", audit.Filter{Everywhere: true, From: storetest.Start.Add(time.Hour)}, []string{"start_review", "document.view"}},
			{"to", audit.Filter{Everywhere: true, To: storetest.Start.Add(time.Hour)}, []string{"case.view"}},
			{"actions", audit.Filter{Everywhere: true, Actions: []string{"case.view", "document.view"}}, []string{"document.view", "case.view"}},
			{"page 2", audit.Filter{Everywhere: true, Offset: 2}, []string{"case.view"}},
		}
		for _, c := range cases {
			if c.f.Limit == 0 {
				c.f.Limit = 10
			}
			lines, err := db.Audit().AuditTrail(ctx, c.f)
			var got []string
			for _, l := range lines {
				got = append(got, l.Action)
			}
			if err != nil || fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("%s: %v, %v; want %v", c.name, got, err, c.want)
			}
		}
		lines, _ := db.Audit().AuditTrail(ctx, audit.Filter{Everywhere: true, PersonID: 6, Limit: 1})
		if len(lines) != 1 || lines[0].ActorEmail != "agent@example.org" || lines[0].ActorRole != "applicant" || lines[0].DocumentID != 3 {
			t.Fatalf("line as read: %+v", lines)
		}
	})
}

// BenchmarkRecordAudit measures one recorded view: a write transaction
// of its own (on SQLite, with synchronous=FULL, one fsync).
func BenchmarkRecordAudit(b *testing.B) {
	db := storetest.SQLite(b, clock.NewFixed(storetest.Start))
	e := audit.Entry{ActorAccountID: 1, Action: "case.view", PrefectureID: 1, PersonID: 2, ApplicationID: 3}
	for b.Loop() {
		if err := db.RecordAudit(audit.With(ctx, e)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyAudit measures verifying a trail of 20,000 entries.
func BenchmarkVerifyAudit(b *testing.B) {
	db := storetest.SQLite(b, clock.NewFixed(storetest.Start))
	es := audit.With(ctx, audit.Entry{ActorAccountID: 1, Action: "case.view", PrefectureID: 1, PersonID: 2, ApplicationID: 3})
	for range 99 {
		es = audit.With(es, audit.Entry{ActorAccountID: 1, Action: "case.view", PrefectureID: 1, PersonID: 2, ApplicationID: 3})
	}
	for range 200 {
		if err := db.RecordAudit(es); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		if rep, err := db.Audit().VerifyAudit(ctx); err != nil || rep.Count != 20000 || rep.Break != nil {
			b.Fatal(rep, err)
		}
	}
}
