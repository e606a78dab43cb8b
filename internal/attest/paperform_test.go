package attest

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/rules"
)

// TestPaperForm: the backup paper form prints its title, fields and
// notice in French and English, and every prefecture's backup channels.
func TestPaperForm(t *testing.T) {
	tr := i18n.MustLoad()
	chans, err := rules.BackupChannels()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := RenderPaperForm(&buf, tr, chans, time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(strings.ReplaceAll(pdftotext(t, buf.Bytes(), "-raw"), "\u00a0", " ")), " ")
	want := []string{
		"formulaire papier de secours", "backup paper form", "Nom / Surname", "Date de naissance / Date of birth",
		"Renouvellement / Renewal", "Fait à, le / Place and date",
	}
	for _, c := range chans {
		want = append(want, c.Name, c.Phone, c.Hours["en"])
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("the paper form lacks %q:\n%s", w, text)
		}
	}
	if _, err := rules.ParseChannels([]byte(`{"channels": []}`)); err == nil {
		t.Fatal("no channel accepted")
	}
}
