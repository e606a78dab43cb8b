// Package i18n is the translation catalogue. Every string a user reads
// comes from it. The languages are data: each directory
// locales/<lang>/ is one supported language, named by its BCP 47 tag, and
// names itself under the key "lang.name". French is the default and the
// fallback; every other language is complete, which a test in package web
// checks against the source.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

//go:embed locales/*/*.json
var locales embed.FS

// Default is the language of anyone who did not choose another, and the
// one texts fall back to: French, the language of the law and of the
// prefecture.
const Default = "fr"

// NameKey is the key under which each language writes its own name
// ("Français", "English"): the language switch shows it.
const NameKey = "lang.name"

// Catalogue holds every message in every language.
type Catalogue struct {
	langs   []string                     // Default first, then the others in tag order
	msgs    map[string]map[string]string // lang -> key -> message
	matcher language.Matcher             // over langs, in the same order
}

// Load parses the embedded catalogue: every locales/<lang>/*.json file,
// one file per part of the portal so that parts can grow side by side. A
// key defined in two files is an error.
func Load() (*Catalogue, error) { return LoadFS(locales) }

// LoadFS parses a catalogue laid out like the embedded one, under
// locales/. Tests use it to add a language without touching the code.
func LoadFS(fsys fs.FS) (*Catalogue, error) {
	dirs, err := fs.ReadDir(fsys, "locales")
	if err != nil {
		return nil, err
	}
	c := &Catalogue{msgs: map[string]map[string]string{}}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		lang := d.Name()
		if tag, err := language.Parse(lang); err != nil || tag.String() != lang {
			return nil, fmt.Errorf("locales/%s: not a canonical language tag", lang)
		}
		msgs, err := loadLang(fsys, lang)
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(msgs[NameKey]) == "" {
			return nil, fmt.Errorf("locales/%s: no %q, the language's own name", lang, NameKey)
		}
		c.msgs[lang] = msgs
		c.langs = append(c.langs, lang)
	}
	if c.msgs[Default] == nil {
		return nil, fmt.Errorf("locales/%s: the default language is missing", Default)
	}
	sort.SliceStable(c.langs, func(i, j int) bool { return c.langs[i] == Default && c.langs[j] != Default })
	tags := make([]language.Tag, len(c.langs))
	for i, l := range c.langs {
		tags[i] = language.MustParse(l)
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

// loadLang reads and merges the files of one language.
func loadLang(fsys fs.FS, lang string) (map[string]string, error) {
	files, err := fs.Glob(fsys, "locales/"+lang+"/*.json")
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("locales/%s: no catalogue file", lang)
	}
	all := map[string]string{}
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for k, v := range m {
			if _, dup := all[k]; dup {
				return nil, fmt.Errorf("%s: key %q is defined in another file too", f, k)
			}
			all[k] = v
		}
	}
	return all, nil
}

// MustLoad is Load for start-up code and tests: the catalogue is embedded,
// so failing to parse it is a bug of the build.
func MustLoad() *Catalogue {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// Langs returns the supported languages, the default first.
func (c *Catalogue) Langs() []string { return slices.Clone(c.langs) }

// Name is a supported language's name in that language, as a reader
// looking for it recognises it.
func (c *Catalogue) Name(lang string) string { return c.msgs[lang][NameKey] }

// Keys returns the keys of one language, sorted.
func (c *Catalogue) Keys(lang string) []string {
	keys := make([]string, 0, len(c.msgs[lang]))
	for k := range c.msgs[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Has reports whether key exists in lang.
func (c *Catalogue) Has(lang, key string) bool {
	_, ok := c.msgs[lang][key]
	return ok
}

// T translates key into lang, formatting args with fmt verbs. A missing
// key shows itself in brackets rather than failing the page; the
// catalogue test keeps that from reaching users.
func (c *Catalogue) T(lang, key string, args ...any) string {
	msg, ok := c.msgs[c.Supported(lang)][key]
	if !ok {
		return "[" + key + "]"
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// formNames are the names of CLDR's plural forms, as the last part of
// a plural message's keys: "queue.days.one", "queue.days.other".
var formNames = map[plural.Form]string{
	plural.Zero: "zero", plural.One: "one", plural.Two: "two",
	plural.Few: "few", plural.Many: "many", plural.Other: "other",
}

// Form names the plural form a whole number n takes in lang, by CLDR's
// cardinal rules: "one" for 1 in French and English, "few" for 3 in
// Arabic or Russian, "other" for every number in Chinese.
func Form(lang string, n int) string {
	if n < 0 {
		n = -n
	}
	return formNames[plural.Cardinal.MatchPlural(language.Make(lang), n%10_000_000, 0, 0, 0, 0)]
}

// Forms lists the plural forms lang's rules give whole numbers, plus
// "other", which every plural message has: the forms each of its plural
// messages must write.
func Forms(lang string) []string {
	seen := map[string]bool{"other": true}
	for n := range 1001 {
		seen[Form(lang, n)] = true
	}
	out := make([]string, 0, len(seen))
	for _, f := range []string{"zero", "one", "two", "few", "many", "other"} {
		if seen[f] {
			out = append(out, f)
		}
	}
	return out
}

// N translates a message whose words follow a count: the key names a
// family, key+".one", key+".few", key+".other"…, one message per plural
// form of the language, and N picks the form of n. The arguments are
// args, or n alone when there are none. A form the language lacks falls
// back to "other"; the catalogue tests keep every form present.
func (c *Catalogue) N(lang, key string, n int, args ...any) string {
	lang = c.Supported(lang)
	if len(args) == 0 {
		args = []any{n}
	}
	msg, ok := c.msgs[lang][key+"."+Form(lang, n)]
	if !ok {
		msg, ok = c.msgs[lang][key+".other"]
	}
	switch {
	case !ok:
		return "[" + key + "]"
	case !strings.Contains(msg, "%"):
		return msg // a form that says the number in words ("one day")
	}
	return fmt.Sprintf(msg, args...)
}

// Number writes a whole number as lang groups its digits: "12 500" in
// French, "12,500" in English, "12.500" in Spanish. The digits are Latin
// in every language, Arabic included (docs/decisions/0012-languages.md):
// a number must read as it is written on the person's documents.
func (c *Catalogue) Number(lang string, n int) string {
	tag := language.Make(c.Supported(lang) + "-u-nu-latn")
	return message.NewPrinter(tag).Sprint(number.Decimal(n))
}

// Dir is the direction lang is written in: "rtl" for Arabic, "ltr" for
// the others. A language says it in its catalogue, under "lang.dir".
func (c *Catalogue) Dir(lang string) string {
	if c.msgs[c.Supported(lang)]["lang.dir"] == "rtl" {
		return "rtl"
	}
	return "ltr"
}

// Known reports whether lang is a supported language, exactly.
func (c *Catalogue) Known(lang string) bool { return c.msgs[lang] != nil }

// Supported returns lang when it is supported, else the default.
func (c *Catalogue) Supported(lang string) string {
	if c.Known(lang) {
		return lang
	}
	return Default
}

// Match picks the best supported language for an Accept-Language header,
// defaulting to French.
func (c *Catalogue) Match(acceptLanguage string) string {
	if strings.TrimSpace(acceptLanguage) == "" {
		return Default
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, idx, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return c.langs[idx]
}
