package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sejour/sejour/internal/paths"
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
// attachments on the file as with one (issue 15, part 5).
func TestPagesWithASessionCostBoundedStatements(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		d := newDesk(t, s, "bounded@example.org")
		pages := []struct {
			who  map[string]string
			path string
			max  int64 // statements, when the page has a bound of its own
		}{
			{d.applicant, paths.Dashboard.String(), dashboardStatements},
			{d.applicant, paths.Application.Format(d.id), 0},
			{d.applicant, paths.Receipt.Format(d.id), 0},
			{d.agent, paths.Case.Format(d.id), 0},
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
