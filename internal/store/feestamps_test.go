package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// stampUsed reports whether err is the refusal of a stamp another holds.
func stampUsed(err error) bool {
	var used *permit.FeeStampUsedError
	return errors.As(err, &used) && permit.FieldErrors(err)["fee_stamp"] == "fee.error.used"
}

// TestFeeStampIsHeldByOneApplication (issue 13, item 16): a stamp number
// is held by one application across the portal. A draft lets it go when
// it takes another number or is withdrawn unfiled; once filed, it is
// consumed, withdrawn or not. A draft that got a held number before the
// stamps were held (migration 0022) is refused at filing.
func TestFeeStampIsHeldByOneApplication(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		pref, acc, _, app := fixture(t, db)
		acc2, _, app2 := draftOf(t, db, pref, "g@example.org")
		_, _, app3 := draftOf(t, db, pref, "h@example.org")
		const s1, s2 = "1111222233334444", "5555666677778888"
		files := db.Files()

		if err := files.SetFeeStamp(ctx, app.ID, s1); err != nil {
			t.Fatal(err)
		}
		if err := files.SetFeeStamp(ctx, app2.ID, s1); !stampUsed(err) {
			t.Fatalf("a stamp another application holds: %v", err)
		}
		if a, _ := db.Application(ctx, app2.ID); a.FeeStamp != "" {
			t.Fatalf("the refused stamp was written: %q", a.FeeStamp)
		}
		if err := files.SetFeeStamp(ctx, app.ID, s1); err != nil {
			t.Fatalf("the holder saving its stamp again: %v", err)
		}
		// The draft takes another number: the first one is free.
		if err := files.SetFeeStamp(ctx, app.ID, s2); err != nil {
			t.Fatal(err)
		}
		if err := files.SetFeeStamp(ctx, app2.ID, s1); err != nil {
			t.Fatalf("a stamp let go: %v", err)
		}
		// A draft withdrawn before filing never used its stamp.
		withdrawApp(t, db, app2, acc2, clk)
		if err := files.SetFeeStamp(ctx, app.ID, s1); err != nil {
			t.Fatalf("the stamp of a withdrawn draft: %v", err)
		}
		// Filed, the stamp is consumed, and stays so once withdrawn.
		fileDraft(t, db, app, acc, clk)
		withdrawApp(t, db, app, acc, clk)
		if err := files.SetFeeStamp(ctx, app3.ID, s1); !stampUsed(err) {
			t.Fatalf("the stamp of a filed then withdrawn application: %v", err)
		}
		if err := files.SetFeeStamp(ctx, app3.ID, s2); err != nil {
			t.Fatalf("the number the first draft let go: %v", err)
		}

		// A draft holding, from before migration 0022, a number another
		// application filed: refused at filing, and still a draft.
		if _, err := db.SQL().ExecContext(ctx, `UPDATE applications SET fee_stamp = '`+s1+`' WHERE id = `+fmt.Sprint(app3.ID)); err != nil {
			t.Fatal(err)
		}
		app3.FeeStamp = s1
		ev, _ := permit.Transition(app3, permit.ActionSubmit, permit.Actor{Kind: permit.ActorApplicant}, clk.Now(), "")
		if err := files.File(ctx, app3, ev, &permit.Filing{ApplicationID: app3.ID, Snapshot: []byte(`{}`)}, nil); !stampUsed(err) {
			t.Fatalf("filing with a stamp another application used: %v", err)
		}
		if a, _ := db.Application(ctx, app3.ID); a.State != permit.StateDraft {
			t.Fatalf("state after a refused filing: %s", a.State)
		}
	})
}

// TestFeeStampRaceHasOneWinner: two instances record one stamp on two
// drafts at the same moment, again and again; each time exactly one
// wins, and the other is told the stamp is used.
func TestFeeStampRaceHasOneWinner(t *testing.T) {
	storetest.EachPair(t, func(t *testing.T, a, b *store.DB, _ *clock.Fixed) {
		pref, _, _, app := fixture(t, a)
		_, _, app2 := draftOf(t, a, pref, "g@example.org")
		for round := range 20 {
			stamp := fmt.Sprintf("%016d", 9000000000000000+round)
			errs := make([]error, 2)
			var start, done sync.WaitGroup
			start.Add(1)
			for i, w := range []struct {
				db *store.DB
				id int64
			}{{a, app.ID}, {b, app2.ID}} {
				done.Go(func() {
					start.Wait()
					errs[i] = w.db.Files().SetFeeStamp(ctx, w.id, stamp)
				})
			}
			start.Done()
			done.Wait()
			won, lost := 0, 0
			for _, err := range errs {
				switch {
				case err == nil:
					won++
				case stampUsed(err):
					lost++
				default:
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if won != 1 || lost != 1 {
				t.Fatalf("round %d: %d won, %d refused (%v), want one each", round, won, lost, errs)
			}
		}
	})
}

func fileDraft(t *testing.T, db *store.DB, app *permit.Application, acc *permit.Account, clk *clock.Fixed) {
	t.Helper()
	a, err := db.Application(ctx, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	*app = *a
	ev, _ := permit.Transition(app, permit.ActionSubmit, permit.Actor{Kind: permit.ActorApplicant, AccountID: acc.ID}, clk.Now(), "")
	if err := db.Files().File(ctx, app, ev, &permit.Filing{ApplicationID: app.ID, Snapshot: []byte(`{}`)}, nil); err != nil {
		t.Fatal(err)
	}
}

func withdrawApp(t *testing.T, db *store.DB, app *permit.Application, acc *permit.Account, clk *clock.Fixed) {
	t.Helper()
	ev, err := permit.Transition(app, permit.ActionWithdraw, permit.Actor{Kind: permit.ActorApplicant, AccountID: acc.ID}, clk.Now(), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Files().Transition(ctx, app, ev); err != nil {
		t.Fatal(err)
	}
}

// TestFeeStampMigrationKeepsTheFirstFiling: stamps given before
// migration 0022, some twice, are each held by the first application that
// filed them, or else by the first draft; a draft left without its stamp
// is refused when it records or files it.
func TestFeeStampMigrationKeepsTheFirstFiling(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		pref, _, _, first := fixture(t, db)
		_, _, second := draftOf(t, db, pref, "g@example.org")
		_, _, draft := draftOf(t, db, pref, "h@example.org")
		_, _, draftT := draftOf(t, db, pref, "i@example.org")
		_, _, laterT := draftOf(t, db, pref, "j@example.org")
		const s, other = "1111222233334444", "5555666677778888"
		for _, q := range []string{
			// As before 0022: the table did not exist.
			`DROP TABLE fee_stamps`,
			`DELETE FROM schema_migrations WHERE version = 22`,
			// Two filings and a draft with one stamp, two drafts with another.
			fmt.Sprintf(`UPDATE applications SET fee_stamp = '%s' WHERE id IN (%d, %d, %d)`, s, first.ID, second.ID, draft.ID),
			fmt.Sprintf(`UPDATE applications SET state = 'submitted', submitted_at = updated_at WHERE id IN (%d, %d)`, first.ID, second.ID),
			fmt.Sprintf(`UPDATE applications SET fee_stamp = '%s' WHERE id IN (%d, %d)`, other, draftT.ID, laterT.ID),
		} {
			if _, err := db.SQL().ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if n, err := db.Migrate(ctx); err != nil || n != 1 {
			t.Fatalf("migrate: %d, %v", n, err)
		}
		files := db.Files()
		for _, tc := range []struct {
			app   int64
			stamp string
			held  bool
		}{{first.ID, s, true}, {second.ID, s, false}, {draft.ID, s, false}, {draftT.ID, other, true}, {laterT.ID, other, false}} {
			err := files.SetFeeStamp(ctx, tc.app, tc.stamp)
			if tc.held && err != nil || !tc.held && !stampUsed(err) {
				t.Errorf("application %d recording %s again after the migration: %v (holds it: %t)", tc.app, tc.stamp, err, tc.held)
			}
		}
	})
}
