package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/sejour/sejour/internal/app"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/qr"
	"github.com/sejour/sejour/internal/seal"
)

// verifyWords are the visible texts of the public verifier in one
// language.
type verifyWords struct {
	words
	heading, intro, submit, again string
	genuine, genuineWhy           string // the answer for a valid code, and its explanation
	forged, forgedWhy             string
	receipt                       string // the kind of attestation issued here: a filing receipt
	born                          string // format
}

var frenchVerify = verifyWords{
	words:      french,
	heading:    "Vérifier une attestation",
	intro:      "Collez le code imprimé sous le QR code, ou envoyez le PDF de l'attestation, ou une photo ou un scan.",
	submit:     "Vérifier",
	again:      "Vérifier une autre attestation",
	genuine:    "Attestation de dépôt authentique : elle ne prouve pas le séjour régulier",
	genuineWhy: "Ce document prouve seulement qu'une demande a été déposée",
	forged:     "Attestation non authentique",
	forgedWhy:  "La signature ne correspond pas : le code a été modifié ou ne vient pas d'une préfecture. Nous n'affichons rien de ce qu'il contient.",
	receipt:    "Attestation de dépôt",
	born:       "né(e) le %s",
}

var englishVerify = verifyWords{
	words:      english,
	heading:    "Verify an attestation",
	intro:      "Paste the code printed under the QR code, or send the attestation's PDF, or a photo or scan of it.",
	submit:     "Verify",
	again:      "Verify another attestation",
	genuine:    "Genuine filing receipt: it does not prove lawful stay",
	genuineWhy: "This document only proves that an application was filed",
	forged:     "Attestation not genuine",
	forgedWhy:  "The signature does not match: the code was changed or does not come from a prefecture.",
	receipt:    "Filing receipt",
	born:       "born on %s",
}

// holderBirth is the birth date of the holder of the attestation checked.
var holderBirth = time.Date(1999, 2, 3, 0, 0, 0, 0, time.UTC)

// TestVerifier is a relying party, an employer say, with no account, who
// checks an applicant's filing receipt on the public page /verifier: by
// pasting its code, by pasting it with one character changed, and by
// sending a photo of its QR code. It runs in French, and in English
// reached by the header's link, on a 360-pixel phone with JavaScript off,
// and runs axe-core on the form and on every answer.
func TestVerifier(t *testing.T) {
	m, base := startApp(t)
	code, number := issueFilingReceipt(t, m)
	forged := oneCharacterChanged(t, m, code)
	png, err := qr.Encode(code, 600)
	if err != nil {
		t.Fatal(err)
	}
	photo := filepath.Join(t.TempDir(), "attestation.png")
	if err := os.WriteFile(photo, png, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, w := range []verifyWords{frenchVerify, englishVerify} {
		// Not in parallel: a run keeps two CPUs busy (server and browser).
		t.Run(w.lang+"/phone-noscript", func(t *testing.T) {
			b := newBrowser(t, base, options{dev: phone, lang: "fr-FR", noScript: true})
			holder := givenNames + " " + surname
			born := fmt.Sprintf(w.born, inWords(w.lang, holderBirth))
			form := expected{lang: w.lang, heading: w.heading, texts: []string{w.intro}, header: []string{french.logIn}}

			wantStatus(t, "verifier", b.open("/verifier"), http.StatusOK)
			if w.lang != "fr" {
				wantStatus(t, "switch language", b.follow(link("header", w.switchLink)), http.StatusOK)
				form.header = []string{w.logIn}
			}
			st := b.check("verify-form", form)
			if !strings.HasSuffix(st.URL, "/verifier") {
				t.Errorf("the verifier's form is shown at %s, not at /verifier", st.URL)
			}

			// The code, pasted as printed under the QR code.
			b.paste("code", code)
			wantStatus(t, "verify the code", b.follow(button("main", w.submit)), http.StatusOK)
			st = b.check("verify-genuine", expected{lang: w.lang, heading: w.heading,
				texts: []string{w.genuine, w.genuineWhy, holder, born, w.receipt, number}})
			wantOutcome(t, b, "verify-genuine", w.genuine, "warning") // a filing receipt does not prove lawful stay

			// The same code with one character changed: nothing of it is shown.
			wantStatus(t, "verify another", b.follow(link("main", w.again)), http.StatusOK)
			b.paste("code", forged)
			wantStatus(t, "verify the changed code", b.follow(button("main", w.submit)), http.StatusOK)
			st = b.check("verify-forged", expected{lang: w.lang, heading: w.heading, texts: []string{w.forged, w.forgedWhy}})
			wantOutcome(t, b, "verify-forged", w.forged, "error")
			for _, s := range []string{givenNames, surname, born, number, w.receipt, w.genuine} {
				if strings.Contains(st.Text, s) {
					t.Errorf("verify-forged: the answer to a changed code shows %q, which nothing vouches for; it shows:\n%s", s, st.Text)
				}
			}

			// A photo of the QR code, sent from the form.
			wantStatus(t, "verify another", b.follow(link("main", w.again)), http.StatusOK)
			b.do("choose the photo", chromedp.SetUploadFiles(chromedp.ID("photo"), []string{photo}))
			wantStatus(t, "verify the photo", b.follow(button("main", w.submit)), http.StatusOK)
			b.check("verify-photo", expected{lang: w.lang, heading: w.heading,
				texts: []string{w.genuine, holder, born, w.receipt, number}})
			wantOutcome(t, b, "verify-photo", w.genuine, "warning")
		})
	}
}

// issueFilingReceipt files an application of a first student permit for
// Zoë N'Diaye through the program's own store, then has casework issue and
// sign what it is owed, as the job after a filing does: its filing
// receipt. It returns the receipt's signed code and its number.
func issueFilingReceipt(t *testing.T, m *app.Main) (code, number string) {
	t.Helper()
	ctx := t.Context()
	const email = "titulaire@exemple.fr"
	seed(t, m, email)
	acc, _, err := m.DB.Accounts().AccountByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	prefs, err := m.DB.Prefectures(ctx)
	if err != nil || len(prefs) != 1 {
		t.Fatalf("prefectures: %v, %v", prefs, err)
	}
	p := &permit.Person{AccountID: acc.ID, GivenNames: givenNames, Surname: surname, BirthDate: holderBirth.Format(time.DateOnly),
		BirthPlace: "Dakar, Sénégal", Nationality: "SEN", PrefectureID: prefs[0].ID,
		Address: permit.Address{Line: "3 rue des Lilas", Postcode: "75011", City: "Paris"}}
	if err := m.DB.Files().CreatePerson(ctx, p); err != nil {
		t.Fatal(err)
	}
	actor := permit.Actor{Kind: permit.ActorApplicant, AccountID: acc.ID}
	a := &permit.Application{PersonID: p.ID, PrefectureID: prefs[0].ID, Ground: "student", Kind: permit.KindFirstIssue,
		State: permit.StateDraft}
	if err := m.DB.Files().CreateApplication(ctx, a, actor); err != nil {
		t.Fatal(err)
	}
	ev, err := permit.Transition(a, permit.ActionSubmit, actor, time.Now().UTC(), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.DB.Files().File(ctx, a, ev, &permit.Filing{ApplicationID: a.ID, Snapshot: []byte(`{"documents": []}`)}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := m.UseCases.Attestations.IssueDue(ctx, a.ID); err != nil {
		t.Fatalf("issue the filing receipt: %v", err)
	}
	// The job queue's sweep may have issued it first and be signing it.
	waitFor(t, "a signed filing receipt", func() bool {
		as, err := m.DB.Attestations(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(as) == 1 && as[0].Kind == permit.AttestationFilingReceipt && strings.HasPrefix(as[0].Code, seal.Prefix) {
			code, number = as[0].Code, as[0].Number
		}
		return code != ""
	})
	return code, number
}

// oneCharacterChanged returns code with one character changed into
// another of the code's alphabet, such that the code still reads and its
// signature no longer matches: a tampered code, not a garbled one (which
// the page calls "not an attestation code"). It changes the middle of the
// code, where the signed claims are.
func oneCharacterChanged(t *testing.T, m *app.Main, code string) string {
	t.Helper()
	keys := m.Keys
	now := time.Now()
	if _, err := seal.Verify(code, keys, now); err != nil {
		t.Fatalf("the issued code does not verify: %v", err)
	}
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
	for i := len(code) / 2; i < len(code); i++ {
		for _, c := range alphabet {
			if byte(c) == code[i] {
				continue
			}
			changed := code[:i] + string(c) + code[i+1:]
			if _, err := seal.Verify(changed, keys, now); errors.Is(err, seal.ErrForged) {
				return changed
			}
		}
	}
	t.Fatal("no one-character change of the code reads as a forged code")
	return ""
}

// paste puts text into the field whose id is given as a paste does: in
// one go, through the browser's input (no key events, no script of the
// page), so that it works with JavaScript off.
func (b *browser) paste(id, text string) {
	b.t.Helper()
	b.do("paste into #"+id, chromedp.Focus(chromedp.ID(id)), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, input.InsertText, input.InsertTextParams{Text: text})
		return err
	}))
	if got := evaluate[string](b, "read #"+id, `document.getElementById('`+id+`').value`); got != text {
		b.t.Fatalf("after pasting, #%s holds %d characters, want the %d pasted", id, len(got), len(text))
	}
}

// wantOutcome checks that the answer is announced as its words say: the
// title of a status message, in the colour of its meaning (success for a
// genuine attestation, error for a forged one), which a colour-blind
// person does not need since the title says it.
func wantOutcome(t *testing.T, b *browser, step, title, kind string) {
	t.Helper()
	got := evaluate[struct {
		Title string `json:"title"`
		Class string `json:"class"`
		Role  string `json:"role"`
	}](b, step+": read the answer", `(() => {
		const a = document.querySelector('main .fr-alert');
		if (!a) return {title: '', class: '', role: ''};
		const h = a.querySelector('.fr-alert__title');
		return {title: h ? h.innerText.replace(/\u00a0/g, ' ').trim() : '', class: a.className, role: a.getAttribute('role') || ''};
	})()`)
	if got.Title != title {
		t.Errorf("%s: the answer is titled %q, want %q", step, got.Title, title)
	}
	if !strings.Contains(" "+got.Class+" ", " fr-alert--"+kind+" ") {
		t.Errorf("%s: the answer is styled %q, want fr-alert--%s", step, got.Class, kind)
	}
	if got.Role != "status" && got.Role != "alert" {
		t.Errorf("%s: the answer has role %q: a screen reader is not told of it", step, got.Role)
	}
}
