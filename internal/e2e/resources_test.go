package e2e

import (
	"fmt"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// resources records the sub-resources (styles, fonts, icons) that failed
// to load: a 404, or a request the Content-Security-Policy blocked. Such a
// page may pass every other check and still look broken to a person.
type resources struct {
	mu     sync.Mutex
	urls   map[network.RequestID]string
	failed []string
}

// watch starts recording; it must run after the browser has started.
func (r *resources) watch(b *browser) {
	r.urls = map[network.RequestID]string{}
	err := chromedp.Listen(b.ctx, func(ev any) {
		r.mu.Lock()
		defer r.mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			r.urls[ev.RequestID] = ev.Request.URL
		case *network.EventResponseReceived:
			if ev.Type != network.ResourceTypeDocument && ev.Response.Status >= 400 {
				r.failed = append(r.failed, fmt.Sprintf("%s: HTTP %d", ev.Response.URL, ev.Response.Status))
			}
		case *network.EventLoadingFailed:
			if ev.Type != network.ResourceTypeDocument && !ev.Canceled {
				r.failed = append(r.failed, fmt.Sprintf("%s: %s %s", r.urls[ev.RequestID], ev.ErrorText, ev.BlockedReason))
			}
		}
	})
	if err != nil {
		b.t.Fatalf("watch the network: %v", err)
	}
}

// take returns the failures since the last call, relative to base.
func (r *resources) take(base string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.failed
	r.failed = nil
	for i := range out {
		out[i] = strings.TrimPrefix(out[i], base)
	}
	return out
}
