package upload

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSafeFilename(t *testing.T) {
	long := strings.Repeat("é", 60) // 120 bytes
	tests := []struct {
		name string
		in   string
		kind Kind
		want string
	}{
		{"plain", "passeport.pdf", PDF, "passeport.pdf"},
		{"accents kept", "Relevé_de_compte-mars.pdf", PDF, "Relevé_de_compte-mars.pdf"},
		{"decomposed accents kept", "Rele\u0301ve\u0301.pdf", PDF, "Rele\u0301ve\u0301.pdf"},
		{"non-Latin letters kept", "جواز_السفر.jpg", JPEG, "جواز_السفر.jpg"},
		{"inner dots kept", "fiche.paie.2026.pdf", PDF, "fiche.paie.2026.pdf"},
		{"spaces become underscores", "photo  identité (1).jpg", JPEG, "photo_identité_1.jpg"},
		{"extension forced", "passeport.exe", PDF, "passeport.pdf"},
		{"extension added", "passeport", PDF, "passeport.pdf"},
		{"JPEG extension normalised", "IMG_0042.JPEG", JPEG, "IMG_0042.jpg"},
		{"PNG extension", "capture.PNG", PNG, "capture.png"},
		{"Unix path stripped", "/home/marie/Documents/avis.pdf", PDF, "avis.pdf"},
		{"Windows path stripped", `C:\Users\Marie\Desktop\avis.pdf`, PDF, "avis.pdf"},
		{"traversal stripped", "../../etc/passwd", PDF, "passwd.pdf"},
		{"hidden file", ".htaccess", PDF, "htaccess.pdf"},
		{"leading dash", "-rf.pdf", PDF, "rf.pdf"},
		{"control characters dropped", "pass\x00port\r\n.pdf", PDF, "passport.pdf"},
		{"header injection", "a.pdf\"\r\nSet-Cookie: x=1", PDF, "a.pdf_Set-Cookie_x_1.pdf"},
		{"dots in a name without extension", "Relevé du 12.03.2026 signé", PDF, "Relevé_du_12.03.2026_signé.pdf"},
		{"bidi override dropped", "photo\u202egpj.exe", JPEG, "photogpj.jpg"},
		{"invalid UTF-8 dropped", "pi\xffece.pdf", PDF, "piece.pdf"},
		{"empty", "", PDF, "document.pdf"},
		{"only a path", "C:\\Users\\", JPEG, "document.jpg"},
		{"only dots", "...", PNG, "document.png"},
		{"only symbols", "***.pdf", PDF, "document.pdf"},
		{"long name cut", strings.Repeat("a", 200) + ".pdf", PDF, strings.Repeat("a", 96) + ".pdf"},
		{"long accented name cut between characters", long + ".pdf", PDF, strings.Repeat("é", 48) + ".pdf"},
		{"cut before a combining mark", strings.Repeat("a", 95) + "e\u0301" + "zzzz.pdf", PDF, strings.Repeat("a", 95) + ".pdf"},
		{"unknown kind", "x.pdf", Kind("gif"), "x.bin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SafeFilename(tt.in, tt.kind)
			if got != tt.want {
				t.Errorf("SafeFilename(%q, %q) = %q; want %q", tt.in, tt.kind, got, tt.want)
			}
			if len(got) > 100 || !utf8.ValidString(got) || strings.ContainsAny(got, "/\\\x00\r\n\"") {
				t.Errorf("SafeFilename(%q, %q) = %q is not safe", tt.in, tt.kind, got)
			}
		})
	}
}

func TestContentType(t *testing.T) {
	tests := []struct {
		kind Kind
		want string
	}{
		{PDF, "application/pdf"},
		{JPEG, "image/jpeg"},
		{PNG, "image/png"},
		{"", "application/octet-stream"},
		{"html", "application/octet-stream"},
	}
	for _, tt := range tests {
		if got := ContentType(tt.kind); got != tt.want {
			t.Errorf("ContentType(%q) = %q; want %q", tt.kind, got, tt.want)
		}
	}
}
