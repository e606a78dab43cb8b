package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
)

// statements is what one GET of path sent to the database: statements
// and transactions, counted on the request's context.
func (s *site) statements(path string) (stmts, txs int64) {
	s.t.Helper()
	ctx, n := store.Counting(s.t.Context())
	res := s.do(httptest.NewRequest("GET", path, nil).WithContext(ctx))
	if res.StatusCode != http.StatusOK {
		s.t.Fatalf("GET %s: %d\n%s", path, res.StatusCode, body(s.t, res))
	}
	return n.Statements.Load(), n.Transactions.Load()
}

// TestPagesWithASessionCostBoundedStatements: the applicant's dashboard
// costs a fixed, small number of statements (the session and its
// account in one, then one read of the person's files), and every page
// with a session costs as many statements with six messages and their
// attachments on the file as with one: the applicant's application,
// receipt, profile, accesses and data pages, the agent's case and queue
// (issue 15, part 5).
func TestPagesWithASessionCostBoundedStatements(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		d := newDesk(t, s, "bounded@example.org")
		pages := []struct {
			who  map[string]string
			path string
			max  int64 // statements, when the page has a bound of its own
			txs  int64 // transactions at most, when the page has a bound of its own
		}{
			{d.applicant, paths.Dashboard.String(), dashboardStatements, 0},
			// The case's reads share one read transaction (store.Snapshots).
			{d.applicant, paths.Application.Format(d.id), 0, 1},
			{d.applicant, paths.Receipt.Format(d.id), 0, 0},
			{d.applicant, paths.Profile.String(), 0, 0},
			{d.applicant, paths.Accesses.String(), 0, 0},
			{d.applicant, paths.MyData.String(), 0, 0},
			{d.agent, paths.Case.Format(d.id), 0, 0},
			{d.agent, paths.Agent.String(), 0, 0},
		}
		message := func(i int) {
			s.cookie = d.applicant
			res, page := s.postMultipart(paths.Messages.Format(d.id), map[string]string{"body": fmt.Sprintf("Message %d.", i)},
				"attachment", fmt.Sprintf("piece-%d.png", i), pngFile(t))
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("message %d: %d\n%s", i, res.StatusCode, page)
			}
		}
		count := func() []int64 {
			var out []int64
			for _, p := range pages {
				s.cookie = p.who
				n, txs := s.statements(p.path)
				t.Logf("%s: %d statements in %d transactions", p.path, n, txs)
				if p.max > 0 && n > p.max {
					t.Errorf("%s costs %d statements, want at most %d", p.path, n, p.max)
				}
				if p.txs > 0 && txs > p.txs {
					t.Errorf("%s costs %d transactions, want at most %d", p.path, txs, p.txs)
				}
				out = append(out, n)
			}
			return out
		}
		message(0)
		count() // what the first request of a process reads once (the portal's status) is not counted after
		small := count()
		for i := 1; i <= 5; i++ {
			message(i)
		}
		big := count()
		for i, p := range pages {
			if big[i] != small[i] {
				t.Errorf("%s costs %d statements with six messages and attachments, %d with one: it grows with the file", p.path, big[i], small[i])
			}
		}
	})
}

// dashboardStatements bounds the dashboard: the session and its account
// in one statement, then one statement per kind of row the person's
// files hold.
const dashboardStatements = 10

// TestOverviewReadsWhatTheTablesHold: the dashboard's one statement
// (store.Files.Overview, each table's rows aggregated as JSON) reads
// exactly what each table's own read gives, on both databases: a
// person, their permit, an application with documents, a completion
// request and an attestation.
func TestOverviewReadsWhatTheTablesHold(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		d := newDesk(t, s, "overview@example.org")
		due := s.clk.Now().AddDate(0, 0, 20).Format(time.DateOnly)
		d.step(paths.CaseAskDocuments, url.Values{"slots": {"payslips"}, "reason": {"Bulletins manquants."}, "due_on": {due}}, http.StatusSeeOther)
		s.cookie = d.applicant
		res, page := s.postMultipart(paths.Messages.Format(d.id), map[string]string{"body": "Voici."}, "attachment", "piece.png", pngFile(t))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("message: %d\n%s", res.StatusCode, page)
		}
		ctx := t.Context()
		app, err := s.db.Application(ctx, d.id)
		if err != nil {
			t.Fatal(err)
		}
		person, err := s.db.Person(ctx, app.PersonID)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.db.Files().Overview(ctx, person.AccountID, 50)
		if err != nil {
			t.Fatal(err)
		}
		want := &permit.Overview{Person: person, Prefectures: map[int64]*permit.Prefecture{}}
		want.Permit = must(s.db.CurrentPermit(ctx, person.ID))
		want.Applications = must(s.db.ApplicationsByPerson(ctx, person.ID))
		want.Prefectures[app.PrefectureID] = must(s.db.Prefecture(ctx, app.PrefectureID))
		want.Documents = map[int64][]*permit.Document{d.id: must(s.db.Documents(ctx, d.id))}
		want.Requests = map[int64][]*permit.CompletionRequest{d.id: must(s.db.CompletionRequests(ctx, d.id))}
		want.Attestations = map[int64][]*permit.Attestation{d.id: must(s.db.Attestations(ctx, d.id))}
		if len(want.Documents[d.id]) < 2 || len(want.Requests[d.id]) != 1 || len(want.Attestations[d.id]) == 0 {
			t.Fatalf("the file lacks rows to compare: %d documents, %d requests, %d attestations",
				len(want.Documents[d.id]), len(want.Requests[d.id]), len(want.Attestations[d.id]))
		}
		inUTC(reflect.ValueOf(got))
		inUTC(reflect.ValueOf(want))
		if !reflect.DeepEqual(got, want) {
			g, _ := json.MarshalIndent(got, "", " ")
			w, _ := json.MarshalIndent(want, "", " ")
			t.Errorf("the overview reads\n%s\nthe tables hold\n%s", g, w)
		}
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// inUTC sets every time.Time reachable from v to UTC without its
// monotonic reading: the same instant, compared as the same value.
func inUTC(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			inUTC(v.Elem())
		}
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			if v.CanSet() {
				v.Set(reflect.ValueOf(t.UTC().Round(0)))
			}
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				inUTC(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			inUTC(v.Index(i))
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			inUTC(v.MapIndex(k))
		}
	}
}
