package casework

import (
	"context"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
)

// CorrectionStore keeps civil-data correction requests and the person's
// history.
type CorrectionStore interface {
	// RequestCorrection refuses, with EINVALID upload.quota, evidence that
	// would pass the person's quota, checked in its transaction.
	RequestCorrection(ctx context.Context, c *permit.Correction, quota int64, m *permit.Mail) error
	AcceptCorrection(ctx context.Context, c *permit.Correction, m *permit.Mail) ([]permit.Reissue, error)
	RefuseCorrection(ctx context.Context, c *permit.Correction, m *permit.Mail) error
	WithdrawCorrection(ctx context.Context, c *permit.Correction) error
	Correction(ctx context.Context, id int64) (*permit.Correction, error)
	PendingCorrections(ctx context.Context, prefectureIDs []int64) ([]*permit.Correction, error)
}

// What staff reviewing a correction is recorded as in the audit trail.
const (
	ActionCorrectionView   = "correction" + ".view"
	ActionCorrectionAccept = "correction" + ".accept"
	ActionCorrectionRefuse = "correction" + ".refuse"
)

// IdentityLocked reports whether the person's civil data may no longer be
// edited freely by the applicant: once a prefecture confirmed it, or once
// anything was filed on it (a receipt or an attestation carries it), it is
// corrected only through a request with evidence.
func (s *core) IdentityLocked(ctx context.Context, p *permit.Person) (bool, error) {
	if p == nil || p.ID == 0 {
		return false, nil
	}
	apps, err := s.People.ApplicationsByPerson(ctx, p.ID)
	if err != nil {
		return false, err
	}
	states := make([]permit.State, len(apps))
	for i, a := range apps {
		states[i] = a.State
	}
	return permit.IdentityLocked(p.ConfirmedAt != nil, states), nil
}

// CorrectionForm is an applicant's request: the civil data as it should
// read (every civil field; those left as they are change nothing), the
// dates of the declared current permit if they are wrong, why, and a
// document that shows it.
type CorrectionForm struct {
	Identity    ProfileForm // only the civil fields and PermitFrom, PermitTo are read
	Explanation string
	Filename    string
	Evidence    []byte
}

// maxExplanation bounds an applicant's explanation.
const maxExplanation = 2000

// RequestCorrection records a correction request: the fields that differ
// from the person's data, the explanation, and the evidence, checked like
// any document. Nothing changes until an agent accepts it.
func (s *Corrections) RequestCorrection(ctx context.Context, acc *permit.Account, f CorrectionForm) (*permit.Correction, error) {
	if acc == nil || acc.Role != permit.RoleApplicant {
		return nil, errNotFound
	}
	p, err := s.People.PersonByAccount(ctx, acc.ID)
	if err != nil {
		return nil, err
	}
	errs := map[string]string{}
	want := &permit.Person{}
	s.validateCivil(want, f.Identity, errs)
	explanation := strings.TrimSpace(f.Explanation)
	if utf8.RuneCountInString(explanation) > maxExplanation {
		errs["explanation"] = "profile.error.too_long"
	}
	if len(f.Evidence) == 0 {
		errs["evidence"] = "correction.error.evidence"
	}
	c := &permit.Correction{PersonID: p.ID, RequestedBy: acc.ID, Explanation: explanation}
	if len(errs) == 0 {
		was, now := p.Fields(), want.Fields()
		for i, name := range was {
			if permit.IsCivilField(name.Name) && now[i].Value != name.Value {
				c.Fields = append(c.Fields, permit.PersonChange{PersonID: p.ID, Field: name.Name, Old: name.Value, New: now[i].Value})
			}
		}
		dates, err := s.permitDates(ctx, p, f.Identity, errs)
		if err != nil {
			return nil, err
		}
		c.Fields = append(c.Fields, dates...)
		if len(c.Fields) == 0 && len(errs) == 0 {
			errs["identity"] = "correction.error.nothing"
		}
	}
	if err := permit.Invalid(errs); err != nil {
		return nil, err
	}
	d, err := s.store(ctx, p, acc, f.Filename, f.Evidence)
	if err != nil {
		return nil, permit.AsField("evidence", err)
	}
	c.Evidence = *d
	if err := s.Store.RequestCorrection(ctx, c, s.Quota, nil); err != nil {
		return nil, permit.AsField("evidence", err)
	}
	return c, nil
}

// Corrections returns the applicant's correction requests, newest first.
func (s *Corrections) Corrections(ctx context.Context, acc *permit.Account) ([]*permit.Correction, error) {
	p, err := s.applicantPerson(ctx, acc)
	if err != nil || p == nil {
		return nil, err
	}
	return s.Cases.CorrectionsByPerson(ctx, p.ID)
}

// History returns the changes made to the applicant's own data.
func (s *Corrections) History(ctx context.Context, acc *permit.Account) ([]permit.PersonChange, error) {
	p, err := s.applicantPerson(ctx, acc)
	if err != nil || p == nil {
		return nil, err
	}
	return s.Cases.PersonChanges(ctx, p.ID)
}

// applicantPerson returns the applicant's person, or nil before their
// first profile.
func (s *core) applicantPerson(ctx context.Context, acc *permit.Account) (*permit.Person, error) {
	if acc == nil || acc.Role != permit.RoleApplicant {
		return nil, errNotFound
	}
	p, err := s.People.PersonByAccount(ctx, acc.ID)
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		return nil, nil
	}
	return p, err
}

// WithdrawCorrection closes the applicant's own pending request.
func (s *Corrections) WithdrawCorrection(ctx context.Context, acc *permit.Account, id int64) error {
	c, err := s.ownCorrection(ctx, acc, id)
	if err != nil {
		return err
	}
	return s.Store.WithdrawCorrection(ctx, c)
}

func (s *Corrections) ownCorrection(ctx context.Context, acc *permit.Account, id int64) (*permit.Correction, error) {
	p, err := s.applicantPerson(ctx, acc)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, errNotFound
	}
	c, err := s.Store.Correction(ctx, id)
	if err != nil || c.PersonID != p.ID {
		return nil, errNotFound
	}
	return c, nil
}

// CorrectionEvidence opens the evidence of a request, for its applicant
// or for staff of the person's prefecture (recorded in the audit trail).
// The caller closes the reader.
func (s *Corrections) CorrectionEvidence(ctx context.Context, acc *permit.Account, id int64) (*permit.Document, io.ReadCloser, error) {
	var c *permit.Correction
	var err error
	if acc.Staff() {
		var p *permit.Person
		if c, p, err = s.staffCorrection(ctx, acc, id); err != nil {
			return nil, nil, err
		}
		e := audit.Entry{ActorAccountID: acc.ID, Action: ActionCorrectionView, PrefectureID: p.PrefectureID, PersonID: p.ID, Detail: itoa(c.ID) + " evidence"}
		if err := s.People.RecordAudit(audit.With(ctx, e)); err != nil {
			return nil, nil, err
		}
	} else if c, err = s.ownCorrection(ctx, acc, id); err != nil {
		return nil, nil, err
	}
	rc, err := s.Blobs.Open(ctx, c.Evidence.BlobSum)
	if err != nil {
		return nil, nil, err
	}
	d := c.Evidence
	return &d, rc, nil
}

// staffCorrection returns a request of a person whom one of the staff
// member's prefectures serves, or ENOTFOUND.
func (s *Corrections) staffCorrection(ctx context.Context, acc *permit.Account, id int64) (*permit.Correction, *permit.Person, error) {
	if !acc.Staff() {
		return nil, nil, errNotFound
	}
	c, err := s.Store.Correction(ctx, id)
	if err != nil {
		return nil, nil, errNotFound
	}
	p, err := s.counterPerson(ctx, acc, c.PersonID)
	if err != nil {
		return nil, nil, err
	}
	return c, p, nil
}

// CorrectionRow is a line of the agent's list of pending requests.
type CorrectionRow struct {
	Correction *permit.Correction
	Person     *permit.Person
}

// PendingCorrections lists the requests awaiting the staff member's
// prefectures, oldest first.
func (s *Corrections) PendingCorrections(ctx context.Context, acc *permit.Account) ([]CorrectionRow, error) {
	if !acc.Staff() {
		return nil, errNotFound
	}
	var prefs []int64
	if !acc.Admin() {
		prefs = append([]int64{}, acc.Prefectures...)
	}
	cs, err := s.Store.PendingCorrections(ctx, prefs)
	if err != nil {
		return nil, err
	}
	out := make([]CorrectionRow, 0, len(cs))
	for _, c := range cs {
		p, err := s.People.Person(ctx, c.PersonID)
		if err != nil {
			return nil, err
		}
		out = append(out, CorrectionRow{Correction: c, Person: p})
	}
	return out, nil
}

// CorrectionReview is what an agent sees to decide a request.
type CorrectionReview struct {
	Correction *permit.Correction
	Person     *permit.Person
	History    []permit.PersonChange
	// Reissued are the attestations that accepting would reissue.
	Reissued []*permit.Attestation
	// Applications are the person's, for links to their files.
	Applications []*permit.Application
}

// ReviewCorrection opens a request for an agent; the opening is recorded.
func (s *Corrections) ReviewCorrection(ctx context.Context, acc *permit.Account, id int64) (*CorrectionReview, error) {
	c, p, err := s.staffCorrection(ctx, acc, id)
	if err != nil {
		return nil, err
	}
	e := audit.Entry{ActorAccountID: acc.ID, Action: ActionCorrectionView, PrefectureID: p.PrefectureID, PersonID: p.ID, Detail: itoa(c.ID)}
	if err := s.People.RecordAudit(audit.With(ctx, e)); err != nil {
		return nil, err
	}
	out := &CorrectionReview{Correction: c, Person: p}
	if out.History, err = s.Cases.PersonChanges(ctx, p.ID); err != nil {
		return nil, err
	}
	if out.Applications, err = s.People.ApplicationsByPerson(ctx, p.ID); err != nil {
		return nil, err
	}
	rs, err := s.reissues(ctx, out.Applications)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		out.Reissued = append(out.Reissued, r.Old)
	}
	return out, nil
}

// reissues lists the attestations of a person's applications that still
// prove something, or will: accepting a correction gives each a new
// version with the same number and dates (the store decides the same in
// the acceptance's own transaction; this list is what the agent is shown
// beforehand). Expired, superseded and revoked ones are history and stay
// as they were.
func (s *Corrections) reissues(ctx context.Context, apps []*permit.Application) ([]permit.Reissue, error) {
	if s.Cases == nil {
		return nil, nil
	}
	now := s.Clock.Now()
	var out []permit.Reissue
	for _, a := range apps {
		ats, err := s.Cases.Attestations(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		for _, at := range ats {
			if at.StillProves(now) {
				out = append(out, permit.Reissue{Old: at})
			}
		}
	}
	return out, nil
}

// AcceptCorrection applies a request: the person's data takes the new
// values, the former ones stay in the history, and every attestation that
// still proves something is reissued with the corrected data (the former
// version is marked superseded, and the verifier says so). The new
// versions are signed at once, or by the queue's retry.
func (s *Corrections) AcceptCorrection(ctx context.Context, acc *permit.Account, id int64, note string) error {
	c, p, err := s.staffCorrection(ctx, acc, id)
	if err != nil {
		return err
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > maxReason {
		return permit.Invalid(map[string]string{"note": "decision.error.too_long"})
	}
	m, err := s.correctionMail(ctx, p, "accepted", note)
	if err != nil {
		return err
	}
	c.DecidedBy, c.Reason = acc.ID, note
	e := audit.Entry{ActorAccountID: acc.ID, Action: ActionCorrectionAccept, PrefectureID: p.PrefectureID, PersonID: p.ID, Detail: itoa(c.ID)}
	reissue, err := s.Store.AcceptCorrection(audit.With(ctx, e), c, m)
	if err != nil {
		return err
	}
	done := map[int64]bool{}
	for _, r := range reissue {
		if !done[r.Old.ApplicationID] {
			done[r.Old.ApplicationID] = true
			s.attest.issueNow(ctx, r.Old.ApplicationID)
		}
	}
	return nil
}

// RefuseCorrection closes a request with the reason the applicant reads.
func (s *Corrections) RefuseCorrection(ctx context.Context, acc *permit.Account, id int64, reason string) error {
	c, p, err := s.staffCorrection(ctx, acc, id)
	if err != nil {
		return err
	}
	if reason, err = reasonText("reason", reason); err != nil {
		return err
	}
	m, err := s.correctionMail(ctx, p, "refused", reason)
	if err != nil {
		return err
	}
	c.DecidedBy, c.Reason = acc.ID, reason
	e := audit.Entry{ActorAccountID: acc.ID, Action: ActionCorrectionRefuse, PrefectureID: p.PrefectureID, PersonID: p.ID, Detail: itoa(c.ID)}
	if err := s.Store.RefuseCorrection(audit.With(ctx, e), c, m); err != nil {
		return err
	}
	return nil
}

// correctionMail tells the applicant how their request was decided.
func (s *Corrections) correctionMail(ctx context.Context, p *permit.Person, outcome, words string) (*permit.Mail, error) {
	to, lang, err := s.recipient(ctx, p)
	if err != nil || to == "" {
		return nil, err
	}
	return &permit.Mail{To: to, Subject: s.Tr.T(lang, "mail.correction."+outcome+".subject"),
		Text: s.Tr.T(lang, "mail.correction."+outcome+".body", words, s.BaseURL+paths.Profile.String())}, nil
}

// permitDates reads the permit dates of a correction request: empty
// fields keep the dates; a changed date needs a current permit, and the
// end must stay after the start. It returns the changes asked for.
func (s *Corrections) permitDates(ctx context.Context, p *permit.Person, f ProfileForm, errs map[string]string) ([]permit.PersonChange, error) {
	from, to := strings.TrimSpace(f.PermitFrom), strings.TrimSpace(f.PermitTo)
	if from == "" && to == "" {
		return nil, nil
	}
	pm, err := s.People.CurrentPermit(ctx, p.ID)
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		errs["permit_to"] = "correction.error.no_permit"
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	was := map[string]string{
		permit.FieldPermitValidFrom: pm.ValidFrom.UTC().Format(time.DateOnly),
		permit.FieldPermitValidTo:   pm.ValidTo.UTC().Format(time.DateOnly),
	}
	want := map[string]string{permit.FieldPermitValidFrom: from, permit.FieldPermitValidTo: to}
	formField := map[string]string{permit.FieldPermitValidFrom: "permit_from", permit.FieldPermitValidTo: "permit_to"}
	days := map[string]time.Time{}
	var out []permit.PersonChange
	for _, name := range permit.PermitFields {
		v := want[name]
		if v == "" {
			v = was[name]
		}
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			errs[formField[name]] = "profile.error.date"
			continue
		}
		days[name] = d
		if v != was[name] {
			out = append(out, permit.PersonChange{PersonID: p.ID, Field: name, Old: was[name], New: v})
		}
	}
	if len(days) == 2 && !days[permit.FieldPermitValidTo].After(days[permit.FieldPermitValidFrom]) {
		errs["permit_to"] = "profile.error.permit_dates"
	}
	return out, nil
}
