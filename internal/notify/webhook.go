package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// WebhookTimeout bounds one webhook delivery, from the connection to the
// end of the answer's headers.
const WebhookTimeout = 10 * time.Second

// ErrAddressRefused is what a delivery to a private, link-local or
// otherwise internal address returns: a webhook must not let an
// organisation reach the portal's own network.
var ErrAddressRefused = errors.New("notify: webhook address refused (not a public address)")

// Webhooks posts signed events to organisations' webhooks (issue 14, part
// 5). It never follows a redirect, gives up after WebhookTimeout, and
// connects only to public addresses: the check is made on the address
// actually dialled, after name resolution, so a name that resolves to an
// internal address (or changes to one) is refused too. Loopback is
// allowed only when AllowLoopback is set (development, tests).
type Webhooks struct {
	client *http.Client
}

// NewWebhooks returns the poster; allowLoopback admits 127.0.0.0/8 and ::1.
func NewWebhooks(allowLoopback bool) *Webhooks {
	dialer := &net.Dialer{Timeout: WebhookTimeout, Control: func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return ErrAddressRefused
		}
		if !permit.PublicAddress(ap.Addr(), allowLoopback) {
			return ErrAddressRefused
		}
		return nil
	}}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would dial in our place, unchecked
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   WebhookTimeout,
		ResponseHeaderTimeout: WebhookTimeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       30 * time.Second,
	}
	return &Webhooks{client: &http.Client{Transport: tr, Timeout: WebhookTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Post sends body as JSON to url with the given headers and returns the
// answer's status. A status outside 2xx is an error too (a redirect
// included, which is not followed), so that the caller retries.
func (w *Webhooks) Post(ctx context.Context, url string, body []byte, headers map[string]string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "sejour-webhooks/1")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := w.client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("notify: webhook: %w", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return res.StatusCode, fmt.Errorf("notify: webhook answered %d", res.StatusCode)
	}
	return res.StatusCode, nil
}
