package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/casework"
)

// journalFields are the journal's filters, in form order.
var journalFields = []string{"prefecture", "application", "person", "actor", "from", "to"}

// journalView is a page of the audit trail (the journal) for a supervisor.
type journalView struct {
	*Page
	Trail *casework.Trail
	query url.Values
}

// journal shows the audit trail of the reader's prefectures, filtered by
// a GET form, newest first.
func (s *Server) journal(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	tq := casework.TrailQuery{Prefecture: q.Get("prefecture"), Application: q.Get("application"), Person: q.Get("person"),
		Actor: q.Get("actor"), From: q.Get("from"), To: q.Get("to"), Page: page}
	p := s.page(r, "audit.title")
	p.Staff = true
	p.Values = map[string]string{}
	for _, f := range journalFields {
		p.Values[f] = strings.TrimSpace(q.Get(f))
	}
	t, err := s.Journal.AuditTrail(r.Context(), account(r), tq)
	status := http.StatusOK
	if err != nil {
		if err := formError(p, err); err != nil {
			return err
		}
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, "journal", &journalView{Page: p, Trail: t, query: q})
	return nil
}

// actionFamily is the stem of the actions' labels: "audit.action." and
// the action with its dots as underscores.
const actionFamily = "audit.action"

// Action names an action of the trail in the page's language; an action
// without a label (added by a newer version) shows as recorded.
func (p *Page) Action(action string) string {
	key := actionFamily + "." + strings.ReplaceAll(action, ".", "_")
	if p.tr.Has(p.Lang, key) {
		return p.T(key)
	}
	return action
}

// When is a moment of the trail: its day and time in Paris.
func (p *Page) When(t time.Time) string {
	return p.T("audit.when", p.Date(t), t.In(paris).Format("15:04:05"))
}

// Selected tells whether the prefecture filter names id.
func (v *journalView) Selected(id int64) bool {
	return v.Values["prefecture"] == strconv.FormatInt(id, 10)
}

// PrevURL is the previous page, same filters.
func (v *journalView) PrevURL() string { return v.pageURL(v.Trail.Page - 1) }

// NextURL is the next page, same filters.
func (v *journalView) NextURL() string { return v.pageURL(v.Trail.Page + 1) }

func (v *journalView) pageURL(n int) string {
	q := url.Values{}
	for _, f := range journalFields {
		if x := v.query.Get(f); x != "" {
			q.Set(f, x)
		}
	}
	if n > 1 {
		q.Set("page", strconv.Itoa(n))
	}
	if len(q) == 0 {
		return "/agent/journal"
	}
	return "/agent/journal?" + q.Encode()
}

// Lines are the page's lines, empty when the filters were invalid.
func (v *journalView) Lines() []*audit.Line {
	if v.Trail == nil || len(v.Errors) > 0 {
		return nil
	}
	return v.Trail.Lines
}

// accessesView tells an applicant who at the prefecture opened their file.
type accessesView struct {
	*Page
	Accesses []casework.Access
}

// accesses lists when the prefecture's staff opened the applicant's file
// or documents.
func (s *Server) accesses(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Journal.FileAccesses(r.Context(), account(r))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "accesses", &accessesView{Page: s.page(r, "accesses.title"), Accesses: list})
	return nil
}
