package permit

import "time"

// The purposes of the tokens of an e-mail change: the link mailed to the
// new address confirms it; the one mailed to the former address cancels
// the change while it is pending.
const (
	TokenChangeEmail TokenPurpose = "change_email"
	TokenCancelEmail TokenPurpose = "cancel_email"
)

// PendingEmail is an address an applicant asked to use instead of their
// account's, not yet confirmed from a link mailed to it. Until then,
// log-in and mails use the account's address.
type PendingEmail struct {
	Address   string
	AskedAt   time.Time
	ExpiresAt time.Time // when the confirmation link stops working
}

// Live reports whether the pending address can still be confirmed at t.
func (p *PendingEmail) Live(t time.Time) bool {
	return p != nil && p.Address != "" && t.Before(p.ExpiresAt)
}

// FollowsMove reports whether an application in state s follows its
// applicant to the prefecture competent for a new address (décision 0004):
// those on which no decision was taken yet. Decided applications stay
// with the prefecture that decided, which produces and hands over the card
// and answers appeals; a closed one stays with the prefecture that may
// reopen it, a withdrawn one where it was withdrawn.
func (s State) FollowsMove() bool {
	switch s {
	case StateDraft, StateSubmitted, StateIncomplete, StateUnderReview:
		return true
	}
	return false
}

// Transfer records an application moving from one prefecture to another
// because its applicant's address changed department. The application
// keeps its whole history; the transfer is one more line of it, seen by
// both prefectures.
type Transfer struct {
	ID            int64
	ApplicationID int64
	PersonID      int64
	From, To      int64 // prefectures
	State         State // the application's state when it moved
	ActorID       int64 // the account whose change caused it
	At            time.Time

	// Read back with the transfer, for showing it.
	FromName, ToName string
	Ground           GroundID
	HolderID         int64 // the prefecture that holds the application now
}

// ContactChange is what one change of an applicant's contact data
// writes, together: the person's new address and phone (and competent
// prefecture), the applications that follow them, an e-mail change
// waiting for confirmation, and the mails that tell of it.
type ContactChange struct {
	AccountID int64
	// Person holds the new values of the person's row; nil when the
	// address and phone did not change. A new PrefectureID is recorded as
	// a move, apart from the applicant's own change of address.
	Person *Person
	Moves  []*Transfer
	Email  *EmailChange
	Mails  []*Mail
}

// EmailChange is a new address to confirm. Confirm is nil when the
// address already belongs to an account: its owner is told instead, and
// the change can never be confirmed, while the applicant sees the same
// pending address either way (nothing says whether the address is known).
type EmailChange struct {
	Pending PendingEmail
	Confirm *Token // mailed to the new address
	Cancel  *Token // mailed to the former address
}
