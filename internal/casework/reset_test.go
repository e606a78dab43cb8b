package casework

import (
	"context"
	"testing"

	"github.com/sejour/sejour/internal/permit"
)

// resetStore knows one live reset link, "good".
type resetStore struct {
	*fakeStore
	reset int
}

func (f *resetStore) CheckToken(_ context.Context, hash string, purpose permit.TokenPurpose) error {
	if hash != HashSecret("good") || purpose != permit.TokenResetPassword {
		return permit.Errorf(permit.ENOTFOUND, "error.token_invalid")
	}
	return nil
}

func (f *resetStore) ResetPassword(_ context.Context, hash, _ string) (*permit.Account, error) {
	f.reset++
	return &permit.Account{ID: 1}, f.CheckToken(context.Background(), hash, permit.TokenResetPassword)
}

// TestResetChecksTheLinkBeforeHashing: a new password posted to a
// made-up link costs no hash (issue 13, item 1: 60 such posts slowed
// log-in from 0.6 s to 17.7 s), while a live link's costs one.
func TestResetChecksTheLinkBeforeHashing(t *testing.T) {
	acc, fake := newAccounts()
	st := &resetStore{fakeStore: fake}
	acc.Store = st
	f := ResetForm{Password: "une autre phrase de passe", Confirm: "une autre phrase de passe"}
	for range 60 {
		if err := acc.ResetPassword(t.Context(), "bogus", f); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Fatalf("bogus link: %v, want ENOTFOUND", err)
		}
	}
	if n := acc.hashed.Load(); n != 0 || st.reset != 0 {
		t.Fatalf("60 bogus links: %d hashes, %d resets, want none", n, st.reset)
	}
	if err := acc.ResetPassword(t.Context(), "good", f); err != nil {
		t.Fatal(err)
	}
	if n := acc.hashed.Load(); n != 1 || st.reset != 1 {
		t.Fatalf("a live link: %d hashes, %d resets, want 1 and 1", n, st.reset)
	}
}
