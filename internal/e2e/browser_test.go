package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// stepTimeout bounds each step in the browser (starting it, opening a
// page, a click and the page it leads to, one reading of the page, axe's
// run): past it, the step fails instead of hanging. It bounds a step, not
// a visit: a journey of many pages takes as long as the machine's load
// makes it (a visit bounded as a whole, at 60 s, failed on a loaded
// machine in the middle of a long visit that was only slow), and the
// whole test is bounded by go test's -timeout.
const stepTimeout = 2 * time.Minute

// run runs one step on the browser's tab, bounded by stepTimeout. The
// timeout is on a context derived from the tab's, so it ends this step
// only: the browser and the tab live until the test ends.
func run[T any](b *browser, a chromedp.Action[T]) (T, error) {
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	return chromedp.Run(ctx, a)
}

// waitFor polls cond until it holds, for what the test cannot be told of
// (a job of the queue, a script of the page): bounded by stepTimeout, not
// by a guess of how long the work takes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(stepTimeout); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not done after %v", what, stepTimeout)
		}
	}
}

// chromiumPath finds the browser: SEJOUR_CHROMIUM when set, else chromium
// on the PATH. Without one the test skips, except where a skip would hide
// that nothing ran: in CI, or when asked to require the browser.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("SEJOUR_CHROMIUM"); p != "" {
		path, err := exec.LookPath(p)
		if err != nil {
			t.Fatalf("SEJOUR_CHROMIUM=%q is not an executable: %v", p, err)
		}
		return path
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	const msg = "chromium not found on the PATH: install it (apt-get install chromium) or set SEJOUR_CHROMIUM to a Chromium binary"
	if os.Getenv("CI") == "true" || os.Getenv("SEJOUR_REQUIRE_BROWSER") == "1" {
		t.Fatal(msg + "; CI=true or SEJOUR_REQUIRE_BROWSER=1 forbids skipping the browser tests")
	}
	t.Skip(msg)
	return ""
}

// device is the screen a test runs on.
type device struct {
	name          string
	width, height int64
	mobile        bool // mobile emulation: viewport meta tag, overlay scrollbars
}

var (
	desktop = device{name: "desktop", width: 1280, height: 900}
	phone   = device{name: "phone", width: 360, height: 800, mobile: true}
)

// browser is one chromium, with one tab, pointed at one server.
type browser struct {
	t        *testing.T
	ctx      context.Context
	base     string
	dev      device
	noScript bool   // JavaScript is off, except while a page is checked
	lang     string // the browser's language, as in options
	shots    string // where screenshots go; "" for none
	pages    int    // pages checked so far: numbers the screenshots
	axe      string // the axe-core script, injected into every page checked
	loads    resources
}

// options says how to start a browser. lang is the browser's language
// (fr-FR, en-GB): it goes both to --lang and to the Accept-Language header,
// so that the result does not depend on the machine's locale.
type options struct {
	dev      device
	lang     string
	noScript bool
}

// newBrowser starts a fresh chromium (own profile, no network beyond the
// loopback server) for the test, and stops it when the test ends. The
// browser lives on a context without a deadline (chromedp ties the
// browser's life to the context of its first step); each step has its own
// (run), and the start is bounded by a watchdog that stops the browser.
func newBrowser(t *testing.T, base string, o options) *browser {
	t.Helper()
	path := chromiumPath(t)
	ctx, cancel := context.WithCancel(context.Background())
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, launchFlags(path, t.TempDir(), o)...)
	bctx, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancel()
	})
	b := &browser{
		t: t, ctx: bctx, base: base, dev: o.dev, noScript: o.noScript, lang: o.lang,
		shots: os.Getenv("SEJOUR_SCREENSHOTS"), axe: axeSource(t),
	}
	if b.shots != "" {
		if err := os.MkdirAll(b.shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	watchdog := time.AfterFunc(stepTimeout, cancel)
	start := chromedp.Do(bctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
			Headers: network.Headers{"Accept-Language": acceptLanguage(o.lang)},
		}); err != nil {
			return err
		}
		scale := 1.0
		if o.dev.mobile {
			scale = 2 // a phone's screen: sharper screenshots, same CSS pixels
		}
		if _, err := cdp.Call(ctx, tg, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: o.dev.width, Height: o.dev.height, DeviceScaleFactor: scale, Mobile: o.dev.mobile,
		}); err != nil {
			return err
		}
		return b.setScripts(ctx, tg, !o.noScript)
	}))
	if !watchdog.Stop() || start != nil {
		t.Fatalf("start the browser: %v", start)
	}
	b.loads.watch(b)
	return b
}

// launchFlags start chromium headless, quiet (no background traffic, no
// updates, no sync) and fit to run as root in a container.
func launchFlags(path, profile string, o options) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root, where chromium's sandbox cannot start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(int(o.dev.width), int(o.dev.height)),
		chromedp.Flag("lang", o.lang),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
	}
}

// acceptLanguage turns fr-FR into "fr-FR,fr;q=0.9", as a browser sends it.
func acceptLanguage(lang string) string {
	primary, _, _ := strings.Cut(lang, "-")
	return lang + "," + primary + ";q=0.9"
}

func (b *browser) setScripts(ctx context.Context, tg *chromedp.Target, on bool) error {
	_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
	return err
}

// do runs actions and stops the test on failure, naming the step.
func (b *browser) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if _, err := run(b, chromedp.Steps(actions...)); err != nil {
		b.t.Fatalf("%s: %v", step, err)
	}
}

// open loads a path of the server, as typed in the address bar, and
// returns the HTTP status of the page that ends up shown.
func (b *browser) open(path string) int64 {
	b.t.Helper()
	resp, err := run(b, chromedp.NavigateResponse(b.base+path))
	if err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
	return resp.Status
}

// follow clicks the element that xpath finds, waits for the page it leads
// to (after redirects), and returns that page's HTTP status.
func (b *browser) follow(xpath string) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(xpath))
	if err != nil {
		b.t.Fatalf("click %s: %v", xpath, err)
	}
	return resp.Status
}

// link finds a link by its visible text within a part of the page
// ("header", "main"); button the same for a button.
func link(within, text string) string {
	return "//" + within + "//a[normalize-space(.)=" + xpathString(text) + "]"
}
func button(within, text string) string {
	return "//" + within + "//button[normalize-space(.)=" + xpathString(text) + "]"
}

// xpathString quotes s as an XPath 1.0 literal.
func xpathString(s string) string {
	if !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	return "'" + s + "'"
}

// fill types into the field whose id is given, key by key, as a person.
func (b *browser) fill(id, value string) {
	b.t.Helper()
	b.do("fill #"+id, chromedp.SendKeys(chromedp.ID(id), value))
}

// expected is what a page must show. Texts are compared with the visible
// text of the page (innerText), so hidden text does not count.
type expected struct {
	lang    string   // <html lang>
	dir     string   // <html dir>, when the test says
	heading string   // the one <h1>, exactly; any one non-empty if not said
	texts   []string // visible in the page
	header  []string // visible in the page header
	hidden  []string // not visible in the page header
}

// pageState is what check reads from the page, in one evaluation.
type pageState struct {
	Lang        string   `json:"lang"`
	Dir         string   `json:"dir"`
	Title       string   `json:"title"`
	Headings    []string `json:"headings"`
	Text        string   `json:"text"`
	Header      string   `json:"header"`
	ScrollWidth int64    `json:"scrollWidth"`
	URL         string   `json:"url"`
}

// readPage reads the text as a person sees it: no-break spaces as
// spaces, and without the invisible marks that isolate a name or an
// address in a sentence (Page.Iso). It waits for the web fonts first: a
// page is read, measured and photographed as a person sees it once it
// has settled.
const readPage = `document.fonts.ready.then(() => ({
	lang: document.documentElement.lang,
	dir: document.documentElement.dir,
	title: document.title,
	headings: [...document.querySelectorAll('h1')].map(h => h.innerText.trim()),
	text: document.body.innerText.replace(/\u00a0/g, ' ').replace(/[\u2066-\u2069]/g, ''),
	header: (document.querySelector('header') || document.body).innerText.replace(/\u00a0/g, ' ').replace(/[\u2066-\u2069]/g, ''),
	scrollWidth: document.documentElement.scrollWidth,
	url: location.href,
}))`

// check verifies the page now shown: language, heading, texts, no
// horizontal scrolling, and no accessibility violation; it also saves a
// screenshot when asked to. Failures are reported and the test goes on,
// so that one run lists every defect of the journey. It returns what it
// read, for the checks that are particular to a page.
func (b *browser) check(step string, want expected) pageState {
	b.t.Helper()
	b.pages++
	step = fmt.Sprintf("%02d-%s", b.pages, step)
	var st pageState
	b.withScripts(step, func() {
		var err error
		st, err = run(b, chromedp.Evaluate[pageState](readPage, chromedp.EvalAwaitPromise))
		if err != nil {
			b.t.Fatalf("%s: read the page: %v", step, err)
		}
		b.checkState(step, want, st)
		for _, f := range b.loads.take(b.base) {
			b.t.Errorf("%s (%s): a resource of the page did not load: %s", step, strings.TrimPrefix(st.URL, b.base), f)
		}
		b.screenshot(step)
		b.checkAxe(step, st.URL)
	})
	return st
}

func (b *browser) checkState(step string, want expected, st pageState) {
	b.t.Helper()
	where := step + " (" + strings.TrimPrefix(st.URL, b.base) + ")"
	if st.Lang != want.lang {
		b.t.Errorf("%s: <html lang=%q>, want %q", where, st.Lang, want.lang)
	}
	if want.dir != "" && st.Dir != want.dir {
		b.t.Errorf("%s: <html dir=%q>, want %q", where, st.Dir, want.dir)
	}
	if want.heading == "" && (len(st.Headings) != 1 || st.Headings[0] == "") {
		b.t.Errorf("%s: <h1> headings %q, want exactly one", where, st.Headings)
	} else if want.heading != "" && (len(st.Headings) != 1 || st.Headings[0] != want.heading) {
		b.t.Errorf("%s: <h1> headings %q, want exactly [%q]", where, st.Headings, want.heading)
	}
	if !strings.HasSuffix(st.Title, " — sejour") || len(st.Title) <= len(" — sejour") {
		b.t.Errorf("%s: <title> %q does not name the page, then the service", where, st.Title)
	}
	for _, s := range want.texts {
		if !strings.Contains(st.Text, s) {
			b.t.Errorf("%s: page does not show %q; it shows:\n%s", where, s, st.Text)
		}
	}
	for _, s := range want.header {
		if !strings.Contains(st.Header, s) {
			b.t.Errorf("%s: header does not show %q; it shows:\n%s", where, s, st.Header)
		}
	}
	for _, s := range want.hidden {
		if strings.Contains(st.Header, s) {
			b.t.Errorf("%s: header shows %q and should not; it shows:\n%s", where, s, st.Header)
		}
	}
	if st.ScrollWidth > b.dev.width {
		b.t.Errorf("%s: the page scrolls sideways on a %d-pixel %s screen: scrollWidth is %d",
			where, b.dev.width, b.dev.name, st.ScrollWidth)
	}
}

// withScripts runs f with JavaScript on: the checks are scripts (axe, the
// page reading), even when the journey itself runs without JavaScript.
// Turning scripts on runs nothing by itself: the document is already
// loaded, and its next load happens with them off again.
func (b *browser) withScripts(step string, f func()) {
	b.t.Helper()
	if !b.noScript {
		f()
		return
	}
	scripts := func(on bool) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error { return b.setScripts(ctx, tg, on) })
	}
	b.do(step+": turn scripts on for the checks", scripts(true))
	f()
	b.do(step+": turn scripts off again", scripts(false))
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// screenshot saves the whole page as a PNG in SEJOUR_SCREENSHOTS, if set.
func (b *browser) screenshot(step string) {
	b.t.Helper()
	if b.shots == "" {
		return
	}
	png, err := run(b, fullPage)
	if err != nil {
		b.t.Fatalf("%s: screenshot: %v", step, err)
	}
	name := unsafeName.ReplaceAllString(b.t.Name(), "_") + "-" + step + ".png"
	if err := os.WriteFile(filepath.Join(b.shots, name), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// fullPage captures the whole page, beyond the viewport, as a PNG.
var fullPage chromedp.Action[[]byte] = func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
	m, err := cdp.Call(ctx, tg, page.GetLayoutMetrics, cdp.Empty{})
	if err != nil {
		return nil, err
	}
	size := m.CSSContentSize
	r, err := cdp.Call(ctx, tg, page.CaptureScreenshot, page.CaptureScreenshotParams{
		Format:                page.CaptureScreenshotFormatPng,
		CaptureBeyondViewport: new(true),
		FromSurface:           new(true),
		Clip:                  &page.Viewport{Width: size.Width, Height: size.Height, Scale: 1},
	})
	if err != nil {
		return nil, err
	}
	return r.Data, nil
}
