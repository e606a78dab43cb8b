package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"

	"github.com/sejour/sejour/internal/permit"
)

//go:embed static
var staticFS embed.FS

// staticFiles serves the embedded assets under a URL that carries a hash
// of all of them, so browsers may cache them for a year and still get the
// new files after an upgrade.
type staticFiles struct {
	version string
	files   fs.FS
}

func newStaticFiles() (*staticFiles, error) {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	var names []string
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for _, n := range names {
		b, err := fs.ReadFile(sub, n)
		if err != nil {
			return nil, err
		}
		h.Write([]byte(n))
		h.Write(b)
	}
	return &staticFiles{version: hex.EncodeToString(h.Sum(nil))[:12], files: sub}, nil
}

// url is the template function "asset": the versioned URL of a file.
func (st *staticFiles) url(name string) string {
	return "/static/" + st.version + "/" + strings.TrimPrefix(name, "/")
}

func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) error {
	name := path.Clean(r.PathValue("path"))
	f, err := fs.Stat(s.static.files, name)
	if err != nil || f.IsDir() || strings.HasSuffix(name, ".md") {
		return permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	if r.PathValue("version") == s.static.version {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	http.ServeFileFS(w, r, s.static.files, name)
	return nil
}

// Worker serves the static file name at a fixed address, as a service
// worker must be: its address decides its scope, and browsers check it
// for updates, so it is never cached for long.
func (s *Server) Worker(name string) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		b, err := fs.ReadFile(s.static.files, name)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, err = w.Write(b)
		return err
	}
}
