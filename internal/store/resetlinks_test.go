package store_test

import (
	"context"
	"database/sql"
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

// jobRecorder is the store's view of a job queue, recording what writes owe.
type jobRecorder struct{ owed []store.Job }

func (r *jobRecorder) InsertJobsTx(_ context.Context, _ *sql.Tx, jobs []store.Job) error {
	r.owed = append(r.owed, jobs...)
	return nil
}

// TestResetRequestSameWorkEitherWay: a reset request for an address with
// an account and one for an address without do the same: one row written,
// one answer_reset job owed, nothing else (no token, no mail); the answer
// mails the first only, once (issue 13, item 7).
func TestResetRequestSameWorkEitherWay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		newAccount(t, db, "known@example.org")
		rec := &jobRecorder{}
		db.SetJobs(rec)
		for _, addr := range []string{"known@example.org", "ghost@example.org"} {
			if err := db.Accounts().RequestReset(ctx, addr); err != nil {
				t.Fatal(err)
			}
		}
		if len(rec.owed) != 2 || rec.owed[0].Kind != store.JobAnswerReset || rec.owed[1].Kind != store.JobAnswerReset || rec.owed[0].ID == rec.owed[1].ID {
			t.Fatalf("jobs owed: %+v, want one answer_reset for each request", rec.owed)
		}
		if mails, _ := db.Mails().RecentMails(ctx, 10); len(mails) != 0 {
			t.Fatalf("a request mailed before its answer: %+v", mails)
		}
		ids, err := db.Accounts().PendingResetRequests(ctx, 10)
		if err != nil || len(ids) != 2 {
			t.Fatalf("pending: %v %v", ids, err)
		}
		for _, id := range ids {
			if email, err := db.Accounts().ResetRequest(ctx, id); err != nil || email == "" {
				t.Fatalf("request %d: %q %v", id, email, err)
			}
		}
		tok := &permit.Token{Hash: "h", AccountID: 1, Purpose: permit.TokenResetPassword, ExpiresAt: clk.Now().Add(time.Hour)}
		m := &permit.Mail{To: "known@example.org", Subject: "reset", Text: "link"}
		for range 2 { // the job may run twice
			if err := db.Accounts().AnswerReset(ctx, ids[0], tok, m); err != nil {
				t.Fatal(err)
			}
			if err := db.Accounts().AnswerReset(ctx, ids[1], nil, nil); err != nil {
				t.Fatal(err)
			}
		}
		if mails, _ := db.Mails().RecentMails(ctx, 10); len(mails) != 1 {
			t.Fatalf("%d mails after answering twice, want 1", len(mails))
		}
		if ids, _ := db.Accounts().PendingResetRequests(ctx, 10); len(ids) != 0 {
			t.Fatalf("requests left after their answer: %v", ids)
		}
		if _, err := db.Accounts().ResetRequest(ctx, rec.owed[0].ID); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Fatalf("answered request: %v, want ENOTFOUND", err)
		}
	})
}
