package casework

import (
	"context"
	"strings"
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

// The fake's reset requests: a list of addresses, answered or not.
func (f *fakeStore) RequestReset(_ context.Context, email string) error {
	f.requests = append(f.requests, permit.NormalizeEmail(email))
	return nil
}

func (f *fakeStore) ResetRequest(_ context.Context, id int64) (string, error) {
	if id < 1 || int(id) > len(f.requests) || f.requests[id-1] == "" {
		return "", permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	return f.requests[id-1], nil
}

func (f *fakeStore) PendingResetRequests(context.Context, int) ([]int64, error) {
	var ids []int64
	for i, r := range f.requests {
		if r != "" {
			ids = append(ids, int64(i+1))
		}
	}
	return ids, nil
}

func (f *fakeStore) AnswerReset(_ context.Context, id int64, tok *permit.Token, m *permit.Mail) error {
	f.requests[id-1] = ""
	if tok != nil {
		f.tokens = append(f.tokens, tok)
		f.mails = append(f.mails, m)
	}
	return nil
}

// TestResetRequestsAnsweredOnce: the page's work is one request written,
// for a known address as for an unknown one; answering mails the known
// one a link, once however often the job runs, and nobody else.
func TestResetRequestsAnsweredOnce(t *testing.T) {
	acc, st := newAccounts()
	st.accounts["known@example.org"] = &permit.Account{ID: 1, Email: "known@example.org", Lang: "en"}
	for _, addr := range []string{"known@example.org", "ghost@example.org"} {
		if err := acc.RequestReset(t.Context(), addr); err != nil {
			t.Fatal(err)
		}
	}
	if len(st.requests) != 2 || len(st.mails) != 0 || len(st.tokens) != 0 {
		t.Fatalf("the page did more than write two requests: %d requests, %d mails", len(st.requests), len(st.mails))
	}
	for range 2 {
		for id := range int64(2) {
			if err := acc.AnswerReset(t.Context(), id+1); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(st.mails) != 1 || st.mails[0].To != "known@example.org" || !strings.HasPrefix(st.mails[0].Subject, "en:mail.reset") {
		t.Fatalf("mails: %+v, want one reset link to the known address, in its language", st.mails)
	}
	if st.tokens[0].Purpose != permit.TokenResetPassword || st.tokens[0].AccountID != 1 {
		t.Fatalf("token: %+v", st.tokens[0])
	}
}
