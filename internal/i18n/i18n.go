// Package i18n is the translation catalogue. Every string a user reads
// comes from it; French is the default and English is complete, which a
// test in package web checks against the source.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"golang.org/x/text/language"
)

//go:embed locales/*/*.json
var locales embed.FS

// Default is the language of anyone who did not choose another.
const Default = "fr"

// Langs are the supported languages, the default first.
var Langs = []string{"fr", "en"}

var matcher = language.NewMatcher([]language.Tag{language.French, language.English})

// Catalogue holds every message in every language.
type Catalogue struct {
	msgs map[string]map[string]string // lang -> key -> message
}

// Load parses the embedded catalogue: every locales/<lang>/*.json file,
// one file per part of the portal so that parts can grow side by side. A
// key defined in two files is an error.
func Load() (*Catalogue, error) { return load(locales) }

func load(fsys fs.FS) (*Catalogue, error) {
	c := &Catalogue{msgs: map[string]map[string]string{}}
	for _, lang := range Langs {
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
		c.msgs[lang] = all
	}
	return c, nil
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
	msg, ok := c.msgs[Supported(lang)][key]
	if !ok {
		return "[" + key + "]"
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// Supported returns lang when it is supported, else the default.
func Supported(lang string) string {
	for _, l := range Langs {
		if l == lang {
			return l
		}
	}
	return Default
}

// FromAcceptLanguage picks the best supported language for an
// Accept-Language header, defaulting to French.
func FromAcceptLanguage(header string) string {
	if strings.TrimSpace(header) == "" {
		return Default
	}
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, idx, conf := matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return Langs[idx]
}
