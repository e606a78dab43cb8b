package store_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// TestQuotaHoldsUnderConcurrentWrites writes 40 versions of 10 MiB at
// once for one person, against a quota of 200 MiB, through each path
// that stores a person's bytes: documents, messages' attachments and a
// correction's evidence. At most 20 are accepted, and what is stored
// never passes the quota (issue 13: all 40 were, when the quota was read
// in a transaction of its own). Run with -race on PostgreSQL, where the
// writes truly overlap.
func TestQuotaHoldsUnderConcurrentWrites(t *testing.T) {
	const quota, size, tries = 200 << 20, 10 << 20, 40
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		_, acc, p, app := fixture(t, db)
		// A correction's evidence, of 10 MiB too, counts from the start.
		c := &permit.Correction{PersonID: p.ID, RequestedBy: acc.ID, Explanation: "x",
			Fields:   []permit.PersonChange{{Field: "surname", Old: "Lima", New: "Lyma"}},
			Evidence: permit.Document{BlobSum: "ev", Filename: "ev.pdf", Kind: "pdf", Size: size}}
		if err := db.Corrections().RequestCorrection(ctx, c, quota, nil); err != nil {
			t.Fatal(err)
		}
		var accepted, refused atomic.Int64
		var wg sync.WaitGroup
		for i := range tries {
			wg.Go(func() {
				d := &permit.Document{ApplicationID: app.ID, Slot: "passport", BlobSum: "aa", Filename: "p.pdf", Kind: "pdf", Size: size, UploadedBy: acc.ID}
				var err error
				if i%2 == 0 {
					err = db.Files().AddDocuments(ctx, app.ID, "passport", []*permit.Document{d}, tries, quota)
				} else {
					msg := &permit.Message{ApplicationID: app.ID, Sender: permit.Actor{Kind: permit.ActorApplicant, AccountID: acc.ID}, Body: "ci-joint", Attachments: []*permit.Document{d}}
					err = db.Files().AddMessage(ctx, msg, quota)
				}
				switch msg, args := permit.ErrorMessage(err); {
				case err == nil:
					accepted.Add(1)
				case msg == "upload.quota" && len(args) == 1 && args[0] == int64(200):
					refused.Add(1)
				default:
					t.Errorf("write %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		used, err := db.StorageUsed(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if used > quota || accepted.Load() != 19 || refused.Load() != tries-19 {
			t.Errorf("%d accepted, %d refused, %d bytes stored; want 19 accepted (with the evidence, 200 MiB), at most %d bytes", accepted.Load(), refused.Load(), used, quota)
		}
	})
}
