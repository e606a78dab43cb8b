package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/paths"
)

var assetRe = regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`)

// fetchStatic gets a static file with the given Accept-Encoding.
func fetchStatic(t *testing.T, s *site, path, accept string) (*http.Response, []byte) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if accept != "" {
		req.Header.Set("Accept-Encoding", accept)
	}
	res := s.do(req)
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

// TestStylesheetServedGzipped checks the stylesheet the pages link goes
// compressed to a client that accepts gzip, is the same file once
// unpacked, keeps its one-year cache, and varies by encoding only.
func TestStylesheetServedGzipped(t *testing.T) {
	s := sqliteSite(t)
	_, home := s.get(paths.Home.String())
	var css string
	for _, m := range assetRe.FindAllStringSubmatch(home, -1) {
		if strings.HasSuffix(m[1], "dsfr.min.css") {
			css = m[1]
		}
	}
	if css == "" {
		t.Fatal("the home page links no dsfr.min.css")
	}
	plainRes, plain := fetchStatic(t, s, css, "")
	if plainRes.Header.Get("Content-Encoding") != "" || len(plain) < 500_000 {
		t.Fatalf("without Accept-Encoding: %q, %d bytes", plainRes.Header.Get("Content-Encoding"), len(plain))
	}
	for _, accept := range []string{"gzip", "gzip, deflate, br, zstd", "br;q=1, gzip;q=0.5", "*"} {
		res, z := fetchStatic(t, s, css, accept)
		if res.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("Accept-Encoding %q: served uncompressed (%d bytes)", accept, len(z))
		}
		if len(z) > 150_000 {
			t.Errorf("Accept-Encoding %q: %d bytes compressed", accept, len(z))
		}
		zr, err := gzip.NewReader(bytes.NewReader(z))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("Accept-Encoding %q: unpacked is not the file (%v)", accept, err)
		}
		h := res.Header
		if h.Get("Cache-Control") != "public, max-age=31536000, immutable" || !strings.HasPrefix(h.Get("Content-Type"), "text/css") {
			t.Errorf("headers: %v", h)
		}
		if v := strings.Join(h.Values("Vary"), ","); strings.Contains(v, "Cookie") || !strings.Contains(v, "Accept-Encoding") {
			t.Errorf("Vary %q: want Accept-Encoding and not Cookie", v)
		}
	}
	if res, _ := fetchStatic(t, s, css, "gzip;q=0"); res.Header.Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 got gzip")
	}
}

// TestPageWeight measures what the home page costs a first visit (the
// page and the files it links, gzipped when text) and a later page (the
// page alone: the files are cached for a year). Fonts are named by the
// stylesheet and fetched only when used: the four Marianne weights are
// logged as an upper estimate.
func TestPageWeight(t *testing.T) {
	s := sqliteSite(t)
	first, later := 0, 0
	for _, p := range []string{paths.Home.String(), paths.LogIn.String()} {
		_, page := s.get(p)
		if later < len(page) {
			later = len(page)
		}
	}
	_, home := s.get(paths.Home.String())
	first = len(home)
	seen := map[string]bool{}
	var fontDir string
	for _, m := range assetRe.FindAllStringSubmatch(home, -1) {
		if seen[m[1]] {
			continue
		}
		seen[m[1]] = true
		_, b := fetchStatic(t, s, m[1], "gzip")
		first += len(b)
		t.Logf("%7d %s", len(b), m[1])
		if strings.HasSuffix(m[1], "dsfr.min.css") {
			fontDir = strings.TrimSuffix(m[1], "dsfr.min.css") + "fonts/"
		}
	}
	linked := first
	for _, f := range []string{"Marianne-Regular.woff2", "Marianne-Bold.woff2", "Marianne-Medium.woff2", "Marianne-Light.woff2"} {
		_, b := fetchStatic(t, s, fontDir+f, "gzip")
		first += len(b)
		t.Logf("%7d %s", len(b), f)
	}
	t.Logf("first visit: page and linked files %d bytes, with four font weights %d bytes; later page (largest of home, log-in) %d bytes", linked, first, later)
	// The fonts a browser fetches depend on the page's text: only the
	// page and the files it links are held to the goal here.
	if linked > 300_000 || later > 20_000 {
		t.Errorf("first visit %d bytes (goal 300 KB), later page %d bytes (goal 20 KB)", linked, later)
	}
}
