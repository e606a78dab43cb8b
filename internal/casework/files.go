package casework

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
	_ "time/tzdata" // Europe/Paris everywhere

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/upload"
)

// FileStore is what the use cases on applicants' files need from the
// database.
type FileStore interface {
	Prefectures(ctx context.Context) ([]*permit.Prefecture, error)
	Prefecture(ctx context.Context, id int64) (*permit.Prefecture, error)
	StaffEmails(ctx context.Context, prefectureID int64) ([]string, error)
	AccountByID(ctx context.Context, id int64) (*permit.Account, error)
	PersonByAccount(ctx context.Context, accountID int64) (*permit.Person, error)
	Person(ctx context.Context, id int64) (*permit.Person, error)
	SaveProfile(ctx context.Context, p *permit.Person, pm *permit.Permit) error
	CurrentPermit(ctx context.Context, personID int64) (*permit.Permit, error)

	CreateApplication(ctx context.Context, a *permit.Application, actor permit.Actor) error
	Application(ctx context.Context, id int64) (*permit.Application, error)
	ApplicationsByPerson(ctx context.Context, personID int64) ([]*permit.Application, error)
	OpenApplicationOnGround(ctx context.Context, personID int64, ground permit.GroundID) (*permit.Application, error)
	SetFeeStamp(ctx context.Context, applicationID int64, stamp string) error
	Transition(ctx context.Context, a *permit.Application, ev *permit.Event) error
	Events(ctx context.Context, applicationID int64) ([]*permit.Event, error)

	AddDocument(ctx context.Context, d *permit.Document) error
	RemoveDocument(ctx context.Context, applicationID int64, slot string) error
	Documents(ctx context.Context, applicationID int64) ([]*permit.Document, error)
	Document(ctx context.Context, id int64) (*permit.Document, error)
	StorageUsed(ctx context.Context, personID int64) (int64, error)

	File(ctx context.Context, a *permit.Application, ev *permit.Event, f *permit.Filing) error
	Complete(ctx context.Context, a *permit.Application, ev *permit.Event, f *permit.Filing, requestID int64) error
	Filings(ctx context.Context, applicationID int64) ([]*permit.Filing, error)
	RequestCompletion(ctx context.Context, a *permit.Application, ev *permit.Event, cr *permit.CompletionRequest, m *permit.Mail) error
	CompletionRequests(ctx context.Context, applicationID int64) ([]*permit.CompletionRequest, error)
	AddMessage(ctx context.Context, msg *permit.Message, m *permit.Mail) error
	Messages(ctx context.Context, applicationID int64) ([]*permit.Message, error)
	EnqueueMail(ctx context.Context, m *permit.Mail) error
	DecisionStore
	ExportStore
	AuditStore
	CounterStore
	CorrectionStore
	SupportStore
	ContactStore
}

// Blobs keeps the content of uploaded files, addressed by SHA-256.
type Blobs interface {
	Put(ctx context.Context, data []byte) (sum string, err error)
	Open(ctx context.Context, sum string) (io.ReadCloser, error)
}

// Files are the use cases of an applicant's file: profile, applications,
// documents, filing, completion, withdrawal and messages, and the
// prefecture's side of completion requests and messages. Every method
// takes the acting account and checks, first, that it may see the
// application: another person's file is "not found".
type Files struct {
	Store   FileStore
	Blobs   Blobs
	Rules   *rules.Catalogue
	Mail    MailQueue
	Tr      Translator
	Clock   clock.Clock
	Logger  *slog.Logger
	BaseURL string
	Limits  upload.Limits
	Quota   int64 // bytes of documents a person may store, every version counted

	Attest   AttestationStore
	Sealer   Sealer
	Codes    CodeChecker
	Issuance IssuanceQueue // retries issuing that failed at once; may be nil
	LeadDays int           // how many days before it starts an attestation is made available

	slotsOnce sync.Once
	slots     chan struct{}
}

var errNotFound = permit.Errorf(permit.ENOTFOUND, "error.not_found")

// own returns the applicant's person and one of their applications, or
// ENOTFOUND when the application is someone else's.
func (s *Files) own(ctx context.Context, acc *permit.Account, appID int64) (*permit.Person, *permit.Application, error) {
	if acc == nil || acc.Role != permit.RoleApplicant {
		return nil, nil, errNotFound
	}
	p, err := s.Store.PersonByAccount(ctx, acc.ID)
	if err != nil {
		return nil, nil, errNotFound
	}
	a, err := s.Store.Application(ctx, appID)
	if err != nil || a.PersonID != p.ID {
		return nil, nil, errNotFound
	}
	return p, a, nil
}

// staff returns an application an agent may work on: one of their
// prefectures' (an admin sees all), or ENOTFOUND.
func (s *Files) staff(ctx context.Context, acc *permit.Account, appID int64) (*permit.Application, error) {
	if !acc.Staff() {
		return nil, errNotFound
	}
	a, err := s.Store.Application(ctx, appID)
	if err != nil || !acc.WorksFor(a.PrefectureID) {
		return nil, errNotFound
	}
	return a, nil
}

// applicantSide returns the person and application an account may work on
// as the applicant: the applicant's own, or, for staff of the
// application's prefecture, one started on the person's behalf (at the
// counter, by phone or on paper) that the person has not yet taken over
// online. Every rule of the file applies to both alike; only the actor
// recorded differs.
func (s *Files) applicantSide(ctx context.Context, acc *permit.Account, appID int64) (*permit.Person, *permit.Application, error) {
	if acc != nil && acc.Role == permit.RoleApplicant {
		return s.own(ctx, acc, appID)
	}
	a, err := s.staff(ctx, acc, appID)
	if err != nil {
		return nil, nil, err
	}
	ob, err := s.Store.OnBehalf(ctx, a.ID)
	if err != nil {
		return nil, nil, err
	}
	if !ob.Assisted() {
		return nil, nil, permit.Errorf(permit.ECONFLICT, "counter.error.not_on_behalf")
	}
	p, err := s.Store.Person(ctx, a.PersonID)
	if err != nil {
		return nil, nil, err
	}
	return p, a, nil
}

// recipient is where mails about a person's file go: their account's
// address, or the contact address an agent recorded for a person without
// an account; "" when there is none, and the mail is not written.
func (s *Files) recipient(ctx context.Context, p *permit.Person) (to, lang string, err error) {
	if p.AccountID == 0 {
		// No account, so no chosen language: the default, French.
		return p.ContactEmail, i18n.Default, nil
	}
	acc, err := s.Store.AccountByID(ctx, p.AccountID)
	if err != nil {
		return "", "", err
	}
	return acc.Email, acc.Lang, nil
}

func actorOf(acc *permit.Account) permit.Actor {
	if acc.Role == permit.RoleApplicant {
		return permit.Actor{Kind: permit.ActorApplicant, AccountID: acc.ID}
	}
	return permit.Actor{Kind: permit.ActorAgent, AccountID: acc.ID}
}

func contains[T comparable](xs []T, x T) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// paris is where civil days are counted: a renewal filed at 23:30 UTC in
// winter is filed on the next day there.
var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic("casework: no Europe/Paris time zone: " + err.Error())
	}
	return loc
}()

// day returns the civil day of t, at midnight UTC.
func day(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// notify writes a mail to the outbox and announces it to the queue.
func (s *Files) notify(ctx context.Context, m *permit.Mail) {
	if err := s.Store.EnqueueMail(ctx, m); err != nil {
		s.Logger.Error("mail not queued", "to", m.To, "err", err)
		return
	}
	s.announce(ctx, m)
}

func (s *Files) announce(ctx context.Context, m *permit.Mail) {
	if s.Mail == nil || m == nil || m.ID == 0 {
		return
	}
	if err := s.Mail.MailQueued(ctx, m.ID); err != nil {
		s.Logger.Warn("mail queued but not announced; the sweep will deliver it", "mail", m.ID, "err", err)
	}
}
