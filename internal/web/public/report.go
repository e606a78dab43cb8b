package public

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// reportView is the form to report a problem.
type reportView struct {
	*web.Page
	Categories   []permit.ReportCategory
	Applications []*permit.Application // the applicant's, to choose from
	Anonymous    bool
}

func (s *Pages) reportForm(w http.ResponseWriter, r *http.Request) error {
	p := s.Page(r, "support.report.title")
	q := r.URL.Query()
	p.Values = map[string]string{"page": web.ReportedPath(q.Get("page")), "error_ref": q.Get("ref"), "application": q.Get("demande")}
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
	acc := web.Account(r)
	if casework.NeedsSecondFactor(acc, web.Session(r)) {
		return nil
	}
	return acc
}

func (s *Pages) renderReport(w http.ResponseWriter, r *http.Request, status int, p *web.Page) error {
	acc := reporter(r)
	apps, err := s.Reports.ReportChoices(r.Context(), acc)
	if err != nil {
		return err
	}
	s.Render(w, r, status, "report", &reportView{Page: p, Categories: permit.ReportCategories, Applications: apps, Anonymous: acc == nil})
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

func (s *Pages) report(w http.ResponseWriter, r *http.Request) error {
	if err := s.Limit("report-ip", web.ClientIP(r)); err != nil {
		return err
	}
	name, data, values, err := s.ReadUpload(w, r, "screenshot")
	p := s.Page(r, "support.report.title")
	p.Values = values
	if err == nil {
		f := casework.ReportForm{Category: values["category"], Description: values["description"], Email: values["email"],
			Phone: values["phone"], Page: web.ReportedPath(values["page"]), ErrorRef: values["error_ref"], Application: values["application"],
			Lang: p.Lang}
		if len(data) > 0 {
			f.Screenshot = &casework.Attachment{Filename: name, Data: data}
		}
		var code string
		var id int64
		id, err = s.Once(r, permit.ResendReport, values[web.OnceField], func(ctx context.Context) (int64, error) {
			rep, c, err := s.Reports.ReportProblem(ctx, reporter(r), f)
			if err != nil {
				return 0, err
			}
			code = c
			return rep.ID, nil
		})
		if err == nil {
			http.Redirect(w, r, reportMade(r, id, code), http.StatusSeeOther)
			return nil
		}
	}
	if err := web.FormError(p, err); err != nil {
		return err
	}
	return s.renderReport(w, r, http.StatusUnprocessableEntity, p)
}

// reportMade is where a report sent leads: its page by the follow code,
// shown this once. A resend of a report already made has no code to show
// (only its hash is kept): the reporter's list leads to it, or, without
// an account, the page to type the code mailed and shown the first time.
func reportMade(r *http.Request, id int64, code string) string {
	switch acc := reporter(r); {
	case code != "":
		return paths.FollowCode.Format(code) + "?cree"
	case acc != nil && acc.Role == permit.RoleApplicant:
		return paths.MyReport.Format(id)
	}
	return paths.Follow.String() + "?deja"
}

// Door is how a reporter reaches their report: by the follow code
// (anyone holding it, here), or from their account's list (package
// applicant).
type Door struct {
	Key  func(r *http.Request) (casework.ReporterKey, error)
	URL  func(r *http.Request) string // the report's page
	Shot func(r *http.Request) string // its screenshot
}

var followDoor = Door{
	Key: func(r *http.Request) (casework.ReporterKey, error) {
		return casework.ReporterKey{Code: r.PathValue("token")}, nil
	},
	URL:  func(r *http.Request) string { return paths.FollowCode.Format(r.PathValue("token")) },
	Shot: func(r *http.Request) string { return paths.FollowShot.Format(r.PathValue("token")) },
}

// Thread is a report as its reporter follows it, through either door:
// the same page, replies and screenshot.
type Thread struct {
	*web.Server
	Reports *casework.Reports
}

func (s *Pages) thread() Thread { return Thread{Server: s.Server, Reports: s.Reports} }

// followView is a report as its reporter follows it.
type followView struct {
	*web.Page
	Thread *casework.ReportThread
	URL    string // the page's own address
	Shot   string // its screenshot's
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

func (s *Pages) follow(w http.ResponseWriter, r *http.Request) error {
	return s.thread().Show(w, r, followDoor, http.StatusOK, nil)
}

// Show is the report's page, with the page state p when a form failed.
func (s Thread) Show(w http.ResponseWriter, r *http.Request, d Door, status int, p *web.Page) error {
	if err := s.Limit("follow-ip", web.ClientIP(r)); err != nil {
		return err
	}
	k, err := d.Key(r)
	if err != nil {
		return err
	}
	t, err := s.Reports.ReporterThread(r.Context(), k)
	if err != nil {
		return err
	}
	if p == nil {
		p = s.Page(r, "support.follow.title")
	}
	if r.URL.Query().Has("envoye") {
		p.Notice = "support.follow.sent"
	}
	v := &followView{Page: p, Thread: t, URL: d.URL(r), Shot: d.Shot(r), Created: r.URL.Query().Has("cree"), BaseURL: s.BaseURL}
	if k.Code != "" {
		v.Code = casework.FormatClaim(strings.ToUpper(k.Code))
	}
	w.Header().Set("Cache-Control", "no-store")
	s.Render(w, r, status, "report_follow", v)
	return nil
}

func (s *Pages) replyFollow(w http.ResponseWriter, r *http.Request) error {
	return s.thread().Reply(w, r, followDoor)
}

// Reply adds the reporter's reply to the thread.
func (s Thread) Reply(w http.ResponseWriter, r *http.Request, d Door) error {
	if err := s.Limit("report-ip", web.ClientIP(r)); err != nil {
		return err
	}
	k, err := d.Key(r)
	if err != nil {
		return err
	}
	if err = web.ParseForm(w, r); err == nil {
		_, err = s.Once(r, permit.ResendReply, r.PostForm.Get(web.OnceField), func(ctx context.Context) (int64, error) {
			rep, err := s.Reports.ReplyToReport(ctx, k, r.PostForm.Get("body"))
			if err != nil {
				return 0, err
			}
			return rep.ID, nil
		})
	}
	if err == nil {
		http.Redirect(w, r, d.URL(r)+"?envoye#fil", http.StatusSeeOther)
		return nil
	}
	p := s.Page(r, "support.follow.title")
	p.Values = map[string]string{"body": r.PostForm.Get("body"), web.OnceField: r.PostForm.Get(web.OnceField)}
	if err := web.FormError(p, err); err != nil {
		return err
	}
	return s.Show(w, r, d, http.StatusUnprocessableEntity, p)
}

func (s *Pages) followScreenshot(w http.ResponseWriter, r *http.Request) error {
	return s.thread().Screenshot(w, r, followDoor)
}

// Screenshot serves the report's screenshot to its reporter.
func (s Thread) Screenshot(w http.ResponseWriter, r *http.Request, d Door) error {
	if err := s.Limit("follow-ip", web.ClientIP(r)); err != nil {
		return err
	}
	k, err := d.Key(r)
	if err != nil {
		return err
	}
	shot, rc, err := s.Reports.ReporterScreenshot(r.Context(), k)
	if err != nil {
		return err
	}
	return web.ServeScreenshot(w, shot, rc)
}

// lookupView is the form where a reporter types their follow code.
type lookupView struct{ *web.Page }

func (s *Pages) lookupForm(w http.ResponseWriter, r *http.Request) error {
	p := s.Page(r, "support.lookup.title")
	if r.URL.Query().Has("deja") {
		p.Notice = "forms.resent.report"
	}
	s.Render(w, r, http.StatusOK, "report_lookup", &lookupView{Page: p})
	return nil
}

func (s *Pages) lookup(w http.ResponseWriter, r *http.Request) error {
	if err := s.Limit("follow-ip", web.ClientIP(r)); err != nil {
		return err
	}
	err := web.ParseForm(w, r)
	p := s.Page(r, "support.lookup.title")
	p.Values = map[string]string{"code": r.PostForm.Get("code")}
	if err != nil {
		if err := web.FormError(p, err); err != nil {
			return err
		}
		s.Render(w, r, http.StatusUnprocessableEntity, "report_lookup", &lookupView{Page: p})
		return nil
	}
	code := strings.NewReplacer("-", "", " ", "").Replace(strings.ToUpper(strings.TrimSpace(r.PostForm.Get("code"))))
	_, err = s.Reports.ReporterThread(r.Context(), casework.ReporterKey{Code: code})
	if err == nil {
		http.Redirect(w, r, paths.FollowCode.Format(code), http.StatusSeeOther)
		return nil
	} else if permit.ErrorCode(err) != permit.ENOTFOUND {
		return err
	}
	p.Errors = map[string]string{"code": "support.error.code"}
	s.Render(w, r, http.StatusUnprocessableEntity, "report_lookup", &lookupView{Page: p})
	return nil
}
