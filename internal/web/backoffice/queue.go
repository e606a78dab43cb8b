package backoffice

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/web"
)

// queueView is the work queue page: the filters, the counts per state,
// a page of applications and the links to the next one and the export.
type queueView struct {
	*web.Page
	*casework.QueuePage
	Form    casework.QueueForm
	Grounds []*rules.Ground
	names   map[int64]string // prefecture names, by id
}

// queueForm reads the filters from the query string.
func queueForm(r *http.Request) casework.QueueForm {
	q := r.URL.Query()
	return casework.QueueForm{Prefecture: q.Get("prefecture"), States: q["state"], Ground: q.Get("ground"), Kind: q.Get("kind"),
		From: q.Get("from"), To: q.Get("to"), After: q.Get("after")}
}

// queue is the back office's home: the work queue of the agent's
// prefectures, the most urgent first.
func (s *Pages) queue(w http.ResponseWriter, r *http.Request) error {
	form := queueForm(r)
	p := s.Page(r, "queue.title")
	page, err := s.Queue.Queue(r.Context(), web.Account(r), form)
	if err != nil {
		return s.queueInvalid(w, r, p, form, err)
	}
	s.Render(w, r, http.StatusOK, "agent", s.queueView(p, page, form))
	return nil
}

// queueInvalid shows the filters with a message beside each wrong one,
// and no results: the counts of the unfiltered queue still show.
func (s *Pages) queueInvalid(w http.ResponseWriter, r *http.Request, p *web.Page, form casework.QueueForm, err error) error {
	if err := web.FormError(p, err); err != nil {
		return err
	}
	page, err := s.Queue.Queue(r.Context(), web.Account(r), casework.QueueForm{})
	if err != nil {
		return err
	}
	page.Rows, page.Next = nil, ""
	s.Render(w, r, http.StatusUnprocessableEntity, "agent", s.queueView(p, page, form))
	return nil
}

func (s *Pages) queueView(p *web.Page, page *casework.QueuePage, form casework.QueueForm) *queueView {
	p.Staff = true
	v := &queueView{Page: p, QueuePage: page, Form: form, Grounds: s.Rules.Grounds(), names: map[int64]string{}}
	for _, pr := range page.Prefectures {
		v.names[pr.ID] = pr.Name
	}
	return v
}

// query is the page's filters as a query string, with some changed.
func (v *queueView) query(set map[string][]string) string {
	q := url.Values{}
	add := func(k string, vals ...string) {
		for _, x := range vals {
			if x != "" {
				q.Add(k, x)
			}
		}
	}
	add("prefecture", v.Form.Prefecture)
	add("state", v.Form.States...)
	add("ground", v.Form.Ground)
	add("kind", v.Form.Kind)
	add("from", v.Form.From)
	add("to", v.Form.To)
	for k, vals := range set {
		q.Del(k)
		add(k, vals...)
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// NextURL is the next page, or empty on the last one.
func (v *queueView) NextURL() string {
	if v.Next == "" {
		return ""
	}
	return paths.Agent.String() + v.query(map[string][]string{"after": {v.Next}})
}

// FirstURL is the first page with the same filters, when this is not it.
func (v *queueView) FirstURL() string {
	if v.Form.After == "" {
		return ""
	}
	return paths.Agent.String() + v.query(nil)
}

// ExportURL downloads every row of the same filters.
func (v *queueView) ExportURL() string { return paths.QueueExport.String() + v.query(nil) }

// StateURL lists one state (every state when st is empty) of the same
// prefectures: what the counts link to.
func (v *queueView) StateURL(st permit.State) string {
	q := url.Values{}
	if v.Form.Prefecture != "" {
		q.Set("prefecture", v.Form.Prefecture)
	}
	if st != "" {
		q.Set("state", string(st))
	}
	if len(q) == 0 {
		return paths.Agent.String()
	}
	return paths.Agent.String() + "?" + q.Encode()
}

// Current reports whether the page lists exactly state st (every state
// when st is empty), for the counts' aria-current.
func (v *queueView) Current(st permit.State) bool {
	if st == "" {
		return len(v.Form.States) == 0
	}
	return len(v.Form.States) == 1 && v.Form.States[0] == string(st)
}

// Total counts every queued application of the prefectures shown.
func (v *queueView) Total() int {
	n := 0
	for _, c := range v.Counts {
		n += c.Count
	}
	return n
}

// QueueStates are the states one may filter on.
func (v *queueView) QueueStates() []permit.State { return permit.QueueStates }

// Kinds are the kinds one may filter on.
func (v *queueView) Kinds() []permit.Kind { return permit.Kinds }

// Checked reports whether a state is among the filters.
func (v *queueView) Checked(st permit.State) bool {
	for _, s := range v.Form.States {
		if s == string(st) {
			return true
		}
	}
	return false
}

// ManyPrefectures reports whether the rows may come from several
// prefectures, so that each says which.
func (v *queueView) ManyPrefectures() bool { return len(v.Prefectures) > 1 && v.Form.Prefecture == "" }

// PrefectureName names a prefecture of the rows.
func (v *queueView) PrefectureName(id int64) string { return v.names[id] }

// ID writes a prefecture's id for the form.
func (v *queueView) ID(id int64) string { return strconv.FormatInt(id, 10) }

// queueExport streams the filtered queue as CSV for spreadsheets: UTF-8
// with a byte-order mark and ";" between cells, as French spreadsheet
// programs open without an import dialog; cells a spreadsheet would take
// for a formula are prefixed with an apostrophe.
func (s *Pages) queueExport(w http.ResponseWriter, r *http.Request) error {
	form := queueForm(r)
	p := s.Page(r, "queue.title")
	p.Staff = true
	prefs, err := s.Queue.Prefectures(r.Context())
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, pr := range prefs {
		names[pr.ID] = pr.Name
	}
	cw := csv.NewWriter(w)
	cw.Comma, cw.UseCRLF = ';', true
	started := false
	start := func() {
		started = true
		h := w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="file-attente-`+s.Clock.Now().In(permit.Paris).Format("2006-01-02")+`.csv"`)
		h.Set("Cache-Control", "no-store")
		w.Write([]byte("\ufeff"))
		cw.Write(cells(p.T("queue.csv.number"), p.T("queue.csv.prefecture"), p.T("queue.csv.surname"), p.T("queue.csv.given_names"),
			p.T("queue.csv.ground"), p.T("queue.csv.kind"), p.T("queue.csv.state"), p.T("queue.csv.filed"),
			p.T("queue.csv.due_on"), p.T("queue.csv.days_left"), p.T("queue.csv.due")))
	}
	err = s.Queue.ExportQueue(r.Context(), web.Account(r), form, func(row casework.QueueRow) error {
		if !started {
			start()
		}
		due, left := "", ""
		if row.Deadline != nil {
			due, left = row.Deadline.On.Format(time.DateOnly), strconv.Itoa(row.DaysLeft)
		}
		// The number and the days left are integers written here, the
		// only cells not escaped: "-3" must stay a number.
		text := cells(names[row.PrefectureID], row.Surname, row.GivenNames, p.Ground(row.Ground), p.Kind(row.Kind), p.State(row.State),
			row.FiledAt.In(permit.Paris).Format(time.DateOnly), due)
		cw.Write(append(append([]string{strconv.FormatInt(row.ID, 10)}, text...), left, cells(p.DueText(row))[0]))
		return cw.Error()
	})
	if err != nil && !started {
		if permit.ErrorCode(err) == permit.EINVALID {
			return s.queueInvalid(w, r, p, form, err)
		}
		return err
	}
	if err != nil {
		// Half a file was sent: cut the connection so that it is not
		// taken for a whole one.
		s.Logger.Error("queue export interrupted", "err", err)
		panic(http.ErrAbortHandler)
	}
	if !started {
		start()
	}
	cw.Flush()
	return cw.Error()
}

// cells makes text safe for spreadsheets: a cell starting with = + - @,
// a tab or a carriage return could be read as a formula (CSV injection),
// so it gets a leading apostrophe and is shown as text. The invisible
// controls of the text's direction (web.Bidi) are taken out: a CSV file
// has no way to isolate them, and a name stored with one before they
// were refused would read differently from what it holds.
func cells(vals ...string) []string {
	for i, v := range vals {
		v = strings.Map(func(c rune) rune {
			if web.Bidi(c) {
				return -1
			}
			return c
		}, v)
		if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
			v = "'" + v
		}
		vals[i] = v
	}
	return vals
}
