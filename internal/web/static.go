package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"

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
	// gzipped holds, compressed once at start, every file that gzip makes
	// smaller (the stylesheet goes from 728 KB to under 100 KB); fonts
	// and images, already compressed, are not in it.
	gzipped map[string][]byte
}

// newStaticFiles returns the static files, hashed and compressed once
// per process: they are embedded, so every server shares them (the tests
// build hundreds of servers; compressing the stylesheet again for each
// cost seconds under the race detector).
func newStaticFiles() (*staticFiles, error) { return sharedStatic() }

var sharedStatic = sync.OnceValues(buildStaticFiles)

// buildStaticFiles reads, hashes and compresses the embedded assets; the
// result is never changed afterwards.
func buildStaticFiles() (*staticFiles, error) {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	gz := map[string][]byte{}
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
		if z, ok := gzipped(n, b); ok {
			gz[n] = z
		}
	}
	return &staticFiles{version: hex.EncodeToString(h.Sum(nil))[:12], files: sub, gzipped: gz}, nil
}

// compressible are the kinds of static file that are text; the others
// (fonts, images) are compressed already.
var compressible = map[string]bool{".css": true, ".js": true, ".svg": true, ".json": true, ".txt": true, ".map": true, ".webmanifest": true}

// gzipped is file b compressed, when it is text and the result is smaller.
func gzipped(name string, b []byte) ([]byte, bool) {
	if !compressible[path.Ext(name)] {
		return nil, false
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, false
	}
	if _, err := zw.Write(b); err != nil || zw.Close() != nil || buf.Len() >= len(b) {
		return nil, false
	}
	return buf.Bytes(), true
}

// acceptsGzip says whether the request's Accept-Encoding takes gzip
// (by name or by "*", and not with q=0).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "gzip" && name != "*" {
			continue
		}
		if k, v, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.TrimSpace(k) == "q" {
			if q, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil || q == 0 {
				continue
			}
		}
		return true
	}
	return false
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
	if z, ok := s.static.gzipped[name]; ok {
		// The answer depends on Accept-Encoding only: caches keep both forms.
		w.Header().Set("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			h := w.Header()
			if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
				h.Set("Content-Type", ct)
			}
			h.Set("Content-Encoding", "gzip")
			h.Set("Content-Length", strconv.Itoa(len(z)))
			if r.Method != http.MethodHead {
				_, err := w.Write(z)
				return err
			}
			return nil
		}
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
