package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteDocReplacesOnlyItsSection writes a suite's section twice into
// a document: the first run appends it with its markers, the second
// replaces what lies between them, and the text around stays as it was.
func TestWriteDocReplacesOnlyItsSection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "performance.md")
	before := "# Performance\n\n## An older section\n\nIts figures.\n"
	if err := os.WriteFile(path, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeDoc(path, "verify", "first run\n"); err != nil {
		t.Fatal(err)
	}
	begin, end := markers("verify")
	after := "\nA paragraph written by hand after the section.\n"
	b, _ := os.ReadFile(path)
	if err := os.WriteFile(path, append(b, after...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeDoc(path, "verify", "second run\n"); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(path)
	got := string(b)
	want := strings.TrimRight(before, "\n") + "\n\n## Load: the verify suite (`tools/load`)\n\n" + begin + "\nsecond run\n" + end + "\n" + after
	if got != want {
		t.Errorf("document:\n%s\nwant:\n%s", got, want)
	}
	// One marker alone is refused, and the file is left as it was.
	if err := os.WriteFile(path, []byte(before+begin+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeDoc(path, "verify", "third run\n"); err == nil {
		t.Error("a document with one marker was written")
	}
}
