package upload

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxFilenameBytes bounds the length of SafeFilename's result, extension
// included. It counts bytes, not characters, so that a name of accented or
// non-Latin letters also stays well within what file systems and
// Content-Disposition headers handle.
const maxFilenameBytes = 100

// ext returns the file extension of a kind, with its dot.
func (k Kind) ext() string {
	switch k {
	case PDF:
		return ".pdf"
	case JPEG:
		return ".jpg"
	case PNG:
		return ".png"
	}
	return ""
}

// ContentType returns the media type to serve a file of kind with, or
// application/octet-stream for an unknown kind, which browsers download
// rather than render.
func ContentType(kind Kind) string {
	switch kind {
	case PDF:
		return "application/pdf"
	case JPEG:
		return "image/jpeg"
	case PNG:
		return "image/png"
	}
	return "application/octet-stream"
}

// SafeFilename returns a name to offer when an agent or the applicant
// downloads a file the applicant named name and Check found to be of
// kind. It keeps the letters (accented ones included), digits, dashes,
// underscores and dots of the last path component; each run of other
// characters becomes one underscore, and control and formatting
// characters (such as a right-to-left override) are dropped. The
// extension (".exe", ".JPEG") is replaced by the one of kind, so that the
// file opens with the right program whatever it was called; the result has
// at most 100 bytes, and is "document" with that extension when nothing
// usable remains. The result may hold non-ASCII letters: the web layer
// still encodes it for Content-Disposition, as mime.FormatMediaType does.
func SafeFilename(name string, kind Kind) string {
	ext := kind.ext()
	if ext == "" {
		ext = ".bin"
	}
	// Browsers on Windows may send the full path, with either separator.
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = trimExt(name)
	base := strings.Trim(clean(name), "._-")
	if limit := maxFilenameBytes - len(ext); len(base) > limit {
		base = truncate(base, limit)
		base = strings.TrimRight(base, "._-")
	}
	if base == "" {
		base = "document"
	}
	return base + ext
}

// trimExt removes the extension of name: a last dot followed by one to
// five ASCII letters or digits. A longer or odder suffix is part of the
// name ("Relevé du 12.03.2026 signé").
func trimExt(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || len(name)-i-1 > 5 || i == len(name)-1 {
		return name
	}
	for _, c := range []byte(name[i+1:]) {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return name
		}
	}
	return name[:i]
}

// clean keeps the characters allowed in a download name, turns runs of
// other printable characters into one underscore and drops control and
// invalid characters. A combining mark is kept after a letter, so that a
// name in decomposed form (as macOS and iOS may send it) keeps its accents.
func clean(s string) string {
	var b strings.Builder
	prevLetter := false
	for _, r := range s {
		switch {
		case r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.':
			b.WriteRune(r)
			prevLetter = unicode.IsLetter(r)
			continue
		case unicode.Is(unicode.Mn, r) && prevLetter:
			b.WriteRune(r)
			continue
		}
		if !strings.HasSuffix(b.String(), "_") {
			b.WriteByte('_')
		}
		prevLetter = false
	}
	return b.String()
}

// truncate cuts s to at most n < len(s) bytes without splitting a
// character, nor a letter from its combining marks.
func truncate(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	// While the cut falls before a combining mark, move it back one
	// character: past the marks, then past the letter they belong to.
	for n > 0 {
		if r, _ := utf8.DecodeRuneInString(s[n:]); !unicode.Is(unicode.Mn, r) {
			break
		}
		_, size := utf8.DecodeLastRuneInString(s[:n])
		n -= size
	}
	return s[:n]
}
