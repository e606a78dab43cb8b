package web

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/permit"
)

// secretPaths are the pages whose path carries a secret (a mailed token,
// a report's follow code): a report or an incident names only their
// first part, never the secret.
var secretPaths = []string{"/confirmer/", "/reinitialiser/", "/suivi/"}

// reportedPath is a path as reports and incidents may keep it: without
// its query, and without the secret of the pages that carry one.
func reportedPath(p string) string {
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	for _, s := range secretPaths {
		if strings.HasPrefix(p, s) {
			return s
		}
	}
	if len(p) > 300 {
		p = p[:300]
	}
	return p
}

// applicationInPath finds the application a page is about, if its path
// names one (the applicant's and the back office's pages alike).
var applicationInPath = regexp.MustCompile(`/demandes/(\d+)(?:/|$)`)

// reportURL is the "report a problem" link of a page: it carries the page
// and the application the page is about, and the error reference on an
// error page. The form validates all of it again.
func reportURL(path, ref string) string {
	q := url.Values{}
	if p := reportedPath(path); p != "" && !strings.HasPrefix(p, "/signaler") {
		q.Set("page", p)
	}
	if m := applicationInPath.FindStringSubmatch(reportedPath(path)); m != nil {
		q.Set("demande", m[1])
	}
	if ref != "" {
		q.Set("ref", ref)
	}
	if len(q) == 0 {
		return "/signaler"
	}
	return "/signaler?" + q.Encode()
}

// ReportURL is the layout's "report a problem" link for this page.
func (p *Page) ReportURL() string { return reportURL(p.Path, "") }

// reportView is the form to report a problem.
type reportView struct {
	*Page
	Categories   []permit.ReportCategory
	Applications []*permit.Application // the applicant's, to choose from
	Anonymous    bool
}

func (s *Server) reportForm(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "support.report.title")
	q := r.URL.Query()
	p.Values = map[string]string{"page": reportedPath(q.Get("page")), "error_ref": q.Get("ref"), "application": q.Get("demande")}
	if permit.IsErrorReference(p.Values["error_ref"]) {
		p.Values["category"] = string(permit.ReportSiteFails)
	}
	return s.renderReport(w, r, http.StatusOK, p)
}

// reporter is the account a report is made under: none for a staff
// session that has not passed the second factor, which reports like
// anyone without an account (its password alone opens nothing of its
// prefectures, and must not link their files).
func reporter(r *http.Request) *permit.Account {
	acc := account(r)
	if casework.NeedsSecondFactor(acc, session(r)) {
		return nil
	}
	return acc
}

func (s *Server) renderReport(w http.ResponseWriter, r *http.Request, status int, p *Page) error {
	acc := reporter(r)
	apps, err := s.Reports.ReportChoices(r.Context(), acc)
	if err != nil {
		return err
	}
	s.render(w, r, status, "report", &reportView{Page: p, Categories: permit.ReportCategories, Applications: apps, Anonymous: acc == nil})
	return nil
}

// Category names a report's category.
func (v *reportView) Category(c permit.ReportCategory) string {
	return v.T("support.category." + string(c))
}

// Chosen reports whether the form's application is a.
func (v *reportView) Chosen(a *permit.Application) bool {
	return v.Values["application"] == strconv.FormatInt(a.ID, 10)
}

func (s *Server) report(w http.ResponseWriter, r *http.Request) error {
	if err := s.limits.check("report-ip", clientIP(r)); err != nil {
		return err
	}
	name, data, values, err := s.readUpload(w, r, "screenshot")
	p := s.page(r, "support.report.title")
	p.Values = values
	if err == nil {
		f := casework.ReportForm{Category: values["category"], Description: values["description"], Email: values["email"],
			Phone: values["phone"], Page: reportedPath(values["page"]), ErrorRef: values["error_ref"], Application: values["application"],
			Lang: p.Lang}
		if len(data) > 0 {
			f.Screenshot = &casework.Attachment{Filename: name, Data: data}
		}
		var code string
		if _, code, err = s.Reports.ReportProblem(r.Context(), reporter(r), f); err == nil {
			http.Redirect(w, r, "/suivi/"+code+"?cree", http.StatusSeeOther)
			return nil
		}
	}
	if err := formError(p, err); err != nil {
		return err
	}
	return s.renderReport(w, r, http.StatusUnprocessableEntity, p)
}

// reporterDoor is how a reporter reaches their report: by the follow code
// (anyone holding it), or from their account's list.
type reporterDoor struct {
	key func(r *http.Request) (casework.ReporterKey, error)
	url func(r *http.Request) string
}

var (
	followDoor = reporterDoor{
		key: func(r *http.Request) (casework.ReporterKey, error) {
			return casework.ReporterKey{Code: r.PathValue("token")}, nil
		},
		url: func(r *http.Request) string { return "/suivi/" + r.PathValue("token") },
	}
	accountDoor = reporterDoor{
		key: func(r *http.Request) (casework.ReporterKey, error) {
			id, err := pathID(r, "id")
			return casework.ReporterKey{Account: account(r), ID: id}, err
		},
		url: func(r *http.Request) string { return "/mes-signalements/" + r.PathValue("id") },
	}
)

// followView is a report as its reporter follows it.
type followView struct {
	*Page
	Thread *casework.ReportThread
	URL    string // the page's own address
	// Code is the follow code, shown grouped, on the page the code opens.
	Code    string
	Created bool
	BaseURL string
}

// Status names a report's status.
func (v *followView) Status(st permit.ReportStatus) string {
	return v.T("support.status." + string(st))
}

// Category names a report's category.
func (v *followView) Category(c permit.ReportCategory) string {
	return v.T("support.category." + string(c))
}

// Step says who wrote a step of the thread, as the reporter sees it.
func (v *followView) Step(ev *permit.ReportEvent) string {
	return v.T("support.step." + string(ev.Kind))
}

func (s *Server) follow(w http.ResponseWriter, r *http.Request) error {
	return s.followAt(w, r, followDoor, http.StatusOK, nil)
}

func (s *Server) myReport(w http.ResponseWriter, r *http.Request) error {
	return s.followAt(w, r, accountDoor, http.StatusOK, nil)
}

func (s *Server) followAt(w http.ResponseWriter, r *http.Request, d reporterDoor, status int, p *Page) error {
	if err := s.limits.check("follow-ip", clientIP(r)); err != nil {
		return err
	}
	k, err := d.key(r)
	if err != nil {
		return err
	}
	t, err := s.Reports.ReporterThread(r.Context(), k)
	if err != nil {
		return err
	}
	if p == nil {
		p = s.page(r, "support.follow.title")
	}
	if r.URL.Query().Has("envoye") {
		p.Notice = "support.follow.sent"
	}
	v := &followView{Page: p, Thread: t, URL: d.url(r), Created: r.URL.Query().Has("cree"), BaseURL: s.BaseURL}
	if k.Code != "" {
		v.Code = casework.FormatClaim(strings.ToUpper(k.Code))
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "report_follow", v)
	return nil
}

func (s *Server) replyFollow(w http.ResponseWriter, r *http.Request) error {
	return s.replyAt(w, r, followDoor)
}

func (s *Server) replyMine(w http.ResponseWriter, r *http.Request) error {
	return s.replyAt(w, r, accountDoor)
}

func (s *Server) replyAt(w http.ResponseWriter, r *http.Request, d reporterDoor) error {
	if err := s.limits.check("report-ip", clientIP(r)); err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	k, err := d.key(r)
	if err != nil {
		return err
	}
	if _, err = s.Reports.ReplyToReport(r.Context(), k, r.PostForm.Get("body")); err == nil {
		http.Redirect(w, r, d.url(r)+"?envoye#fil", http.StatusSeeOther)
		return nil
	}
	p := s.page(r, "support.follow.title")
	p.Values = map[string]string{"body": r.PostForm.Get("body")}
	if err := formError(p, err); err != nil {
		return err
	}
	return s.followAt(w, r, d, http.StatusUnprocessableEntity, p)
}

func (s *Server) followScreenshot(w http.ResponseWriter, r *http.Request) error {
	return s.reporterScreenshot(w, r, followDoor)
}

func (s *Server) myScreenshot(w http.ResponseWriter, r *http.Request) error {
	return s.reporterScreenshot(w, r, accountDoor)
}

func (s *Server) reporterScreenshot(w http.ResponseWriter, r *http.Request, d reporterDoor) error {
	if err := s.limits.check("follow-ip", clientIP(r)); err != nil {
		return err
	}
	k, err := d.key(r)
	if err != nil {
		return err
	}
	shot, rc, err := s.Reports.ReporterScreenshot(r.Context(), k)
	if err != nil {
		return err
	}
	return serveScreenshot(w, shot, rc)
}

// serveScreenshot sends a report's screenshot as an attachment, never
// rendered in the site's origin (as documents are).
func serveScreenshot(w http.ResponseWriter, shot *permit.Screenshot, rc io.ReadCloser) error {
	defer rc.Close()
	attachmentHeaders(w, shot.Kind, shot.Filename, shot.Size)
	_, err := io.Copy(w, rc)
	return err
}

// lookupView is the form where a reporter types their follow code.
type lookupView struct{ *Page }

func (s *Server) lookupForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "report_lookup", &lookupView{Page: s.page(r, "support.lookup.title")})
	return nil
}

func (s *Server) lookup(w http.ResponseWriter, r *http.Request) error {
	if err := s.limits.check("follow-ip", clientIP(r)); err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	code := strings.NewReplacer("-", "", " ", "").Replace(strings.ToUpper(strings.TrimSpace(r.PostForm.Get("code"))))
	_, err := s.Reports.ReporterThread(r.Context(), casework.ReporterKey{Code: code})
	if err == nil {
		http.Redirect(w, r, "/suivi/"+code, http.StatusSeeOther)
		return nil
	} else if permit.ErrorCode(err) != permit.ENOTFOUND {
		return err
	}
	p := s.page(r, "support.lookup.title")
	p.Values = map[string]string{"code": r.PostForm.Get("code")}
	p.Errors = map[string]string{"code": "support.error.code"}
	s.render(w, r, http.StatusUnprocessableEntity, "report_lookup", &lookupView{Page: p})
	return nil
}

// myReportsView is the list of an applicant's reports.
type myReportsView struct {
	*Page
	Reports []*permit.Report
}

// Status names a report's status.
func (v *myReportsView) Status(st permit.ReportStatus) string {
	return v.T("support.status." + string(st))
}

// Category names a report's category.
func (v *myReportsView) Category(c permit.ReportCategory) string {
	return v.T("support.category." + string(c))
}

func (s *Server) myReports(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Reports.MyReports(r.Context(), account(r))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "my_reports", &myReportsView{Page: s.page(r, "support.mine.title"), Reports: list})
	return nil
}

// Duration writes a length of time in words: minutes, hours, or days and
// hours.
func (p *Page) Duration(d time.Duration) string {
	switch {
	case d < time.Hour:
		return p.T("support.duration.minutes", int(d/time.Minute))
	case d < 48*time.Hour:
		return p.T("support.duration.hours", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return p.T("support.duration.days", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
}
