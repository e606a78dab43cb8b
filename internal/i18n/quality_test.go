package i18n

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
)

// The tests of this file hold the translations to what a reader needs of
// them, in every language the catalogue offers: the same placeholders as
// the French (the legal reference), no words left in another language or
// script, the plural forms CLDR's rules ask for, the legal terms of the
// glossary, dates and numbers as the language writes them.

// verb matches a fmt verb: "%s", "%d", "%[2]s", "%%".
var verb = regexp.MustCompile(`%(?:\[(\d+)\])?[-+# 0]*\d*(?:\.\d+)?([a-zA-Z%])`)

// verbs lists the arguments a message formats, as "index:verb", sorted:
// "%s %d" and "%[2]d %[1]s" both give [1:s 2:d].
func verbs(msg string) []string {
	var out []string
	n := 0
	for _, m := range verb.FindAllStringSubmatch(msg, -1) {
		if m[2] == "%" {
			continue
		}
		if m[1] != "" {
			n, _ = strconv.Atoi(m[1])
		} else {
			n++
		}
		out = append(out, strconv.Itoa(n)+":"+m[2])
	}
	sort.Strings(out)
	return out
}

func TestVerbs(t *testing.T) {
	if got := verbs("%[3]d年%[2]s%[1]s日"); !slices.Equal(got, verbs("%s %s %d")) {
		t.Errorf("reordered verbs = %v, want %v", got, verbs("%s %s %d"))
	}
	if got := verbs("100 %% de %d"); !slices.Equal(got, []string{"1:d"}) {
		t.Errorf("verbs = %v", got)
	}
	if slices.Equal(verbs("%s %d"), verbs("%d %s")) {
		t.Error("two verbs swapped without indexes must differ")
	}
}

// pluralForm reports whether key is one form of a plural message:
// "queue.days.one", of a stem the French writes in its two forms,
// "queue.days.one" and "queue.days.other" (a family of values that has
// an "other" among them, "refusal.reason.other", is not one).
func pluralForm(c *Catalogue, key string) (stem, form string, ok bool) {
	i := strings.LastIndex(key, ".")
	stem, form = key[:i], key[i+1:]
	if !slices.Contains([]string{"zero", "one", "two", "few", "many", "other"}, form) ||
		!c.Has(Default, stem+".one") || !c.Has(Default, stem+".other") {
		return "", "", false
	}
	return stem, form, true
}

// Every message has the placeholders of its French: the same arguments,
// with the same verbs, in any order the language needs. A plural form
// other than "other" may write its number in words and leave it out,
// naming the arguments it keeps by their index (so none shifts).
func TestPlaceholdersAsInFrench(t *testing.T) {
	c := MustLoad()
	for _, lang := range c.Langs() {
		for _, k := range c.Keys(lang) {
			fr := k
			stem, form, plural := pluralForm(c, k)
			if plural {
				fr = stem + ".other"
			}
			msg := c.msgs[lang][k]
			got, want := verbs(msg), verbs(c.msgs[Default][fr])
			if plural && form != "other" && subset(got, want) && (got == nil || strings.Count(msg, "%[") == len(got)) {
				continue // "one day", "last day, %[1]s": a form saying its number in words
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s %s formats %v, the French %v", lang, k, got, want)
			}
		}
	}
}

// subset reports whether every verb of a is in b.
func subset(a, b []string) bool {
	for _, v := range a {
		if !slices.Contains(b, v) {
			return false
		}
	}
	return true
}

// Each plural message has exactly the forms its language's rules give
// whole numbers, and "other"; a form the language does not have is a
// mistake (a "one" in Chinese), as is a missing one.
func TestPluralFormsByCLDR(t *testing.T) {
	c := MustLoad()
	families := 0
	for _, k := range c.Keys(Default) {
		stem, form, ok := pluralForm(c, k)
		if !ok || form != "other" {
			continue
		}
		families++
		for _, lang := range c.Langs() {
			var have []string
			for _, f := range []string{"zero", "one", "two", "few", "many", "other"} {
				if c.Has(lang, stem+"."+f) {
					have = append(have, f)
				}
			}
			if want := Forms(lang); !slices.Equal(have, want) {
				t.Errorf("%s %s has the forms %v, its rules ask for %v", lang, stem, have, want)
			}
		}
	}
	if families < 10 {
		t.Errorf("%d plural messages, want the counts of the pages written as such (at least 10)", families)
	}
}

func TestN(t *testing.T) {
	c := &Catalogue{msgs: map[string]map[string]string{
		"fr": {"d.one": "%d jour", "d.other": "%d jours"},
		"ru": {"d.one": "%d день", "d.few": "%d дня", "d.many": "%d дней", "d.other": "%d дня"},
		"ar": {"d.zero": "لا أيام", "d.one": "يوم واحد", "d.two": "يومان", "d.few": "%d أيام", "d.many": "%d يومًا", "d.other": "%d يوم"},
	}}
	for _, tt := range []struct {
		lang string
		n    int
		want string
	}{
		{"fr", 0, "0 jour"}, {"fr", 1, "1 jour"}, {"fr", 2, "2 jours"},
		{"ru", 1, "1 день"}, {"ru", 3, "3 дня"}, {"ru", 5, "5 дней"}, {"ru", 21, "21 день"},
		{"ar", 0, "لا أيام"}, {"ar", 2, "يومان"}, {"ar", 5, "5 أيام"}, {"ar", 30, "30 يومًا"}, {"ar", 100, "100 يوم"},
	} {
		if got := c.N(tt.lang, "d", tt.n); got != tt.want {
			t.Errorf("N(%s, %d) = %q, want %q", tt.lang, tt.n, got, tt.want)
		}
	}
	if got := c.N("fr", "nope", 2); got != "[nope]" {
		t.Errorf("missing plural message: %q", got)
	}
}

// scripts are the writing systems of the languages not written in Latin
// letters.
var scripts = map[string]*unicode.RangeTable{"ar": unicode.Arabic, "ru": unicode.Cyrillic, "zh": unicode.Han}

// kept are what stays in Latin letters in every language: the service's
// name, acronyms, addresses, legal references, units and code formats.
var kept = regexp.MustCompile(`https?://\S+|\bsejour\b|\b[A-Z][A-Z0-9]{1,}\b|FranceConnect|France Travail|e-?mail|\b[LRD]\.\s?\d[\d\-.]*|%(?:\[\d+\])?[a-z]|\b[A-Z]{2,}-[A-Z0-9-]+\b|\b(?:ko|Mo|Go)\b|\b[a-z]+/[a-z0-9.+-]+\b`)

// No message is left in another language: in a language of another
// script, its own letters outnumber Latin ones once the kept words are
// set aside; in a Latin-script language, no letter of another script
// appears; and nowhere is a message of three words or more the French or
// English one, untranslated. Digits are Latin everywhere (decision 0012).
func TestNothingLeftInAnotherLanguage(t *testing.T) {
	c := MustLoad()
	others := []*unicode.RangeTable{unicode.Arabic, unicode.Cyrillic, unicode.Han}
	for _, lang := range c.Langs() {
		for _, k := range c.Keys(lang) {
			msg := c.msgs[lang][k]
			if strings.ContainsFunc(msg, func(r rune) bool { return unicode.IsDigit(r) && r > unicode.MaxASCII }) {
				t.Errorf("%s %s: digits other than Latin: %q", lang, k, msg)
			}
			if k == "lang.dir" {
				continue // "rtl" or "ltr", a value, not words
			}
			if own, ok := scripts[lang]; ok {
				rest := kept.ReplaceAllString(msg, "")
				latin, mine := 0, 0
				for _, r := range rest {
					switch {
					case unicode.Is(unicode.Latin, r):
						latin++
					case unicode.Is(own, r):
						mine++
					}
				}
				if latin > mine {
					t.Errorf("%s %s: more Latin letters than its own: %q", lang, k, msg)
				}
			} else if i := strings.IndexFunc(msg, func(r rune) bool { return unicode.In(r, others...) }); i >= 0 {
				t.Errorf("%s %s: a letter of another script: %q", lang, k, msg)
			}
			if lang == Default || lang == "en" || words(msg) < 3 {
				continue
			}
			if msg == c.msgs[Default][k] || msg == c.msgs["en"][k] {
				t.Errorf("%s %s is left untranslated: %q", lang, k, msg)
			}
		}
	}
}

// words counts the words of a message made of letters only ("%d d %d h"
// has none, a code "ERR-XXXX" is not one): a message with fewer than
// three may well read the same in two languages.
func words(msg string) int {
	n := 0
	for _, w := range strings.FieldsFunc(msg, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) && r != '-' && r != '\'' }) {
		if len([]rune(w)) >= 2 && !strings.ContainsFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
			n++
		}
	}
	return n
}

// readGlossary reads glossary/<lang>.json: term -> its accepted forms.
func readGlossary(t *testing.T, lang string) map[string][]string {
	t.Helper()
	b, err := os.ReadFile("glossary/" + lang + ".json")
	if err != nil {
		t.Fatalf("%s: no glossary: %v", lang, err)
	}
	g := map[string][]string{}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatalf("glossary/%s.json: %v", lang, err)
	}
	return g
}

// The legal terms are translated the same way everywhere: each message
// whose French names a term of the glossary (glossary/fr.json, the
// French patterns) names it in one of the forms glossary/<lang>.json
// accepts, so that a reader meets one word for one thing.
func TestGlossaryTermsEverywhere(t *testing.T) {
	c := MustLoad()
	fr := readGlossary(t, Default)
	for _, lang := range c.Langs()[1:] {
		g := readGlossary(t, lang)
		for term, patterns := range fr {
			forms := g[term]
			if len(forms) == 0 {
				t.Errorf("glossary/%s.json: no translation of %q", lang, term)
				continue
			}
			uses := 0
			for _, k := range c.Keys(lang) {
				fr := k
				if stem, _, plural := pluralForm(c, k); plural {
					fr = stem + ".other" // each form says what the French "other" says
				}
				if !containsAny(c.msgs[Default][fr], patterns) {
					continue
				}
				uses++
				if !containsAny(c.msgs[lang][k], forms) {
					t.Errorf("%s %s: %q is not written as the glossary says (%q): %q", lang, k, term, forms, c.msgs[lang][k])
				}
			}
			if uses == 0 {
				t.Errorf("glossary term %q is in no French message", term)
			}
		}
	}
}

func containsAny(msg string, forms []string) bool {
	msg = strings.ToLower(msg)
	for _, f := range forms {
		if strings.Contains(msg, strings.ToLower(f)) {
			return true
		}
	}
	return false
}

// Dates are written in each language's words and order; numbers with its
// grouping, in Latin digits.
func TestDatesAndNumbersPerLanguage(t *testing.T) {
	c := MustLoad()
	first, late := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	want := map[string][3]string{
		"fr": {"1er mars 2027", "26 novembre 2026", "1\u00a0234\u00a0567"},
		"en": {"1 March 2027", "26 November 2026", "1,234,567"},
		"ar": {"1 مارس 2027", "26 نوفمبر 2026", "1,234,567"},
		"es": {"1 de marzo de 2027", "26 de noviembre de 2026", "1.234.567"},
		"pt": {"1 de março de 2027", "26 de novembro de 2026", "1.234.567"},
		"ru": {"1 марта 2027 г.", "26 ноября 2026 г.", "1\u00a0234\u00a0567"},
		"tr": {"1 Mart 2027", "26 Kasım 2026", "1.234.567"},
		"zh": {"2027年3月1日", "2026年11月26日", "1,234,567"},
	}
	for _, lang := range c.Langs() {
		w, ok := want[lang]
		if !ok {
			t.Errorf("%s: no expected date and number: add them here", lang)
			continue
		}
		if got := c.Date(lang, first); got != w[0] {
			t.Errorf("Date(%s, 1 March 2027) = %q, want %q", lang, got, w[0])
		}
		if got := c.Date(lang, late); got != w[1] {
			t.Errorf("Date(%s, 26 November 2026) = %q, want %q", lang, got, w[1])
		}
		if got := c.Number(lang, 1234567); got != w[2] {
			t.Errorf("Number(%s, 1234567) = %q, want %q", lang, got, w[2])
		}
	}
}
