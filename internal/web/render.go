package web

import (
	"bytes"
	"embed"

	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Paris everywhere

	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

//go:embed templates
var templateFS embed.FS

// views are the parsed templates: one set per page, each with the layout.
type views struct {
	pages map[string]*template.Template
}

// parseViews parses every template once, at start-up.
func parseViews(static *staticFiles) (*views, error) {
	funcs := template.FuncMap{"asset": static.url, "path": paths.Names}
	layout, err := template.New("layout").Funcs(funcs).ParseFS(templateFS, "templates/layout/*.html")
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	v := &views{pages: map[string]*template.Template{}}
	for _, f := range files {
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, f)
		if err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html")
		v.pages[name] = t
	}
	return v, nil
}

// Show is the handler of a page that shows its template and nothing more
// (a form before it is filled in, a "sent" page), titled by the key title.
func (s *Server) Show(name, title string) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		s.Render(w, r, http.StatusOK, name, s.Page(r, title))
		return nil
	}
}

// Render executes a page into a buffer first, so that a template error
// gives a clean error page rather than half a page.
func (s *Server) Render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t, ok := s.views.pages[name]
	if !ok {
		s.Logger.Error("no such template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		ref := newReference()
		s.Logger.Error("template failed", "ref", ref, "name", name, "err", err)
		s.recordIncident(r, ref, http.StatusInternalServerError, err)
		http.Error(w, "Erreur interne / Internal error — "+ref, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// Page is what every template receives: the language, the account, the
// title, and the form state. Views embed it.
type Page struct {
	Lang     string
	TitleKey string
	Account  *permit.Account
	Path     string            // the current path, for the language switch
	Values   map[string]string // what the user typed, to show it again
	Errors   map[string]string // field -> translation key
	ErrArgs  map[string][]any  // field -> arguments of its message
	Notice   string            // translation key of a message to show on top
	ReadOnly bool              // the read-only mode is on: the layout says forms are refused
	Dev      bool
	Staff    bool          // the page is the back office's: the applicant is a third person
	Banner   *StatusBanner // the incident banner (home page and dashboard), when functions are down
	tr       *i18n.Catalogue
	rules    *rules.Catalogue
}

// Page is the state every template starts from, for the request; views
// embed it.
func (s *Server) Page(r *http.Request, titleKey string) *Page {
	p := &Page{Lang: Lang(r), TitleKey: titleKey, Account: Account(r), Path: r.URL.RequestURI(), Dev: s.Dev, tr: s.Tr}
	p.rules = s.Rules
	if s.Modes != nil {
		p.ReadOnly, _ = s.Modes.ReadOnly()
	}
	return p
}

// Date writes a date in words in the page's language, as the day it is
// in Paris: a filing at 23:30 UTC in winter is on the next day there.
func (p *Page) Date(t time.Time) string { return p.tr.Date(p.Lang, t.In(permit.Paris)) }

// Ground names a ground of the catalogue, or shows its id if unknown.
func (p *Page) Ground(id permit.GroundID) string {
	if p.rules != nil {
		if g, ok := p.rules.Ground(id); ok {
			return p.Text(g.Name)
		}
	}
	return string(id)
}

// Text picks the page's language from a catalogue text (French when the
// text lacks it).
func (p *Page) Text(t rules.Text) string { return t.In(p.Lang) }

// Iso isolates a person's text inside a sentence (a name or a file name
// given to T): between U+2068 and U+2069, the first-strong isolate, the
// plain-text <bdi>, so that a right-to-left name, or a direction control
// stored before they were refused, cannot reorder the words around it.
func (p *Page) Iso(s string) string { return "\u2068" + s + "\u2069" }

// T translates a key into the page's language.
func (p *Page) T(key string, args ...any) string { return p.tr.T(p.Lang, key, args...) }

// French is a key in French, whatever the page's language: the link to
// the French wording, which a reader of the French looks for in French.
func (p *Page) French(key string, args ...any) string { return p.tr.T(i18n.Default, key, args...) }

// N translates a message whose words follow the count n, in the form the
// page's language gives n (i18n.Catalogue.N); its arguments are args, or
// n alone.
func (p *Page) N(key string, n int, args ...any) string { return p.tr.N(p.Lang, key, n, args...) }

// Number writes a whole number as the page's language groups its digits.
func (p *Page) Number(n int) string { return p.tr.Number(p.Lang, n) }

// PDFNote says, on a page offering a PDF to a reader of another
// language, that the PDF is in French and English: the documents are
// printed in the two languages their readers (administrations,
// employers, verifiers) check them in, whatever the page's language
// (docs/decisions/0012-languages.md). Empty in French and English.
func (p *Page) PDFNote() string {
	if p.Lang == i18n.Default || p.Lang == "en" {
		return ""
	}
	return p.T("pdf.languages")
}

// Dir is the direction of the page's language: "rtl" or "ltr".
func (p *Page) Dir() string { return p.tr.Dir(p.Lang) }

// Title is the document title: the page, then the service, as RGAA asks;
// pages with errors say so first.
func (p *Page) Title() string {
	t := p.T(p.TitleKey) + " — " + p.T("site.name")
	if len(p.Errors) > 0 {
		return p.T("form.error.title_prefix") + " " + t
	}
	return t
}

// LangLink is one entry of the language switch: a language, its name in
// itself, and the address that switches to it and comes back here; the
// page's own language is marked current and has no address.
type LangLink struct {
	Code, Name, URL, Dir string
	Current              bool
}

// Langs are the entries of the language switch: every language the
// catalogue offers, in the catalogue's order, each named in itself, so
// that a reader who reads none of the others finds theirs.
func (p *Page) Langs() []LangLink {
	var out []LangLink
	for _, l := range p.tr.Langs() {
		link := LangLink{Code: l, Name: p.tr.Name(l), Dir: p.tr.Dir(l), Current: l == p.Lang}
		if !link.Current {
			link.URL = paths.Language.Format(l) + "?suite=" + SafeNext(p.Path)
		}
		out = append(out, link)
	}
	return out
}

// FrenchURL is this page in French for this one visit (the query
// parameter "langue=fr", which the language middleware reads), the
// wording that is the legal reference of every translation.
func (p *Page) FrenchURL() string {
	u, err := url.Parse(p.Path)
	if err != nil {
		return paths.Home.String() + "?" + FrenchParam + "=" + i18n.Default
	}
	q := u.Query()
	q.Set(FrenchParam, i18n.Default)
	u.RawQuery = q.Encode()
	return u.RequestURI()
}

// Field is one form field, ready for the "field" template.
type Field struct {
	Accept                   string // for file inputs: the types offered
	Form                     string // the id of the form it belongs to, when it stands outside it
	Name, Type, Autocomplete string
	Label, Hint, Error       string
	Value                    string
	Required                 bool
}

// Field describes an input; labelKey and hintKey are translation keys
// (hintKey may be empty). Passwords are never shown again.
func (p *Page) Field(name, typ, autocomplete, labelKey, hintKey string) Field {
	f := Field{Name: name, Type: typ, Autocomplete: autocomplete, Label: p.T(labelKey), Required: true}
	if hintKey != "" {
		f.Hint = p.T(hintKey)
	}
	if key, ok := p.Errors[name]; ok {
		f.Error = p.T(key, p.ErrArgs[name]...)
	}
	if typ != "password" {
		f.Value = p.Values[name]
	}
	return f
}

// Autofill returns the autocomplete token of a field about the person
// using the browser, or "off" on a staff page, where the person is
// someone else.
func (p *Page) Autofill(token string) string {
	if p.Staff {
		return "off"
	}
	return token
}

// Optional is Field for an input that may stay empty.
func (p *Page) Optional(name, typ, autocomplete, labelKey, hintKey string) Field {
	f := p.Field(name, typ, autocomplete, labelKey, hintKey)
	f.Required = false
	return f
}

// ErrorSummary is the list of a form's errors shown above it, each
// linking to its field, as RGAA asks.
type ErrorSummary struct {
	Title string
	Items []Field
}

// ErrorSummary lists the page's field errors in form order, or nil. An
// error on a field the order does not name (a hidden field a request
// changed: a control character in it) comes last, so that no error goes
// unsaid.
func (p *Page) ErrorSummary(order ...string) *ErrorSummary {
	var items []Field
	for _, name := range order {
		if key, ok := p.Errors[name]; ok {
			items = append(items, Field{Name: name, Error: p.T(key, p.ErrArgs[name]...)})
		}
	}
	var rest []string
	for name := range p.Errors {
		if !slices.Contains(order, name) {
			rest = append(rest, name)
		}
	}
	sort.Strings(rest)
	for _, name := range rest {
		items = append(items, Field{Name: name, Error: p.T(p.Errors[name], p.ErrArgs[name]...)})
	}
	if items == nil {
		return nil
	}
	return &ErrorSummary{Title: p.T("form.error.summary"), Items: items}
}

// AllErrors is the error summary of every field in error, for pages with
// many forms (an application's page has one per document).
func (p *Page) AllErrors() *ErrorSummary {
	names := make([]string, 0, len(p.Errors))
	for n := range p.Errors {
		names = append(names, n)
	}
	sort.Strings(names)
	return p.ErrorSummary(names...)
}

// NoticeBox is a message above the page content.
type NoticeBox struct {
	Type string // info, success, warning, error: the DSFR alert kinds
	Text string
}

// NoticeBox returns the page's notice as an alert of kind typ, or nil.
func (p *Page) NoticeBox(typ string) *NoticeBox {
	if p.Notice == "" {
		return nil
	}
	return &NoticeBox{Type: typ, Text: p.T(p.Notice)}
}

// NextQuery is the escaped ?suite= target to carry through a form, if any.
func (p *Page) NextQuery() string {
	u, err := url.Parse(p.Path)
	if err != nil {
		return ""
	}
	next := u.Query().Get("suite")
	if next == "" || SafeNext(next) == "/" {
		return ""
	}
	return SafeNext(next)
}

// FormError fills a page with the field errors of err, or returns err
// when it is not about fields.
func FormError(p *Page, err error) error {
	fields := permit.FieldErrors(err)
	if fields == nil {
		return err
	}
	p.Errors, p.ErrArgs = fields, map[string][]any{}
	for f := range fields {
		if _, args := permit.FieldMessage(err, f); args != nil {
			p.ErrArgs[f] = args
		}
	}
	return nil
}
