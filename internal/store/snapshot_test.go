package store_test

import (
	"context"
	"testing"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// The reads inside a snapshot share one read transaction and see one
// state: a prefecture added meanwhile is seen only after it; a nested
// snapshot is the outer one.
func TestSnapshotReadsShareOneState(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		counted, n := store.Counting(ctx)
		count := func(ctx context.Context) int {
			t.Helper()
			ps, err := db.Prefectures(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return len(ps)
		}
		if err := db.Files().CreatePrefecture(ctx, &permit.Prefecture{Code: "75", Name: "Paris", Departments: []string{"75"}}); err != nil {
			t.Fatal(err)
		}
		err := store.Snapshots{DB: db}.InSnapshot(counted, func(ctx context.Context) error {
			if got := count(ctx); got != 1 {
				t.Fatalf("%d prefectures at first", got)
			}
			if err := db.Files().CreatePrefecture(context.Background(), &permit.Prefecture{Code: "69", Name: "Lyon", Departments: []string{"69"}}); err != nil {
				t.Fatal(err)
			}
			if got := count(ctx); got != 1 {
				t.Errorf("the snapshot sees %d prefectures after one was added meanwhile, want the 1 it began with", got)
			}
			return store.Snapshots{DB: db}.InSnapshot(ctx, func(ctx context.Context) error {
				if got := count(ctx); got != 1 {
					t.Errorf("a nested snapshot sees %d prefectures, want the outer's 1", got)
				}
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if txs, stmts := n.Transactions.Load(), n.Statements.Load(); txs != 1 || stmts != 3 {
			t.Errorf("three reads in a snapshot cost %d transactions and %d statements, want 1 and 3", txs, stmts)
		}
		if got := count(ctx); got != 2 {
			t.Errorf("after the snapshot: %d prefectures, want 2", got)
		}
	})
}
