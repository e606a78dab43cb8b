package e2e

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sejour/sejour/internal/i18n"
)

// TestSeveralFilesPerSlot: on a 360-pixel phone without JavaScript,
// axe-core clean, an applicant sends a second page of their passport to
// the same document, sees both listed, removes the first, types the fee
// stamp and files at once, without pressing "Save the number": the
// receipt lists the page kept and the stamp is recorded.
func TestSeveralFilesPerSlot(t *testing.T) {
	tr := i18n.MustLoad()
	T := func(key string, args ...any) string {
		return strings.ReplaceAll(tr.T("fr", key, args...), "\u00a0", " ")
	}
	m, base := startApp(t)
	email := "pages@exemple.fr"
	seed(t, m, email)
	id := completeDraft(t, m, email)
	if err := m.DB.Files().SetFeeStamp(t.Context(), id, ""); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, base, options{dev: phone, lang: "fr-FR", noScript: true})
	wantStatus(t, "log-in form", b.open("/connexion"), http.StatusOK)
	b.fill("email", email)
	b.fill("password", passphrase)
	wantStatus(t, "log in", b.follow(button("main", T("login.submit"))), http.StatusOK)
	page := "/demandes/" + strconv.FormatInt(id, 10)
	wantStatus(t, "open the draft", b.open(page), http.StatusOK)
	heading := frenchApp.renewal + " — " + frenchApp.student
	first, second := "Passeport, fichier 1 sur 2", "Passeport, fichier 2 sur 2"

	path := scan(t, t.TempDir(), "passeport-page-2")
	b.do("choose the second page", chromedp.SetUploadFiles(chromedp.ID("file-passport"), []string{path}))
	wantStatus(t, "add the second page", b.follow(button("main", T("slots.add_another"))), http.StatusOK)
	st := b.check("two-pages", expected{lang: "fr", heading: heading,
		texts: []string{T("document.uploaded"), first + " : passport.png", second + " : passeport-page-2.png", T("slots.max", 6)}})
	if !strings.Contains(st.URL, "#doc-passport") {
		t.Errorf("after adding a page the page is %s, not scrolled to the passport (#doc-passport)", st.URL)
	}

	// The button's text as written, with its non-breaking space: XPath's
	// normalize-space keeps it.
	wantStatus(t, "remove the first page", b.follow(button("main", tr.T("fr", "case.doc_remove", first))), http.StatusOK)
	st = b.check("one-page", expected{lang: "fr", heading: heading,
		texts: []string{T("document.removed"), "Passeport : passeport-page-2.png", T("timeline.document_removed", "passport.png")}})
	if strings.Contains(st.Text, second) {
		t.Errorf("after removing a page the page still counts two:\n%s", st.Text)
	}

	b.fill("fee_stamp", "1234 5678 9012 3456")
	wantStatus(t, "file without saving the stamp", b.follow(button("main", T("case.file"))), http.StatusOK)
	st = b.check("receipt", expected{lang: "fr", heading: T("receipt.heading"), texts: []string{"passeport-page-2.png"}})
	if strings.Contains(st.Text, "passport.png") {
		t.Errorf("the receipt lists the removed page passport.png:\n%s", st.Text)
	}
	a, err := m.DB.Application(t.Context(), id)
	if err != nil || a.FeeStamp != "1234567890123456" || a.State != "submitted" {
		t.Errorf("after filing: %+v, %v", a, err)
	}
}
