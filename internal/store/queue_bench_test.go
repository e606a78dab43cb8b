package store_test

import (
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/store"
)

// The queue benchmarks load 100,000 open applications over four
// prefectures of unequal size (50 %, 25 %, 15 %, 10 %), with the states,
// kinds, grounds, filing dates and deadlines of a real back office, and
// read them as the queue page and the export do. Each figure sits beside
// the ceiling of the same run: a bare SELECT of the same columns, ORDER
// BY id LIMIT 50, on the same tables (and, for the export, the same number
// of rows read in id order). docs/performance.md keeps the figures.
// SEJOUR_QUEUE_BENCH_ROWS changes the size (for a quicker look).

const queueBenchPrefectures = 4

// queueBenchRows is how many applications the benchmarks load.
func queueBenchRows(b *testing.B) int {
	if s := os.Getenv("SEJOUR_QUEUE_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1000 {
			b.Fatalf("SEJOUR_QUEUE_BENCH_ROWS=%q: want a number ≥ 1000", s)
		}
		return n
	}
	return 100_000
}

// benchApp is one generated application with what its deadline needs.
type benchApp struct {
	pref           int64
	ground         permit.GroundID
	kind           permit.Kind
	state          permit.State
	filed          time.Time
	due            time.Time
	dueKind        string
	given, surname string
}

// genQueue makes n applications, deterministically.
func genQueue(n int, now time.Time) []benchApp {
	rng := rand.New(rand.NewPCG(1, 2))
	var grounds []permit.GroundID
	for _, g := range rules.MustLoad().Grounds() {
		grounds = append(grounds, g.ID)
	}
	pick := func(weights ...int) int {
		r, sum := rng.IntN(100), 0
		for i, w := range weights {
			if sum += w; r < sum {
				return i
			}
		}
		return len(weights) - 1
	}
	states := []permit.State{permit.StateSubmitted, permit.StateUnderReview, permit.StateIncomplete, permit.StateFavourable, permit.StateCardReady}
	kinds := []permit.Kind{permit.KindRenewal, permit.KindFirstIssue, permit.KindChangeOfStatus}
	names := []string{"Diallo", "Nguyen", "Haddad", "Silva", "Kowalski", "Traoré", "Chen", "Benali", "Popescu", "Okafor"}
	out := make([]benchApp, n)
	for i := range out {
		filed := now.Add(-time.Duration(rng.IntN(150*24*3600)) * time.Second)
		a := &permit.Application{State: states[pick(30, 35, 15, 12, 8)], Kind: kinds[pick(55, 35, 10)], SubmittedAt: &filed}
		in := permit.DeadlineInputs{App: a}
		if a.Kind != permit.KindFirstIssue {
			end := permit.ParisDay(filed).AddDate(0, 0, rng.IntN(150)-30)
			in.Permit = &permit.Permit{ValidTo: end}
			if end.Before(now) && rng.IntN(10) < 7 {
				in.Attestations = append(in.Attestations, &permit.Attestation{Kind: permit.AttestationExtension,
					ValidFrom: end.AddDate(0, 0, 1), ValidUntil: end.AddDate(0, 3, 0)})
			}
		}
		if a.State == permit.StateIncomplete {
			in.OpenRequest = &permit.CompletionRequest{DueOn: permit.ParisDay(now).AddDate(0, 0, rng.IntN(60)-20)}
		}
		if a.State == permit.StateFavourable || a.State == permit.StateCardReady {
			decided := permit.ParisDay(now).AddDate(0, 0, -rng.IntN(60))
			in.Attestations = append(in.Attestations, &permit.Attestation{Kind: permit.AttestationFavourable, ValidFrom: decided, ValidUntil: decided.AddDate(0, 3, -1)})
		}
		b := benchApp{pref: int64(1 + pick(50, 25, 15, 10)), ground: grounds[rng.IntN(len(grounds))], kind: a.Kind, state: a.State, filed: filed,
			due: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), given: "Awa", surname: names[rng.IntN(len(names))] + " " + strconv.Itoa(i)}
		if d, ok := permit.NextDeadline(in); ok {
			b.due, b.dueKind = d.On, string(d.Kind)
		}
		out[i] = b
	}
	return out
}

// loadQueue bulk-loads the prefectures, one person per application and the
// applications, with multi-row INSERTs in one transaction each.
func loadQueue(b *testing.B, db *store.DB, apps []benchApp, now time.Time) {
	b.Helper()
	start := time.Now()
	for i := 1; i <= queueBenchPrefectures; i++ {
		p := &permit.Prefecture{Code: fmt.Sprintf("P%d", i), Name: fmt.Sprintf("Préfecture %d", i)}
		if err := db.Files().CreatePrefecture(ctx, p); err != nil {
			b.Fatal(err)
		}
		if p.ID != int64(i) {
			b.Fatalf("prefecture id %d, want %d", p.ID, i)
		}
	}
	bulk(b, db, "persons (given_names, surname, prefecture_id, created_at)", 4, len(apps), func(i int) []any {
		return []any{apps[i].given, apps[i].surname, apps[i].pref, now}
	})
	var first int64
	if err := db.SQL().QueryRowContext(ctx, `SELECT MIN(id) FROM persons`).Scan(&first); err != nil {
		b.Fatal(err)
	}
	bulk(b, db, "applications (person_id, prefecture_id, ground, kind, state, created_at, updated_at, submitted_at, due_on, due_kind)", 10, len(apps),
		func(i int) []any {
			a := apps[i]
			return []any{first + int64(i), a.pref, string(a.ground), string(a.kind), string(a.state), a.filed, a.filed, a.filed, a.due, a.dueKind}
		})
	if db.Dialect() == store.Postgres {
		// What autovacuum does on a server soon after a load: statistics,
		// and the visibility map that lets the counts read the index alone.
		if _, err := db.SQL().ExecContext(ctx, `VACUUM ANALYZE applications`); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%s: loaded %d applications in %v", db.Dialect(), len(apps), time.Since(start).Round(time.Millisecond))
}

func bulk(b *testing.B, db *store.DB, into string, cols, n int, row func(int) []any) {
	b.Helper()
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	const batch = 500
	for lo := 0; lo < n; lo += batch {
		hi := min(lo+batch, n)
		var sb strings.Builder
		args := make([]any, 0, (hi-lo)*cols)
		sb.WriteString("INSERT INTO " + into + " VALUES ")
		for i := lo; i < hi; i++ {
			if i > lo {
				sb.WriteString(", ")
			}
			sb.WriteString("(")
			for c := range cols {
				if c > 0 {
					sb.WriteString(", ")
				}
				if db.Dialect() == store.Postgres {
					sb.WriteString("$" + strconv.Itoa(len(args)+c+1))
				} else {
					sb.WriteString("?")
				}
			}
			sb.WriteString(")")
			args = append(args, row(i)...)
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			tx.Rollback()
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// ceilingSQL is the bare read every queue figure is compared with.
const ceilingSQL = `SELECT a.id, a.prefecture_id, a.person_id, p.given_names, p.surname, a.ground, a.kind, a.state, a.submitted_at, a.due_on, a.due_kind
	FROM applications a JOIN persons p ON p.id = a.person_id ORDER BY a.id LIMIT `

// BenchmarkQueue measures the work queue on 100,000 open applications.
func BenchmarkQueue(b *testing.B) {
	eachBenchDB(b, func(b *testing.B, db *store.DB, clk *clock.Fixed) {
		now := clk.Now()
		apps := genQueue(queueBenchRows(b), now)
		loadQueue(b, db, apps, now)
		big := []int64{1}
		var bigRows int
		for _, a := range apps {
			if a.pref == 1 {
				bigRows++
			}
		}
		var deep *permit.QueueMark
		all, err := db.WorkQueue().Queue(ctx, permit.QueueFilter{Prefectures: big})
		if err != nil || len(all) != bigRows {
			b.Fatalf("queue of prefecture 1: %d rows, %v; want %d", len(all), err, bigRows)
		}
		deep = &all[len(all)*4/5].Mark // four fifths down the largest queue
		filtered := permit.QueueFilter{Prefectures: big, States: []permit.State{permit.StateIncomplete}, Kind: permit.KindRenewal, Limit: 51}
		explain(b, db, "first page", permit.QueueFilter{Prefectures: big, Limit: 51})
		explain(b, db, "filtered page", filtered)
		explain(b, db, "deep page", permit.QueueFilter{Prefectures: big, After: deep, Limit: 51})
		explain(b, db, "two prefectures", permit.QueueFilter{Prefectures: []int64{1, 2}, Limit: 51})
		explain(b, db, "admin, every prefecture", permit.QueueFilter{Limit: 51})
		explainCounts(b, db, big)

		page := func(f permit.QueueFilter, want int) func(b *testing.B) {
			return func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if rows, err := db.WorkQueue().Queue(ctx, f); err != nil || len(rows) != want {
						b.Fatalf("%d rows, %v; want %d", len(rows), err, want)
					}
				}
			}
		}
		b.Run("ceiling", func(b *testing.B) { benchBare(b, db, ceilingSQL+"50", 50) })
		b.Run("first_page", page(permit.QueueFilter{Prefectures: big, Limit: 51}, 51))
		b.Run("filtered_page", page(filtered, 51))
		b.Run("deep_page", page(permit.QueueFilter{Prefectures: big, After: deep, Limit: 51}, 51))
		// What offset paging would cost at the same depth, for the record.
		b.Run("deep_page_offset", func(b *testing.B) {
			q, args := db.WorkQueue().QueueSQL(permit.QueueFilter{Prefectures: big, Limit: 51})
			q += " OFFSET " + strconv.Itoa(len(all)*4/5)
			benchBare(b, db, q, 51, args...)
		})
		b.Run("two_prefectures", page(permit.QueueFilter{Prefectures: []int64{1, 2}, Limit: 51}, 51))
		b.Run("every_prefecture", page(permit.QueueFilter{Limit: 51}, 51))
		b.Run("counts", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if c, err := db.WorkQueue().QueueCounts(ctx, big); err != nil || len(c) != 5 {
					b.Fatalf("counts %v, %v", c, err)
				}
			}
		})
		b.Run("export_ceiling", func(b *testing.B) { benchBare(b, db, ceilingSQL+strconv.Itoa(bigRows), bigRows) })
		b.Run("export", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w := csv.NewWriter(io.Discard)
				w.Comma = ';'
				n := 0
				err := db.WorkQueue().QueueEach(ctx, permit.QueueFilter{Prefectures: big}, func(it *permit.QueueItem) error {
					n++
					return w.Write([]string{strconv.FormatInt(it.ID, 10), it.Surname, it.GivenNames, string(it.Ground), string(it.Kind),
						string(it.State), it.FiledAt.Format(time.DateOnly), it.Mark.DueOn.Format(time.DateOnly)})
				})
				w.Flush()
				if err != nil || n != bigRows {
					b.Fatalf("exported %d rows, %v; want %d", n, err, bigRows)
				}
			}
			b.ReportMetric(float64(bigRows), "rows")
		})
	})
}

// benchBare reads the first rows of the same tables in id order on a
// read-only connection of the same database, outside sejour's code.
func benchBare(b *testing.B, db *store.DB, query string, want int, args ...any) {
	pool := db.Reader()
	b.ReportAllocs()
	for b.Loop() {
		rows, err := pool.QueryContext(ctx, query, args...)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var id, pref, person int64
			var given, surname, ground, kind, state, dueKind string
			var filed, due time.Time
			if err := rows.Scan(&id, &pref, &person, &given, &surname, &ground, &kind, &state, &filed, &due, &dueKind); err != nil {
				b.Fatal(err)
			}
			n++
		}
		rows.Close()
		if rows.Err() != nil || n != want {
			b.Fatalf("%d rows, %v", n, rows.Err())
		}
	}
}

// explain logs each database's plan of a queue statement (run with -v).
func explain(b *testing.B, db *store.DB, name string, f permit.QueueFilter) {
	b.Helper()
	q, args := db.WorkQueue().QueueSQL(f)
	logPlan(b, db, name, q, args)
}

func explainCounts(b *testing.B, db *store.DB, prefs []int64) {
	b.Helper()
	q, args := db.WorkQueue().CountsSQL(prefs)
	logPlan(b, db, "counts", q, args)
}

func logPlan(b *testing.B, db *store.DB, name, q string, args []any) {
	b.Helper()
	prefix := "EXPLAIN QUERY PLAN "
	if db.Dialect() == store.Postgres {
		prefix = "EXPLAIN (ANALYZE, COSTS OFF) "
	}
	rows, err := db.Reader().QueryContext(ctx, prefix+q, args...)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var lines []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			b.Fatal(err)
		}
		lines = append(lines, vals[len(vals)-1].String)
	}
	b.Logf("%s plan of %s:\n  %s", db.Dialect(), name, strings.Join(lines, "\n  "))
}
