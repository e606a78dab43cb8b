package paths

import (
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strconv"
	"testing"
)

// TestSiteNamesEveryPage: every constant of site.go is a field of Site,
// of its type and with its value, so templates and handlers cannot drift.
func TestSiteNamesEveryPage(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "site.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					t.Fatalf("%s: not a string literal", name.Name)
				}
				consts[name.Name], _ = strconv.Unquote(lit.Value)
			}
		}
	}
	if len(consts) < 50 {
		t.Fatalf("read %d constants from site.go", len(consts))
	}
	v := reflect.ValueOf(Names())
	if v.NumField() != len(consts) {
		t.Errorf("Site has %d fields, site.go %d constants", v.NumField(), len(consts))
	}
	for name, want := range consts {
		fv := v.FieldByName(name)
		if !fv.IsValid() {
			t.Errorf("%s is not a field of Site", name)
			continue
		}
		if got := fv.String(); got != want {
			t.Errorf("Site.%s is %q, the constant %q", name, got, want)
		}
	}
}
