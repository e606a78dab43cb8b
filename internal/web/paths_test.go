package web_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/store/storetest"
	"github.com/sejour/sejour/internal/web"
)

// TestEveryRouteIsANamedPath: every route of the site is a page named in
// internal/paths, so that mails, handlers and tests build its address
// from the same name, and a renamed page is renamed once.
func TestEveryRouteIsANamedPath(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../paths/site.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok {
			for _, v := range vs.Values {
				if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					named[s] = true
				}
			}
		}
		return true
	})
	if len(named) < 50 {
		t.Fatalf("read %d paths from internal/paths/site.go", len(named))
	}
	clk := clock.NewFixed(storetest.Start)
	s := newSite(t, storetest.SQLite(t, clk), clk)
	routes := s.srv.Routes()
	if len(routes) < 50 {
		t.Fatalf("%d routes", len(routes))
	}
	for _, rt := range routes {
		_, path, _ := strings.Cut(rt.Pattern, " ")
		if !named[path] {
			t.Errorf("route %q: its path is not named in internal/paths", rt.Pattern)
		}
	}
}

// TestReportedPathsKeepNoSecret: a report or an incident about a page
// addressed by a mailed secret keeps the page, never the secret,
// whichever of those pages it is (the contact links too).
func TestReportedPathsKeepNoSecret(t *testing.T) {
	for _, p := range []paths.Token{paths.Confirm, paths.Reset, paths.FollowCode, paths.ContactLink, paths.ContactUndo} {
		got := web.ReportedPath(p.Format("S3CR3TT0K3N") + "?x=1")
		if strings.Contains(got, "S3CR3TT0K3N") || got == "" {
			t.Errorf("%s: reported as %q", p, got)
		}
	}
}
