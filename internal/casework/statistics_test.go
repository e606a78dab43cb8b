package casework_test

import (
	"sync"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/demo"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/seal"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/rooms"
	"github.com/sejour/sejour/internal/store/storetest"
)

// statWorld is a database with three prefectures, an agent and the
// statistics' use case.
type statWorld struct {
	t      *testing.T
	db     *store.DB
	uc     *casework.UseCases
	prefs  map[string]int64
	agent  int64
	sealer seal.Sealer
}

func newStatWorld(t *testing.T, db *store.DB, clk clock.Clock) *statWorld {
	t.Helper()
	keys, err := seal.NewKeyring(clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	w := &statWorld{t: t, db: db, prefs: map[string]int64{}, sealer: seal.Sealer{Keys: keys}}
	cfg := casework.Config{Rules: rules.MustLoad(), Tr: i18n.MustLoad(), Clock: clk, Logger: discard(), Sealer: w.sealer}
	w.uc = casework.New(cfg, rooms.Of(db), nil)
	all, err := db.Prefectures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		w.prefs[p.Code] = p.ID
	}
	for _, code := range []string{"75", "69", "93"} {
		if w.prefs[code] != 0 {
			continue
		}
		p := &permit.Prefecture{Code: code, Name: "Préfecture " + code, Departments: []string{code}}
		if err := db.Files().CreatePrefecture(ctx, p); err != nil {
			t.Fatal(err)
		}
		w.prefs[code] = p.ID
	}
	if a, _, err := db.Accounts().AccountByEmail(ctx, "agent@stats.example"); err == nil {
		w.agent = a.ID
		return w
	}
	a := &permit.Account{Email: "agent@stats.example", Role: permit.RoleAgent, Lang: "fr", Prefectures: []int64{w.prefs["75"]}}
	if err := db.Accounts().CreateAccount(ctx, a, "!", nil, nil); err != nil {
		t.Fatal(err)
	}
	w.agent = a.ID
	return w
}

func (w *statWorld) write(now time.Time, cases []demo.HistoryCase) {
	w.t.Helper()
	prefs, err := w.db.Prefectures(ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	if err := demo.WriteHistory(ctx, store.Population{DB: w.db}, w.sealer, rules.MustLoad(), prefs, w.agent, now, cases); err != nil {
		w.t.Fatal(err)
	}
}

// statFixture is the known history of TestStatistics (see there).
func statFixture(w *statWorld) []demo.HistoryCase {
	var cs []demo.HistoryCase
	for k := range 12 {
		cs = append(cs, demo.HistoryCase{Prefecture: w.prefs["75"], Ground: "student", Kind: permit.KindRenewal, FiledDaysAgo: 150,
			DecidedAfter: 65 + 5*k, PermitEndAfter: 60, ProofLate: map[bool]int{true: 6}[k == 3], NoProof: k == 9})
	}
	for range 2 {
		cs = append(cs, demo.HistoryCase{Prefecture: w.prefs["75"], Ground: "student", Kind: permit.KindFirstIssue, FiledDaysAgo: 200})
	}
	for range 10 {
		cs = append(cs, demo.HistoryCase{Prefecture: w.prefs["75"], Ground: "student", Kind: permit.KindFirstIssue, FiledDaysAgo: 10})
	}
	for range 3 {
		cs = append(cs, demo.HistoryCase{Prefecture: w.prefs["75"], Ground: "employee", Kind: permit.KindFirstIssue, FiledDaysAgo: 100, DecidedAfter: 30})
	}
	for range 12 {
		cs = append(cs, demo.HistoryCase{Prefecture: w.prefs["69"], Ground: "student", Kind: permit.KindFirstIssue, FiledDaysAgo: 200, DecidedAfter: 130})
	}
	for range 4 {
		cs = append(cs, demo.HistoryCase{Prefecture: w.prefs["93"], Ground: "student", Kind: permit.KindFirstIssue, FiledDaysAgo: 100, DecidedAfter: 30, Refused: true})
	}
	return cs
}

// cell finds a cell of a snapshot.
func cell(t *testing.T, s *permit.Statistics, pref string, ground permit.GroundID) permit.StatCell {
	t.Helper()
	for _, c := range s.Cells {
		if c.Prefecture == pref && c.Ground == ground {
			return c
		}
	}
	t.Fatalf("no cell %q/%q", pref, ground)
	return permit.StatCell{}
}

// shown is a figure's value, or -1 when it is suppressed (and then it
// must have no value).
func shown(t *testing.T, what string, f permit.StatFigure) float64 {
	t.Helper()
	if f.Suppressed != (f.Value == nil) {
		t.Fatalf("%s: suppressed %v with value %v", what, f.Suppressed, f.Value)
	}
	if f.Suppressed {
		return -1
	}
	return *f.Value
}

// TestStatistics computes the figures of a known history on both
// databases. Paris, students: 12 in-time renewals filed 150 days ago,
// decided 65 to 120 days after filing (every 5 days), all before the
// implicit rejection (122 days), one of them with its first extension
// issued 6 days late and one with none; 2 first issues filed 200 days
// ago still examined (past their implicit rejection, in the backlog
// over 6 months); 10 filed 10 days ago (the backlog under a month).
// Paris, employees: 3 decided (too few). Lyon, students: 12 decided
// after 130 days (after the implicit rejection). Seine-Saint-Denis: 4
// refused (too few), which forces Lyon's counts to be suppressed too.
func TestStatistics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newStatWorld(t, db, clk)
		w.write(clk.Now(), statFixture(w))
		st := w.uc.Statistics
		wrote, err := st.Refresh(ctx)
		if err != nil || !wrote {
			t.Fatalf("refresh: %v %v", wrote, err)
		}
		s, err := st.Latest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if s.Day != "2026-11-26" || s.From != "2025-11-26" || s.Until != "2026-11-25" || s.Threshold != 10 {
			t.Errorf("snapshot %s from %s until %s threshold %d", s.Day, s.From, s.Until, s.Threshold)
		}
		grounds := len(rules.MustLoad().Grounds())
		if want := (1 + grounds) * 4; len(s.Cells) != want {
			t.Errorf("%d cells, want %d (every ground of every prefecture and the country)", len(s.Cells), want)
		}
		for _, tt := range []struct {
			pref   string
			ground permit.GroundID
			cell   bool // the cell itself suppressed
			want   [9]float64
		}{
			// filed, median, p90, in time, no gap, backlog ×4 (-1: suppressed)
			{"75", "student", false, [9]float64{24, 90, 115, 0.8571, 0.8333, 10, -1, -1, -1}},
			{"75", "employee", true, [9]float64{-1, -1, -1, -1, -1, -1, -1, -1, -1}},
			{"75", "", false, [9]float64{27, 85, 115, 0.8824, 0.8333, 10, -1, -1, -1}},
			{"69", "student", false, [9]float64{-1, 130, 130, 0, -1, -1, -1, -1, -1}},
			{"69", "", false, [9]float64{-1, 130, 130, 0, -1, -1, -1, -1, -1}},
			{"93", "", true, [9]float64{-1, -1, -1, -1, -1, -1, -1, -1, -1}},
			{"", "student", false, [9]float64{40, 110, 130, 0.5333, 0.8333, 10, -1, -1, -1}},
			{"", "", false, [9]float64{43, 105, 130, 0.5758, 0.8333, 10, -1, -1, -1}},
			{"", "family", true, [9]float64{-1, -1, -1, -1, -1, -1, -1, -1, -1}},
		} {
			c := cell(t, s, tt.pref, tt.ground)
			if c.Suppressed != tt.cell {
				t.Errorf("%s/%s: cell suppressed %v, want %v", tt.pref, tt.ground, c.Suppressed, tt.cell)
			}
			figs := []permit.StatFigure{c.Filed, c.MedianDays, c.P90Days, c.DecidedInTime, c.RenewalsNoGap, c.Backlog[0], c.Backlog[1], c.Backlog[2], c.Backlog[3]}
			for i, f := range figs {
				if got := shown(t, tt.pref+"/"+string(tt.ground), f); got != tt.want[i] {
					t.Errorf("%s/%s figure %d: %v, want %v", tt.pref, tt.ground, i, got, tt.want[i])
				}
			}
		}
		// Recomputing the same day changes nothing, even with more
		// applications since; the next day computes again.
		w.write(clk.Now(), []demo.HistoryCase{{Prefecture: w.prefs["75"], Ground: "student", Kind: permit.KindFirstIssue, FiledDaysAgo: 5}})
		if wrote, err := st.Refresh(ctx); err != nil || wrote {
			t.Fatalf("second refresh of the day: %v %v", wrote, err)
		}
		again, err := store.Statistics{DB: db}.LatestStatistics(ctx)
		if err != nil || !again.ComputedAt.Equal(s.ComputedAt) || shown(t, "filed", cell(t, again, "", "").Filed) != 43 {
			t.Fatalf("the day's snapshot changed: %+v %v", again, err)
		}
		clk.Advance(24 * time.Hour)
		if wrote, err := st.Refresh(ctx); err != nil || !wrote {
			t.Fatalf("next day's refresh: %v %v", wrote, err)
		}
		next, err := store.Statistics{DB: db}.LatestStatistics(ctx)
		if err != nil || next.Day != "2026-11-27" || shown(t, "filed", cell(t, next, "", "").Filed) != 44 {
			t.Fatalf("next day: %+v %v", next, err)
		}
	})
}

// TestStatisticsTwoInstances: two instances computing the same day at
// once write one snapshot, and both then serve it.
func TestStatisticsTwoInstances(t *testing.T) {
	storetest.EachPair(t, func(t *testing.T, a, b *store.DB, clk *clock.Fixed) {
		wa := newStatWorld(t, a, clk)
		wa.write(clk.Now(), statFixture(wa))
		wb := newStatWorld(t, b, clk)
		var wg sync.WaitGroup
		results := make([]bool, 2)
		errs := make([]error, 2)
		for i, uc := range []*casework.UseCases{wa.uc, wb.uc} {
			wg.Go(func() { results[i], errs[i] = uc.Statistics.Refresh(ctx) })
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil || results[0] == results[1] {
			t.Fatalf("two refreshes: %v %v", results, errs)
		}
		sa, err := wa.uc.Statistics.Latest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sb, err := wb.uc.Statistics.Latest(ctx)
		if err != nil || !sa.ComputedAt.Equal(sb.ComputedAt) || sa.Day != sb.Day {
			t.Fatalf("the instances serve %+v and %+v (%v)", sa, sb, err)
		}
	})
}
