// Package paths names the site's pages. Routes are declared from these
// names, and handlers, templates, mails and tests build addresses with
// them: a page is renamed in one place, and a link to a page that does
// not exist does not compile.
//
// A path is written as the route pattern of net/http's mux, with its
// wildcards in braces ("/demandes/{id}"); Format fills the wildcards in
// order.
package paths

import (
	"net/url"
	"strconv"
	"strings"
)

// Path is a page without wildcards.
type Path string

// String returns the address: the mux's end anchor "{$}" of a pattern
// is not part of it (Home is "/").
func (p Path) String() string { return strings.TrimSuffix(string(p), "{$}") }

// ID is a page addressed by one number: an application, a report, a
// correction, a person, an account.
type ID string

// Format returns the address of the page of id.
func (p ID) Format(id int64) string { return fill(string(p), strconv.FormatInt(id, 10)) }

// Token is a page addressed by a secret or a word (a mailed link, a
// follow code, a language).
type Token string

// Format returns the address of the page of token, escaped.
func (p Token) Format(token string) string { return fill(string(p), url.PathEscape(token)) }

// IDAnd is a page addressed by a number and, below it, a second number
// or a word: an application's document, attestation or slot.
type IDAnd string

// Format returns the address of the page of id and sub.
func (p IDAnd) Format(id int64, sub string) string {
	return fill(string(p), strconv.FormatInt(id, 10), url.PathEscape(sub))
}

// FormatIDs returns the address of the page of id and a second number.
func (p IDAnd) FormatIDs(id, sub int64) string {
	return fill(string(p), strconv.FormatInt(id, 10), strconv.FormatInt(sub, 10))
}

// fill replaces the wildcards of pattern, in order, with values.
func fill(pattern string, values ...string) string {
	var b strings.Builder
	rest := pattern
	for _, v := range values {
		i := strings.IndexByte(rest, '{')
		j := strings.IndexByte(rest, '}')
		if i < 0 || j < i {
			panic("paths: " + pattern + " has fewer wildcards than values")
		}
		b.WriteString(rest[:i])
		b.WriteString(v)
		rest = rest[j+1:]
	}
	if strings.IndexByte(rest, '{') >= 0 {
		panic("paths: " + pattern + " has more wildcards than values")
	}
	b.WriteString(rest)
	return b.String()
}

// Pattern is any kind of path, as the mux's patterns are written.
type Pattern interface{ ~string }

// Get is the route pattern of a page read with GET.
func Get[P Pattern](p P) string { return "GET " + string(p) }

// Post is the route pattern of a form posted to a page.
func Post[P Pattern](p P) string { return "POST " + string(p) }

// Preflight is the route pattern of a browser's CORS preflight (OPTIONS)
// before another site's script calls p.
func Preflight[P Pattern](p P) string { return "OPTIONS " + string(p) }
