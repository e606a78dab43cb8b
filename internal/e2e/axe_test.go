package e2e

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeFile is axe-core, vendored with its licence (testdata/axe.LICENSE,
// MPL-2.0): the tests need no network and no npm.
const axeFile = "testdata/axe.min.js"

var readAxe = sync.OnceValues(func() ([]byte, error) { return os.ReadFile(axeFile) })

func axeSource(t *testing.T) string {
	t.Helper()
	src, err := readAxe()
	if err != nil {
		t.Fatalf("read axe-core: %v", err)
	}
	return string(src)
}

// runAxe checks the document against WCAG 2.0 and 2.1, levels A and AA,
// the level that RGAA and the European accessibility rules require. It
// returns only what fails; "incomplete" results (what axe cannot decide
// alone) are left to manual audits.
const runAxe = `axe.run(document, {
	runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
	resultTypes: ['violations'],
}).then(r => r.violations.map(v => ({
	id: v.id,
	impact: v.impact || '',
	help: v.help,
	nodes: v.nodes.map(n => ({target: n.target.map(String), html: n.html})),
})))`

type axeViolation struct {
	ID     string    `json:"id"`
	Impact string    `json:"impact"`
	Help   string    `json:"help"`
	Nodes  []axeNode `json:"nodes"`
}

type axeNode struct {
	Target []string `json:"target"`
	HTML   string   `json:"html"`
}

// checkAxe injects axe-core into the page through DevTools, which the
// page's Content-Security-Policy does not govern (the page itself allows no
// inline or foreign script), runs it, and reports every violation.
func (b *browser) checkAxe(step, url string) {
	b.t.Helper()
	if _, err := run(b, chromedp.Evaluate[chromedp.Void](b.axe)); err != nil {
		b.t.Fatalf("%s: inject axe-core: %v", step, err)
	}
	vs, err := run(b, chromedp.Evaluate[[]axeViolation](runAxe, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("%s: run axe-core: %v", step, err)
	}
	if len(vs) == 0 {
		return
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s (%s): %d accessibility violation(s):", step, strings.TrimPrefix(url, b.base), len(vs))
	for _, v := range vs {
		fmt.Fprintf(&sb, "\n  %s [%s] %s", v.ID, v.Impact, v.Help)
		for _, n := range v.Nodes {
			fmt.Fprintf(&sb, "\n      %s  %s", strings.Join(n.Target, " "), n.HTML)
		}
	}
	b.t.Error(sb.String())
}
