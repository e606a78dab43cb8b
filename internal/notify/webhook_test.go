package notify_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/sejour/sejour/internal/notify"
)

// TestWebhookRefusesAndDoesNotFollow: loopback is refused unless allowed,
// a private address is refused before any connection, and a redirect is
// an error, not followed.
func TestWebhookRefusesAndDoesNotFollow(t *testing.T) {
	var hits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer target.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL, http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()
	ctx := context.Background()
	if _, err := notify.NewWebhooks(false).Post(ctx, target.URL, []byte("{}"), nil); !errors.Is(err, notify.ErrAddressRefused) {
		t.Errorf("loopback not allowed: %v", err)
	}
	if _, err := notify.NewWebhooks(true).Post(ctx, "http://10.255.255.1:9/x", []byte("{}"), nil); !errors.Is(err, notify.ErrAddressRefused) {
		t.Errorf("a private address: %v", err)
	}
	if _, err := notify.NewWebhooks(true).Post(ctx, "http://169.254.169.254/latest", []byte("{}"), nil); !errors.Is(err, notify.ErrAddressRefused) {
		t.Errorf("a link-local address: %v", err)
	}
	status, err := notify.NewWebhooks(true).Post(ctx, redirect.URL, []byte("{}"), nil)
	if err == nil || status != http.StatusTemporaryRedirect || hits.Load() != 0 {
		t.Errorf("a redirect: %d, %v, target hit %d times", status, err, hits.Load())
	}
	if status, err := notify.NewWebhooks(true).Post(ctx, target.URL, []byte("{}"), nil); err != nil || status != 200 || hits.Load() != 1 {
		t.Errorf("a plain delivery: %d, %v", status, err)
	}
}
