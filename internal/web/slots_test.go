package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// draftWithoutStamp is a complete draft renewal of a new applicant but
// for its fee stamp.
func (s *site) draftWithoutStamp(email string) int64 {
	s.t.Helper()
	s.cookie = map[string]string{web.SessionCookie: loggedIn(s.t, s, email, permit.RoleApplicant)}
	s.profile("75011", "student", 90)
	id := s.start(permit.KindRenewal, "student")
	s.complete(id)
	if err := s.db.Files().SetFeeStamp(s.t.Context(), id, ""); err != nil {
		s.t.Fatal(err)
	}
	return id
}

// TestFilingKeepsTheTypedStamp: the fee stamp typed on the page belongs
// to the filing form, so pressing "File" without "Save the number" saves
// it and files; a wrong one comes back with what was typed.
func TestFilingKeepsTheTypedStamp(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.prefecture("75", "75")
		id := s.draftWithoutStamp("stamp@example.org")
		_, page := s.get(paths.Application.Format(id))
		mustContain(t, page, `id="fee_stamp" name="fee_stamp" type="text" autocomplete="off" form="documents"`,
			`form="documents" formaction="`+paths.FeeStamp.Format(id)+`"`, `<form method="post" action="`+paths.File.Format(id)+`" id="documents"`)

		res, page := s.post(paths.File.Format(id), url.Values{"fee_stamp": {"1234 56"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("filing with a short stamp: %d", res.StatusCode)
		}
		mustContain(t, page, "16 chiffres", `value="1234 56"`, `href="#fee_stamp"`)
		if fs, _ := s.db.Filings(t.Context(), id); len(fs) != 0 {
			t.Fatal("filed with a wrong stamp")
		}

		res, page = s.post(paths.File.Format(id), url.Values{"fee_stamp": {"1234 5678 9012 3456"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != paths.Receipt.Format(id) {
			t.Fatalf("filing with the stamp typed, not saved: %d %q\n%s", res.StatusCode, res.Header.Get("Location"), page)
		}
		if a, _ := s.db.Application(t.Context(), id); a.FeeStamp != "1234567890123456" || a.State != permit.StateSubmitted {
			t.Errorf("after filing: stamp %q, state %s", a.FeeStamp, a.State)
		}
	})
}

// TestFilingWithMissingDocumentsKeepsTheStamp: a filing refused for a
// missing document still saves the stamp typed, and shows it again.
func TestFilingWithMissingDocumentsKeepsTheStamp(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.prefecture("75", "75")
		id := s.draftWithoutStamp("missing@example.org")
		docs, _ := s.db.Documents(t.Context(), id)
		if res, _ := s.post(paths.RemoveDocument.Format(id, docs[0].Slot), url.Values{"document": {strconv.FormatInt(docs[0].ID, 10)}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("remove: %d", res.StatusCode)
		}
		res, page := s.post(paths.File.Format(id), url.Values{"fee_stamp": {"1234567890123456"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("filing without a document: %d", res.StatusCode)
		}
		mustContain(t, page, "Des pièces manquent", `value="1234567890123456"`)
		if a, _ := s.db.Application(t.Context(), id); a.FeeStamp != "1234567890123456" {
			t.Errorf("the stamp typed was not kept: %q", a.FeeStamp)
		}
	})
}

// TestPhotoCodeField: the photo slot asks for the e-photo code in a field
// of its own, with a translated error keeping what was typed; the code
// shows on the staff's case page.
func TestPhotoCodeField(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		pref := s.prefecture("75", "75")
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "photo@example.org", permit.RoleApplicant)}
		s.profile("75011", "student", 90)
		id := s.start(permit.KindRenewal, "student")
		_, page := s.get(paths.Application.Format(id))
		mustContain(t, page, "Code e-photo", "22 lettres et chiffres", `name="photo_code" type="text" autocomplete="off" form="documents"`,
			`name="enregistrer" value="photo_code"`)
		if strings.Contains(page, `name="file-photo"`) {
			t.Error("the photo slot still asks for a file")
		}
		res, page := s.post(paths.FeeStamp.Format(id), url.Values{"photo_code": {"AB12"}, "enregistrer": {"photo_code"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("short code: %d", res.StatusCode)
		}
		mustContain(t, page, "Le code e-photo a 22 lettres et chiffres", `value="AB12"`, `href="#photo_code"`)
		res, _ = s.post(paths.FeeStamp.Format(id), url.Values{"photo_code": {"ab12cd34ef56gh78ij90kl"}, "enregistrer": {"photo_code"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != paths.Application.Format(id)+"?ephoto#photo_code" {
			t.Fatalf("saving the code: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		_, page = s.get(paths.Application.Format(id) + "?ephoto")
		mustContain(t, page, "Le code e-photo est enregistré.", `value="AB12CD34EF56GH78IJ90KL"`)
		if res, _ := s.upload(id, "photo", "photo.png", pngFile(t)); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("a file for the photo: %d", res.StatusCode)
		}
		s.complete(id)
		if res, page := s.post(paths.File.Format(id), nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("file: %d\n%s", res.StatusCode, page)
		}
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "agent-photo@example.org", permit.RoleAgent, pref.ID)}
		_, page = s.get(paths.Case.Format(id))
		mustContain(t, page, "Code e-photo donné\u00a0: EP")
	})
}

// TestSecondApplicationReusesDocuments: the page of a person's second
// application offers, slot by slot, the files of the first, as checkboxes
// that work without JavaScript; the chosen ones are added without a new
// upload.
func TestSecondApplicationReusesDocuments(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.prefecture("75", "75")
		first := s.applicantWithFiling("again@example.org")
		filed, _ := s.db.Documents(t.Context(), first)
		var card *permit.Document
		for _, d := range filed {
			if d.Slot == "current_permit" {
				card = d
			}
		}
		second := s.start(permit.KindChangeOfStatus, "employee")
		_, page := s.get(paths.Application.Format(second))
		field := "reuse-current_permit"
		mustContain(t, page, "Reprendre un fichier déjà donné pour une autre de vos demandes\u00a0: Titre de séjour actuel",
			`<form method="post" action="`+paths.ReuseDocuments.Format(second, "current_permit")+`"`,
			`type="checkbox" id="`+field+`-`+strconv.FormatInt(card.ID, 10)+`" name="`+field+`" value="`+strconv.FormatInt(card.ID, 10)+`"`,
			"pour la demande n° "+strconv.FormatInt(first, 10))

		res, page := s.post(paths.ReuseDocuments.Format(second, "current_permit"), nil)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("reusing nothing: %d", res.StatusCode)
		}
		mustContain(t, page, "Cochez au moins un fichier à reprendre.", `href="#`+field+`"`, `id="`+field+`-error"`)
		res, _ = s.post(paths.ReuseDocuments.Format(second, "current_permit"), url.Values{field: {strconv.FormatInt(card.ID, 10)}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("reuse: %d", res.StatusCode)
		}
		docs, _ := s.db.Documents(t.Context(), second)
		if len(docs) != 1 || docs[0].BlobSum != card.BlobSum || docs[0].ReusedFrom != card.ID || docs[0].Slot != "current_permit" {
			t.Fatalf("second application's documents: %+v", docs)
		}
		_, page = s.get(paths.Application.Format(second) + "?repris")
		mustContain(t, page, "Les fichiers choisis sont ajoutés à cette demande", "repris d&#39;une autre demande",
			"Fichier repris d&#39;une autre demande\u00a0: \u2068"+card.Filename+"\u2069")
	})
}
