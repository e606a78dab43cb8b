package casework

import (
	"context"
	"io"
	"log/slog"
	"sync"
	_ "time/tzdata" // Europe/Paris everywhere

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/upload"
)

// CoreStore is what every use case reads or writes through the shared
// core: the gates (an account's person, an application, who acts on whose
// behalf), the prefectures, the outbox, the audit trail and the state
// machine's only write.
type CoreStore interface {
	AccountByID(ctx context.Context, id int64) (*permit.Account, error)
	PersonByAccount(ctx context.Context, accountID int64) (*permit.Person, error)
	Person(ctx context.Context, id int64) (*permit.Person, error)
	CurrentPermit(ctx context.Context, personID int64) (*permit.Permit, error)
	Application(ctx context.Context, id int64) (*permit.Application, error)
	ApplicationsByPerson(ctx context.Context, personID int64) ([]*permit.Application, error)
	OnBehalf(ctx context.Context, applicationID int64) (*permit.OnBehalf, error)
	Prefectures(ctx context.Context) ([]*permit.Prefecture, error)
	Prefecture(ctx context.Context, id int64) (*permit.Prefecture, error)
	StaffAccounts(ctx context.Context) ([]*permit.Account, error)
	StorageUsed(ctx context.Context, personID int64) (int64, error)
	Transition(ctx context.Context, a *permit.Application, ev *permit.Event) error
	EnqueueMail(ctx context.Context, m *permit.Mail) error
	// RecordAudit appends the entries the context carries, in a
	// transaction of their own.
	RecordAudit(ctx context.Context) error
}

// CaseStore reads the parts of a case: what loading a whole application,
// its timeline and a person's history needs.
type CaseStore interface {
	Events(ctx context.Context, applicationID int64) ([]*permit.Event, error)
	Documents(ctx context.Context, applicationID int64) ([]*permit.Document, error)
	Document(ctx context.Context, id int64) (*permit.Document, error)
	DocumentReviews(ctx context.Context, applicationID int64) ([]*permit.DocumentReview, error)
	Filings(ctx context.Context, applicationID int64) ([]*permit.Filing, error)
	CompletionRequests(ctx context.Context, applicationID int64) ([]*permit.CompletionRequest, error)
	Messages(ctx context.Context, applicationID int64) ([]*permit.Message, error)
	Decision(ctx context.Context, applicationID int64) (*permit.Decision, error)
	Appointment(ctx context.Context, applicationID int64) (*permit.Appointment, error)
	Attestations(ctx context.Context, applicationID int64) ([]*permit.Attestation, error)
	Transfers(ctx context.Context, applicationID int64) ([]*permit.Transfer, error)
	Permits(ctx context.Context, personID int64) ([]*permit.Permit, error)
	CorrectionsByPerson(ctx context.Context, personID int64) ([]*permit.Correction, error)
	PersonChanges(ctx context.Context, personID int64) ([]permit.PersonChange, error)
}

// ApplicationStore is what the applicant's file writes.
type ApplicationStore interface {
	SaveProfile(ctx context.Context, p *permit.Person, pm *permit.Permit) error
	CreateApplication(ctx context.Context, a *permit.Application, actor permit.Actor) error
	OpenApplicationOnGround(ctx context.Context, personID int64, ground permit.GroundID) (*permit.Application, error)
	File(ctx context.Context, a *permit.Application, ev *permit.Event, f *permit.Filing, mail func(*permit.Filing) *permit.Mail) error
	Complete(ctx context.Context, a *permit.Application, ev *permit.Event, f *permit.Filing, requestID int64) error
	// Overview reads at once what an applicant's dashboard shows: the
	// person of the account (nil before a profile), their current
	// permit, applications, with their prefectures, documents,
	// completion requests and attestations, the account's replayed
	// attempts and at most declarations pre-hire declarations.
	Overview(ctx context.Context, accountID int64, declarations int) (*permit.Overview, error)
}

// DocumentStore is what the documents of a file write.
type DocumentStore interface {
	// AddDocuments records new files of one slot, at most max current
	// ones (a slot of one file has it replaced); EINVALID when full, and
	// EINVALID upload.quota for bytes that would pass the person's
	// quota, checked in its transaction (as AddMessage does).
	AddDocuments(ctx context.Context, applicationID int64, slot string, ds []*permit.Document, max int, quota int64) error
	// RemoveDocument removes one current file of a slot; ENOTFOUND when
	// it is not one.
	RemoveDocument(ctx context.Context, applicationID int64, slot string, documentID int64) error
	SetFeeStamp(ctx context.Context, applicationID int64, stamp string) error
	SetPhotoCode(ctx context.Context, applicationID int64, code string) error
}

// MessageStore is what the messages of an application write.
type MessageStore interface {
	AddMessage(ctx context.Context, msg *permit.Message, quota int64, mails ...*permit.Mail) error
	StaffEmails(ctx context.Context, prefectureID int64) ([]string, error)
}

// ProfileStore saves a person's profile (the counter creates persons).
type ProfileStore interface {
	SaveProfile(ctx context.Context, p *permit.Person, pm *permit.Permit) error
}

// Blobs keeps the content of uploaded files, addressed by SHA-256.
type Blobs interface {
	Put(ctx context.Context, data []byte) (sum string, err error)
	Open(ctx context.Context, sum string) (io.ReadCloser, error)
}

// Config is what the use cases share besides the database: the files'
// storage, the legal catalogue, the mail queue, the translations, the
// clock, the limits of uploads and the attestations' signing.
type Config struct {
	Blobs   Blobs
	Rules   *rules.Catalogue
	Tr      Translator
	Clock   clock.Clock
	Logger  *slog.Logger
	BaseURL string
	Limits  upload.Limits
	// Checks bounds the checks of uploaded content running at once in
	// the process, shared with the verifier's photos; nil: a gate of
	// this use cases' own.
	Checks *upload.Gate
	Quota  int64 // bytes of documents a person may store, every version counted

	Sealer   Sealer
	Codes    CodeChecker
	LeadDays int // how many days before it starts an attestation is made available
	// PDFs renders attestations, whose PDFs are kept in Blobs when they
	// are signed (nil: rendered on each download, as in unit tests).
	PDFs PDFRenderer

	// The filings attempted while the database is down (Attempts): the
	// local journal, the tokens pages carry, the signer that needs no
	// database. Without them a failed filing is only an error.
	Journal       AttemptJournal
	Tokens        TokenSigner
	AttemptSealer AttemptSealer

	// Webhooks posts the follow-ups' events (nil: none posted, the jobs
	// retry); WebhookLoopback admits http to loopback addresses
	// (development and tests only).
	Webhooks        WebhookPoster
	WebhookLoopback bool
}

// core is what every use case shares: the configuration, the gates that
// decide who may see which file (own, staff, applicantSide), the reading
// of a whole case (load), the checks of uploaded content and the mails.
// Each use-case type embeds it, with the store of its own room beside.
type core struct {
	Config
	People CoreStore
	Cases  CaseStore
	// Calendar holds the outages that relieve deadlines; nil relieves
	// nothing (unit tests of other rooms).
	Calendar OutageCalendar
	// Snapshots lets a case's many reads share one read transaction
	// (nil: each its own, in unit tests of other rooms).
	Snapshots Snapshotter

	gateOnce sync.Once
	checks   *upload.Gate
}

var errNotFound = permit.Errorf(permit.ENOTFOUND, "error.not_found")

// own returns the applicant's person and one of their applications, or
// ENOTFOUND when the application is someone else's.
func (s *core) own(ctx context.Context, acc *permit.Account, appID int64) (*permit.Person, *permit.Application, error) {
	if acc == nil || acc.Role != permit.RoleApplicant {
		return nil, nil, errNotFound
	}
	// A database that does not answer is not "not found": the caller
	// must know the portal failed (a filing then becomes an attempt).
	p, err := s.People.PersonByAccount(ctx, acc.ID)
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		return nil, nil, errNotFound
	} else if err != nil {
		return nil, nil, err
	}
	a, err := s.People.Application(ctx, appID)
	if permit.ErrorCode(err) == permit.ENOTFOUND || (err == nil && a.PersonID != p.ID) {
		return nil, nil, errNotFound
	} else if err != nil {
		return nil, nil, err
	}
	return p, a, nil
}

// staff returns an application an agent may work on: one of their
// prefectures' (an admin sees all), or ENOTFOUND.
func (s *core) staff(ctx context.Context, acc *permit.Account, appID int64) (*permit.Application, error) {
	if !acc.Staff() {
		return nil, errNotFound
	}
	a, err := s.People.Application(ctx, appID)
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
func (s *core) applicantSide(ctx context.Context, acc *permit.Account, appID int64) (*permit.Person, *permit.Application, error) {
	if acc != nil && acc.Role == permit.RoleApplicant {
		return s.own(ctx, acc, appID)
	}
	a, err := s.staff(ctx, acc, appID)
	if err != nil {
		return nil, nil, err
	}
	ob, err := s.People.OnBehalf(ctx, a.ID)
	if err != nil {
		return nil, nil, err
	}
	if !ob.Assisted() {
		return nil, nil, permit.Errorf(permit.ECONFLICT, "counter.error.not_on_behalf")
	}
	p, err := s.People.Person(ctx, a.PersonID)
	if err != nil {
		return nil, nil, err
	}
	return p, a, nil
}

// recipient is where mails about a person's file go: their account's
// address, or the contact address an agent recorded for a person without
// an account; "" when there is none, and the mail is not written.
func (s *core) recipient(ctx context.Context, p *permit.Person) (to, lang string, err error) {
	if p.AccountID == 0 {
		// No account, so no chosen language: the default, French.
		return p.ContactEmail, i18n.Default, nil
	}
	acc, err := s.People.AccountByID(ctx, p.AccountID)
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
