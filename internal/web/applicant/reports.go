package applicant

import (
	"net/http"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
	"github.com/sejour/sejour/internal/web/public"
)

// accountDoor opens a report from the applicant's list of theirs; the
// page is the one a follow code opens (public.Thread).
var accountDoor = public.Door{
	Key: func(r *http.Request) (casework.ReporterKey, error) {
		id, err := web.PathID(r, "id")
		return casework.ReporterKey{Account: web.Account(r), ID: id}, err
	},
	URL: func(r *http.Request) string {
		id, _ := web.PathID(r, "id") // Key refused a wrong one first
		return paths.MyReport.Format(id)
	},
	Shot: func(r *http.Request) string {
		id, _ := web.PathID(r, "id")
		return paths.MyReportShot.Format(id)
	},
}

func (s *Pages) thread() public.Thread { return public.Thread{Server: s.Server, Reports: s.Reports} }

func (s *Pages) myReport(w http.ResponseWriter, r *http.Request) error {
	return s.thread().Show(w, r, accountDoor, http.StatusOK, nil)
}

func (s *Pages) replyMine(w http.ResponseWriter, r *http.Request) error {
	return s.thread().Reply(w, r, accountDoor)
}

func (s *Pages) myScreenshot(w http.ResponseWriter, r *http.Request) error {
	return s.thread().Screenshot(w, r, accountDoor)
}

// myReportsView is the list of an applicant's reports.
type myReportsView struct {
	*web.Page
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

func (s *Pages) myReports(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Reports.MyReports(r.Context(), web.Account(r))
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "my_reports", &myReportsView{Page: s.Page(r, "support.mine.title"), Reports: list})
	return nil
}
