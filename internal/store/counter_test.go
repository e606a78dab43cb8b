package store_test

import (
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// TestClaimOnce checks that a person without an account is given to one
// account only, once, with their on-behalf applications marked taken
// over; a replaced code no longer works, and online applications keep
// their channel and are not marked.
func TestClaimOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		pref, issuer, _, online := fixture(t, db) // the store does not check roles: any account issues
		p := &permit.Person{GivenNames: "Awa", Surname: "Sow", BirthDate: "1990-01-02", PrefectureID: pref.ID, ContactEmail: "awa@example.org",
			Address: permit.Address{Line: "2 rue Y", Postcode: "69002", City: "Lyon"}}
		if err := db.Files().SaveProfile(ctx, p, nil); err != nil {
			t.Fatal(err)
		}
		now := clk.Now()
		app := &permit.Application{PersonID: p.ID, PrefectureID: pref.ID, Ground: "employee", Kind: permit.KindFirstIssue, State: permit.StateDraft}
		ob := &permit.OnBehalf{Channel: permit.ChannelPaper, By: issuer.ID, ConsentAt: &now, ConsentBy: issuer.ID, ConsentHow: "signed_form"}
		if err := db.Counter().CreateOnBehalf(ctx, app, ob, permit.Actor{Kind: permit.ActorAgent, AccountID: issuer.ID}); err != nil {
			t.Fatal(err)
		}
		if got, err := db.OnBehalf(ctx, app.ID); err != nil || !got.Assisted() || got.ConsentHow != "signed_form" {
			t.Fatalf("OnBehalf = %+v, %v", got, err)
		}
		if got, _ := db.OnBehalf(ctx, online.ID); got.Channel != permit.ChannelOnline || got.Assisted() {
			t.Fatalf("an online application reads as %+v", got)
		}
		if got, _ := db.Counter().FindPersons(ctx, permit.PersonQuery{Email: "AWA@example.org"}, []int64{pref.ID}, 10); len(got) != 1 || got[0].ID != p.ID {
			t.Fatalf("find by contact address: %+v", got)
		}
		old := &permit.ClaimCode{Hash: "old", PersonID: p.ID, IssuedBy: issuer.ID, ExpiresAt: now.Add(90 * 24 * time.Hour)}
		code := &permit.ClaimCode{Hash: "new", PersonID: p.ID, IssuedBy: issuer.ID, ExpiresAt: now.Add(90 * 24 * time.Hour)}
		for _, c := range []*permit.ClaimCode{old, code} {
			clk.Advance(time.Second)
			if err := db.Counter().IssueClaimCode(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		if active, err := db.Counter().ActiveClaimCode(ctx, p.ID); err != nil || active.ID != code.ID {
			t.Fatalf("active code = %+v, %v; want the newest", active, err)
		}
		a1, a2 := newAccount(t, db, "one@example.org"), newAccount(t, db, "two@example.org")
		if err := db.Counter().Claim(ctx, old.ID, p.ID, a1.ID, 0); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Fatalf("claim with a replaced code: %v", err)
		}
		if err := db.Counter().Claim(ctx, code.ID, p.ID, a1.ID, 0); err != nil {
			t.Fatal(err)
		}
		if err := db.Counter().Claim(ctx, code.ID, p.ID, a2.ID, 0); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Fatalf("second claim: %v", err)
		}
		if got, _ := db.PersonByAccount(ctx, a1.ID); got == nil || got.ID != p.ID {
			t.Fatalf("claimant's person: %+v", got)
		}
		if got, _ := db.OnBehalf(ctx, app.ID); got.TakenOverAt == nil || got.Assisted() || got.Channel != permit.ChannelPaper {
			t.Fatalf("after the claim: %+v", got)
		}
		if got, _ := db.Counter().ClaimCodeByHash(ctx, "new"); got.UsedAt == nil || got.ClaimedBy != a1.ID {
			t.Fatalf("used code: %+v", got)
		}
	})
}
