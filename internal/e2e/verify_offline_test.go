package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/sejour/sejour/internal/app"
	"github.com/sejour/sejour/internal/demo"
	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/seal"
)

// offlineWords are the visible texts of the offline verifier in one
// language.
type offlineWords struct {
	verifyWords
	heading, ready   string
	genuineUnchecked string // a genuine attestation, revocation not checked
	checkedOffline   string
	malformed        string
	favourable       string // the kind of the demonstration's attestation
	validity         string // format
}

var frenchOffline = offlineWords{
	verifyWords:      frenchVerify,
	heading:          "Vérifier une attestation, même sans connexion",
	ready:            "Prêt à vérifier hors ligne",
	genuineUnchecked: "Attestation authentique et dans sa période de validité ; sa révocation n'a pas pu être vérifiée maintenant",
	checkedOffline:   "Vérifié dans ce navigateur : la signature et les dates.",
	malformed:        "Ce n'est pas un code d'attestation",
	favourable:       "Attestation de décision favorable",
	validity:         "Valable du %s au %s inclus.",
}

var englishOffline = offlineWords{
	verifyWords:      englishVerify,
	heading:          "Verify an attestation, even without a connection",
	ready:            "Ready to verify offline",
	genuineUnchecked: "Genuine attestation within its validity period; its revocation status could not be checked now",
	checkedOffline:   "Verified in this browser: the signature and the dates.",
	malformed:        "This is not an attestation code",
	favourable:       "Favourable-decision attestation",
	validity:         "Valid from %s to %s inclusive.",
}

// TestOfflineVerifier is a relying party who opened the offline verifier
// once, online, on a 360-pixel phone; then the network goes: the browser
// is switched offline through CDP (the page, and its service worker), and
// the portal itself is gone (the proxy the browser reached it through is
// closed). The page reloads from the service worker's cache and verifies
// the code of the demonstration's favourable-decision attestation (Mei
// Chen's, issued and signed by the real program) — genuine, with the
// holder's name and dates, and said to be checked without its revocation
// — the same code with one character changed — forged, showing nothing
// of it — and a code that is not one. In French and in English, axe-core
// on every state.
func TestOfflineVerifier(t *testing.T) {
	m, base := startApp(t)
	a := demoAttestation(t, m, "mei.chen@demo.sejour.localhost", permit.AttestationFavourable)
	code, number := a.Code, a.Number
	forged := oneCharacterChanged(t, m, code)
	for _, w := range []offlineWords{frenchOffline, englishOffline} {
		t.Run(w.lang, func(t *testing.T) {
			front := frontProxy(t, base)
			lang := map[string]string{"fr": "fr-FR", "en": "en-GB"}[w.lang]
			b := newBrowser(t, front.URL, options{dev: phone, lang: lang})
			wantStatus(t, "offline verifier", b.open(paths.VerifyOffline.String()), http.StatusOK)
			b.waitReady("online")
			b.check("offline-ready", expected{lang: w.lang, heading: w.heading, texts: []string{w.ready}, header: []string{w.logIn}})

			// No network: the browser is offline, and the portal gone.
			b.offline()
			front.CloseClientConnections()
			front.Close()
			if _, err := http.Get(front.URL + paths.VerifyOffline.String()); err == nil {
				t.Fatal("the portal still answers through the closed proxy")
			}
			wantStatus(t, "reload offline", b.open(paths.VerifyOffline.String()), http.StatusOK)
			b.waitReady("offline")
			b.check("offline-reloaded", expected{lang: w.lang, heading: w.heading, texts: []string{w.ready}, header: []string{w.logIn}})

			holder := "Mei Chen"
			born := fmt.Sprintf(w.born, inWords(w.lang, time.Date(1994, 12, 8, 0, 0, 0, 0, time.UTC)))
			validity := fmt.Sprintf(w.validity, inWords(w.lang, a.ValidFrom), inWords(w.lang, a.ValidUntil))
			b.verifyHere(code, "valid_unchecked")
			b.check("offline-genuine", expected{lang: w.lang, heading: w.heading,
				texts: []string{w.genuineUnchecked, w.checkedOffline, holder, born, w.favourable, number, validity}})
			wantOutcome(t, b, "offline-genuine", w.genuineUnchecked, "info")

			b.verifyHere(forged, "forged")
			st := b.check("offline-forged", expected{lang: w.lang, heading: w.heading, texts: []string{w.forged, w.forgedWhy}})
			wantOutcome(t, b, "offline-forged", w.forged, "error")
			for _, s := range []string{holder, born, number} {
				if strings.Contains(st.Text, s) {
					t.Errorf("offline-forged: the answer to a changed code shows %q", s)
				}
			}

			b.verifyHere("SJ1:NOT A CODE", "malformed")
			wantOutcome(t, b, "offline-malformed", w.malformed, "error")
		})
	}
}

// demoAttestation loads the demonstration (accounts and cases, as
// `sejour demo` does) and returns the signed attestation of kind of the
// applicant email.
func demoAttestation(t *testing.T, m *app.Main, email string, kind permit.AttestationKind) *permit.Attestation {
	t.Helper()
	ctx := t.Context()
	st := demo.Store{Accounts: m.DB.Accounts(), Files: m.DB.Files()}
	if err := demo.Load(ctx, st, m.Clock, password.DefaultParams, io.Discard); err != nil {
		t.Fatalf("load the demonstration: %v", err)
	}
	if err := demo.Cases(ctx, m.UseCases, st, password.DefaultParams, m.Clock.Now(), io.Discard); err != nil {
		t.Fatalf("the demonstration's cases: %v", err)
	}
	acc, _, err := m.DB.Accounts().AccountByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.DB.PersonByAccount(ctx, acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	apps, err := m.DB.ApplicationsByPerson(ctx, p.ID)
	if err != nil || len(apps) != 1 {
		t.Fatalf("%s's applications: %v, %v", email, apps, err)
	}
	// Signing may be the job queue's; wait for it.
	var found *permit.Attestation
	waitFor(t, "a signed "+string(kind)+" for "+email, func() bool {
		as, err := m.DB.Attestations(ctx, apps[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			if a.Kind == kind && strings.HasPrefix(a.Code, seal.Prefix) {
				found = a
			}
		}
		return found != nil
	})
	return found
}

// TestOfflineVerifierWithoutScript: without JavaScript, the offline
// verifier's page is the online form; it posts to /verifier, which
// answers as always.
func TestOfflineVerifierWithoutScript(t *testing.T) {
	m, base := startApp(t)
	code, number := issueFilingReceipt(t, m)
	b := newBrowser(t, base, options{dev: phone, lang: "fr-FR", noScript: true})
	wantStatus(t, "offline verifier", b.open(paths.VerifyOffline.String()), http.StatusOK)
	b.check("offline-noscript", expected{lang: "fr", heading: frenchOffline.heading,
		texts: []string{"Sans JavaScript, cette page vérifie en ligne"}, header: []string{french.logIn}})
	b.paste("code", code)
	wantStatus(t, "verify online", b.follow(button("main", frenchVerify.submit)), http.StatusOK)
	st := b.check("offline-noscript-answer", expected{lang: "fr", heading: frenchVerify.heading,
		texts: []string{frenchVerify.genuine, number}})
	if !strings.HasSuffix(st.URL, paths.Verify.String()) {
		t.Errorf("the answer is at %s, want %s", st.URL, paths.Verify)
	}
}

// frontProxy is the portal as the browser reaches it: through a proxy on
// the loopback, which the test closes to take the network away.
func frontProxy(t *testing.T, base string) *httptest.Server {
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	front := httptest.NewServer(httputil.NewSingleHostReverseProxy(u))
	t.Cleanup(front.Close)
	return front
}

// offline switches the network off for the page and its service worker.
func (b *browser) offline() {
	b.t.Helper()
	yes := true
	b.do("switch the network off", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			EmulateOfflineServiceWorker: &yes,
			MatchedNetworkConditions:    []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}},
		}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, network.OverrideNetworkState, network.OverrideNetworkStateParams{
			Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
		return err
	}))
}

// waitReady waits until the page has saved what it needs offline and a
// service worker controls it.
func (b *browser) waitReady(when string) {
	b.t.Helper()
	waitFor(b.t, when+": the offline verifier ready", func() bool {
		return evaluate[bool](b, "read the offline state", `document.getElementById('offline-state').dataset.state === 'ready' &&
			!!navigator.serviceWorker.controller`)
	})
}

// verifyHere pastes a code into the offline verifier, submits it, and
// waits for the script's answer, which must be outcome.
func (b *browser) verifyHere(code, outcome string) {
	b.t.Helper()
	// The answer to the code before is taken away first, so that the wait
	// below sees this code's.
	evaluate[string](b, "clear the code", `document.getElementById('offline-result').replaceChildren(); document.getElementById('code').value = ''`)
	b.paste("code", code)
	b.do("verify", chromedp.Click(button("main", b.submitLabel())))
	var got string
	waitFor(b.t, "the offline verifier's answer "+outcome, func() bool {
		got = evaluate[string](b, "read the answer", `(document.querySelector('#offline-result [data-outcome]') || {dataset: {}}).dataset.outcome || ''`)
		return got == outcome
	})
	// Offline, the one request that fails is the script asking the
	// portal about revocation: it says so in its answer.
	for _, f := range b.loads.take(b.base) {
		if !strings.HasPrefix(f, paths.APIVerify.String()+":") {
			b.t.Errorf("verify offline: a resource did not load: %s", f)
		}
	}
}

// submitLabel is the verify button's label in the page's language.
func (b *browser) submitLabel() string {
	if evaluate[string](b, "read the language", `document.documentElement.lang`) == "en" {
		return englishVerify.submit
	}
	return frenchVerify.submit
}

// TestVerifyRealProgramDatabaseClosed runs the real program (its shared
// keyring read from the database at start) and closes its database: the
// API and the page still verify a genuine code, with the caveat, and the
// key set is still served.
func TestVerifyRealProgramDatabaseClosed(t *testing.T) {
	m, base := startApp(t)
	code, number := issueFilingReceipt(t, m)
	if err := m.DB.Close(); err != nil {
		t.Fatal(err)
	}
	res, err := http.Post(base+paths.APIVerify.String(), "application/json", strings.NewReader(`{"code": "`+code+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Status            string `json:"status"`
		RevocationChecked *bool  `json:"revocation_checked"`
		Number            string `json:"number"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || out.Status != "valid_unchecked" || out.RevocationChecked == nil || *out.RevocationChecked || out.Number != number {
		t.Errorf("API with the database closed: %d %+v", res.StatusCode, out)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("code", code)
	mw.Close()
	req, _ := http.NewRequest("POST", base+paths.Verify.String(), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", base)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(page), "révocation n&#39;a pas pu être vérifiée") || !strings.Contains(string(page), number) {
		t.Errorf("page with the database closed: %d\n%s", res.StatusCode, page)
	}
	res, err = http.Get(base + paths.KeySet.String())
	if err != nil {
		t.Fatal(err)
	}
	set, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if _, err := seal.ParseKeySet(set); res.StatusCode != http.StatusOK || err != nil {
		t.Errorf("key set with the database closed: %d %v", res.StatusCode, err)
	}
}

// TestOfflineVerifierWorkedExample runs the offline verifier's script in
// Chromium on the worked example of docs/attestation-format.md, with the
// key set printed there: the code is genuine, with its claims, and every
// one-character change of it (44 others at each of its positions) is
// refused, as TestEveryCharacterChange does for the Go implementation,
// and with the same answer (forged or malformed) as seal.Verify.
func TestOfflineVerifierWorkedExample(t *testing.T) {
	base := startServer(t)
	example, err := os.ReadFile(filepath.Join("..", "seal", "testdata", "example.txt"))
	if err != nil {
		t.Fatal(err)
	}
	code := strings.TrimPrefix(strings.SplitN(string(example), "\n", 2)[0], "code: ")
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "attestation-format.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, _ := strings.Cut(string(doc), "Its key set:\n\n```json\n")
	set, _, _ := strings.Cut(after, "```")
	if set == "" {
		t.Fatal("no key set after the worked example in docs/attestation-format.md")
	}
	b := newBrowser(t, base, options{dev: desktop, lang: "fr-FR"})
	wantStatus(t, "offline verifier", b.open(paths.VerifyOffline.String()), http.StatusOK)
	args, _ := json.Marshal([]string{code, set})
	type outcome struct {
		Outcome string         `json:"outcome"`
		Number  string         `json:"number"`
		Given   string         `json:"given"`
		Until   int            `json:"until"`
		Counts  map[string]int `json:"counts"`
		Genuine []string       `json:"genuine"`
		Each    string         `json:"each"` // f(orged), m(alformed) or g(enuine), change by change
	}
	got, err := run(b, chromedp.Evaluate[outcome](`(async ([code, set]) => {
		const keys = await sejourVerify.importKeys(set);
		const first = await sejourVerify.verifyCode(code, keys);
		const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
		const counts = {}, genuine = [];
		let each = '';
		for (let i = 4; i < code.length; i++) {
			for (const c of alphabet) {
				if (c === code[i]) continue;
				const r = await sejourVerify.verifyCode(code.slice(0, i) + c + code.slice(i + 1), keys);
				counts[r.outcome] = (counts[r.outcome] || 0) + 1;
				if (r.claims) genuine.push(i + ':' + c);
				each += r.claims ? 'g' : r.outcome[0];
			}
		}
		const c = first.claims || {};
		return {outcome: first.outcome, number: c[3] || '', given: c[5] || '', until: c[17] || 0, counts, genuine, each};
	})(`+string(args)+`)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	wantOutcome := "expired" // valid until 2026-09-30
	if time.Now().Before(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)) {
		wantOutcome = "valid"
	}
	if got.Outcome != wantOutcome || got.Number != "API-2026-000123" || got.Given != "Zoé Aminata" || got.Until != 20726 {
		t.Errorf("the worked example: %+v", got)
	}
	changes := 0
	for _, n := range got.Counts {
		changes += n
	}
	if want := (len(code) - 4) * 44; changes != want || len(got.Genuine) > 0 {
		t.Errorf("%d changes tried (want %d); read as genuine: %v; outcomes %v", changes, want, got.Genuine, got.Counts)
	}
	t.Logf("every one-character change of the example: %v", got.Counts)

	keys, err := seal.ParseKeySet([]byte(set))
	if err != nil {
		t.Fatal(err)
	}
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
	var each strings.Builder
	for i := 4; i < len(code); i++ {
		for _, c := range alphabet {
			if byte(c) == code[i] {
				continue
			}
			_, err := seal.Verify(code[:i]+string(c)+code[i+1:], keys, time.Now())
			switch {
			case err == nil:
				each.WriteByte('g')
			case errors.Is(err, seal.ErrMalformed):
				each.WriteByte('m')
			default:
				each.WriteByte('f')
			}
		}
	}
	if each.String() != got.Each {
		differ := 0
		for i := range min(len(got.Each), each.Len()) {
			if got.Each[i] != each.String()[i] {
				differ++
			}
		}
		t.Errorf("the script and seal.Verify answer differently for %d of the changes", differ)
	}
}
