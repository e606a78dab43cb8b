package attest

import (
	"github.com/sejour/sejour/internal/permit"
	"strings"
	"testing"
	"time"
)

// TestPaperReceiptIsARecepisseWithTheClaimCode checks that a paper
// filing's receipt is titled a récépissé, says how it was filed, and
// prints the claim code an agent just issued; an online one does neither.
func TestPaperReceiptIsARecepisseWithTheClaimCode(t *testing.T) {
	r := sampleReceipt()
	r.Paper = true
	r.ClaimCode = "ACDE-FGHJ-KMNP"
	r.ClaimExpires = time.Date(2027, 2, 24, 10, 0, 0, 0, permit.Paris)
	got := strings.ReplaceAll(pdftotext(t, render(t, r), "-raw"), "\u00a0", " ")
	for _, want := range []string{"Récépissé de dépôt", "Filing receipt (paper)", "Déposée sur formulaire papier à la préfecture",
		"ACDE-FGHJ-KMNP", "Reprendre mon dossier", "24 février 2027", "Ce n’est pas un titre de séjour"} {
		if !strings.Contains(got, want) {
			t.Errorf("paper receipt lacks %q", want)
		}
	}
	online := strings.ReplaceAll(pdftotext(t, render(t, sampleReceipt()), "-raw"), "\u00a0", " ")
	for _, unwanted := range []string{"Récépissé", "formulaire papier", "Reprendre mon dossier"} {
		if strings.Contains(online, unwanted) {
			t.Errorf("online receipt contains %q", unwanted)
		}
	}
}
