package store_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
)

// BenchmarkSweepList measures what the attestation sweep reads to find
// its work, on the queue benchmark's applications (100,000 by default,
// SEJOUR_QUEUE_BENCH_ROWS to change): the applications due today, read
// from the issue_due_on index in batches of 200 (issue 11 §5), against
// what the sweep read before, every pending application's id, and
// against the ceiling of the same run, a bare read of 200 ids.
// docs/performance.md keeps the figures.
func BenchmarkSweepList(b *testing.B) {
	eachBenchDB(b, func(b *testing.B, db *store.DB, clk *clock.Fixed) {
		now := clk.Now()
		apps := genQueue(queueBenchRows(b), now)
		loadQueue(b, db, apps, now)
		today := permit.ParisDay(now)
		// Every application planned for a later day, but one in a hundred
		// (or one in every SEJOUR_SWEEP_BENCH_STEP) due today.
		step := sweepBenchStep(b)
		set := fmt.Sprintf(`UPDATE applications SET issue_due_on = ? WHERE id %% %d <> 0`, step)
		due := fmt.Sprintf(`UPDATE applications SET issue_due_on = ? WHERE id %% %d = 0`, step)
		if db.Dialect() == store.Postgres {
			set, due = strings.Replace(set, "?", "$1", 1), strings.Replace(due, "?", "$1", 1)
		}
		if _, err := db.SQL().ExecContext(ctx, set, today.AddDate(0, 0, 30)); err != nil {
			b.Fatal(err)
		}
		if _, err := db.SQL().ExecContext(ctx, due, today); err != nil {
			b.Fatal(err)
		}
		if db.Dialect() == store.Postgres {
			if _, err := db.SQL().ExecContext(ctx, `VACUUM ANALYZE applications`); err != nil {
				b.Fatal(err)
			}
		}
		wantDue := len(apps) / step
		list := func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var afterDay time.Time
				var afterID int64
				n := 0
				for {
					marks, err := db.Issuance().IssueDue(ctx, today, afterDay, afterID, 200)
					if err != nil {
						b.Fatal(err)
					}
					n += len(marks)
					if len(marks) < 200 {
						break
					}
					last := marks[len(marks)-1]
					afterDay, afterID = last.Day, last.ApplicationID
				}
				if n != wantDue {
					b.Fatalf("%d due, want %d", n, wantDue)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(wantDue), "ns/due")
		}
		b.Run("ceiling", func(b *testing.B) {
			pool := db.SQL()
			b.ReportAllocs()
			for b.Loop() {
				rows, err := pool.QueryContext(ctx, `SELECT id, submitted_at FROM applications ORDER BY id LIMIT 200`)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for rows.Next() {
					var id int64
					var at time.Time
					if err := rows.Scan(&id, &at); err != nil {
						b.Fatal(err)
					}
					n++
				}
				rows.Close()
				if n != 200 {
					b.Fatalf("%d rows", n)
				}
			}
		})
		b.Run("due_only", list)
		b.Run("every_pending", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ids, err := db.Issuance().PendingApplicationIDs(ctx)
				if err != nil || len(ids) < len(apps)/2 {
					b.Fatalf("%d pending, %v", len(ids), err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(wantDue), "ns/due")
		})
	})
}

// sweepBenchStep is one in how many applications is due today in
// BenchmarkSweepList: 100 by default, SEJOUR_SWEEP_BENCH_STEP to change,
// so that the due count can stay fixed while the pending count grows.
func sweepBenchStep(b *testing.B) int {
	s := os.Getenv("SEJOUR_SWEEP_BENCH_STEP")
	if s == "" {
		return 100
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		b.Fatalf("SEJOUR_SWEEP_BENCH_STEP=%q: want a number ≥ 1", s)
	}
	return n
}
