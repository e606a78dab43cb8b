package e2e

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/sejour/sejour/internal/paths"
)

// transfers counts what the browser receives over the network, as its
// DevTools report it: for each request that finished, the bytes received
// (EncodedDataLength: headers and body as sent, compressed or not; zero
// for what came from the cache).
type transfers struct {
	mu       sync.Mutex
	urls     map[network.RequestID]string
	encoding map[network.RequestID]string
	pending  map[network.RequestID]bool // answered to the page, not finished
	got      []transfer
}

// transfer is one finished request.
type transfer struct {
	url, encoding string
	bytes         int64
}

// watch starts counting; it must run after the browser has started.
func (tr *transfers) watch(b *browser) {
	tr.urls = map[network.RequestID]string{}
	tr.encoding = map[network.RequestID]string{}
	tr.pending = map[network.RequestID]bool{}
	err := chromedp.Listen(b.ctx, func(ev any) {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			tr.urls[ev.RequestID] = ev.Request.URL
		case *network.EventResponseReceived:
			// The favicon is the browser's request ("Other"), not the
			// page's: Chromium sometimes never reports its end.
			if ev.Type != network.ResourceTypeOther {
				tr.pending[ev.RequestID] = true
			}
			if e, ok := ev.Response.Headers["Content-Encoding"].(string); ok {
				tr.encoding[ev.RequestID] = e
			}
		case *network.EventLoadingFinished:
			delete(tr.pending, ev.RequestID)
			tr.got = append(tr.got, transfer{url: tr.urls[ev.RequestID], encoding: tr.encoding[ev.RequestID], bytes: int64(ev.EncodedDataLength)})
		case *network.EventLoadingFailed:
			delete(tr.pending, ev.RequestID)
		}
	})
	if err != nil {
		b.t.Fatalf("watch the network: %v", err)
	}
}

// settle waits until the page shown has drawn with its fonts and every
// answer the page received has finished, then returns what was received
// since the last call, and its sum. The favicon, which Chromium asks for
// at its own pace and whose end it does not always report, does not hold
// it: it is counted when it has finished, in this call or the next.
func (tr *transfers) settle(b *browser) ([]transfer, int64) {
	b.t.Helper()
	if _, err := run(b, chromedp.Evaluate[bool](`document.fonts.ready.then(() => true)`, chromedp.EvalAwaitPromise)); err != nil {
		b.t.Fatalf("wait for the fonts: %v", err)
	}
	waitFor(b.t, "every answer received in full", func() bool {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		return len(tr.pending) == 0
	})
	tr.mu.Lock()
	defer tr.mu.Unlock()
	got := tr.got
	tr.got = nil
	var sum int64
	for _, g := range got {
		sum += g.bytes
	}
	sort.Slice(got, func(i, j int) bool { return got[i].bytes > got[j].bytes })
	return got, sum
}

// Goals of issue 13 (item 17): what a first visit and a later page cost.
const (
	firstVisitBudget = 300_000
	laterPageBudget  = 20_000
)

// TestTransferSizes measures, in Chromium, what a person's first visit to
// the home page and to the log-in page transfers (a fresh profile: every
// style, font and icon the page uses), and then what the other page
// costs with the cache warm (the static files, at hashed addresses, are
// cached for a year). The figures are in docs/performance.md.
func TestTransferSizes(t *testing.T) {
	base := startServer(t)
	pages := []string{paths.Home.String(), paths.LogIn.String()}
	for i, first := range pages {
		later := pages[1-i]
		t.Run(map[int]string{0: "home", 1: "log-in"}[i], func(t *testing.T) {
			b := newBrowser(t, base, options{dev: desktop, lang: "fr-FR"})
			var tr transfers
			tr.watch(b)
			wantStatus(t, "first visit", b.open(first), http.StatusOK)
			got, sum := tr.settle(b)
			t.Logf("first visit to %s: %d bytes in %d requests\n%s", first, sum, len(got), listTransfers(got, base))
			if sum > firstVisitBudget {
				t.Errorf("a first visit to %s transfers %d bytes, goal %d", first, sum, firstVisitBudget)
			}
			for _, g := range got {
				if (strings.HasSuffix(g.url, ".css") || strings.HasSuffix(g.url, ".js")) && g.encoding == "" {
					t.Errorf("%s came uncompressed (%d bytes)", strings.TrimPrefix(g.url, base), g.bytes)
				}
			}
			wantStatus(t, "later page", b.open(later), http.StatusOK)
			got, sum = tr.settle(b)
			t.Logf("then %s: %d bytes in %d requests\n%s", later, sum, len(got), listTransfers(got, base))
			if sum > laterPageBudget {
				t.Errorf("%s after %s transfers %d bytes, goal %d", later, first, sum, laterPageBudget)
			}
		})
	}
}

// listTransfers writes one line per request that crossed the network:
// bytes, coding, address (data: addresses and the cache's answers, which
// are 0 bytes, are left out).
func listTransfers(got []transfer, base string) string {
	var sb strings.Builder
	for _, g := range got {
		if g.bytes == 0 {
			continue
		}
		fmt.Fprintf(&sb, "%9d %-5s %s\n", g.bytes, g.encoding, strings.TrimPrefix(g.url, base))
	}
	return sb.String()
}
