package casework

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/permit"
)

// SecondFactorStore is what the staff's second factor needs from the
// database.
type SecondFactorStore interface {
	Session(ctx context.Context, hash string) (*permit.Session, *permit.Account, error)
	SecondFactor(ctx context.Context, accountID int64) (*permit.SecondFactor, error)
	StartEnrolment(ctx context.Context, accountID int64, secret string) error
	Enrol(ctx context.Context, accountID int64, sessionHash string, step int64, recoveryHashes []string) error
	PassSecondFactor(ctx context.Context, accountID int64, sessionHash string, step int64) error
	UseRecoveryCode(ctx context.Context, accountID int64, sessionHash, codeHash string) error
	RecoveryCodesLeft(ctx context.Context, accountID int64) (int, error)
}

// The second factor is TOTP (RFC 6238) as authenticator applications
// compute it by default: SHA-1, 6 digits, 30-second steps. A code of the
// step before or after the current one is accepted, for clocks that drift.
const (
	totpPeriod    = 30
	totpSkew      = 1
	RecoveryCodes = 10 // how many recovery codes an enrolment gives
	// Issuer names the portal in authenticator applications.
	Issuer = "sejour"
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Enrolment is what a staff member needs to add sejour to an
// authenticator application.
type Enrolment struct {
	Secret string // base32, as the application wants it typed
	URL    string // otpauth:// URL, drawn as a QR code
}

// Grouped is the secret in groups of four characters, for typing.
func (e *Enrolment) Grouped() string {
	var groups []string
	for s := e.Secret; s != ""; {
		n := min(4, len(s))
		groups = append(groups, s[:n])
		s = s[n:]
	}
	return strings.Join(groups, " ")
}

// Session returns the session of a secret and its account, or ENOTFOUND.
// The session says whether it passed the second factor.
func (s *Accounts) Session(ctx context.Context, secret string) (*permit.Session, *permit.Account, error) {
	if secret == "" || len(secret) > 100 {
		return nil, nil, permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	return s.Store.Session(ctx, HashSecret(secret))
}

// NeedsSecondFactor reports whether a session must pass the second factor
// before the back office (or an employer's administration) answers it:
// every staff, help-desk and organisation admin's session, until it has.
func NeedsSecondFactor(a *permit.Account, sess *permit.Session) bool {
	return a.SecondFactorRequired() && (sess == nil || sess.SecondFactorAt == nil)
}

// StartEnrolment returns the secret a staff member who has not enrolled
// yet is to add to their application, making one the first time. An
// enrolled account is ECONFLICT: its secret is never shown again.
func (s *Accounts) StartEnrolment(ctx context.Context, a *permit.Account) (*Enrolment, error) {
	if !a.SecondFactorRequired() {
		return nil, permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	f, err := s.Store.SecondFactor(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	if f.EnrolledAt != nil {
		return nil, permit.Errorf(permit.ECONFLICT, "staffauth.error.already_enrolled")
	}
	if f.Secret == "" {
		key, err := totp.Generate(totp.GenerateOpts{Issuer: Issuer, AccountName: a.Email, Period: totpPeriod,
			Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1, Rand: rand.Reader})
		if err != nil {
			return nil, err
		}
		if err := s.Store.StartEnrolment(ctx, a.ID, key.Secret()); err != nil {
			return nil, err
		}
		if f, err = s.Store.SecondFactor(ctx, a.ID); err != nil {
			return nil, err
		}
	}
	return &Enrolment{Secret: f.Secret, URL: otpauthURL(a.Email, f.Secret)}, nil
}

func otpauthURL(email, secret string) string {
	q := url.Values{"secret": {secret}, "issuer": {Issuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + Issuer + ":" + email, RawQuery: q.Encode()}
	return u.String()
}

// ConfirmEnrolment checks a first code from the application, enrols the
// account, passes the session and returns the recovery codes, in clear
// for the only time: only their hashes are kept.
func (s *Accounts) ConfirmEnrolment(ctx context.Context, a *permit.Account, sessionSecret, code string) ([]string, error) {
	if !a.SecondFactorRequired() {
		return nil, permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	f, err := s.Store.SecondFactor(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	if f.EnrolledAt != nil || f.Secret == "" {
		return nil, permit.Errorf(permit.ECONFLICT, "staffauth.error.already_enrolled")
	}
	step, ok := matchStep(f.Secret, normalizeCode(code), s.Clock.Now())
	if !ok || step <= f.LastStep {
		return nil, permit.Invalid(map[string]string{"code": "staffauth.error.code"})
	}
	codes := make([]string, RecoveryCodes)
	hashes := make([]string, RecoveryCodes)
	for i := range codes {
		codes[i] = newRecoveryCode()
		hashes[i] = HashSecret(normalizeCode(codes[i]))
	}
	ctx = audit.With(ctx, audit.Entry{ActorAccountID: a.ID, Action: "second_factor_enrol"})
	if err := s.Store.Enrol(ctx, a.ID, HashSecret(sessionSecret), step, hashes); err != nil {
		return nil, err
	}
	return codes, nil
}

// PassSecondFactor checks a code from the application, or a recovery
// code, and passes the session. A wrong, replayed or spent code is a
// field error on "code".
func (s *Accounts) PassSecondFactor(ctx context.Context, a *permit.Account, sessionSecret, code string) error {
	if !a.SecondFactorRequired() {
		return permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	bad := permit.Invalid(map[string]string{"code": "staffauth.error.code"})
	code = normalizeCode(code)
	if code == "" || len(code) > 32 {
		return bad
	}
	f, err := s.Store.SecondFactor(ctx, a.ID)
	if err != nil {
		return err
	}
	if f.EnrolledAt == nil {
		return permit.Errorf(permit.ECONFLICT, "staffauth.error.not_enrolled")
	}
	sessionHash := HashSecret(sessionSecret)
	if len(code) == 6 && strings.Trim(code, "0123456789") == "" {
		step, ok := matchStep(f.Secret, code, s.Clock.Now())
		if !ok || step <= f.LastStep {
			return bad
		}
		err = s.Store.PassSecondFactor(ctx, a.ID, sessionHash, step)
	} else {
		ctx = audit.With(ctx, audit.Entry{ActorAccountID: a.ID, Action: "recovery_code_use"})
		err = s.Store.UseRecoveryCode(ctx, a.ID, sessionHash, HashSecret(code))
	}
	if permit.ErrorCode(err) == permit.EINVALID {
		return bad
	}
	return err
}

// RecoveryCodesLeft counts the recovery codes a staff member has not spent.
func (s *Accounts) RecoveryCodesLeft(ctx context.Context, a *permit.Account) (int, error) {
	return s.Store.RecoveryCodesLeft(ctx, a.ID)
}

// matchStep returns the time step, within the allowed skew, whose code is
// code. Comparisons take the same time whatever the code.
func matchStep(secret, code string, now time.Time) (int64, bool) {
	cur := now.Unix() / totpPeriod
	var found int64
	ok := false
	for step := cur - totpSkew; step <= cur+totpSkew; step++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0).UTC(), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			found, ok = step, true
		}
	}
	return found, ok
}

// normalizeCode drops the spaces and dashes people type or copy, and
// lower-cases recovery codes.
func normalizeCode(s string) string {
	return strings.ToLower(strings.NewReplacer(" ", "", "-", "", "\u00a0", "", "\t", "").Replace(strings.TrimSpace(s)))
}

// recoveryAlphabet has no characters that look alike (0/o, 1/l/i).
const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// newRecoveryCode returns a code of 10 random characters (49 bits) in two
// groups, such as "k7mqz-4hx2p".
func newRecoveryCode() string {
	out := make([]byte, 0, 11)
	for i := range 10 {
		if i == 5 {
			out = append(out, '-')
		}
		out = append(out, recoveryAlphabet[randIndex(len(recoveryAlphabet))])
	}
	return string(out)
}

// randIndex is a uniform random number below n, from crypto/rand.
func randIndex(n int) int {
	limit := 256 - 256%n
	var b [1]byte
	for {
		rand.Read(b[:])
		if int(b[0]) < limit {
			return int(b[0]) % n
		}
	}
}
