package store_test

import (
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/jobs"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// TestGaugesReadWhatWaits: the scrape's figures on both databases: the
// oldest unsent mail's age until it is sent, today's incidents by source
// (both sources, even at zero, and not yesterday's), nothing owed or late
// on an empty portal, and the pools by role. (The lag, what is owed and
// the job queue are read on the running program: internal/app's
// TestMetricsOfTheRunningProgram.)
func TestGaugesReadWhatWaits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		d := jobs.Database{SQLite: db.SQL()}
		if db.Dialect() == store.Postgres {
			d = jobs.Database{PostgresURL: db.PostgresURL(), PostgresStore: db.SQL()}
		}
		if err := jobs.Migrate(ctx, d, nil); err != nil { // River's tables, as the program has them
			t.Fatal(err)
		}
		g := store.Gauges{DB: db}
		read := func() *store.Readings {
			t.Helper()
			r, err := g.Read(ctx, store.ReadAt{Now: clk.Now(), QueueNow: clk.Now(), Window: 24 * time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		if r := read(); r.OldestUnsentMail != 0 || r.UnsentMails != 0 || r.AttestationLag != 0 || r.OwedUnissued != 0 || len(r.Jobs) != 0 {
			t.Fatalf("an empty portal reads %+v", r)
		}
		mail := &permit.Mail{To: "a@example.org", Subject: "Confirm", Text: "Click"}
		a := &permit.Account{Email: "a@example.org", Role: permit.RoleApplicant, Lang: "fr"}
		if err := db.Accounts().CreateAccount(ctx, a, "hash", nil, mail); err != nil {
			t.Fatal(err)
		}
		for _, in := range []*permit.Incident{
			{Reference: "ERR-AAAA-AAAA", Source: permit.IncidentWeb, Kind: "http_500", Status: 500, Day: clk.Now().In(permit.Paris).Format(time.DateOnly)},
			{Reference: "JOB-BBBB-BBBB", Source: permit.IncidentJob, Kind: "deliver_mail", Day: "2020-01-01"},
		} {
			in.At = clk.Now()
			if err := db.Support().RecordIncident(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		clk.Advance(10 * time.Minute)
		r := read()
		if r.OldestUnsentMail != 10*time.Minute || r.UnsentMails != 1 {
			t.Errorf("unsent mail: age %v, %d waiting; want 10m0s, 1", r.OldestUnsentMail, r.UnsentMails)
		}
		if r.Incidents["web"] != 1 || r.Incidents["job"] != 0 || len(r.Incidents) != 2 {
			t.Errorf("today's incidents = %v, want web 1, job 0", r.Incidents)
		}
		if err := db.Mails().MarkMailSent(ctx, mail.ID); err != nil {
			t.Fatal(err)
		}
		if r := read(); r.OldestUnsentMail != 0 || r.UnsentMails != 0 {
			t.Errorf("after delivery: age %v, %d waiting; want none", r.OldestUnsentMail, r.UnsentMails)
		}
		pools := g.Pools()
		if _, ok := pools["main"]; db.Dialect() == store.Postgres && (!ok || len(pools) != 1) {
			t.Errorf("PostgreSQL pools = %v, want main", pools)
		}
		if _, ok := pools["write"]; db.Dialect() == store.SQLite && (!ok || pools["read"] == nil) {
			t.Errorf("SQLite pools = %v, want write and read", pools)
		}
	})
}
