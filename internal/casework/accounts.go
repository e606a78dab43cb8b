package casework

import (
	"context"
	"log/slog"
	"net/mail"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
)

// AccountStore is what account use cases need from the database.
type AccountStore interface {
	CreateAccount(ctx context.Context, a *permit.Account, passwordHash string, tok *permit.Token, m *permit.Mail) error
	AccountByEmail(ctx context.Context, email string) (*permit.Account, string, error)
	IssueToken(ctx context.Context, tok *permit.Token, m *permit.Mail) error
	ConfirmEmail(ctx context.Context, tokenHash string) (*permit.Account, error)
	ResetPassword(ctx context.Context, tokenHash, passwordHash string) (*permit.Account, error)
	CheckToken(ctx context.Context, tokenHash string, purpose permit.TokenPurpose) error
	UnlockLogIn(ctx context.Context, tokenHash string) (*permit.Account, error)
	SetPasswordHash(ctx context.Context, accountID int64, hash string) error
	SetLanguage(ctx context.Context, accountID int64, lang string) error
	CreateSession(ctx context.Context, s *permit.Session, replaces string) error
	SessionAccount(ctx context.Context, hash string) (*permit.Account, error)
	DeleteSession(ctx context.Context, hash string) error
	EnqueueMail(ctx context.Context, m *permit.Mail) error
	SecondFactorStore
	StaffStore
}

// How long mailed links stay valid.
const (
	ConfirmTTL = 48 * time.Hour
	ResetTTL   = time.Hour
	InviteTTL  = 7 * 24 * time.Hour // a new staff member's link to choose a password
)

// Accounts are the use cases of signing up, confirming an address,
// logging in and out, and resetting a password. No answer of theirs tells
// whether an address has an account.
type Accounts struct {
	Store      AccountStore
	Resets     ResetRequests // the reset requests answered by a job
	Tr         Translator
	Clock      clock.Clock
	Logger     *slog.Logger
	BaseURL    string
	SessionTTL time.Duration
	Params     password.Params

	slotsOnce sync.Once
	slots     chan struct{}
	hashed    atomic.Int64 // new passwords hashed: what a bogus reset must not cost
}

// hashSlots bounds how many password hashes run at once. Each argon2id
// hash holds Params.Memory (64 MiB by default); a burst of log-ins waits
// for a slot instead of exhausting memory.
func (s *Accounts) hashSlots() chan struct{} {
	s.slotsOnce.Do(func() { s.slots = make(chan struct{}, 2*runtime.GOMAXPROCS(0)) })
	return s.slots
}

// withSlot runs fn while holding a hashing slot, or gives up when ctx ends.
func (s *Accounts) withSlot(ctx context.Context, fn func()) error {
	select {
	case s.hashSlots() <- struct{}{}:
		defer func() { <-s.hashSlots() }()
		fn()
		return nil
	case <-ctx.Done():
		return permit.Errorf(permit.EUNAVAILABLE, "error.unavailable")
	}
}

// hash hashes a new password within a slot.
func (s *Accounts) hash(ctx context.Context, pw string) (h string, err error) {
	s.hashed.Add(1)
	if serr := s.withSlot(ctx, func() { h, err = password.Hash(pw, s.Params) }); serr != nil {
		return "", serr
	}
	return h, err
}

// verify checks a password within a slot; with no hash, it spends the
// same effort on a dummy so that timing says nothing.
func (s *Accounts) verify(ctx context.Context, pw, hash string) (ok, rehash bool, err error) {
	serr := s.withSlot(ctx, func() {
		if hash == "" {
			password.DummyVerify(pw)
			return
		}
		ok, rehash, err = password.Verify(pw, hash)
	})
	if serr != nil {
		return false, false, serr
	}
	return ok, rehash, err
}

// SignUpForm is what a person types to create an account.
type SignUpForm struct {
	Email    string
	Password string
	Confirm  string
	Lang     string
}

// Validate returns per-field translation keys for what is wrong.
func (f *SignUpForm) Validate() error {
	errs := map[string]string{}
	if key := checkEmail(f.Email); key != "" {
		errs["email"] = key
	}
	local, _, _ := strings.Cut(f.Email, "@")
	if err := password.Check(f.Password, local); err != nil {
		errs["password"], _ = permit.ErrorMessage(err)
	} else if f.Confirm != f.Password {
		errs["confirm"] = "signup.error.confirm"
	}
	return permit.Invalid(errs)
}

func checkEmail(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "form.error.email_required"
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || len(s) > 254 || !strings.Contains(s[strings.LastIndex(s, "@"):], ".") {
		return "form.error.email_invalid"
	}
	return ""
}

// SignUp creates an applicant account and mails a confirmation link. When
// the address already has an account, it mails that address a notice
// instead and answers exactly as for a new account.
func (s *Accounts) SignUp(ctx context.Context, f SignUpForm) error {
	if err := f.Validate(); err != nil {
		return err
	}
	lang := s.Tr.Supported(f.Lang)
	hash, err := s.hash(ctx, f.Password)
	if err != nil {
		return err
	}
	secret, tokHash := NewSecret()
	a := &permit.Account{Email: f.Email, Role: permit.RoleApplicant, Lang: lang}
	tok := &permit.Token{Hash: tokHash, Purpose: permit.TokenConfirmEmail, ExpiresAt: s.Clock.Now().Add(ConfirmTTL)}
	m := s.linkMail(lang, permit.NormalizeEmail(f.Email), "mail.confirm", s.BaseURL+paths.Confirm.Format(secret), tok.ExpiresAt)
	err = s.Store.CreateAccount(ctx, a, hash, tok, m)
	if permit.ErrorCode(err) == permit.ECONFLICT {
		m = s.mail(lang, permit.NormalizeEmail(f.Email), "mail.already", s.BaseURL+paths.Forgot.String())
		err = s.Store.EnqueueMail(ctx, m)
	}
	if err != nil {
		return err
	}
	return nil
}

// Confirm consumes a confirmation link.
func (s *Accounts) Confirm(ctx context.Context, secret string) (*permit.Account, error) {
	return s.Store.ConfirmEmail(ctx, HashSecret(secret))
}

// LogInForm is what a person types to log in.
type LogInForm struct {
	Email    string
	Password string
}

// LogIn checks a password and opens a new session, ending the one the
// browser had (rotation). It returns the new session's secret. A wrong
// address and a wrong password give the same answer in the same time.
func (s *Accounts) LogIn(ctx context.Context, f LogInForm, oldSession string) (*permit.Account, string, error) {
	bad := permit.Errorf(permit.EINVALID, "login.error.credentials")
	if strings.TrimSpace(f.Email) == "" || f.Password == "" || len(f.Password) > password.MaxBytes {
		return nil, "", bad
	}
	a, hash, err := s.Store.AccountByEmail(ctx, f.Email)
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		if _, _, err := s.verify(ctx, f.Password, ""); err != nil {
			return nil, "", err
		}
		return nil, "", bad
	} else if err != nil {
		return nil, "", err
	}
	ok, rehash, err := s.verify(ctx, f.Password, hash)
	if permit.ErrorCode(err) == permit.EUNAVAILABLE {
		return nil, "", err
	}
	if err != nil || !ok || a.DisabledAt != nil {
		return nil, "", bad
	}
	if !a.Confirmed() {
		return nil, "", permit.Errorf(permit.EFORBIDDEN, "login.error.unconfirmed")
	}
	if rehash {
		if h, err := s.hash(ctx, f.Password); err == nil {
			_ = s.Store.SetPasswordHash(ctx, a.ID, h)
		}
	}
	secret, sessHash := NewSecret()
	now := s.Clock.Now()
	sess := &permit.Session{Hash: sessHash, AccountID: a.ID, CreatedAt: now, ExpiresAt: now.Add(s.SessionTTL)}
	replaces := ""
	if oldSession != "" {
		replaces = HashSecret(oldSession)
	}
	if err := s.Store.CreateSession(ctx, sess, replaces); err != nil {
		return nil, "", err
	}
	return a, secret, nil
}

// Authenticate returns the account of a session secret, or ENOTFOUND.
func (s *Accounts) Authenticate(ctx context.Context, secret string) (*permit.Account, error) {
	if secret == "" || utf8.RuneCountInString(secret) > 100 {
		return nil, permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	return s.Store.SessionAccount(ctx, HashSecret(secret))
}

// LogOut ends a session.
func (s *Accounts) LogOut(ctx context.Context, secret string) error {
	if secret == "" {
		return nil
	}
	return s.Store.DeleteSession(ctx, HashSecret(secret))
}

// SetLanguage remembers the language an account chose with the switch:
// its pages follow it at its next log-in on any device, and its mails
// from now on. A language the catalogue does not offer is refused.
func (s *Accounts) SetLanguage(ctx context.Context, a *permit.Account, lang string) error {
	if a == nil || s.Tr.Supported(lang) != lang {
		return permit.Errorf(permit.EINVALID, "error.not_found")
	}
	if a.Lang == lang {
		return nil
	}
	return s.Store.SetLanguage(context.WithoutCancel(ctx), a.ID, lang)
}

// RequestReset records a request for a reset link, to be answered by a
// job (AnswerReset), and does the same work whether or not the address
// has an account: timing tells nothing (issue 13, item 7).
// The link's mail is in the account's language.
func (s *Accounts) RequestReset(ctx context.Context, email string) error {
	if key := checkEmail(email); key != "" {
		return permit.Invalid(map[string]string{"email": key})
	}
	return s.Resets.RequestReset(ctx, email)
}

// ResetForm is a new password typed after following a reset link.
type ResetForm struct {
	Password string
	Confirm  string
}

// ResetPassword sets a new password from a reset link and ends every
// session of the account, and every other reset link. A used or expired
// link is ENOTFOUND, found before the new password costs a hash: bogus
// posts cost a read, not the hashing slots log-in needs (issue 13,
// item 1).
func (s *Accounts) ResetPassword(ctx context.Context, secret string, f ResetForm) error {
	if err := s.Store.CheckToken(ctx, HashSecret(secret), permit.TokenResetPassword); err != nil {
		return err
	}
	errs := map[string]string{}
	if err := password.Check(f.Password); err != nil {
		errs["password"], _ = permit.ErrorMessage(err)
	} else if f.Confirm != f.Password {
		errs["confirm"] = "signup.error.confirm"
	}
	if err := permit.Invalid(errs); err != nil {
		return err
	}
	hash, err := s.hash(ctx, f.Password)
	if err != nil {
		return err
	}
	_, err = s.Store.ResetPassword(ctx, HashSecret(secret), hash)
	return err
}

// UnlockTTL is how long a mailed log-in unlock link stays valid.
const UnlockTTL = time.Hour

// MailUnlock mails the owner of email a link that unlocks log-in from
// wherever they follow it: sent when the account's log-in ceiling is
// reached, which guesses from elsewhere may cause. The token and the mail
// commit together. An address without an account gets nothing, and the
// answer is the same.
func (s *Accounts) MailUnlock(ctx context.Context, email string) error {
	a, _, err := s.Store.AccountByEmail(ctx, email)
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	tok, m := s.linkToken(a, permit.TokenUnlockLogIn, UnlockTTL, "security.mail.unlock", paths.Unlock)
	return s.Store.IssueToken(ctx, tok, m)
}

// linkToken makes a single-use token of purpose for a, valid for ttl, and
// the mail, of the catalogue's key, that carries its link to page.
func (s *Accounts) linkToken(a *permit.Account, purpose permit.TokenPurpose, ttl time.Duration, key string, page paths.Token) (*permit.Token, *permit.Mail) {
	secret, tokHash := NewSecret()
	tok := &permit.Token{Hash: tokHash, AccountID: a.ID, Purpose: purpose, ExpiresAt: s.Clock.Now().Add(ttl)}
	return tok, s.linkMail(a.Lang, a.Email, key, s.BaseURL+page.Format(secret), tok.ExpiresAt)
}

// Unlock consumes an unlock link and returns its account; a used,
// expired or made-up link is ENOTFOUND.
func (s *Accounts) Unlock(ctx context.Context, secret string) (*permit.Account, error) {
	if secret == "" || len(secret) > 100 {
		return nil, permit.Errorf(permit.ENOTFOUND, "error.token_invalid")
	}
	return s.Store.UnlockLogIn(ctx, HashSecret(secret))
}

// mail builds a mail whose subject and body come from the catalogue keys
// key+".subject" and key+".body", the body taking the link.
func (s *Accounts) mail(lang, to, key, link string) *permit.Mail {
	return &permit.Mail{To: to, Subject: s.Tr.T(lang, key+".subject"), Text: s.Tr.T(lang, key+".body", link)}
}

// linkMail is mail for a link that stops working at until: the mail is
// not sent once it has (a relay down for longer than the link lives).
func (s *Accounts) linkMail(lang, to, key, link string, until time.Time) *permit.Mail {
	m := s.mail(lang, to, key, link)
	m.ExpiresAt = &until
	return m
}
