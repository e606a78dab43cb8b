package casework_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/rooms"
	"github.com/sejour/sejour/internal/store/storetest"
)

// TestConcurrentUploadsKeepTheQuota uploads one file 40 times at once
// to a slot of 6 files, for an applicant with room for 3 more: 3 are
// accepted, 37 refused
// with upload.quota, whatever the order in which the checks and the
// writes interleave (issue 13: all 40 passed a quota read before the
// check, in a transaction of its own).
func TestConcurrentUploadsKeepTheQuota(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newAttemptWorld(t, db, clk)
		acc, appID, _ := w.draft(clk.Now().AddDate(0, 3, 0))
		p, err := db.PersonByAccount(ctx, acc.ID)
		if err != nil {
			t.Fatal(err)
		}
		used, err := db.StorageUsed(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		file := scanPNG(t, 9)
		cfg := w.cfg
		cfg.Quota = used + 3*int64(len(file))
		uc := casework.New(cfg, rooms.Of(db), nil)
		var accepted, refused atomic.Int64
		var wg sync.WaitGroup
		for range 40 {
			wg.Go(func() {
				_, err := uc.Documents.Upload(ctx, acc, appID, "passport", "passeport.png", file)
				switch msg, _ := permit.ErrorMessage(err); {
				case err == nil:
					accepted.Add(1)
				case msg == "upload.quota":
					refused.Add(1)
				default:
					t.Errorf("Upload: %v", err)
				}
			})
		}
		wg.Wait()
		after, err := db.StorageUsed(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if accepted.Load() != 3 || refused.Load() != 37 || after > cfg.Quota {
			t.Errorf("%d accepted, %d refused, %d bytes stored; want 3, 37, at most %d", accepted.Load(), refused.Load(), after, cfg.Quota)
		}
	})
}
