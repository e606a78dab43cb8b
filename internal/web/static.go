package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"

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
	// encoded holds, by file then by content coding, every text file
	// compressed once at start, in each coding that makes it smaller (the
	// stylesheet goes from 728 KB to 77 KB in brotli, 94 KB in gzip);
	// fonts and images, already compressed, are not in it.
	encoded map[string]map[string][]byte
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
	texts := map[string][]byte{}
	for _, n := range names {
		b, err := fs.ReadFile(sub, n)
		if err != nil {
			return nil, err
		}
		h.Write([]byte(n))
		h.Write(b)
		if compressible[path.Ext(n)] {
			texts[n] = b
		}
	}
	return &staticFiles{version: hex.EncodeToString(h.Sum(nil))[:12], files: sub, encoded: encodeAll(texts)}, nil
}

// compressible are the kinds of static file that are text; the others
// (fonts, images) are compressed already.
var compressible = map[string]bool{".css": true, ".js": true, ".svg": true, ".json": true, ".txt": true, ".map": true, ".webmanifest": true}

// A coding is a content coding the static files are served in, with the
// function that compresses a file into it.
type coding struct {
	name     string
	compress func(io.Writer) io.WriteCloser
}

// codings are the content codings offered, the server's preference
// first when a client accepts several equally. Brotli's quality 6 was
// chosen by measuring the stylesheet (728,012 bytes) on the development
// machine: 77,005 bytes in about 0.5 s at start, against 72,187 bytes in
// 2.6 s at 9 and 62,161 bytes in 52 s at 11 (docs/performance.md).
var codings = []coding{
	{"br", func(w io.Writer) io.WriteCloser { return brotli.NewWriterLevel(w, 6) }},
	{"gzip", func(w io.Writer) io.WriteCloser {
		zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression) // a valid level: no error
		return zw
	}},
}

// encodeAll compresses every text file in every coding, one coding per
// goroutine, keeping the results smaller than the file.
func encodeAll(texts map[string][]byte) map[string]map[string][]byte {
	out := make([]map[string][]byte, len(codings))
	var wg sync.WaitGroup
	for i, c := range codings {
		wg.Go(func() {
			out[i] = map[string][]byte{}
			for n, b := range texts {
				var buf bytes.Buffer
				w := c.compress(&buf)
				if _, err := w.Write(b); err == nil && w.Close() == nil && buf.Len() < len(b) {
					out[i][n] = buf.Bytes()
				}
			}
		})
	}
	wg.Wait()
	enc := map[string]map[string][]byte{}
	for i, c := range codings {
		for n, z := range out[i] {
			if enc[n] == nil {
				enc[n] = map[string][]byte{}
			}
			enc[n][c.name] = z
		}
	}
	return enc
}

// negotiate picks, among the codings a file has, the one the request's
// Accept-Encoding (RFC 9110, 12.5.3) prefers: the highest q-value, a
// coding not named taking the q-value of "*" if given, q=0 meaning "not
// acceptable"; equal q-values go to the server's preference (codings'
// order). It returns "" for the file as it is.
func negotiate(accept string, have map[string][]byte) string {
	named, star := map[string]float64{}, -1.0
	for _, part := range strings.Split(accept, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.ToLower(strings.TrimSpace(k)) == "q" {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0 // a malformed weight is not a reason to send a coding
				}
				q = f
			}
		}
		if name == "*" {
			star = q
		} else {
			named[name] = q
		}
	}
	best, bestQ := "", 0.0
	for _, c := range codings {
		if _, ok := have[c.name]; !ok {
			continue
		}
		q, ok := named[c.name]
		if !ok {
			q = max(star, 0)
		}
		if q > bestQ {
			best, bestQ = c.name, q
		}
	}
	return best
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
	if have, ok := s.static.encoded[name]; ok {
		// The answer depends on Accept-Encoding only: caches keep one
		// copy per coding, never one per visitor.
		w.Header().Set("Vary", "Accept-Encoding")
		if c := negotiate(r.Header.Get("Accept-Encoding"), have); c != "" {
			z := have[c]
			h := w.Header()
			if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
				h.Set("Content-Type", ct)
			}
			h.Set("Content-Encoding", c)
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
