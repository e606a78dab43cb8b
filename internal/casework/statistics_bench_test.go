package casework_test

import (
	"os"
	"testing"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/rooms"
)

// BenchmarkStatisticsPopulated computes the public statistics of a
// database filled by `sejour populate`: PostgreSQL named by
// SEJOUR_POPULATED_DATABASE_URL, or the SQLite file SEJOUR_POPULATED_SQLITE.
// It is skipped without one, since a population takes minutes to write.
func BenchmarkStatisticsPopulated(b *testing.B) {
	dsn, file := os.Getenv("SEJOUR_POPULATED_DATABASE_URL"), os.Getenv("SEJOUR_POPULATED_SQLITE")
	if dsn == "" && file == "" {
		b.Skip("set SEJOUR_POPULATED_DATABASE_URL or SEJOUR_POPULATED_SQLITE to a database filled by sejour populate")
	}
	db, err := store.Open(ctx, dsn, file, clock.System{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	cat := rules.MustLoad()
	db.SetDelays(cat.Delays())
	uc := casework.New(casework.Config{Rules: cat, Tr: i18n.MustLoad(), Clock: clock.System{}, Logger: discard()}, rooms.Of(db), nil)
	for b.Loop() {
		if _, err := uc.Statistics.Compute(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
