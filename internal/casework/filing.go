package casework

import (
	"context"
	"encoding/json"
	"time"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// snapshot is the immutable record of what was filed.
type snapshot struct {
	FiledAt  time.Time       `json:"filed_at"`
	Kind     permit.Kind     `json:"kind"`
	Ground   permit.GroundID `json:"ground"`
	Person   snapshotPerson  `json:"person"`
	Permit   *snapshotPermit `json:"permit,omitempty"`
	FeeStamp string          `json:"fee_stamp"`
	// PhotoCode is the e-photo code given, if any.
	PhotoCode string            `json:"photo_code,omitempty"`
	Docs      []FiledDoc        `json:"documents"`
	Rules     string            `json:"rules_version"`
	Extra     map[string]string `json:"extra,omitempty"`
}

type snapshotPerson struct {
	GivenNames, Surname, BirthDate, BirthPlace, Nationality, ForeignerNumber string
	Address                                                                  permit.Address
}

type snapshotPermit struct {
	Ground   permit.GroundID
	Number   string
	ValidTo  time.Time
	Declared bool
}

// FiledDoc is one document as filed: what the receipt lists.
type FiledDoc struct {
	Slot     string `json:"slot"`
	Filename string `json:"filename"`
	SHA256   string `json:"sha256"`
	Size     int64  `json:"size"`
	Kind     string `json:"kind"`
}

// File submits a draft. Every required document must be there, and the
// fee stamp; the application moves to "submitted" with a snapshot and a
// filing receipt number. Filing again what is already filed (a double
// click, a retry after a network error) returns the existing filing. The
// filing uses the fee stamp: one that another application holds (a
// draft's number taken by another before the stamps were held at once,
// migration 0022) is a *permit.FeeStampUsedError on the fee_stamp field,
// checked in the filing's transaction.
func (s *Applications) File(ctx context.Context, acc *permit.Account, appID int64) (*permit.Filing, error) {
	p, a, err := s.applicantSide(ctx, acc, appID)
	if err != nil {
		return nil, err
	}
	if a.State != permit.StateDraft {
		// Filed already (a double click, a retry): its receipt is owed
		// whatever happened to the first try.
		s.attest.issueNow(ctx, a.ID)
		return s.lastFiling(ctx, a)
	}
	c, err := s.load(ctx, p, a, false)
	if err != nil {
		return nil, err
	}
	if err := unready(c); err != nil {
		return nil, err
	}
	ev, err := permit.Transition(a, permit.ActionSubmit, actorOf(acc), s.Clock.Now(), "")
	if err != nil {
		return nil, err
	}
	f, err := s.filing(c, ev.At)
	if err != nil {
		return nil, err
	}
	to, lang, err := s.recipient(ctx, p)
	if err != nil {
		return nil, err
	}
	var mail func(*permit.Filing) *permit.Mail
	if to != "" {
		mail = func(f *permit.Filing) *permit.Mail {
			return &permit.Mail{To: to, Subject: s.Tr.T(lang, "mail.filed.subject"),
				Text: s.Tr.T(lang, "mail.filed.body", f.Number, s.BaseURL+paths.Receipt.Format(a.ID))}
		}
	}
	// The filing, its mail and the job that issues its receipt commit
	// together; issuing at once below only saves the applicant a wait.
	if err := s.Store.File(acting(ctx, acc, a, "counter_file", ""), a, ev, f, mail); err != nil {
		if permit.ErrorCode(err) == permit.ECONFLICT {
			return s.lastFiling(ctx, a)
		}
		return nil, err
	}
	s.attest.issueNow(ctx, a.ID)
	return f, nil
}

// unready says what a draft lacks to be filed: a required document, the
// fee stamp; nil when it can be filed.
func unready(c *Case) error {
	errs := map[string]string{}
	if len(c.Missing()) > 0 {
		errs["documents"] = "file.error.missing_documents"
	}
	if !permit.ValidFeeStamp(c.App.FeeStamp) {
		errs["fee_stamp"] = "file.error.fee_stamp"
	}
	return permit.Invalid(errs)
}

// lastFiling returns the newest filing of an application that was filed.
func (s *core) lastFiling(ctx context.Context, a *permit.Application) (*permit.Filing, error) {
	fs, err := s.Cases.Filings(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	if len(fs) == 0 {
		return nil, permit.Errorf(permit.ECONFLICT, "error.transition.state")
	}
	return fs[len(fs)-1], nil
}

// filing makes the snapshot of a case as it is filed.
func (s *core) filing(c *Case, at time.Time) (*permit.Filing, error) {
	return FilingOf(s.Rules, c, at)
}

// FilingOf makes the filing of a case as it is filed at at, with the
// snapshot of what was filed (the person, the permit, the documents of
// the checklist) under the catalogue's version. `sejour populate` writes
// its filings with it.
func FilingOf(cat *rules.Catalogue, c *Case, at time.Time) (*permit.Filing, error) {
	p := c.Person
	snap := snapshot{FiledAt: at, Kind: c.App.Kind, Ground: c.App.Ground, FeeStamp: c.App.FeeStamp, PhotoCode: c.App.PhotoCode, Rules: cat.Version,
		Person: snapshotPerson{p.GivenNames, p.Surname, p.BirthDate, p.BirthPlace, p.Nationality, p.ForeignerNumber, p.Address}}
	if c.Permit != nil {
		snap.Permit = &snapshotPermit{Ground: c.Permit.Ground, Number: c.Permit.Number, ValidTo: c.Permit.ValidTo, Declared: c.Permit.ConfirmedAt == nil}
	}
	for _, it := range c.Checklist {
		for _, d := range c.CurrentDocuments(it.Doc.ID) {
			snap.Docs = append(snap.Docs, FiledDoc{Slot: d.Slot, Filename: d.Filename, SHA256: d.BlobSum, Size: d.Size, Kind: d.Kind})
		}
	}
	b, err := json.Marshal(snap)
	if err != nil {
		return nil, err
	}
	return &permit.Filing{ApplicationID: c.App.ID, Snapshot: b}, nil
}

// Receipt is what a filing receipt shows.
type Receipt struct {
	Case   *Case
	Filing *permit.Filing
	Docs   []FiledDoc
	// Channel is how the application came in: a paper filing's receipt is
	// a récépissé, filed at the prefecture.
	Channel permit.Channel
	// ClaimCode is printed when an agent has just issued one, with when
	// it stops working; empty otherwise (the code is shown only once).
	ClaimCode    string
	ClaimExpires time.Time
	// Attestation is the filing receipt as issued and signed (nil until
	// it is): its number is the one the receipt prints, its code the QR.
	Attestation *permit.Attestation
	// VerifyURL is the public page where its code can be checked.
	VerifyURL string
}

// Number is the receipt's one number: the issued receipt's, which is its
// first filing's; the filing's until it is issued.
func (r *Receipt) Number() string {
	if r.Attestation != nil {
		return r.Attestation.Number
	}
	return r.Filing.Number
}

// Code is the receipt's signed code, or "" until it is signed.
func (r *Receipt) Code() string {
	if r.Attestation != nil {
		return r.Attestation.Code
	}
	return ""
}

// Paper reports whether the application was filed from a paper form.
func (r *Receipt) Paper() bool { return r.Channel == permit.ChannelPaper }

// Receipt returns the filing receipt (attestation de dépôt) of the
// application's latest filing, or ENOTFOUND before it is filed.
func (s *Applications) Receipt(ctx context.Context, acc *permit.Account, appID int64) (*Receipt, error) {
	c, err := s.View(ctx, acc, appID)
	if err != nil {
		return nil, err
	}
	return s.receiptOf(ctx, c)
}

// receiptOf makes the receipt of a case's latest filing.
func (s *core) receiptOf(ctx context.Context, c *Case) (*Receipt, error) {
	if len(c.Filings) == 0 {
		return nil, errNotFound
	}
	f := c.Filings[len(c.Filings)-1]
	var snap snapshot
	if err := json.Unmarshal(f.Snapshot, &snap); err != nil {
		return nil, err
	}
	ob, err := s.People.OnBehalf(ctx, c.App.ID)
	if err != nil {
		return nil, err
	}
	// The receipt names the prefecture the file was filed with, even
	// after the application moved to another one.
	filed := *c
	filed.Prefecture = issuerAt(c.Moves, c.Prefecture, f.FiledAt)
	rc := &Receipt{Case: &filed, Filing: f, Docs: snap.Docs, Channel: ob.Channel, VerifyURL: s.BaseURL + paths.Verify.String()}
	atts, err := s.Cases.Attestations(ctx, c.App.ID)
	if err != nil {
		return nil, err
	}
	for _, a := range atts {
		if a.Kind == permit.AttestationFilingReceipt && a.SupersededAt == nil && a.RevokedAt == nil &&
			(rc.Attestation == nil || a.Version > rc.Attestation.Version) {
			rc.Attestation = a
		}
	}
	return rc, nil
}

// Resubmit answers a completion request: every requested document must
// have been uploaded since the request; the application returns to review
// with a new filing.
func (s *Applications) Resubmit(ctx context.Context, acc *permit.Account, appID int64) (*permit.Filing, error) {
	p, a, err := s.applicantSide(ctx, acc, appID)
	if err != nil {
		return nil, err
	}
	c, err := s.load(ctx, p, a, false)
	if err != nil {
		return nil, err
	}
	if a.State != permit.StateIncomplete || c.OpenRequest == nil {
		if a.State == permit.StateUnderReview {
			return s.lastFiling(ctx, a)
		}
		return nil, permit.Errorf(permit.ECONFLICT, "error.transition.state")
	}
	for _, it := range c.Checklist {
		if it.Requested && !answered(c, it.Doc, c.OpenRequest.RequestedAt) {
			return nil, permit.Invalid(map[string]string{"documents": "complete.error.missing"})
		}
	}
	ev, err := permit.Transition(a, permit.ActionComplete, actorOf(acc), s.Clock.Now(), "")
	if err != nil {
		return nil, err
	}
	f, err := s.filing(c, ev.At)
	if err != nil {
		return nil, err
	}
	if err := s.Store.Complete(acting(ctx, acc, a, "counter_resubmit", ""), a, ev, f, c.OpenRequest.ID); err != nil {
		if permit.ErrorCode(err) == permit.ECONFLICT {
			return s.lastFiling(ctx, a)
		}
		return nil, err
	}
	return f, nil
}

// answered reports whether a slot a completion request asked for was
// answered: a current file given since the request, or, for a document
// given as a code, the code (whose changes are not dated).
func answered(c *Case, d *rules.Document, since time.Time) bool {
	for _, f := range c.CurrentDocuments(d.ID) {
		if !f.UploadedAt.Before(since) {
			return true
		}
	}
	return d.Code != nil && c.Provided(d)
}

// issueNowTimeout bounds issuing at once, after the write that made it
// owed: the job that write queued does it otherwise.
const issueNowTimeout = 10 * time.Second

// issueNow issues what a change of state makes due, at once, so that the
// applicant need not wait for the job. It is never the only way: the
// write that made the attestations owed queued, in its own transaction,
// the job that issues them (store.JobIssueAttestations), and the sweep
// finds any application still due. It does not depend on the request: a
// closed connection does not stop it halfway.
func (s *Attestations) issueNow(ctx context.Context, appID int64) {
	if s.Store == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), issueNowTimeout)
	defer cancel()
	if _, err := s.IssueDue(ctx, appID); err != nil {
		s.Logger.Warn("attestation not issued now; the job queued with the change will issue it", "application", appID, "err", err)
	}
}

// Withdraw ends an application at the applicant's request.
func (s *Applications) Withdraw(ctx context.Context, acc *permit.Account, appID int64, reason string) error {
	_, a, err := s.own(ctx, acc, appID)
	if err != nil {
		return err
	}
	if len([]rune(reason)) > 1000 {
		return permit.Invalid(map[string]string{"reason": "profile.error.too_long"})
	}
	ev, err := permit.Transition(a, permit.ActionWithdraw, actorOf(acc), s.Clock.Now(), reason)
	if err != nil {
		return err
	}
	return s.People.Transition(ctx, a, ev)
}
