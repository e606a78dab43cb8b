package web

import (
	"io/fs"
	"regexp"
	"testing"
)

// TestEveryTextAreaIsMultiLine: a field written in a text area takes line
// breaks, so the boundary must know it is multi-line, or a message with
// two paragraphs would be refused.
func TestEveryTextAreaIsMultiLine(t *testing.T) {
	names := regexp.MustCompile(`"textarea" \.(?:Field|Optional) "([a-z_]+)"|<textarea[^>]* name="([a-z_]+)"`)
	files, err := fs.Glob(templateFS, "templates/*/*.html")
	if err != nil {
		t.Fatal(err)
	}
	top, _ := fs.Glob(templateFS, "templates/*.html")
	seen := 0
	for _, f := range append(files, top...) {
		b, err := fs.ReadFile(templateFS, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range names.FindAllStringSubmatch(string(b), -1) {
			name := m[1] + m[2]
			seen++
			if !multiLine[name] {
				t.Errorf("%s: the text area %q is not in multiLine", f, name)
			}
		}
	}
	if seen < 10 {
		t.Fatalf("only %d text areas found: the pattern no longer matches the templates", seen)
	}
}

func TestCheckValue(t *testing.T) {
	for _, c := range []struct {
		name, value, want string
	}{
		{"surname", "N'Diaye", ""},
		{"surname", "Nguyễn Thị", ""},
		{"surname", "محمد", ""},
		{"surname", "a\x00b", "forms.error.control"},
		{"surname", "a\x1bb", "forms.error.control"},
		{"surname", "a\x7fb", "forms.error.control"},
		{"surname", "a\u0085b", "forms.error.control"},
		{"surname", "a\tb", "forms.error.control"},
		{"surname", "a\xffb", "forms.error.encoding"},
		{"surname", "a\u202eb", "forms.error.bidi"},
		{"surname", "a\u2066b", "forms.error.bidi"},
		{"surname", "a\u061cb", "forms.error.bidi"},
		{"password", "a\u202eb", ""},
		{"password", "a\x00b", "forms.error.control"},
		{"body", "a\r\n\tb\u200f", ""},
		{"body", "a\x00b", "forms.error.control"},
		{"body", string(make([]byte, maxField+1)), "forms.error.too_long"},
	} {
		if got, _ := CheckValue(c.name, c.value); got != c.want {
			t.Errorf("CheckValue(%q, %q) = %q, want %q", c.name, c.value, got, c.want)
		}
	}
}
