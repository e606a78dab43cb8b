package web

import (
	"context"
	"errors"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
)

// TestSecondFactorCeiling counts the second-factor guesses one account
// gets in 30 days at the fastest pace the limits allow, and the chance
// that one of them is right (3 codes in 10^6 are accepted at a time):
// the arithmetic of the comment in newLimits.
func TestSecondFactorCeiling(t *testing.T) {
	clk := clock.NewFixed(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	l := newLimits(clk, 0, 0)
	allowed := 0
	for range 30 * 24 * 3600 / 10 { // one try every 10 s for 30 days
		if l.check("second-factor", "7", "second-factor-daily", "7") == nil {
			allowed++
		}
		clk.Advance(10 * time.Second)
	}
	if allowed > 20+720 {
		t.Fatalf("%d guesses in 30 days, want at most 740", allowed)
	}
	chance := 1 - math.Pow(1-3e-6, float64(allowed))
	if chance > 0.0025 {
		t.Fatalf("%d guesses in 30 days: %.2f%% chance of a right one, want under 0.25%%", allowed, 100*chance)
	}
	t.Logf("%d guesses in 30 days: %.3f%% chance", allowed, 100*chance)
	// A staff member who mistyped 5 times waits one time step, not an hour.
	clk.Advance(48 * time.Hour)
	for i := range 5 {
		if err := l.check("second-factor", "8", "second-factor-daily", "8"); err != nil {
			t.Fatalf("try %d: %v", i+1, err)
		}
	}
	if l.check("second-factor", "8", "second-factor-daily", "8") == nil {
		t.Fatal("6th try at once allowed")
	}
	clk.Advance(30 * time.Second)
	if err := l.check("second-factor", "8", "second-factor-daily", "8"); err != nil {
		t.Fatalf("after 30 s: %v", err)
	}
}

// TestLimitsForgetAddressesFirst: when the table is full, the least
// recently used address key goes, and an account's key only when no
// address key is left.
func TestLimitsForgetAddressesFirst(t *testing.T) {
	clk := clock.NewFixed(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	l := newLimits(clk, 4, 0)
	for range 6 {
		l.allow("second-factor", "1") // account 1 over its limit
	}
	l.allow("login-ip", "a")
	l.allow("login-ip", "b")
	l.allow("login-ip", "a") // a is used again: b is now the oldest address
	for i := range 10 {
		l.allow("login-ip", "n"+strconv.Itoa(i))
		if len(l.seen) > 4 {
			t.Fatalf("%d keys in a table of 4", len(l.seen))
		}
		if i == 1 && (l.has("login-ip", "b") || !l.has("login-ip", "a")) {
			t.Fatal("the older address kept, the newer forgotten")
		}
	}
	if l.allow("second-factor", "1") {
		t.Fatal("the account's limit was forgotten for addresses")
	}
	// With only account keys, the least recently used account goes.
	l = newLimits(clk, 2, 0)
	l.allow("claim-account", "1")
	l.allow("claim-account", "2")
	l.allow("claim-account", "1")
	l.allow("claim-account", "3")
	if !l.has("claim-account", "1") || l.has("claim-account", "2") {
		t.Fatal("the least recently used account was not the one forgotten")
	}
}

// downStore is a shared limit store that does not answer.
type downStore struct{ calls int }

func (d *downStore) TakeLimit(context.Context, string, string, int, time.Duration, time.Time) (bool, float64, error) {
	d.calls++
	return false, 0, errors.New("database down")
}
func (d *downStore) MarkLimit(context.Context, string, string, time.Time, time.Duration) error {
	return errors.New("database down")
}
func (d *downStore) HasLimit(context.Context, string, string, time.Time) (bool, error) {
	return false, errors.New("database down")
}
func (d *downStore) PurgeLimits(context.Context, time.Time) (int64, error) {
	return 0, errors.New("database down")
}

// When the shared store does not answer, the limits still hold, counted
// in the instance's memory: never "no limit" during an outage.
func TestSharedLimitsFallBackToMemory(t *testing.T) {
	clk := clock.NewFixed(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	l := newLimits(clk, 0, 0)
	down := &downStore{}
	l.share(down, nil)
	allowed := 0
	for range 8 {
		if l.check("login-pair", "a@example.org\x00192.0.2.1") == nil {
			allowed++
		}
	}
	if down.calls != 1 || allowed != 5 {
		t.Fatalf("%d calls to the shared store, %d allowed; want 1 (then a pause) and the burst, 5", down.calls, allowed)
	}
	clk.Advance(sharedLimitPause)
	l.check("login-pair", "b@example.org\x00192.0.2.1")
	if down.calls != 2 {
		t.Fatalf("the shared store is not tried again after the pause: %d calls", down.calls)
	}
	l.mark(knownAddress, "a@example.org\x00192.0.2.1")
	if !l.has(knownAddress, "a@example.org\x00192.0.2.1") {
		t.Fatal("a known address is forgotten when the shared store is down")
	}
	if st := l.take(LimitAPIKey, "k"); !st.Allowed || st.Remaining != DefaultAPIKeyRate-1 {
		t.Fatalf("API state in memory: %+v", st)
	}
}
