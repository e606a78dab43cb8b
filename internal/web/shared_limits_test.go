package web_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
	"github.com/sejour/sejour/internal/web"
)

// Two instances on one database with shared limits (issue 15, part 1): a
// guesser who alternates between them is refused after the burst of one,
// the account's ceiling counts the guesses both received, and the
// owner's usual address, learnt on one instance, lets them in on the
// other.
func TestLimitsHoldAcrossInstances(t *testing.T) {
	storetest.EachPair(t, func(t *testing.T, da, db *store.DB, clk *clock.Fixed) {
		shared := func(d *store.DB) func(*casework.Config, *web.Options) {
			return func(_ *casework.Config, o *web.Options) { o.Limits = store.Limits{DB: d} }
		}
		a, b := newSiteWith(t, da, clk, nil, shared(da)), newSiteWith(t, db, clk, nil, shared(db))
		const owner = "owner@example.org"
		a.signUp(owner, goodPassword)
		if res := a.logIn(owner, goodPassword); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("first log-in: %d", res.StatusCode)
		}
		// One address, five guesses a pair: the sixth, on either, is refused.
		a.cookie, a.ip, b.ip = map[string]string{}, "198.51.100.1", "198.51.100.1"
		for i := range 5 {
			s := []*site{a, b}[i%2]
			if res, _ := s.post(paths.LogIn.String(), badLogIn(owner)); res.StatusCode == http.StatusTooManyRequests {
				t.Fatalf("guess %d refused before the burst", i+1)
			}
		}
		for _, s := range []*site{a, b} {
			if res, _ := s.post(paths.LogIn.String(), badLogIn(owner)); res.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("the sixth guess: %d, want 429 on both instances", res.StatusCode)
			}
		}
		// Many addresses, one guess each, spread over both: the account's
		// ceiling (30) counts them all.
		refused := 0
		for i := range 40 {
			s := []*site{a, b}[i%2]
			s.cookie, s.ip = map[string]string{}, fmt.Sprintf("203.0.113.%d", i+1)
			if res, _ := s.post(paths.LogIn.String(), badLogIn(owner)); res.StatusCode == http.StatusTooManyRequests {
				refused++
			}
		}
		if refused < 10 {
			t.Fatalf("40 guesses from 40 addresses over two instances: %d refused, want the 10 past the ceiling", refused)
		}
		// The owner, at the address instance a learnt, logs in on b.
		b.cookie, b.ip = map[string]string{}, "192.0.2.1"
		if res := b.logIn(owner, goodPassword); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("the owner at their usual address, on the other instance: %d", res.StatusCode)
		}
	})
}
