package i18n

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestFromAcceptLanguage(t *testing.T) {
	tests := []struct{ header, want string }{
		{"", "fr"},
		{"en-GB,en;q=0.9", "en"},
		{"fr-FR,fr;q=0.9,en;q=0.8", "fr"},
		{"de-DE,de;q=0.9", "fr"},
		{"ar;q=0.9,en;q=0.5", "en"},
		{"garbage;;;q=x", "fr"},
	}
	for _, tt := range tests {
		if got := FromAcceptLanguage(tt.header); got != tt.want {
			t.Errorf("FromAcceptLanguage(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestSameKeysInEveryLanguage(t *testing.T) {
	c := MustLoad()
	for _, lang := range Langs[1:] {
		for _, k := range c.Keys(Default) {
			if !c.Has(lang, k) {
				t.Errorf("key %q missing in %s", k, lang)
			}
		}
		for _, k := range c.Keys(lang) {
			if !c.Has(Default, k) {
				t.Errorf("key %q missing in %s", k, Default)
			}
		}
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
		"locales/fr/a.json": {Data: []byte(`{"x": "un"}`)},
		"locales/fr/b.json": {Data: []byte(`{"x": "deux"}`)},
		"locales/en/a.json": {Data: []byte(`{"x": "one"}`)},
	}
	if _, err := load(fsys); err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Fatalf("load with a duplicate key: err = %v, want it named", err)
	}
	delete(fsys, "locales/fr/b.json")
	c, err := load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.T("fr", "x"); got != "un" {
		t.Fatalf("T(fr, x) = %q", got)
	}
}
