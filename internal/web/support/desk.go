package support

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// supportQueueView is the support queue: the reports a reader answers,
// filtered, with the figures of how fast they are answered.
type supportQueueView struct {
	*web.Page
	Queue      *casework.SupportQueue
	Statuses   []permit.ReportStatus
	Categories []permit.ReportCategory
	NextURL    string
	Days       int
}

// Status names a report's status.
func (v *supportQueueView) Status(st permit.ReportStatus) string {
	return v.T("support.status." + string(st))
}

// Category names a report's category.
func (v *supportQueueView) Category(c permit.ReportCategory) string {
	return v.T("support.category." + string(c))
}

// Priority names a report's priority.
func (v *supportQueueView) Priority(pr permit.ReportPriority) string {
	return v.T("support.priority." + string(pr))
}

func (s *Pages) supportQueue(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := s.Page(r, "support.queue.title")
	p.Staff = true
	p.Values = map[string]string{"statut": q.Get("statut"), "categorie": q.Get("categorie"), "miens": q.Get("miens")}
	sq := casework.SupportQuery{Status: q.Get("statut"), Category: q.Get("categorie"), Mine: q.Get("miens") == "1", Before: q.Get("avant")}
	queue, err := s.Support.SupportQueue(r.Context(), web.Account(r), sq)
	status := http.StatusOK
	if err != nil {
		if err := web.FormError(p, err); err != nil {
			return err
		}
		// Filters that make no sense: show the whole queue, with the error.
		status = http.StatusUnprocessableEntity
		if queue, err = s.Support.SupportQueue(r.Context(), web.Account(r), casework.SupportQuery{}); err != nil {
			return err
		}
	}
	v := &supportQueueView{Page: p, Queue: queue, Statuses: permit.ReportStatuses, Categories: permit.ReportCategories, Days: casework.FiguresDays}
	if queue.Next != 0 && status == http.StatusOK {
		next := url.Values{}
		for k, val := range p.Values {
			if val != "" {
				next.Set(k, val)
			}
		}
		next.Set("avant", strconv.FormatInt(queue.Next, 10))
		v.NextURL = paths.Support.String() + "?" + next.Encode()
	}
	s.Render(w, r, status, "support_queue", v)
	return nil
}

// supportReportView is one report for support.
type supportReportView struct {
	*web.Page
	Case       *casework.SupportCase
	Categories []permit.ReportCategory
	Priorities []permit.ReportPriority
}

// Status names a report's status.
func (v *supportReportView) Status(st permit.ReportStatus) string {
	return v.T("support.status." + string(st))
}

// Category names a report's category.
func (v *supportReportView) Category(c permit.ReportCategory) string {
	return v.T("support.category." + string(c))
}

// Priority names a report's priority.
func (v *supportReportView) Priority(pr permit.ReportPriority) string {
	return v.T("support.priority." + string(pr))
}

// Step names a step of the thread.
func (v *supportReportView) Step(ev *permit.ReportEvent) string {
	return v.T("support.step." + string(ev.Kind))
}

// Actor names who acted in a step: a staff address, else the reporter.
func (v *supportReportView) Actor(ev *permit.ReportEvent) string {
	if a, ok := v.Case.Actors[ev.ActorID]; ok {
		return a
	}
	return v.T("support.desk.reporter")
}

// Assignee names the account a report is assigned to.
func (v *supportReportView) Assignee() string {
	if a, ok := v.Case.Actors[v.Case.Report.AssigneeID]; ok {
		return a
	}
	return v.T("support.desk.nobody")
}

func (s *Pages) supportReport(w http.ResponseWriter, r *http.Request) error {
	return s.renderSupportReport(w, r, http.StatusOK, nil)
}

func (s *Pages) renderSupportReport(w http.ResponseWriter, r *http.Request, status int, p *web.Page) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.Support.SupportCase(r.Context(), web.Account(r), id)
	if err != nil {
		return err
	}
	if p == nil {
		p = s.Page(r, "support.desk.title")
		p.Values = map[string]string{"category": string(c.Report.Category), "priority": string(c.Report.Priority),
			"assignee": strconv.FormatInt(c.Report.AssigneeID, 10)}
	}
	p.Staff = true
	if n := r.URL.Query().Get("fait"); n != "" {
		p.Notice = "support.desk.done." + n
		if !s.Tr.Has(p.Lang, p.Notice) {
			p.Notice = ""
		}
	}
	v := &supportReportView{Page: p, Case: c, Categories: permit.ReportCategories, Priorities: permit.ReportPriorities}
	w.Header().Set("Cache-Control", "no-store")
	s.Render(w, r, status, "support_report", v)
	return nil
}

// supportAction is one of support's forms on a report: it runs the use
// case with the posted form, then comes back to the report.
func (s *Pages) supportAction(done string, run func(s *Pages, r *http.Request, acc *permit.Account, id int64) error) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		if err = web.ParseForm(w, r); err == nil {
			err = run(s, r, web.Account(r), id)
		}
		if err == nil {
			http.Redirect(w, r, paths.SupportReport.Format(id)+"?fait="+done, http.StatusSeeOther)
			return nil
		}
		return s.RenderFormError(w, r, "support.desk.title", err, web.FormValues(r.PostForm), s.renderSupportReport)
	}
}

func (s *Pages) supportScreenshot(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	shot, rc, err := s.Support.SupportScreenshot(r.Context(), web.Account(r), id)
	if err != nil {
		return err
	}
	return web.ServeScreenshot(w, shot, rc)
}

// incidentsView is the portal's failures, for the help desk and admins.
type incidentsView struct {
	*web.Page
	View *casework.IncidentsView
	Days int
}

func (s *Pages) incidents(w http.ResponseWriter, r *http.Request) error {
	p := s.Page(r, "support.incidents.title")
	p.Staff = true
	ref := r.URL.Query().Get("ref")
	p.Values = map[string]string{"ref": ref}
	v, err := s.Support.Incidents(r.Context(), web.Account(r), ref)
	status := http.StatusOK
	if err != nil {
		if err := web.FormError(p, err); err != nil {
			return err
		}
		status = http.StatusUnprocessableEntity
		if v, err = s.Support.Incidents(r.Context(), web.Account(r), ""); err != nil {
			return err
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	s.Render(w, r, status, "incidents", &incidentsView{Page: p, View: v, Days: casework.IncidentDays})
	return nil
}
