// Package support serves the support queue: reports of problems as the
// help desk, agents and admins answer them, and the portal's incidents.
package support

import (
	"net/http"
	"strconv"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// Pages are support's pages. They render through the core server and
// call only the support desk's use cases.
type Pages struct {
	*web.Server
	Support *casework.SupportDesk
}

// Routes are support's routes: the queue, a report and its forms, and
// the incidents.
func (s *Pages) Routes() []web.Route {
	return []web.Route{
		{Pattern: paths.Get(paths.Support), Who: web.Support, Handler: s.supportQueue},
		{Pattern: paths.Get(paths.SupportReport), Who: web.Support, Handler: s.supportReport},
		{Pattern: paths.Get(paths.SupportShot), Who: web.Support, Handler: s.supportScreenshot},
		{Pattern: paths.Get(paths.Incidents), Who: web.HelpDesk, Handler: s.incidents},
		{Pattern: paths.Post(paths.SupportTriage), Who: web.Support, Handler: s.supportAction("triage", func(s *Pages, r *http.Request, acc *permit.Account, id int64) error {
			return s.Support.TriageReport(r.Context(), acc, id, casework.TriageForm{Category: r.PostForm.Get("category"), Priority: r.PostForm.Get("priority")})
		})},
		{Pattern: paths.Post(paths.SupportAssign), Who: web.Support, Handler: s.supportAction("assign", func(s *Pages, r *http.Request, acc *permit.Account, id int64) error {
			to := r.PostForm.Get("assignee")
			if r.PostForm.Has("moi") {
				to = strconv.FormatInt(acc.ID, 10)
			}
			return s.Support.AssignReport(r.Context(), acc, id, to)
		})},
		{Pattern: paths.Post(paths.SupportAnswer), Who: web.Support, Handler: s.supportAction("answer", func(s *Pages, r *http.Request, acc *permit.Account, id int64) error {
			return s.Support.AnswerReport(r.Context(), acc, id, r.PostForm.Get("answer"))
		})},
		{Pattern: paths.Post(paths.SupportResolve), Who: web.Support, Handler: s.supportAction("resolve", func(s *Pages, r *http.Request, acc *permit.Account, id int64) error {
			return s.Support.ResolveReport(r.Context(), acc, id, r.PostForm.Get("note"))
		})},
		{Pattern: paths.Post(paths.SupportReopen), Who: web.Support, Handler: s.supportAction("reopen", func(s *Pages, r *http.Request, acc *permit.Account, id int64) error {
			return s.Support.ReopenReport(r.Context(), acc, id, r.PostForm.Get("reason"))
		})},
	}
}
