package store_test

import (
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

func newStaff(t *testing.T, db *store.DB, email string) (*permit.Account, *permit.Session) {
	t.Helper()
	a := &permit.Account{Email: email, Role: permit.RoleAgent, Lang: "fr"}
	if err := db.Accounts().CreateAccount(ctx, a, "hash", nil, nil); err != nil {
		t.Fatal(err)
	}
	return a, newSession(t, db, a, "sess-"+email)
}

func newSession(t *testing.T, db *store.DB, a *permit.Account, hash string) *permit.Session {
	t.Helper()
	now := time.Now()
	s := &permit.Session{Hash: hash, AccountID: a.ID, CreatedAt: now, ExpiresAt: now.Add(100 * 365 * 24 * time.Hour)}
	if err := db.Accounts().CreateSession(ctx, s, ""); err != nil {
		t.Fatal(err)
	}
	return s
}

// passed reports whether a session has passed the second factor.
func passed(t *testing.T, db *store.DB, hash string) bool {
	t.Helper()
	s, _, err := db.Accounts().Session(ctx, hash)
	if err != nil {
		t.Fatal(err)
	}
	return s.SecondFactorAt != nil
}

func TestSecondFactorSteps(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, _ *clock.Fixed) {
		a, sess := newStaff(t, db, "agent@pref.example")
		if passed(t, db, sess.Hash) {
			t.Fatal("a new session has passed the second factor")
		}
		if err := db.Accounts().PassSecondFactor(ctx, a.ID, sess.Hash, 10); permit.ErrorCode(err) != permit.EINVALID {
			t.Fatalf("pass before enrolment: %v", err)
		}
		if err := db.Accounts().Enrol(ctx, a.ID, sess.Hash, 10, nil); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Fatalf("enrol without a secret: %v", err)
		}
		for _, secret := range []string{"SECRET", "RACING"} {
			if err := db.Accounts().StartEnrolment(ctx, a.ID, secret); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Accounts().Enrol(ctx, a.ID, sess.Hash, 10, []string{"r1", "r2"}); err != nil {
			t.Fatal(err)
		}
		if !passed(t, db, sess.Hash) {
			t.Fatal("enrolment did not pass the session")
		}
		f, err := db.Accounts().SecondFactor(ctx, a.ID)
		if err != nil || f.Secret != "SECRET" || f.EnrolledAt == nil || f.LastStep != 10 {
			t.Fatalf("state = %+v, %v", f, err)
		}
		if err := db.Accounts().StartEnrolment(ctx, a.ID, "OTHER"); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Fatalf("secret replaced after enrolment: %v", err)
		}
		if err := db.Accounts().Enrol(ctx, a.ID, sess.Hash, 11, nil); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Fatalf("enrolled twice: %v", err)
		}

		second := newSession(t, db, a, "second")
		for _, step := range []int64{9, 10} {
			if err := db.Accounts().PassSecondFactor(ctx, a.ID, second.Hash, step); permit.ErrorCode(err) != permit.EINVALID {
				t.Fatalf("step %d replayed: %v", step, err)
			}
		}
		if passed(t, db, second.Hash) {
			t.Fatal("a replayed step passed the session")
		}
		if err := db.Accounts().PassSecondFactor(ctx, a.ID, second.Hash, 11); err != nil || !passed(t, db, second.Hash) {
			t.Fatalf("next step: %v", err)
		}
		// Another account's session cannot be passed with this one's code.
		other, otherSess := newStaff(t, db, "other@pref.example")
		if err := db.Accounts().PassSecondFactor(ctx, a.ID, otherSess.Hash, 12); permit.ErrorCode(err) != permit.ENOTFOUND || passed(t, db, otherSess.Hash) {
			t.Fatalf("passed another account's session: %v", err)
		}

		third := newSession(t, db, a, "third")
		if err := db.Accounts().UseRecoveryCode(ctx, a.ID, third.Hash, "r1"); err != nil || !passed(t, db, third.Hash) {
			t.Fatalf("recovery code: %v", err)
		}
		fourth := newSession(t, db, a, "fourth")
		for _, c := range []string{"r1", "nope"} {
			if err := db.Accounts().UseRecoveryCode(ctx, a.ID, fourth.Hash, c); permit.ErrorCode(err) != permit.EINVALID {
				t.Fatalf("recovery code %s: %v", c, err)
			}
		}
		if err := db.Accounts().UseRecoveryCode(ctx, other.ID, otherSess.Hash, "r2"); permit.ErrorCode(err) != permit.EINVALID {
			t.Fatalf("another account's recovery code: %v", err)
		}
		if n, err := db.Accounts().RecoveryCodesLeft(ctx, a.ID); err != nil || n != 1 {
			t.Fatalf("codes left = %d, %v", n, err)
		}
	})
}

func TestDisablingStaffEndsSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, _ *clock.Fixed) {
		a, sess := newStaff(t, db, "agent@pref.example")
		admin := &permit.Account{Email: "admin@pref.example", Role: permit.RoleAdmin, Lang: "fr", Prefectures: nil}
		if err := db.Accounts().CreateAccount(ctx, admin, "hash", nil, nil); err != nil {
			t.Fatal(err)
		}
		applicant := newAccount(t, db, "zoe@example.org")
		staff, err := db.StaffAccounts(ctx)
		if err != nil || len(staff) != 2 || staff[0].Email != "admin@pref.example" || staff[1].Email != "agent@pref.example" {
			t.Fatalf("StaffAccounts = %v, %v", staff, err)
		}
		if err := db.Accounts().SetStaffDisabled(ctx, applicant.ID, true); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Fatalf("disable an applicant: %v", err)
		}
		if err := db.Accounts().SetStaffDisabled(ctx, a.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.Accounts().Session(ctx, sess.Hash); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Fatalf("session of a disabled account: %v", err)
		}
		got, err := db.AccountByID(ctx, a.ID)
		if err != nil || got.DisabledAt == nil {
			t.Fatalf("not disabled: %+v, %v", got, err)
		}
		if err := db.Accounts().SetStaffDisabled(ctx, a.ID, false); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.AccountByID(ctx, a.ID); got.DisabledAt != nil {
			t.Fatal("still disabled")
		}
		// The session was deleted, not hidden: enabling does not revive it.
		if _, _, err := db.Accounts().Session(ctx, sess.Hash); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Fatalf("session revived: %v", err)
		}
	})
}
