package casework

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/permit"
)

// fakeStore records mails and answers account look-ups from a map; the
// store itself is tested in package store on real databases.
type fakeStore struct {
	AccountStore
	accounts map[string]*permit.Account
	hashes   map[string]string
	mails    []*permit.Mail
	tokens   []*permit.Token
	requests []string // reset requests by id-1; "" once answered
}

func (f *fakeStore) AccountByEmail(_ context.Context, email string) (*permit.Account, string, error) {
	a, ok := f.accounts[permit.NormalizeEmail(email)]
	if !ok {
		return nil, "", permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	return a, f.hashes[a.Email], nil
}

func (f *fakeStore) CreateAccount(_ context.Context, a *permit.Account, hash string, tok *permit.Token, m *permit.Mail) error {
	if _, ok := f.accounts[permit.NormalizeEmail(a.Email)]; ok {
		return permit.Errorf(permit.ECONFLICT, "error.conflict")
	}
	a.ID = int64(len(f.accounts) + 1)
	f.accounts[permit.NormalizeEmail(a.Email)] = a
	f.hashes[a.Email] = hash
	f.tokens = append(f.tokens, tok)
	f.mails = append(f.mails, m)
	return nil
}

func (f *fakeStore) EnqueueMail(_ context.Context, m *permit.Mail) error {
	f.mails = append(f.mails, m)
	return nil
}

func (f *fakeStore) IssueToken(_ context.Context, tok *permit.Token, m *permit.Mail) error {
	f.tokens = append(f.tokens, tok)
	f.mails = append(f.mails, m)
	return nil
}

type keys struct{}

func (keys) Supported(lang string) string {
	if lang == "en" {
		return lang
	}
	return "fr"
}

func (keys) T(lang, key string, args ...any) string {
	s := lang + ":" + key
	for _, a := range args {
		s += " " + a.(string)
	}
	return s
}

var cheap = password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func newAccounts() (*Accounts, *fakeStore) {
	st := &fakeStore{accounts: map[string]*permit.Account{}, hashes: map[string]string{}}
	return &Accounts{Store: st, Resets: st, Tr: keys{}, Clock: clock.NewFixed(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), BaseURL: "https://sejour.test", SessionTTL: time.Hour, Params: cheap}, st
}

func TestSignUpMailsAConfirmationLink(t *testing.T) {
	s, st := newAccounts()
	err := s.SignUp(context.Background(), SignUpForm{Email: "Zoe@example.org", Password: "trois chats sur un toit", Confirm: "trois chats sur un toit", Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.mails) != 1 || st.mails[0].To != "zoe@example.org" || !strings.HasPrefix(st.mails[0].Subject, "en:mail.confirm.subject") {
		t.Fatalf("mails = %+v", st.mails)
	}
	if !strings.Contains(st.mails[0].Text, "https://sejour.test/confirmer/") || st.mails[0].ExpiresAt == nil {
		t.Fatalf("no confirmation link, or no expiry: %q %v", st.mails[0].Text, st.mails[0].ExpiresAt)
	}
	secret := strings.TrimPrefix(strings.Fields(st.mails[0].Text)[1], "https://sejour.test/confirmer/")
	if st.tokens[0].Hash != HashSecret(secret) || strings.Contains(st.tokens[0].Hash, secret) {
		t.Fatal("the stored token is not the hash of the mailed secret")
	}
	if got := st.accounts["zoe@example.org"]; got.Role != permit.RoleApplicant || got.Lang != "en" || got.Confirmed() {
		t.Fatalf("account = %+v", got)
	}
}

func TestSignUpOfAKnownAddressMailsItsOwner(t *testing.T) {
	s, st := newAccounts()
	f := SignUpForm{Email: "a@example.org", Password: "trois chats sur un toit", Confirm: "trois chats sur un toit"}
	if err := s.SignUp(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	if err := s.SignUp(context.Background(), f); err != nil {
		t.Fatalf("second sign-up must look like the first: %v", err)
	}
	if len(st.mails) != 2 || !strings.HasPrefix(st.mails[1].Subject, "fr:mail.already") {
		t.Fatalf("mails = %+v", st.mails)
	}
}

func TestResetOfAnUnknownAddressSendsNothing(t *testing.T) {
	s, st := newAccounts()
	if err := s.RequestReset(context.Background(), "ghost@example.org"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AnswerPendingResets(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(st.mails) != 0 {
		t.Fatalf("mailed %+v", st.mails)
	}
	if err := s.RequestReset(context.Background(), "not an address"); permit.FieldErrors(err)["email"] == "" {
		t.Fatalf("bad address: %v", err)
	}
}

// A burst of log-ins waits for a hashing slot; a request whose context
// ends while waiting gets "unavailable", not a hash.
func TestHashingIsBounded(t *testing.T) {
	s, _ := newAccounts()
	slots := s.hashSlots()
	for i := 0; i < cap(slots); i++ {
		slots <- struct{}{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, _, err := s.LogIn(ctx, LogInForm{Email: "x@example.org", Password: "whatever password"}, "")
	if permit.ErrorCode(err) != permit.EUNAVAILABLE {
		t.Fatalf("err = %v, want unavailable while all slots are taken", err)
	}
}
