package backoffice

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/web"
)

// journalFields are the journal's filters, in form order.
var journalFields = []string{"prefecture", "application", "person", "actor", "from", "to"}

// journalView is a page of the audit trail (the journal) for a supervisor.
type journalView struct {
	*web.Page
	Trail *casework.Trail
	query url.Values
}

// journal shows the audit trail of the reader's prefectures, filtered by
// a GET form, newest first.
func (s *Pages) journal(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	tq := casework.TrailQuery{Prefecture: q.Get("prefecture"), Application: q.Get("application"), Person: q.Get("person"),
		Actor: q.Get("actor"), From: q.Get("from"), To: q.Get("to"), Page: page}
	p := s.Page(r, "audit.title")
	p.Staff = true
	p.Values = map[string]string{}
	for _, f := range journalFields {
		p.Values[f] = strings.TrimSpace(q.Get(f))
	}
	t, err := s.Journal.AuditTrail(r.Context(), web.Account(r), tq)
	status := http.StatusOK
	if err != nil {
		if err := web.FormError(p, err); err != nil {
			return err
		}
		status = http.StatusUnprocessableEntity
	}
	s.Render(w, r, status, "journal", &journalView{Page: p, Trail: t, query: q})
	return nil
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
		return paths.Journal.String()
	}
	return paths.Journal.String() + "?" + q.Encode()
}

// Lines are the page's lines, empty when the filters were invalid.
func (v *journalView) Lines() []*audit.Line {
	if v.Trail == nil || len(v.Errors) > 0 {
		return nil
	}
	return v.Trail.Lines
}
