package permit

import "time"

// TokenPurpose says what a single-use token in a mail is for.
type TokenPurpose string

// The purposes of mailed tokens.
const (
	TokenConfirmEmail  TokenPurpose = "confirm_email"
	TokenResetPassword TokenPurpose = "reset_password"
	// TokenUnlockLogIn is mailed when an account's log-in ceiling is
	// reached: following it makes the owner's address a usual one.
	TokenUnlockLogIn TokenPurpose = "unlock_login"
)

// Token is a single-use secret sent by mail. Only its SHA-256 hash is
// stored, so a copy of the database cannot be used to take over accounts.
type Token struct {
	Hash      string
	AccountID int64
	Purpose   TokenPurpose
	ExpiresAt time.Time
}

// Session is a logged-in browser. Like tokens, only the hash of the cookie
// value is stored.
type Session struct {
	Hash      string
	AccountID int64
	CreatedAt time.Time
	ExpiresAt time.Time
	// SecondFactorAt is when the session passed the second factor; nil
	// while a staff session is pending. Applicants have none.
	SecondFactorAt *time.Time
}

// SecondFactor is a staff account's TOTP state. Secret is the base32
// shared secret (empty before enrolment starts); LastStep is the last
// 30-second time step whose code was accepted, so that no code is
// accepted twice.
type SecondFactor struct {
	Secret     string
	EnrolledAt *time.Time
	LastStep   int64
}

// Mail is a message in the outbox. It is written in the same transaction
// as the action that causes it, so no acknowledged action loses its mail;
// delivery happens afterwards, and is retried.
type Mail struct {
	ID        int64
	To        string
	Subject   string
	Text      string
	CreatedAt time.Time
	SentAt    *time.Time
	Attempts  int
	LastError string
	// ExpiresAt is when the link the mail carries stops working: a mail
	// not delivered by then is dropped, not sent dead. Nil: no expiry.
	ExpiresAt *time.Time
	// DroppedAt is when delivery gave up on it (its link expired).
	DroppedAt *time.Time
}
