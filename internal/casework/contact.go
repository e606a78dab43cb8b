package casework

import (
	"context"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
)

// What a move between prefectures is recorded as in the audit trail: one
// entry for the prefecture the application leaves, one for the one it
// joins, so that each prefecture's supervisors read it in their journal.
const (
	ActionTransferOut = "transfer_out"
	ActionTransferIn  = "transfer_in"
)

// ContactStore is what contact changes and moves need from the database.
type ContactStore interface {
	// ChangeContact writes one change of contact data with the moves,
	// the pending e-mail address and the mails it causes, together;
	// ECONFLICT when an application to move changed meanwhile.
	ChangeContact(ctx context.Context, ch *permit.ContactChange) error
	// PendingEmail returns an account's address waiting for
	// confirmation, or ENOTFOUND.
	PendingEmail(ctx context.Context, accountID int64) (*permit.PendingEmail, error)
	// ConfirmEmailChange consumes a confirmation link (ENOTFOUND when
	// unknown, used or expired; ECONFLICT when the address was taken).
	ConfirmEmailChange(ctx context.Context, tokenHash, keepSession string, mail func(a *permit.Account, former string) *permit.Mail) (*permit.Account, error)
	// CancelEmailChange drops a pending address, by account or by link.
	CancelEmailChange(ctx context.Context, accountID int64, tokenHash string) (*permit.Account, error)
}

// Contacts are the use cases of an applicant changing their contact data
// (postal address, phone, e-mail) at any time, pending applications or
// not, after typing their password again. They need both the accounts'
// use cases (the password, mailed links) and the files' (the person, the
// applications that follow a move).
type Contacts struct {
	Accounts *Accounts
	*core
	Store ContactStore
}

// ContactForm is what the applicant types: the new values and their
// current password. An empty Email keeps the account's address.
type ContactForm struct {
	AddressLine, Postcode, City, Phone string
	Email                              string
	Password                           string
}

// ContactView is what the contact page shows.
type ContactView struct {
	Person     *permit.Person // nil before the profile was first saved
	Prefecture *permit.Prefecture
	Email      string               // the account's address, the one in use
	Pending    *permit.PendingEmail // the address waiting for confirmation, if any
}

// ContactOutcome says what a change did, for the page that follows.
type ContactOutcome struct {
	Changed    bool                  // address or phone
	EmailAsked bool                  // a link was mailed to the new address
	MovedTo    *permit.Prefecture    // the new competent prefecture, when it changed
	Moved      []*permit.Transfer    // the applications that followed
	Stayed     []*permit.Application // the decided ones that stayed
}

// Contact returns the applicant's current contact data.
func (c *Contacts) Contact(ctx context.Context, acc *permit.Account) (*ContactView, error) {
	if acc == nil || acc.Role != permit.RoleApplicant {
		return nil, errNotFound
	}
	v := &ContactView{Email: acc.Email}
	p, err := c.People.PersonByAccount(ctx, acc.ID)
	switch {
	case err == nil:
		v.Person = p
		if p.PrefectureID != 0 {
			if v.Prefecture, err = c.People.Prefecture(ctx, p.PrefectureID); err != nil {
				return nil, err
			}
		}
	case permit.ErrorCode(err) != permit.ENOTFOUND:
		return nil, err
	}
	pending, err := c.Store.PendingEmail(ctx, acc.ID)
	if err == nil && pending.Live(c.Clock.Now()) {
		v.Pending = pending
	} else if err != nil && permit.ErrorCode(err) != permit.ENOTFOUND {
		return nil, err
	}
	return v, nil
}

// ChangeContact checks the applicant's password, then applies the new
// address and phone at once and asks for the new e-mail address to be
// confirmed. A wrong password changes nothing. When the new address falls
// under another prefecture, the person moves there with every application
// not yet decided (permit.State.FollowsMove), each keeping its history and
// gaining a transfer; the applicant is told by mail.
func (c *Contacts) ChangeContact(ctx context.Context, acc *permit.Account, f ContactForm) (*ContactOutcome, error) {
	if acc == nil || acc.Role != permit.RoleApplicant {
		return nil, errNotFound
	}
	p, err := c.People.PersonByAccount(ctx, acc.ID)
	if err != nil && permit.ErrorCode(err) != permit.ENOTFOUND {
		return nil, err
	}
	errs := map[string]string{}
	var next *permit.Person
	if p != nil {
		next, err = c.contactFields(ctx, p, f, errs)
		if err != nil {
			return nil, err
		}
	}
	email := strings.TrimSpace(f.Email)
	if email != "" && permit.NormalizeEmail(email) != acc.Email {
		if key := checkEmail(email); key != "" {
			errs["email"] = key
		}
	} else {
		email = ""
	}
	if err := c.checkPassword(ctx, acc, f.Password, errs); err != nil {
		return nil, err
	}
	if err := permit.Invalid(errs); err != nil {
		return nil, err
	}
	ch := &permit.ContactChange{AccountID: acc.ID}
	out := &ContactOutcome{}
	if next != nil && (next.Address != p.Address || next.Phone != p.Phone) {
		ch.Person, out.Changed = next, true
		if next.PrefectureID != p.PrefectureID {
			if ctx, err = c.plan(ctx, acc, p, next, ch, out); err != nil {
				return nil, err
			}
		}
	}
	if email != "" {
		if err := c.askEmail(ctx, acc, email, ch); err != nil {
			return nil, err
		}
		out.EmailAsked = true
	}
	if ch.Person == nil && ch.Email == nil {
		return out, nil
	}
	if err := c.Store.ChangeContact(ctx, ch); err != nil {
		return nil, err
	}
	return out, nil
}

// contactFields validates the new address and phone with the profile's
// own rules (validateProfile, which also finds the competent prefecture),
// on the person's record with those values in place. It returns the
// person as they would be.
func (c *Contacts) contactFields(ctx context.Context, p *permit.Person, f ContactForm, errs map[string]string) (*permit.Person, error) {
	pf := ProfileForm{GivenNames: p.GivenNames, Surname: p.Surname, BirthDate: p.BirthDate, BirthPlace: p.BirthPlace,
		Nationality: p.Nationality, ForeignerNumber: p.ForeignerNumber,
		AddressLine: f.AddressLine, Postcode: f.Postcode, City: f.City, Phone: f.Phone}
	next, _, err := c.validateProfile(ctx, pf, nil)
	if err == nil {
		out := *p
		out.Address, out.Phone, out.PrefectureID = next.Address, next.Phone, next.PrefectureID
		return &out, nil
	}
	fields := permit.FieldErrors(err)
	if fields == nil {
		return nil, err
	}
	for _, name := range []string{"address_line", "postcode", "city", "phone"} {
		if key, ok := fields[name]; ok {
			errs[name] = key
			delete(fields, name)
		}
	}
	if len(fields) > 0 {
		// The identity on record no longer passes the profile's rules:
		// the profile page is where it is put right.
		return nil, permit.Errorf(permit.EINVALID, "contact.error.profile")
	}
	return nil, nil
}

// checkPassword verifies the account's current password with the log-in's
// argon2id check (in a hashing slot). A wrong or missing password is a
// field error; nothing else is told.
func (c *Contacts) checkPassword(ctx context.Context, acc *permit.Account, pw string, errs map[string]string) error {
	if pw == "" {
		errs["password"] = "contact.error.password_required"
		return nil
	}
	hash := ""
	if len(pw) <= password.MaxBytes {
		_, h, err := c.Accounts.Store.AccountByEmail(ctx, acc.Email)
		if err != nil {
			return err
		}
		hash = h
	}
	ok, _, err := c.Accounts.verify(ctx, pw, hash)
	if permit.ErrorCode(err) == permit.EUNAVAILABLE {
		return err
	}
	if err != nil || !ok {
		errs["password"] = "contact.error.password"
	}
	return nil
}

// plan lists the applications that follow the person to their new
// prefecture, the mail that tells them, and the audit entries of both
// prefectures, carried by the returned context.
func (c *Contacts) plan(ctx context.Context, acc *permit.Account, p, next *permit.Person, ch *permit.ContactChange, out *ContactOutcome) (context.Context, error) {
	to, err := c.People.Prefecture(ctx, next.PrefectureID)
	if err != nil {
		return nil, err
	}
	out.MovedTo = to
	apps, err := c.People.ApplicationsByPerson(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{to.ID: to.Name}
	for _, a := range apps {
		if a.PrefectureID == to.ID {
			continue
		}
		if !a.State.FollowsMove() {
			out.Stayed = append(out.Stayed, a)
			continue
		}
		if _, ok := names[a.PrefectureID]; !ok {
			from, err := c.People.Prefecture(ctx, a.PrefectureID)
			if err != nil {
				return nil, err
			}
			names[from.ID] = from.Name
		}
		t := &permit.Transfer{ApplicationID: a.ID, PersonID: p.ID, From: a.PrefectureID, To: to.ID, State: a.State,
			ActorID: acc.ID, FromName: names[a.PrefectureID], ToName: to.Name, Ground: a.Ground}
		ch.Moves = append(ch.Moves, t)
		detail := names[a.PrefectureID] + " → " + to.Name
		for _, e := range []audit.Entry{
			{ActorAccountID: acc.ID, Action: ActionTransferOut, PrefectureID: a.PrefectureID, PersonID: p.ID, ApplicationID: a.ID, Detail: detail},
			{ActorAccountID: acc.ID, Action: ActionTransferIn, PrefectureID: to.ID, PersonID: p.ID, ApplicationID: a.ID, Detail: detail},
		} {
			ctx = audit.With(ctx, e)
		}
	}
	out.Moved = ch.Moves
	if len(ch.Moves) > 0 {
		ch.Mails = append(ch.Mails, c.movedMail(acc, to, ch.Moves))
	}
	return ctx, nil
}

// movedMail tells the applicant which prefecture now handles which of
// their applications, and that their attestations stay valid.
func (c *Contacts) movedMail(acc *permit.Account, to *permit.Prefecture, moves []*permit.Transfer) *permit.Mail {
	tr := c.Tr
	var list strings.Builder
	for _, t := range moves {
		list.WriteString("- " + tr.T(acc.Lang, "contact.mail.moved.line", itoa(t.ApplicationID), t.FromName) + "\n")
	}
	return &permit.Mail{To: acc.Email, Subject: tr.T(acc.Lang, "contact.mail.moved.subject", to.Name),
		Text: tr.T(acc.Lang, "contact.mail.moved.body", to.Name, list.String(), c.BaseURL+paths.Dashboard.String())}
}

// askEmail prepares an e-mail change: a link to the new address, or,
// when that address already has an account, a notice to it instead (as
// sign-up does, the applicant's page says the same either way), and a
// notice with a cancelling link to the current address.
func (c *Contacts) askEmail(ctx context.Context, acc *permit.Account, email string, ch *permit.ContactChange) error {
	now := c.Accounts.Clock.Now()
	email = permit.NormalizeEmail(email)
	e := &permit.EmailChange{Pending: permit.PendingEmail{Address: email, ExpiresAt: now.Add(ConfirmTTL)}}
	_, _, err := c.Accounts.Store.AccountByEmail(ctx, email)
	switch permit.ErrorCode(err) {
	case permit.ENOTFOUND:
		secret, hash := NewSecret()
		e.Confirm = &permit.Token{Hash: hash, Purpose: permit.TokenChangeEmail, ExpiresAt: e.Pending.ExpiresAt}
		ch.Mails = append(ch.Mails, c.Accounts.linkMail(acc.Lang, email, "contact.mail.confirm", c.Accounts.BaseURL+paths.ContactLink.Format(secret), e.Pending.ExpiresAt))
	case "":
		ch.Mails = append(ch.Mails, c.Accounts.mail(acc.Lang, email, "contact.mail.taken", c.Accounts.BaseURL+paths.Forgot.String()))
	default:
		return err
	}
	secret, hash := NewSecret()
	e.Cancel = &permit.Token{Hash: hash, Purpose: permit.TokenCancelEmail, ExpiresAt: e.Pending.ExpiresAt}
	ch.Mails = append(ch.Mails, c.Accounts.linkMail(acc.Lang, acc.Email, "contact.mail.asked", c.Accounts.BaseURL+paths.ContactUndo.Format(secret), e.Pending.ExpiresAt))
	ch.Email = e
	return nil
}

// ConfirmEmail follows the link mailed to a new address: the account's
// address becomes it, the former one is kept in the person's history and
// told, and the account's other sessions end (all but the browser's own,
// session, when it is the account's). A used, expired or replaced link is
// ENOTFOUND; an address another account took meanwhile is ECONFLICT.
func (c *Contacts) ConfirmEmail(ctx context.Context, secret, session string) (*permit.Account, error) {
	keep := ""
	if session != "" {
		keep = HashSecret(session)
	}
	a, err := c.Store.ConfirmEmailChange(ctx, HashSecret(secret), keep, func(a *permit.Account, former string) *permit.Mail {
		return c.Accounts.mail(a.Lang, former, "contact.mail.changed", c.Accounts.BaseURL+paths.LogIn.String())
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// CancelEmail drops the applicant's pending address, from their page.
func (c *Contacts) CancelEmail(ctx context.Context, acc *permit.Account) error {
	if acc == nil || acc.Role != permit.RoleApplicant {
		return errNotFound
	}
	_, err := c.Store.CancelEmailChange(ctx, acc.ID, "")
	return err
}

// CancelEmailByLink drops a pending address from the link mailed to the
// former address; ENOTFOUND when the link is used, expired or replaced.
func (c *Contacts) CancelEmailByLink(ctx context.Context, secret string) error {
	_, err := c.Store.CancelEmailChange(ctx, 0, HashSecret(secret))
	return err
}

// transferEntries reads a case's moves and adds them to its timeline.
func (s *core) transferEntries(ctx context.Context, c *Case, tl []Entry) ([]Entry, error) {
	var err error
	if c.Moves, err = s.Cases.Transfers(ctx, c.App.ID); err != nil {
		return nil, err
	}
	for _, t := range c.Moves {
		tl = append(tl, Entry{At: t.At, Key: "timeline.transferred", Actor: permit.ActorSystem, Moved: t})
	}
	return tl, nil
}

// TransferList is what the back office's page of moves shows.
type TransferList struct {
	Moves []*permit.Transfer // newest first
	// Opens says which applications the reader may still open: those
	// their prefectures hold now.
	Opens map[int64]bool
}

// maxTransfers bounds how many moves the page lists, newest first.
const maxTransfers = 200

// Transfers lists the moves out of and into the staff member's
// prefectures (every move for an admin). A prefecture keeps seeing the
// files it handed over here, with date, number and destination, but no
// longer opens them: the case belongs to the new prefecture.
func (s *Journal) Transfers(ctx context.Context, acc *permit.Account) (*TransferList, error) {
	if !acc.Staff() {
		return nil, errNotFound
	}
	var scope []int64
	if !acc.Admin() {
		scope = append([]int64{}, acc.Prefectures...)
	}
	moves, err := s.Store.TransfersOf(ctx, scope, maxTransfers)
	if err != nil {
		return nil, err
	}
	out := &TransferList{Moves: moves, Opens: map[int64]bool{}}
	for _, t := range moves {
		out.Opens[t.ApplicationID] = acc.WorksFor(t.HolderID)
	}
	return out, nil
}

// issuerAt is the prefecture that held an application at t: the one it
// left at its first move after t, else the one that holds it now.
// Documents already issued (filing receipts, attestations) name it, so a
// move never changes what they say.
func issuerAt(moves []*permit.Transfer, current *permit.Prefecture, t time.Time) *permit.Prefecture {
	for _, m := range moves {
		if m.At.After(t) {
			return &permit.Prefecture{ID: m.From, Name: m.FromName}
		}
	}
	return current
}
