package store_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/seal"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// A shared bucket behaves as the in-memory one: burst attempts at once,
// then one every every; a refused attempt takes nothing; the bucket
// refills with time, never above its burst; keys and kinds are apart.
func TestSharedLimitBucket(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		l := store.Limits{DB: db}
		now := clk.Now()
		take := func(kind, key string, at time.Time) (bool, float64) {
			t.Helper()
			ok, tokens, err := l.TakeLimit(ctx, kind, key, 3, 10*time.Second, at)
			if err != nil {
				t.Fatal(err)
			}
			return ok, tokens
		}
		for i := range 3 {
			if ok, tokens := take("login-ip", "192.0.2.1", now); !ok || tokens != float64(2-i) {
				t.Fatalf("attempt %d: %v, %v tokens", i+1, ok, tokens)
			}
		}
		if ok, tokens := take("login-ip", "192.0.2.1", now.Add(5*time.Second)); ok || tokens != 0.5 {
			t.Fatalf("the fourth at once: %v, %v tokens; want refused with half a token", ok, tokens)
		}
		if ok, _ := take("login-ip", "192.0.2.2", now); !ok {
			t.Fatal("another address is refused")
		}
		if ok, _ := take("signup-ip", "192.0.2.1", now); !ok {
			t.Fatal("another limit is refused")
		}
		if ok, tokens := take("login-ip", "192.0.2.1", now.Add(10*time.Second)); !ok || tokens != 0 {
			t.Fatalf("after one token's time: %v, %v tokens", ok, tokens)
		}
		if ok, tokens := take("login-ip", "192.0.2.1", now.Add(time.Hour)); !ok || tokens != 2 {
			t.Fatalf("an hour later: %v, %v tokens; want the burst less one", ok, tokens)
		}
		// Marks last their time; whole buckets and old marks are purged.
		if err := l.MarkLimit(ctx, "login-known", "a@example.org\x00192.0.2.1", now, time.Minute); err != nil {
			t.Fatal(err)
		}
		if has, err := l.HasLimit(ctx, "login-known", "a@example.org\x00192.0.2.1", now.Add(30*time.Second)); err != nil || !has {
			t.Fatalf("a mark: %v, %v", has, err)
		}
		if has, _ := l.HasLimit(ctx, "login-known", "a@example.org\x00192.0.2.1", now.Add(2*time.Minute)); has {
			t.Fatal("a mark outlives its time")
		}
		if n, err := l.PurgeLimits(ctx, now.Add(2*time.Hour)); err != nil || n != 4 {
			t.Fatalf("purged %d, %v; want the four rows", n, err)
		}
	})
}

// Two instances (two connections) count one key at once: exactly burst
// attempts go ahead, whichever instance each reached.
func TestSharedLimitAcrossInstances(t *testing.T) {
	storetest.EachPair(t, func(t *testing.T, a, b *store.DB, clk *clock.Fixed) {
		const burst, tries = 5, 40
		var wg sync.WaitGroup
		allowed := make([]bool, tries)
		errs := make([]error, tries)
		for i := range tries {
			wg.Go(func() {
				db := a
				if i%2 == 1 {
					db = b
				}
				allowed[i], _, errs[i] = store.Limits{DB: db}.TakeLimit(ctx, "login-account", "a@example.org", burst, time.Hour, clk.Now())
			})
		}
		wg.Wait()
		n := 0
		for i := range tries {
			if errs[i] != nil {
				t.Fatalf("try %d: %v", i, errs[i])
			}
			if allowed[i] {
				n++
			}
		}
		if n != burst {
			t.Fatalf("%d of %d tries went ahead, want %d", n, tries, burst)
		}
	})
}

// BenchmarkTakeLimit is one shared rate-limit count: the one statement
// that refills, takes and answers, committed (each log-in, public check or
// API call with shared limits pays it). Its ceilings are
// BenchmarkBareSQLiteInsert and BenchmarkBarePgxInsert (one durable
// insert), and the in-memory limiter's cost (web's limits, nanoseconds).
func BenchmarkTakeLimit(b *testing.B) {
	eachBenchDB(b, func(b *testing.B, db *store.DB, clk *clock.Fixed) {
		l := store.Limits{DB: db}
		i := 0
		b.ReportAllocs()
		for b.Loop() {
			i++
			if _, _, err := l.TakeLimit(ctx, "verify-ip", fmt.Sprintf("192.0.2.%d", i%200), 30, 2*time.Second, clk.Now()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// The table keeps a limited key's pseudonym, never the key or its plain
// SHA-256 (which a list of addresses reverses); two instances with the
// same pseudonym function count in the same bucket.
func TestSharedLimitKeepsPseudonyms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		tokens, err := seal.NewTokens(bytes.Repeat([]byte{9}, 32))
		if err != nil {
			t.Fatal(err)
		}
		pseudonym := func(k string) string { return tokens.Pseudonym("rate-limit", k) }
		a, b := store.Limits{DB: db, Pseudonym: pseudonym}, store.Limits{DB: db, Pseudonym: pseudonym}
		for i, l := range []store.Limits{a, b, a} {
			ok, _, err := l.TakeLimit(ctx, "login-ip", "192.0.2.7", 2, time.Hour, clk.Now())
			if err != nil {
				t.Fatal(err)
			}
			if ok != (i < 2) {
				t.Fatalf("take %d: allowed %v; the two instances do not share the bucket", i+1, ok)
			}
		}
		var key string
		if err := db.SQL().QueryRowContext(ctx, `SELECT key FROM rate_limits WHERE kind = 'login-ip'`).Scan(&key); err != nil {
			t.Fatal(err)
		}
		plain := sha256.Sum256([]byte("192.0.2.7"))
		if key == "192.0.2.7" || key == hex.EncodeToString(plain[:]) || key != pseudonym("192.0.2.7") {
			t.Fatalf("the table keeps %q for 192.0.2.7", key)
		}
	})
}
