package casework

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/attempts"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// AttemptStore records what became of each attempted filing once the
// database answers again: exactly once, by the attempt's id, in the
// transaction of the filing it makes or of the refusal it records.
type AttemptStore interface {
	// AttemptRecorded says whether the attempt id was replayed already.
	AttemptRecorded(ctx context.Context, id string) (bool, error)
	// FileAttempt files the application as of the attempt (ev.At) with
	// its mail, and records the attempt, in one transaction; ECONFLICT
	// when the attempt is recorded already or the application changed.
	FileAttempt(ctx context.Context, a *permit.Application, ev *permit.Event, f *permit.Filing, fa *permit.FilingAttempt, mail func(*permit.Filing) *permit.Mail) error
	// RefuseAttempt records an attempt that could not be filed, with the
	// mail telling the person (nil: none), in one transaction.
	RefuseAttempt(ctx context.Context, fa *permit.FilingAttempt, m *permit.Mail) error
	// FilingAttempts returns an account's replayed attempts, newest first.
	FilingAttempts(ctx context.Context, accountID int64) ([]*permit.FilingAttempt, error)
}

// AttemptJournal is the local, durable journal of attempts (package
// attempts): written when the database fails, read by the replay.
type AttemptJournal interface {
	Append(r *attempts.Record) error
	Records() []attempts.Record
	Find(match func(*attempts.Record) bool) (attempts.Record, bool)
	Compact(recorded func(id string) bool) (int, error)
}

// TokenSigner signs and opens the small tokens a page hands the browser
// (seal.Tokens), without the database.
type TokenSigner interface {
	Sign(purpose string, payload []byte) string
	Open(purpose, token string) ([]byte, bool)
}

// AttemptSealer signs an attestation of attempt with the keys in memory.
type AttemptSealer interface {
	SealAttempt(p *AttemptProof) (string, error)
}

// Attempts are the filings attempted while the portal could not take
// them (issue 12, decision 0009): the ticket an application's page
// carries, the attempt recorded in the journal with its signed
// attestation, and the replay once the database answers.
type Attempts struct {
	*core
	Store  AttemptStore
	attest *Attestations
}

// AttemptProof is what an attestation of attempt states: who tried to
// file which application, when, at which prefecture.
type AttemptProof struct {
	Number          string          `json:"-"`
	At              time.Time       `json:"-"`
	Code            string          `json:"-"`
	GivenNames      string          `json:"gn,omitempty"`
	Surname         string          `json:"sn,omitempty"`
	BirthDate       string          `json:"bd"`
	ForeignerNumber string          `json:"fn,omitempty"`
	Ground          permit.GroundID `json:"g"`
	Kind            permit.Kind     `json:"k"`
	Rights          rules.Granted   `json:"r"`
	PrefectureCode  string          `json:"pc"`
	PrefectureName  string          `json:"pn"`
}

// attemptTicket is what an application's page carries, signed, in its
// filing form: enough to record the attempt and sign its attestation
// when nothing can be read from the database.
type attemptTicket struct {
	AccountID     int64          `json:"a"`
	PersonID      int64          `json:"p"`
	ApplicationID int64          `json:"i"`
	Docs          []attempts.Doc `json:"d"`
	FeeStamp      string         `json:"f"`
	Issued        time.Time      `json:"t"`
	Proof         AttemptProof   `json:"h"`
}

// TicketPurpose names the filing ticket's tokens; TicketTTL is how long
// a page's ticket is accepted after it was shown.
const (
	TicketPurpose = "filing-ticket"
	TicketTTL     = 24 * time.Hour
)

// ErrNoTicket is returned when a filing cannot be recorded as an
// attempt: the form carried no valid ticket for this person and
// application (an old page, a forged one).
var ErrNoTicket = errors.New("attempt: no valid filing ticket")

// Ticket returns the signed ticket of a draft that can be filed, for its
// filing form; "" when it cannot be filed yet.
func (s *Attempts) Ticket(acc *permit.Account, c *Case) (string, error) {
	if s.Tokens == nil || acc == nil || c.App.State != permit.StateDraft || unready(c) != nil {
		return "", nil
	}
	r, err := s.Rules.Rights(permit.AttestationFilingReceipt, c.App.Ground, c.App.Kind, c.Permit, time.Time{})
	if err != nil {
		return "", err
	}
	p := c.Person
	t := attemptTicket{AccountID: acc.ID, PersonID: p.ID, ApplicationID: c.App.ID, Docs: docsOf(c), FeeStamp: c.App.FeeStamp,
		Issued: s.Clock.Now().UTC(), Proof: AttemptProof{GivenNames: p.GivenNames, Surname: p.Surname, BirthDate: p.BirthDate,
			ForeignerNumber: p.ForeignerNumber, Ground: c.App.Ground, Kind: c.App.Kind, Rights: r,
			PrefectureCode: c.Prefecture.Code, PrefectureName: c.Prefecture.Name}}
	b, err := json.Marshal(t)
	if err != nil {
		return "", err
	}
	return s.Tokens.Sign(TicketPurpose, b), nil
}

// docsOf lists the current documents of a case, as filed.
func docsOf(c *Case) []attempts.Doc {
	var out []attempts.Doc
	for _, it := range c.Checklist {
		for _, d := range c.CurrentDocuments(it.Doc.ID) {
			out = append(out, attempts.Doc{Slot: d.Slot, SHA256: d.BlobSum})
		}
	}
	return out
}

// Unavailable says whether a filing failed for want of the portal, not
// because of what was filed: the database or the disk did not answer
// (unavailable, internal), or the time ran out.
func Unavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false // the caller left: nothing failed on our side
	}
	switch permit.ErrorCode(err) {
	case permit.EUNAVAILABLE, permit.EINTERNAL:
		return true
	}
	return errors.Is(err, context.DeadlineExceeded)
}

// Record records an attempted filing in the journal, durably, and
// returns its signed attestation. at is when the request arrived (zero:
// now): a database that hangs before it fails must not date the attempt
// later than the person pressed "file". It reads nothing from the
// database: the ticket the page carried says who files what. The same
// draft attempted again (a reload, a second click) returns the first
// attempt.
func (s *Attempts) Record(acc *permit.Account, appID int64, ticket string, posted map[string]string, lang string, at time.Time) (*AttemptProof, error) {
	if s.Journal == nil || s.Tokens == nil || s.AttemptSealer == nil || acc == nil {
		return nil, ErrNoTicket
	}
	b, ok := s.Tokens.Open(TicketPurpose, ticket)
	var t attemptTicket
	if !ok || json.Unmarshal(b, &t) != nil || t.AccountID != acc.ID || t.ApplicationID != appID ||
		s.Clock.Now().Sub(t.Issued) > TicketTTL {
		return nil, ErrNoTicket
	}
	if r, ok := s.Journal.Find(func(r *attempts.Record) bool {
		return r.AccountID == t.AccountID && r.ApplicationID == t.ApplicationID && r.FeeStamp == t.FeeStamp && sameDocs(r.Docs, t.Docs)
	}); ok {
		p := t.Proof
		p.Number, p.At, p.Code = r.Number, r.At, r.Code
		return &p, nil
	}
	id := attempts.NewID()
	p := t.Proof
	p.Number = permit.AttemptNumberPrefix + "-" + strings.ToUpper(id)
	if at.IsZero() {
		at = s.Clock.Now()
	}
	p.At = at.UTC().Truncate(time.Second)
	code, err := s.AttemptSealer.SealAttempt(&p)
	if err != nil {
		return nil, fmt.Errorf("attempt: sign: %w", err)
	}
	p.Code = code
	rec := &attempts.Record{ID: id, At: p.At, AccountID: t.AccountID, PersonID: t.PersonID, ApplicationID: t.ApplicationID,
		Posted: posted, Docs: t.Docs, FeeStamp: t.FeeStamp, Number: p.Number, Code: code, Lang: lang}
	if err := s.Journal.Append(rec); err != nil {
		return nil, err
	}
	s.Logger.Warn("filing attempt recorded in the journal; it will be replayed when the database answers",
		"attempt", id, "application", appID)
	return &p, nil
}

func sameDocs(a, b []attempts.Doc) bool {
	if len(a) != len(b) {
		return false
	}
	set := map[attempts.Doc]bool{}
	for _, d := range a {
		set[d] = true
	}
	for _, d := range b {
		if !set[d] {
			return false
		}
	}
	return true
}

// Check reads an attestation of attempt from its code, verified with the
// keys in memory: what its page and PDF show.
func (s *Attempts) Check(code string) (*AttemptProof, error) {
	res, err := s.Codes.Check(code, s.Clock.Now().In(permit.Paris))
	if err != nil {
		return nil, err
	}
	if res.Kind != permit.AttestationAttempt {
		return nil, permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	return &AttemptProof{Number: res.Number, At: res.IssuedAt, Code: strings.TrimSpace(code), GivenNames: res.GivenNames, Surname: res.Surname,
		BirthDate: res.BirthDate, Ground: res.Ground, Kind: res.ApplicationKind, Rights: res.Rights, PrefectureName: res.Prefecture}, nil
}

// Pending returns the account's attempts still waiting in this
// instance's journal, oldest first.
func (s *Attempts) Pending(acc *permit.Account) []attempts.Record {
	if s.Journal == nil || acc == nil {
		return nil
	}
	var out []attempts.Record
	for _, r := range s.Journal.Records() {
		if r.AccountID == acc.ID {
			out = append(out, r)
		}
	}
	return out
}

// Replayed returns the account's attempts the database recorded, with
// what became of each, newest first.
func (s *Attempts) Replayed(ctx context.Context, acc *permit.Account) ([]*permit.FilingAttempt, error) {
	if acc == nil || acc.Role != permit.RoleApplicant || s.Store == nil {
		return nil, nil
	}
	return s.Store.FilingAttempts(ctx, acc.ID)
}

// Replay applies every attempt of the journal the database has not
// recorded, oldest first, then compacts the journal of those it has. A
// kill at any point is harmless: an attempt is recorded in the
// transaction of its filing or refusal, and one recorded is never
// applied again. A record that fails (the database still down, a
// concurrent change) is tried again at the next round; the others go on.
func (s *Attempts) Replay(ctx context.Context) (int, error) {
	if s.Journal == nil {
		return 0, nil
	}
	recs := s.Journal.Records()
	if len(recs) == 0 {
		return 0, nil
	}
	done := map[string]bool{}
	n := 0
	compact := func() error {
		_, err := s.Journal.Compact(func(id string) bool { return done[id] })
		clear(done)
		return err
	}
	var firstErr error
	for i := range recs {
		if ctx.Err() != nil {
			break
		}
		err := s.replay(ctx, &recs[i])
		if permit.ErrorCode(err) == permit.ECONFLICT {
			continue
		}
		if err != nil {
			// Tried again at the next round; one record that fails must
			// not hold back the others.
			firstErr = cmp.Or(firstErr, fmt.Errorf("attempt %s: %w", recs[i].ID, err))
			continue
		}
		done[recs[i].ID] = true
		n++
		if len(done) == replayCompactEvery {
			if err := compact(); err != nil {
				return n, err
			}
		}
	}
	return n, errors.Join(firstErr, compact())
}

// replayCompactEvery is how many replayed records the journal drops at
// once: a long journal shrinks as it is replayed, so that a kill does not
// make the next start look again at everything done.
const replayCompactEvery = 8

// replay applies one attempt, once.
func (s *Attempts) replay(ctx context.Context, r *attempts.Record) error {
	if ok, err := s.Store.AttemptRecorded(ctx, r.ID); err != nil || ok {
		return err
	}
	fa := &permit.FilingAttempt{ID: r.ID, Number: r.Number, AccountID: r.AccountID, PersonID: r.PersonID,
		ApplicationID: r.ApplicationID, AttemptedAt: r.At, Code: r.Code}
	p, err := s.People.PersonByAccount(ctx, r.AccountID)
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		return s.refuse(ctx, nil, fa, "attempt.reason.not_found")
	} else if err != nil {
		return err
	}
	a, err := s.People.Application(ctx, r.ApplicationID)
	if permit.ErrorCode(err) == permit.ENOTFOUND || (err == nil && a.PersonID != p.ID) {
		return s.refuse(ctx, p, fa, "attempt.reason.not_found")
	} else if err != nil {
		return err
	}
	if a.State != permit.StateDraft {
		return s.refuse(ctx, p, fa, s.refusalOf(ctx, a, r.At))
	}
	c, err := s.load(ctx, p, a, false)
	if err != nil {
		return err
	}
	if !sameDocs(docsOf(c), r.Docs) || a.FeeStamp != r.FeeStamp {
		return s.refuse(ctx, p, fa, "attempt.reason.changed")
	}
	if unready(c) != nil {
		return s.refuse(ctx, p, fa, "attempt.reason.incomplete")
	}
	acc := &permit.Account{ID: r.AccountID, Role: permit.RoleApplicant}
	ev, err := permit.Transition(a, permit.ActionSubmit, actorOf(acc), r.At, "")
	if err != nil {
		return err
	}
	f, err := s.filing(c, r.At)
	if err != nil {
		return err
	}
	to, lang, err := s.recipient(ctx, p)
	if err != nil {
		return err
	}
	var mail func(*permit.Filing) *permit.Mail
	if to != "" {
		mail = func(f *permit.Filing) *permit.Mail {
			return &permit.Mail{To: to, Subject: s.Tr.T(lang, "mail.attempt.filed.subject"),
				Text: s.Tr.T(lang, "mail.attempt.filed.body", r.Number, attemptTime(r.At), f.Number, s.BaseURL+paths.Receipt.Format(a.ID))}
		}
	}
	fa.Outcome = permit.AttemptFiled
	var used *permit.FeeStampUsedError
	if err := s.Store.FileAttempt(ctx, a, ev, f, fa, mail); errors.As(err, &used) {
		return s.refuse(ctx, p, fa, "attempt.reason.fee_stamp_used")
	} else if err != nil {
		return err
	}
	s.Logger.Info("filing attempt replayed: filed as of the attempt", "attempt", r.ID, "application", a.ID, "filing", f.Number)
	s.attest.issueNow(ctx, a.ID)
	return nil
}

// refusalOf names why an application that is no longer a draft cannot
// be filed as of an attempt at: filed already before the attempt (a
// filing whose answer was lost, then pressed again while the database
// failed: nothing was lost, the earlier date stands), filed since,
// withdrawn, closed.
func (s *Attempts) refusalOf(ctx context.Context, a *permit.Application, at time.Time) string {
	switch a.State {
	case permit.StateWithdrawn:
		return "attempt.reason.withdrawn"
	case permit.StateClosed, permit.StateUnfavourable:
		return "attempt.reason.closed"
	}
	if fs, err := s.Cases.Filings(ctx, a.ID); err == nil && len(fs) > 0 && !fs[0].FiledAt.After(at) {
		return "attempt.reason.filed_before"
	}
	return "attempt.reason.already_filed"
}

// refuse records an attempt that cannot be filed, and tells the person.
func (s *Attempts) refuse(ctx context.Context, p *permit.Person, fa *permit.FilingAttempt, reason string) error {
	fa.Outcome, fa.Reason = permit.AttemptRefused, reason
	var m *permit.Mail
	if p != nil {
		to, lang, err := s.recipient(ctx, p)
		if err != nil {
			return err
		}
		if to != "" {
			m = &permit.Mail{To: to, Subject: s.Tr.T(lang, "mail.attempt.refused.subject"),
				Text: s.Tr.T(lang, "mail.attempt.refused.body", fa.Number, attemptTime(fa.AttemptedAt), s.Tr.T(lang, reason),
					s.BaseURL+paths.Application.Format(fa.ApplicationID))}
		}
	}
	if err := s.Store.RefuseAttempt(ctx, fa, m); err != nil {
		return err
	}
	s.Logger.Warn("filing attempt replayed: could not be filed", "attempt", fa.ID, "application", fa.ApplicationID, "reason", reason)
	return nil
}

// attemptTime writes an attempt's moment as mails print it, in Paris.
func attemptTime(t time.Time) string {
	return t.In(permit.Paris).Format("02/01/2006 15:04:05")
}
