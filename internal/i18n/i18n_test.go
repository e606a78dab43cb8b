package i18n

import (
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestMatch(t *testing.T) {
	c := MustLoad()
	tests := []struct{ header, want string }{
		{"", "fr"},
		{"en-GB,en;q=0.9", "en"},
		{"fr-FR,fr;q=0.9,en;q=0.8", "fr"},
		{"de-DE,de;q=0.9", "fr"},
		{"ar;q=0.9,en;q=0.5", "ar"},
		{"ar-MA,ar;q=0.9", "ar"},
		{"zh-CN,zh;q=0.9", "zh"},
		{"zh-TW", "zh"},
		{"pt-BR,pt;q=0.9", "pt"},
		{"es-419,es;q=0.9", "es"},
		{"tr-TR", "tr"},
		{"ru-RU,ru;q=0.9,en;q=0.5", "ru"},
		{"it-IT,it;q=0.9", "fr"},
		{"garbage;;;q=x", "fr"},
	}
	for _, tt := range tests {
		if got := c.Match(tt.header); got != tt.want {
			t.Errorf("Match(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestSameKeysInEveryLanguage(t *testing.T) {
	c := MustLoad()
	if got := c.Langs(); !slices.Equal(got, []string{"fr", "ar", "en", "es", "pt", "ru", "tr", "zh"}) {
		t.Errorf("Langs() = %v, want French first, then Arabic, English, Spanish, Portuguese, Russian, Turkish and Chinese", got)
	}
	for _, lang := range c.Langs()[1:] {
		for _, k := range c.Keys(Default) {
			if _, _, plural := pluralForm(c, k); plural {
				continue // each language has its own forms: TestPluralFormsByCLDR
			}
			if !c.Has(lang, k) {
				t.Errorf("key %q missing in %s", k, lang)
			}
		}
		for _, k := range c.Keys(lang) {
			if _, _, plural := pluralForm(c, k); plural {
				continue
			}
			if !c.Has(Default, k) {
				t.Errorf("key %q missing in %s", k, Default)
			}
		}
	}
}

// withGerman is the embedded catalogue plus a third language, German,
// made of files only: the English files with German words where this
// test reads them.
func withGerman(t *testing.T) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	err := fs.WalkDir(locales, "locales", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(locales, path)
		fsys[path] = &fstest.MapFile{Data: b}
		if strings.HasPrefix(path, "locales/en/") && !strings.HasSuffix(path, "/language.json") {
			fsys["locales/de/"+strings.TrimPrefix(path, "locales/en/")] = &fstest.MapFile{Data: b}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	fsys["locales/de/language.json"] = &fstest.MapFile{Data: []byte(`{
		"lang.name": "Deutsch", "date.long": "%s. %s %d", "date.day_one": "1",
		"date.month.01": "Januar", "date.month.02": "Februar", "date.month.03": "März",
		"date.month.04": "April", "date.month.05": "Mai", "date.month.06": "Juni",
		"date.month.07": "Juli", "date.month.08": "August", "date.month.09": "September",
		"date.month.10": "Oktober", "date.month.11": "November", "date.month.12": "Dezember"}`)}
	return fsys
}

// TestAddingALanguageIsAddingData adds a directory and nothing else: the
// language is listed, named in itself, matched from a browser's
// preferences and used for dates.
func TestAddingALanguageIsAddingData(t *testing.T) {
	c, err := LoadFS(withGerman(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Langs(); !slices.Equal(got, []string{"fr", "ar", "de", "en", "es", "pt", "ru", "tr", "zh"}) {
		t.Errorf("Langs() = %v, want German among the others", got)
	}
	if got := c.Name("de"); got != "Deutsch" {
		t.Errorf("Name(de) = %q", got)
	}
	for header, want := range map[string]string{"de-AT,de;q=0.9,en;q=0.5": "de", "en,de;q=0.5": "en", "it": "fr"} {
		if got := c.Match(header); got != want {
			t.Errorf("Match(%q) = %q, want %q", header, got, want)
		}
	}
	if !c.Known("de") || c.Supported("de") != "de" || c.Known("it") {
		t.Errorf("Known/Supported do not follow the directories")
	}
	if got := c.Date("de", time.Date(2027, 3, 14, 0, 0, 0, 0, time.UTC)); got != "14. März 2027" {
		t.Errorf("Date(de) = %q", got)
	}
}

func TestLoadRefusesALanguageWithoutItsName(t *testing.T) {
	fsys := fstest.MapFS{
		"locales/fr/a.json": {Data: []byte(`{"lang.name": "Français"}`)},
		"locales/de/a.json": {Data: []byte(`{"x": "eins"}`)},
	}
	if _, err := LoadFS(fsys); err == nil || !strings.Contains(err.Error(), "locales/de") {
		t.Fatalf("load without lang.name: err = %v, want locales/de named", err)
	}
	fsys["locales/de/a.json"] = &fstest.MapFile{Data: []byte(`{"lang.name": "Deutsch"}`)}
	fsys["locales/EN/a.json"] = &fstest.MapFile{Data: []byte(`{"lang.name": "English"}`)}
	if _, err := LoadFS(fsys); err == nil || !strings.Contains(err.Error(), "locales/EN") {
		t.Fatalf("load with a non-canonical tag: err = %v, want locales/EN named", err)
	}
	delete(fsys, "locales/EN/a.json")
	delete(fsys, "locales/fr/a.json")
	if _, err := LoadFS(fsys); err == nil || !strings.Contains(err.Error(), "default") {
		t.Fatalf("load without French: err = %v", err)
	}
}

func TestT(t *testing.T) {
	c := &Catalogue{msgs: map[string]map[string]string{
		"fr": {"hello": "Bonjour %s"},
		"en": {"hello": "Hello %s"},
	}}
	if got := c.T("en", "hello", "Zoë"); got != "Hello Zoë" {
		t.Errorf("got %q", got)
	}
	if got := c.T("xx", "hello", "Zoë"); got != "Bonjour Zoë" {
		t.Errorf("unsupported language: got %q", got)
	}
	if got := c.T("fr", "nope"); got != "[nope]" {
		t.Errorf("missing key: got %q", got)
	}
}

func TestLoadRefusesAKeyDefinedTwice(t *testing.T) {
	fsys := fstest.MapFS{
		"locales/fr/a.json": {Data: []byte(`{"x": "un", "lang.name": "Français"}`)},
		"locales/fr/b.json": {Data: []byte(`{"x": "deux"}`)},
		"locales/en/a.json": {Data: []byte(`{"x": "one", "lang.name": "English"}`)},
	}
	if _, err := LoadFS(fsys); err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Fatalf("load with a duplicate key: err = %v, want it named", err)
	}
	delete(fsys, "locales/fr/b.json")
	c, err := LoadFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.T("fr", "x"); got != "un" {
		t.Fatalf("T(fr, x) = %q", got)
	}
}
