package store_test

import (
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// TestPasswordChangeEndsResetLinks: once a password changes, by one reset
// link or by any other write of its hash, no outstanding link of the
// account works any more; another account's link still does (issue 13,
// item 6). CheckToken, which a reset asks before hashing, agrees.
func TestPasswordChangeEndsResetLinks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		a, b := newAccount(t, db, "a@example.org"), newAccount(t, db, "b@example.org")
		link := func(acc *permit.Account, hash string) {
			tok := &permit.Token{Hash: hash, AccountID: acc.ID, Purpose: permit.TokenResetPassword, ExpiresAt: clk.Now().Add(time.Hour)}
			if err := db.Accounts().IssueToken(ctx, tok, nil); err != nil {
				t.Fatal(err)
			}
		}
		live := func(hash string) bool {
			err := db.Accounts().CheckToken(ctx, hash, permit.TokenResetPassword)
			if err != nil && permit.ErrorCode(err) != permit.ENOTFOUND {
				t.Fatal(err)
			}
			return err == nil
		}
		link(a, "a1")
		link(a, "a2")
		link(b, "b1")
		if !live("a1") || !live("a2") || live("nope") {
			t.Fatal("CheckToken does not tell live links from others")
		}
		if !live("a1") {
			t.Fatal("CheckToken used the link up")
		}
		if _, err := db.Accounts().ResetPassword(ctx, "a2", "new-hash"); err != nil {
			t.Fatal(err)
		}
		if live("a1") || live("a2") || !live("b1") {
			t.Fatalf("after a reset by a2: a1 %v a2 %v b1 %v, want false false true", live("a1"), live("a2"), live("b1"))
		}
		if _, err := db.Accounts().ResetPassword(ctx, "a1", "intruder-hash"); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Fatalf("older link after a reset: %v, want ENOTFOUND", err)
		}
		link(a, "a3")
		if err := db.Accounts().SetPasswordHash(ctx, a.ID, "other-hash"); err != nil {
			t.Fatal(err)
		}
		if live("a3") || !live("b1") {
			t.Fatal("a link outlived a password change by another way")
		}
	})
}
