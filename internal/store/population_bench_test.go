package store_test

import (
	"os"
	"testing"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/store"
)

// BenchmarkPopulatedQueue reads the work queue of Paris, the largest
// prefecture, in a database filled by `sejour populate` (issue 15, part
// 6), named by SEJOUR_POPULATED_DATABASE_URL; it is skipped without one,
// since a nation's population takes minutes to write. page_view is what
// the back office's queue page reads (casework.WorkQueue.Queue: the
// counts per state, then 51 rows); the ceiling is the queue benchmarks'
// bare read of 50 rows of the same tables.
func BenchmarkPopulatedQueue(b *testing.B) {
	dsn := os.Getenv("SEJOUR_POPULATED_DATABASE_URL")
	if dsn == "" {
		b.Skip("set SEJOUR_POPULATED_DATABASE_URL to a database filled by sejour populate")
	}
	db, err := store.Open(ctx, dsn, "", clock.System{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetDelays(rules.MustLoad().Delays())
	prefs, err := db.Prefectures(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var paris []int64
	for _, p := range prefs {
		if p.Code == "75" {
			paris = []int64{p.ID}
		}
	}
	if paris == nil {
		b.Fatal("no Paris prefecture: not a populated database")
	}
	first := permit.QueueFilter{Prefectures: paris, Limit: 51}
	explain(b, db, "first page", first)
	explainCounts(b, db, paris)
	page := func(b *testing.B) {
		if rows, err := db.WorkQueue().Queue(ctx, first); err != nil || len(rows) != 51 {
			b.Fatalf("%d rows, %v; want 51", len(rows), err)
		}
	}
	counts := func(b *testing.B) {
		if c, err := db.WorkQueue().QueueCounts(ctx, paris); err != nil || len(c) == 0 {
			b.Fatalf("counts %v, %v", c, err)
		}
	}
	b.Run("ceiling", func(b *testing.B) { benchBare(b, db, ceilingSQL+"50", 50) })
	b.Run("first_page", func(b *testing.B) {
		for b.Loop() {
			page(b)
		}
	})
	b.Run("counts", func(b *testing.B) {
		for b.Loop() {
			counts(b)
		}
	})
	b.Run("page_view", func(b *testing.B) {
		for b.Loop() {
			counts(b)
			page(b)
		}
	})
}
