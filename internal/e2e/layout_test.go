package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/sejour/sejour/internal/app"
	"github.com/sejour/sejour/internal/app/apptest"
	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/permit"
)

// enrolledAgent makes an agent of pref in m, second factor enrolled, and
// returns the secret of that factor.
func enrolledAgent(t *testing.T, m *app.Main, pref *permit.Prefecture, email string) string {
	t.Helper()
	return enrolledStaff(t, m, pref, email, false)
}

// enrolledStaff is enrolledAgent, of a supervisor when supervisor is set.
func enrolledStaff(t *testing.T, m *app.Main, pref *permit.Prefecture, email string, supervisor bool) string {
	t.Helper()
	ctx := t.Context()
	hash, err := password.Hash(passphrase, password.DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	agent := &permit.Account{Email: email, Role: permit.RoleAgent, Supervisor: supervisor, Lang: "fr", ConfirmedAt: &now, Prefectures: []int64{pref.ID}}
	if err := m.DB.Accounts().CreateAccount(ctx, agent, hash, nil, nil); err != nil {
		t.Fatal(err)
	}
	const secret = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"
	if err := m.DB.Accounts().StartEnrolment(ctx, agent.ID, secret); err != nil {
		t.Fatal(err)
	}
	if err := m.DB.Accounts().Enrol(ctx, agent.ID, "", 1, nil); err != nil {
		t.Fatal(err)
	}
	return secret
}

// filedRenewal files apptest's renewal of applicant n in Paris and
// returns the application's number.
func filedRenewal(t *testing.T, m *app.Main, n int) int64 {
	t.Helper()
	now := time.Now().UTC()
	acc, id := apptest.Renewal(t, m.DB, m.UseCases, m.Rules, n, now, now.AddDate(0, 3, 0), apptest.Scan(t))
	if _, err := m.UseCases.Applications.File(t.Context(), acc, id); err != nil {
		t.Fatal(err)
	}
	return id
}

// staffLogIn logs an enrolled staff member in, second factor included, in
// the browser's language (French or English).
func staffLogIn(t *testing.T, b *browser, email, secret string) {
	t.Helper()
	logIn, verify := "Se connecter", "Vérifier"
	if strings.HasPrefix(b.lang, "en") {
		logIn, verify = "Log in", "Verify"
	}
	wantStatus(t, "log-in form", b.open("/connexion"), http.StatusOK)
	b.fill("email", email)
	b.fill("password", passphrase)
	wantStatus(t, "log in as "+email, b.follow(button("main", logIn)), http.StatusOK)
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.fill("code", code)
	wantStatus(t, "the second factor", b.follow(button("main", verify)), http.StatusOK)
}

// queueFit is what the work queue's table looks like on the screen.
type queueFit struct {
	ViewportWidth float64 `json:"viewport"`
	CaptionLeft   float64 `json:"captionLeft"`
	CaptionRight  float64 `json:"captionRight"`
	CaptionText   string  `json:"captionText"`
	Region        string  `json:"region"`     // the role of the table's scrolling box
	Focusable     bool    `json:"focusable"`  // whether a keyboard reaches it
	LabelledBy    string  `json:"labelledBy"` // the text naming it
	Scrolls       bool    `json:"scrolls"`    // the box scrolls sideways rather than the page
	TableRight    float64 `json:"tableRight"`
	HeaderCount   int     `json:"headers"`
}

// readQueueFit measures the work queue's caption and the box its table
// scrolls in.
const readQueueFit = `(() => {
	const table = document.querySelector('main table');
	const caption = table.querySelector('caption');
	const c = caption.getBoundingClientRect();
	let box = table.parentElement;
	while (box && box !== document.body && getComputedStyle(box).overflowX !== 'auto' && getComputedStyle(box).overflowX !== 'scroll') box = box.parentElement;
	const region = box.closest('[role="region"]') || box;
	const label = (region.getAttribute('aria-labelledby') || '').split(' ').map(id => document.getElementById(id)).filter(Boolean).map(e => e.innerText.trim()).join(' ');
	return {
		viewport: document.documentElement.clientWidth,
		captionLeft: c.left, captionRight: c.right, captionText: caption.innerText.trim(),
		region: region.getAttribute('role') || '', focusable: region.tabIndex === 0, labelledBy: label,
		scrolls: box !== document.body && box.scrollWidth > box.clientWidth,
		tableRight: table.getBoundingClientRect().right,
		headers: table.querySelectorAll('thead th').length,
	};
})()`

// factsOrder is, for every label of a page's facts (<dl class="sejour-facts">),
// how its top and bottom stand against its value's.
type factsOrder struct {
	Label       string  `json:"label"`
	LabelTop    float64 `json:"labelTop"`
	ValueTop    float64 `json:"valueTop"`
	LabelBottom float64 `json:"labelBottom"`
	ValueBottom float64 `json:"valueBottom"`
	ValueFirst  bool    `json:"valueFirst"` // the value does not follow its label in the document
}

const readFactsOrder = `[...document.querySelectorAll('dl.sejour-facts > dt')].map(dt => {
	const dd = dt.nextElementSibling;
	if (!dd || dd.tagName !== 'DD') return {label: dt.innerText.trim(), valueFirst: true};
	const a = dt.getBoundingClientRect(), b = dd.getBoundingClientRect();
	return {label: dt.innerText.trim(), labelTop: a.top, valueTop: b.top, labelBottom: a.bottom, valueBottom: b.bottom};
})`

// wantLabelsFirst fails when a fact's label sits below its value: on a
// wide screen label and value start on the same line, on a phone the
// label is above its value.
func wantLabelsFirst(t *testing.T, b *browser, step string, stacked bool) {
	t.Helper()
	facts := evaluate[[]factsOrder](b, step, readFactsOrder)
	if len(facts) == 0 {
		t.Fatalf("%s: no facts on the page", step)
	}
	for _, f := range facts {
		switch {
		case f.ValueFirst:
			t.Errorf("%s: %q is not followed by its value", step, f.Label)
		case stacked && f.LabelBottom > f.ValueTop+0.5:
			t.Errorf("%s (%s): the label %q (bottom %.1f) is not above its value (top %.1f)", step, b.dev.name, f.Label, f.LabelBottom, f.ValueTop)
		case !stacked && (f.LabelTop > f.ValueTop+0.5 || f.LabelTop < f.ValueTop-0.5):
			t.Errorf("%s (%s): the label %q starts at %.1f, its value at %.1f: they should share a line", step, b.dev.name, f.Label, f.LabelTop, f.ValueTop)
		}
	}
}

// TestQueueAndFactsLayout: on a 360-pixel phone the work queue's caption
// is whole on the screen and its wide table scrolls in a box of its own,
// which a keyboard reaches and a screen reader names by the caption,
// while the page itself does not scroll sideways; on the case page each
// label of the facts reads before its value, beside it on a wide screen
// and above it on a phone.
func TestQueueAndFactsLayout(t *testing.T) {
	m, base := startApp(t)
	paris := apptest.Paris(t, m.DB)
	id := filedRenewal(t, m, 1)
	for _, dev := range []device{phone, desktop} {
		t.Run(dev.name, func(t *testing.T) {
			// An agent per screen: a second factor's code is used once.
			email := "agent-" + dev.name + "@prefecture.exemple.fr"
			secret := enrolledAgent(t, m, paris, email)
			b := newBrowser(t, base, options{dev: dev, lang: "fr-FR", noScript: true})
			staffLogIn(t, b, email, secret)
			wantStatus(t, "queue", b.open("/agent"), http.StatusOK)
			b.check("queue", expected{lang: "fr", heading: "File de travail", texts: []string{"Diallo Awa"}})
			fit := evaluate[queueFit](b, "queue", readQueueFit)
			if fit.CaptionLeft < 0 || fit.CaptionRight > fit.ViewportWidth+0.5 {
				t.Errorf("the caption %q runs from %.0f to %.0f px on a %.0f px screen", fit.CaptionText, fit.CaptionLeft, fit.CaptionRight, fit.ViewportWidth)
			}
			if fit.Region != "region" || !fit.Focusable || fit.LabelledBy != fit.CaptionText {
				t.Errorf("the table's box: role %q, focusable %v, named %q; want a focusable region named %q", fit.Region, fit.Focusable, fit.LabelledBy, fit.CaptionText)
			}
			if fit.TableRight > fit.ViewportWidth+0.5 && !fit.Scrolls {
				t.Errorf("the table ends at %.0f px on a %.0f px screen and its box does not scroll", fit.TableRight, fit.ViewportWidth)
			}
			wantStatus(t, "case", b.open(fmt.Sprintf("/agent/demandes/%d", id)), http.StatusOK)
			st := b.check("case", expected{lang: "fr", heading: fmt.Sprintf("Demande n° %d", id)})
			if !strings.Contains(st.Text, "17 mai 1994") {
				t.Errorf("the case page does not give the birth date in words:\n%s", st.Text)
			}
			wantLabelsFirst(t, b, "case", dev.mobile)
		})
	}
}
