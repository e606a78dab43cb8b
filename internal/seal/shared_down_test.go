package seal

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
)

// downKeys is a key store that can be switched off: down, it fails at
// once; frozen, it waits for the caller's deadline, as a database that
// hangs does.
type downKeys struct {
	countingKeys
	mu           sync.Mutex
	down, frozen bool
}

func (d *downKeys) set(down, frozen bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.down, d.frozen = down, frozen
}

func (d *downKeys) SigningKeys(ctx context.Context) ([]permit.SigningKey, error) {
	d.mu.Lock()
	down, frozen := d.down, d.frozen
	d.mu.Unlock()
	switch {
	case frozen:
		d.reads.Add(1)
		<-ctx.Done()
		return nil, ctx.Err()
	case down:
		d.reads.Add(1)
		return nil, errors.New("connection refused")
	}
	return d.countingKeys.SigningKeys(ctx)
}

// TestVerifyWithDatabaseDown checks that the keys in memory verify codes
// and are published while the database is down or frozen, that a frozen
// database costs one caller readWait at most now and then and not every
// caller, and that a rotation made elsewhere is seen once it is back.
func TestVerifyWithDatabaseDown(t *testing.T) {
	store := &downKeys{}
	clk := clock.NewFixed(t0)
	s := openShared(t, store, clk, "")
	other := openShared(t, store, clk, "")
	code, err := Sign(s, typicalClaims())
	if err != nil {
		t.Fatal(err)
	}
	for _, frozen := range []bool{false, true} {
		store.set(true, frozen)
		clk.Advance(2 * time.Minute) // the keys in memory are older than MaxAge
		before := store.reads.Load()
		start := time.Now()
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := Verify(code, s, t0); err != nil {
					t.Errorf("frozen %v: a genuine code with the database down: %v", frozen, err)
				}
			}()
		}
		wg.Wait()
		if took := time.Since(start); took > readWait+time.Second {
			t.Errorf("frozen %v: 20 verifications took %v, want at most one wait of %v", frozen, took, readWait)
		}
		if n := store.reads.Load() - before; n != 1 {
			t.Errorf("frozen %v: 20 verifications read the keys %d times, want 1", frozen, n)
		}
		set, err := s.PublicKeySet()
		if err != nil {
			t.Fatalf("frozen %v: key set with the database down: %v", frozen, err)
		}
		if keys, err := ParseKeySet(set); err != nil || len(keys.Keys()) != 1 {
			t.Errorf("frozen %v: key set %s: %v", frozen, set, err)
		}
		if n := store.reads.Load() - before; n != 1 {
			t.Errorf("frozen %v: publishing right after a failed read read again (%d reads)", frozen, n)
		}
	}

	// Back up: a rotation made by another instance is seen.
	store.set(false, false)
	rotated, err := other.Rotate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(10 * time.Second)
	if got := s.Keyring(context.Background()).ActiveKeyID(); got != rotated.ActiveKeyID() {
		t.Errorf("after the database came back, signing key %s, want the rotated %s", got, rotated.ActiveKeyID())
	}
}
