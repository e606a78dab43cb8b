package store_test

import (
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// TestReportsThreadAndScope stores a report linked to an application and
// one without an account, walks a thread, and reads the queue by scope.
func TestReportsThreadAndScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		pref, acc, p, app := fixture(t, db)
		linked := &permit.Report{Reference: "SIG-AAAA-AAAA", FollowHash: "h1", Category: permit.ReportDataWrong, Priority: permit.PriorityNormal,
			Status: permit.ReportNew, Description: "Mon nom est mal écrit", Page: "/profil", AccountID: acc.ID, PersonID: p.ID,
			ApplicationID: app.ID, PrefectureID: pref.ID, Email: acc.Email, Lang: "fr",
			Screenshot: &permit.Screenshot{BlobSum: "ab", Filename: "capture.png", Kind: "png", Size: 12}}
		m := &permit.Mail{To: acc.Email, Subject: "s", Text: "t"}
		if err := db.Support().CreateReport(ctx, linked, m); err != nil {
			t.Fatal(err)
		}
		if linked.ID == 0 || m.ID == 0 {
			t.Fatalf("report %d, mail %d: both must be written", linked.ID, m.ID)
		}
		anon := &permit.Report{Reference: "SIG-BBBB-BBBB", FollowHash: "h2", Category: permit.ReportSiteFails, Priority: permit.PriorityNormal,
			Status: permit.ReportNew, Description: "Je ne peux pas me connecter", Phone: "06 01 02 03 04", ErrorRef: "ERR-ABCD-EFGH", Lang: "en"}
		if err := db.Support().CreateReport(ctx, anon, nil); err != nil {
			t.Fatal(err)
		}
		// A reference used twice is a conflict, and nothing is written.
		dup := *anon
		dup.FollowHash = "h3"
		if err := db.Support().CreateReport(ctx, &dup, nil); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Errorf("duplicate reference: %v, want conflict", err)
		}
		got, err := db.Support().ReportByFollowHash(ctx, "h1")
		if err != nil || got.ID != linked.ID || got.Screenshot == nil || got.Screenshot.Filename != "capture.png" || got.PrefectureID != pref.ID {
			t.Fatalf("by follow hash: %+v, %v", got, err)
		}
		if _, err := db.Support().ReportByFollowHash(ctx, "nope"); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("unknown follow hash: %v", err)
		}

		clk.Advance(2 * time.Hour)
		now := clk.Now()
		got.Status, got.FirstAnswerAt = permit.ReportAnswered, &now
		if err := db.Support().UpdateReport(ctx, got, &permit.ReportEvent{Kind: permit.ReportAnswer, ActorID: acc.ID, Body: "Corrigé"}, nil); err != nil {
			t.Fatal(err)
		}
		// A change made on the copy read before is refused.
		stale, _ := db.Support().Report(ctx, linked.ID)
		stale.Version--
		if err := db.Support().UpdateReport(ctx, stale, &permit.ReportEvent{Kind: permit.ReportReply}, nil); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Errorf("stale update: %v, want conflict", err)
		}
		evs, err := db.Support().ReportEvents(ctx, linked.ID)
		if err != nil || len(evs) != 2 || evs[0].Kind != permit.ReportCreated || evs[1].Kind != permit.ReportAnswer || evs[1].Body != "Corrigé" {
			t.Fatalf("thread = %+v, %v", evs, err)
		}

		all, err := db.Support().Reports(ctx, permit.ReportFilter{Scope: permit.ReportScope{All: true}, Limit: 10})
		if err != nil || len(all) != 2 || all[0].ID != anon.ID {
			t.Fatalf("all reports, newest first: %v, %v", reportIDs(all), err)
		}
		mine, _ := db.Support().Reports(ctx, permit.ReportFilter{Scope: permit.ReportScope{Prefectures: []int64{pref.ID}}, Limit: 10})
		if len(mine) != 1 || mine[0].ID != linked.ID {
			t.Errorf("a prefecture's reports: %v", reportIDs(mine))
		}
		none, _ := db.Support().Reports(ctx, permit.ReportFilter{Scope: permit.ReportScope{}, Limit: 10})
		if len(none) != 0 {
			t.Errorf("an empty scope sees %v", reportIDs(none))
		}
		answered, _ := db.Support().Reports(ctx, permit.ReportFilter{Scope: permit.ReportScope{All: true}, Status: permit.ReportAnswered, Limit: 10})
		if len(answered) != 1 || answered[0].ID != linked.ID {
			t.Errorf("answered: %v", reportIDs(answered))
		}
		older, _ := db.Support().Reports(ctx, permit.ReportFilter{Scope: permit.ReportScope{All: true}, Before: anon.ID, Limit: 10})
		if len(older) != 1 || older[0].ID != linked.ID {
			t.Errorf("next page: %v", reportIDs(older))
		}
		byAcc, _ := db.Support().ReportsByAccount(ctx, acc.ID)
		if len(byAcc) != 1 || byAcc[0].ID != linked.ID {
			t.Errorf("an account's reports: %v", reportIDs(byAcc))
		}
		ts, err := db.Support().ReportTimings(ctx, permit.ReportScope{All: true}, storetest.Start.Add(-time.Hour))
		if err != nil || len(ts) != 2 {
			t.Fatalf("timings: %+v, %v", ts, err)
		}
	})
}

func reportIDs(rs []*permit.Report) []int64 {
	var out []int64
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

// TestIncidentsCountedByDayAndKind keeps incidents and counts them.
func TestIncidentsCountedByDayAndKind(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		for _, in := range []*permit.Incident{
			{Reference: "ERR-AAAA-AAAA", Source: permit.IncidentWeb, Kind: "http_500", Method: "GET", Path: "/x", Status: 500, Cause: "boom", Day: "2026-11-25"},
			{Reference: "ERR-BBBB-BBBB", Source: permit.IncidentWeb, Kind: "http_500", Method: "POST", Path: "/y", Status: 500, Cause: "boom", Day: "2026-11-26"},
			{Reference: "JOB-CCCC-CCCC", Source: permit.IncidentJob, Kind: "deliver_mail", Attempt: 2, Cause: "smtp down", Day: "2026-11-26"},
			{Reference: "ERR-DDDD-DDDD", Source: permit.IncidentWeb, Kind: "http_500", Path: "/z", Status: 500, Day: "2026-11-26"},
		} {
			in.At = clk.Now()
			if err := db.Support().RecordIncident(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		counts, err := db.Support().IncidentCounts(ctx, "2026-11-26")
		if err != nil {
			t.Fatal(err)
		}
		want := []permit.IncidentCount{{Day: "2026-11-26", Source: "job", Kind: "deliver_mail", Count: 1}, {Day: "2026-11-26", Source: "web", Kind: "http_500", Count: 2}}
		if len(counts) != len(want) || counts[0] != want[0] || counts[1] != want[1] {
			t.Errorf("counts = %+v, want %+v", counts, want)
		}
		one, err := db.Support().Incidents(ctx, "ERR-BBBB-BBBB", 10)
		if err != nil || len(one) != 1 || one[0].Path != "/y" || one[0].Method != "POST" {
			t.Errorf("by reference: %+v, %v", one, err)
		}
		latest, _ := db.Support().Incidents(ctx, "", 2)
		if len(latest) != 2 || latest[0].Reference != "ERR-DDDD-DDDD" {
			t.Errorf("latest: %+v", latest)
		}
	})
}

// TestHelpDeskAccountKeepsItsRole stores a help-desk account as an agent
// with the flag, and reads it back as the help desk.
func TestHelpDeskAccountKeepsItsRole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, _ *clock.Fixed) {
		a := &permit.Account{Email: "aide@example.org", Role: permit.RoleHelpDesk, Lang: "fr"}
		if err := db.Accounts().CreateAccount(ctx, a, "x", nil, nil); err != nil {
			t.Fatal(err)
		}
		got, err := db.AccountByID(ctx, a.ID)
		if err != nil || got.Role != permit.RoleHelpDesk || got.Staff() || !got.Backoffice() {
			t.Fatalf("help desk read back as %+v, %v", got, err)
		}
		var role string
		if err := db.SQL().QueryRowContext(ctx, `SELECT role FROM accounts WHERE id = `+pad(a.ID)).Scan(&role); err != nil || role != "agent" {
			t.Errorf("stored role %q, %v; want agent (with the help_desk flag)", role, err)
		}
		staff, _ := db.StaffAccounts(ctx)
		if len(staff) != 1 || staff[0].Role != permit.RoleHelpDesk {
			t.Errorf("staff list: %+v", staff)
		}
	})
}
