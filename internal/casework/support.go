package casework

import (
	"context"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/upload"
)

// SupportStore is what reports of problems, the support queue and
// incidents need from the database.
type SupportStore interface {
	CreateReport(ctx context.Context, r *permit.Report, m *permit.Mail) error
	UpdateReport(ctx context.Context, r *permit.Report, ev *permit.ReportEvent, m *permit.Mail) error
	Report(ctx context.Context, id int64) (*permit.Report, error)
	ReportByFollowHash(ctx context.Context, hash string) (*permit.Report, error)
	ReportEvents(ctx context.Context, reportID int64) ([]*permit.ReportEvent, error)
	Reports(ctx context.Context, f permit.ReportFilter) ([]*permit.Report, error)
	ReportsByAccount(ctx context.Context, accountID int64) ([]*permit.Report, error)
	ReportTimings(ctx context.Context, sc permit.ReportScope, since time.Time) ([]permit.ReportTiming, error)
	RecordIncident(ctx context.Context, inc *permit.Incident) error
	Incidents(ctx context.Context, ref string, limit int) ([]*permit.Incident, error)
	IncidentCounts(ctx context.Context, sinceDay string) ([]permit.IncidentCount, error)
}

// The audit actions of support (package audit).
const (
	ActionReportView    = "report_view"
	ActionReportTriage  = "report_triage"
	ActionReportAssign  = "report_assign"
	ActionReportAnswer  = "report_answer"
	ActionReportResolve = "report_resolve"
	ActionReportReopen  = "report_reopen"
)

// followLength is the number of characters of a follow code: 25^16 ≈ 2^74.
const followLength = 16

// maxReportText bounds a description, an answer or a note, in characters.
const maxReportText = 5000

// maxPage bounds the page path a report names.
const maxPage = 300

// ReportForm is what a reporter sends. Page, ErrorRef and Application
// come pre-filled from the page the reporter was on.
type ReportForm struct {
	Category    string
	Description string
	Email       string
	Phone       string
	Page        string
	ErrorRef    string
	Application string // an application number, as the form sends it
	Lang        string
	Screenshot  *Attachment
}

// ReportProblem records a report of a problem, from anyone: acc is nil
// for a reporter without an account, who must then leave an e-mail
// address or a phone number. An application the reporter may not see is
// neither linked nor revealed: it is dropped, as is a page that is not a
// path of this site. It returns the report and its follow code, which is
// shown once and mailed when there is an address; only its hash is kept.
func (s *Reports) ReportProblem(ctx context.Context, acc *permit.Account, f ReportForm) (*permit.Report, string, error) {
	r, err := s.reportFromForm(ctx, acc, f)
	if err != nil {
		return nil, "", err
	}
	if f.Screenshot != nil && len(f.Screenshot.Data) > 0 {
		if r.Screenshot, err = s.screenshot(ctx, f.Screenshot); err != nil {
			return nil, "", permit.AsField("screenshot", err)
		}
	}
	for try := 0; ; try++ {
		code := newCode(followLength)
		r.Reference, r.FollowHash = permit.NewReference("SIG"), HashSecret(code)
		m := s.reportMail(r, "support.mail.created", s.BaseURL+paths.FollowCode.Format(code), FormatClaim(code))
		err := s.Store.CreateReport(ctx, r, m)
		if permit.ErrorCode(err) == permit.ECONFLICT && try < 3 {
			continue // a reference drawn twice: draw again
		} else if err != nil {
			return nil, "", err
		}
		return r, code, nil
	}
}

// ReportChoices are the applications a reporter may link a report to:
// an applicant's own; none for anyone else (staff reports carry the
// application of the page they came from, if they may see it).
func (s *Reports) ReportChoices(ctx context.Context, acc *permit.Account) ([]*permit.Application, error) {
	if acc == nil || acc.Role != permit.RoleApplicant {
		return nil, nil
	}
	p, err := s.People.PersonByAccount(ctx, acc.ID)
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return s.People.ApplicationsByPerson(ctx, p.ID)
}

// reportFromForm validates a report and links it to what the reporter
// may see.
func (s *Reports) reportFromForm(ctx context.Context, acc *permit.Account, f ReportForm) (*permit.Report, error) {
	errs := map[string]string{}
	r := &permit.Report{Category: permit.ReportCategory(f.Category), Priority: permit.PriorityNormal, Status: permit.ReportNew,
		Lang: f.Lang, Page: cleanPage(f.Page)}
	if !slices.Contains(permit.ReportCategories, r.Category) {
		errs["category"] = "support.error.category"
	}
	r.Description = strings.TrimSpace(f.Description)
	if r.Description == "" {
		errs["description"] = "support.error.description"
	} else if utf8.RuneCountInString(r.Description) > maxReportText {
		errs["description"] = "support.error.too_long"
	}
	r.Email, r.Phone = strings.TrimSpace(f.Email), strings.TrimSpace(f.Phone)
	if acc != nil && r.Email == "" {
		r.Email = acc.Email
	}
	if r.Email != "" {
		if key := checkEmail(r.Email); key != "" {
			errs["email"] = "support.error.email"
		}
	}
	if r.Phone != "" && (len(r.Phone) > 20 || strings.Trim(r.Phone, "+0123456789 .-()") != "") {
		errs["phone"] = "support.error.phone"
	}
	if r.Email == "" && r.Phone == "" && errs["email"] == "" && errs["phone"] == "" {
		errs["email"] = "support.error.contact"
	}
	r.ErrorRef = strings.ToUpper(strings.TrimSpace(f.ErrorRef))
	if r.ErrorRef != "" && !permit.IsErrorReference(r.ErrorRef) {
		errs["error_ref"] = "support.error.error_ref"
	}
	if err := permit.Invalid(errs); err != nil {
		return nil, err
	}
	if acc != nil {
		r.AccountID = acc.ID
		if r.Lang == "" {
			r.Lang = acc.Lang
		}
	}
	r.Lang = s.Tr.Supported(r.Lang)
	return r, s.linkReport(ctx, acc, r, f.Application)
}

// linkReport links a report to the reporter's person and to the
// application named, when the reporter may see it; otherwise the
// application is dropped without a word, so that the form reveals nothing.
func (s *Reports) linkReport(ctx context.Context, acc *permit.Account, r *permit.Report, application string) error {
	if acc != nil && acc.Role == permit.RoleApplicant {
		p, err := s.People.PersonByAccount(ctx, acc.ID)
		if permit.ErrorCode(err) == permit.ENOTFOUND {
			return nil // an account that has not filled its profile yet
		} else if err != nil {
			return err
		}
		r.PersonID, r.PrefectureID = p.ID, p.PrefectureID
	}
	id, ok := parseID(application)
	if !ok || id == 0 || acc == nil {
		return nil
	}
	var a *permit.Application
	var err error
	if acc.Role == permit.RoleApplicant {
		_, a, err = s.own(ctx, acc, id)
	} else {
		a, err = s.staff(ctx, acc, id)
	}
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	r.ApplicationID, r.PersonID, r.PrefectureID = a.ID, a.PersonID, a.PrefectureID
	return nil
}

// cleanPage keeps a path of this site, without its query or fragment, or
// returns "".
func cleanPage(p string) string {
	u, err := url.Parse(strings.TrimSpace(p))
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil ||
		!strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") || strings.ContainsAny(u.Path, "\\\x00\r\n") {
		return ""
	}
	if len(u.Path) > maxPage {
		return ""
	}
	return u.Path
}

// screenshot checks an attached file like a document and keeps it.
func (s *Reports) screenshot(ctx context.Context, att *Attachment) (*permit.Screenshot, error) {
	if int64(len(att.Data)) > s.Limits.MaxBytes {
		return nil, permit.Errorf(permit.EINVALID, "upload.too_large", int(s.Limits.MaxBytes>>20))
	}
	kind, err := s.check(ctx, att.Data)
	if err != nil {
		return nil, err
	}
	sum, err := s.Blobs.Put(ctx, att.Data)
	if err != nil {
		return nil, err
	}
	return &permit.Screenshot{BlobSum: sum, Filename: upload.SafeFilename(att.Filename, kind), Kind: string(kind), Size: int64(len(att.Data))}, nil
}

// reportMail is a mail to the reporter about their report (key.subject
// and key.body, given the reference and args), or nil without an address.
func (s *core) reportMail(r *permit.Report, key string, args ...any) *permit.Mail {
	if r.Email == "" {
		return nil
	}
	return &permit.Mail{To: r.Email, Subject: s.Tr.T(r.Lang, key+".subject", r.Reference),
		Text: s.Tr.T(r.Lang, key+".body", append([]any{r.Reference}, args...)...)}
}

// ReporterKey opens a report from the reporter's side: by its follow code
// (anyone holding it), or by id for the account that made it.
type ReporterKey struct {
	Code    string
	Account *permit.Account
	ID      int64
}

// ReportThread is a report as its reporter sees it: the steps they are
// shown, never support's triage or assignment nor who in support acted.
type ReportThread struct {
	Report *permit.Report
	Events []*permit.ReportEvent
}

// reporterReport finds the report a key opens, or ENOTFOUND.
func (s *Reports) reporterReport(ctx context.Context, k ReporterKey) (*permit.Report, error) {
	if k.Code != "" {
		code := normalizeClaim(k.Code)
		if len(code) != followLength || strings.Trim(code, claimAlphabet) != "" {
			return nil, errNotFound
		}
		r, err := s.Store.ReportByFollowHash(ctx, HashSecret(code))
		if err != nil {
			return nil, errNotFound
		}
		return r, nil
	}
	if k.Account == nil {
		return nil, errNotFound
	}
	r, err := s.Store.Report(ctx, k.ID)
	if err != nil || r.AccountID != k.Account.ID {
		return nil, errNotFound
	}
	return r, nil
}

// ReporterThread returns a report and its public steps for its reporter.
func (s *Reports) ReporterThread(ctx context.Context, k ReporterKey) (*ReportThread, error) {
	r, err := s.reporterReport(ctx, k)
	if err != nil {
		return nil, err
	}
	evs, err := s.Store.ReportEvents(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	t := &ReportThread{Report: r}
	for _, ev := range evs {
		if ev.Public() {
			t.Events = append(t.Events, ev)
		}
	}
	return t, nil
}

// MyReports lists the reports an account made.
func (s *Reports) MyReports(ctx context.Context, acc *permit.Account) ([]*permit.Report, error) {
	if acc == nil {
		return nil, errNotFound
	}
	return s.Store.ReportsByAccount(ctx, acc.ID)
}

// ReplyToReport adds the reporter's reply to their report. A reply to an
// answered or resolved report puts it back in support's hands.
func (s *Reports) ReplyToReport(ctx context.Context, k ReporterKey, body string) (*permit.Report, error) {
	r, err := s.reporterReport(ctx, k)
	if err != nil {
		return nil, err
	}
	body, err = reportText("body", body)
	if err != nil {
		return nil, err
	}
	if r.Status == permit.ReportAnswered || r.Status == permit.ReportResolved {
		r.Status, r.ResolvedAt = permit.ReportInProgress, nil
	}
	ev := &permit.ReportEvent{Kind: permit.ReportReply, Body: body}
	if k.Account != nil {
		ev.ActorID = k.Account.ID
	}
	return r, s.Store.UpdateReport(ctx, r, ev, nil)
}

// ReporterScreenshot opens a report's screenshot for its reporter.
func (s *Reports) ReporterScreenshot(ctx context.Context, k ReporterKey) (*permit.Screenshot, io.ReadCloser, error) {
	r, err := s.reporterReport(ctx, k)
	if err != nil {
		return nil, nil, err
	}
	return s.openScreenshot(ctx, r)
}

func (s *core) openScreenshot(ctx context.Context, r *permit.Report) (*permit.Screenshot, io.ReadCloser, error) {
	if r.Screenshot == nil {
		return nil, nil, errNotFound
	}
	rc, err := s.Blobs.Open(ctx, r.Screenshot.BlobSum)
	if err != nil {
		return nil, nil, err
	}
	return r.Screenshot, rc, nil
}

// reportText checks a text written in a report's thread.
func reportText(field, body string) (string, error) {
	body = strings.TrimSpace(body)
	if body == "" {
		return "", permit.Invalid(map[string]string{field: "support.error.body"})
	} else if utf8.RuneCountInString(body) > maxReportText {
		return "", permit.Invalid(map[string]string{field: "support.error.too_long"})
	}
	return body, nil
}

// RecordIncident keeps a failure of the portal: a server error shown with
// its reference, or a failed job. The cause is cut to a bounded length.
func (s *Reports) RecordIncident(ctx context.Context, inc *permit.Incident) error {
	if inc.At.IsZero() { // an incident kept through an outage keeps its time
		inc.At = s.Clock.Now()
	}
	inc.Day = inc.At.In(permit.Paris).Format(time.DateOnly)
	if len(inc.Cause) > permit.MaxIncidentCause {
		cut := permit.MaxIncidentCause
		for cut > 0 && !utf8.RuneStart(inc.Cause[cut]) {
			cut--
		}
		inc.Cause = inc.Cause[:cut] + "…"
	}
	return s.Store.RecordIncident(ctx, inc)
}
