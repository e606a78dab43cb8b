package architecture

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// The limits of issue 10: a type that serves many masters is split into
// rooms before it grows past them.
const (
	maxMethods          = 60 // methods declared on one type
	maxInterfaceMethods = 25 // methods of one interface, embedded ones counted
)

// source is every non-test Go file of internal/, parsed.
type source struct {
	fset  *token.FileSet
	files map[string]*ast.File // by path
}

func parse(t *testing.T) *source {
	t.Helper()
	s := &source{fset: token.NewFileSet(), files: map[string]*ast.File{}}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(s.fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		s.files[path] = f
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.files) < 100 {
		t.Fatalf("read %d files of internal/: not the source tree", len(s.files))
	}
	return s
}

// pkgOf names a file's package by its directory.
func pkgOf(path string) string { return filepath.Dir(path) }

func TestNoTypeHasTooManyMethods(t *testing.T) {
	s := parse(t)
	count := map[string]int{}
	for path, f := range s.files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || len(fd.Recv.List) == 0 {
				continue
			}
			typ := fd.Recv.List[0].Type
			if st, ok := typ.(*ast.StarExpr); ok {
				typ = st.X
			}
			if ix, ok := typ.(*ast.IndexExpr); ok {
				typ = ix.X
			}
			if id, ok := typ.(*ast.Ident); ok {
				count[pkgOf(path)+"."+id.Name]++
			}
		}
	}
	largest, most := "", 0
	for name, n := range count {
		if n > maxMethods {
			t.Errorf("%s has %d methods; split it into rooms (limit %d)", name, n, maxMethods)
		}
		if n > most {
			largest, most = name, n
		}
	}
	t.Logf("the largest type is %s, with %d methods", largest, most)
}

func TestNoInterfaceIsTooLarge(t *testing.T) {
	s := parse(t)
	// interfaces by package and name, to count embedded ones of the
	// same package.
	ifaces := map[string]*ast.InterfaceType{}
	for path, f := range s.files {
		ast.Inspect(f, func(n ast.Node) bool {
			if ts, ok := n.(*ast.TypeSpec); ok {
				if it, ok := ts.Type.(*ast.InterfaceType); ok {
					ifaces[pkgOf(path)+"."+ts.Name.Name] = it
				}
			}
			return true
		})
	}
	var size func(pkg string, it *ast.InterfaceType, seen map[string]bool) int
	size = func(pkg string, it *ast.InterfaceType, seen map[string]bool) int {
		n := 0
		for _, m := range it.Methods.List {
			if len(m.Names) > 0 {
				n += len(m.Names)
				continue
			}
			id, ok := m.Type.(*ast.Ident) // an embedded interface of the same package
			if !ok {
				n++ // another package's interface: counted as one, it has its own limit
				continue
			}
			key := pkg + "." + id.Name
			if emb, ok := ifaces[key]; ok && !seen[key] {
				seen[key] = true
				n += size(pkg, emb, seen)
			}
		}
		return n
	}
	for key, it := range ifaces {
		pkg := key[:strings.LastIndexByte(key, '.')]
		if n := size(pkg, it, map[string]bool{key: true}); n > maxInterfaceMethods {
			t.Errorf("interface %s has %d methods (limit %d): declare the narrow one each consumer needs", key, n, maxInterfaceMethods)
		}
	}
}

// TestNoStoreReachedByAssertion: a use case names the store it needs in
// its type, so that a missing method fails the build, not a request.
func TestNoStoreReachedByAssertion(t *testing.T) {
	s := parse(t)
	for _, f := range s.files {
		ast.Inspect(f, func(n ast.Node) bool {
			ta, ok := n.(*ast.TypeAssertExpr)
			if !ok || ta.Type == nil {
				return true
			}
			name := ""
			switch x := ta.Type.(type) {
			case *ast.Ident:
				name = x.Name
			case *ast.SelectorExpr:
				name = x.Sel.Name
			}
			if strings.HasSuffix(name, "Store") {
				t.Errorf("%s: a store reached by a type assertion to %s", s.fset.Position(ta.Pos()), name)
			}
			return true
		})
	}
}
