package seal

import (
	"bytes"
	"path/filepath"
	"sync"
	"testing"
)

// TestKEKFileCreatedTogether: processes starting together on an empty
// data directory all get the one key written by whichever came first,
// and none fails.
func TestKEKFileCreatedTogether(t *testing.T) {
	for round := range 20 {
		path := filepath.Join(t.TempDir(), "key-encryption-key")
		keys := make([][]byte, 8)
		errs := make([]error, 8)
		var wg sync.WaitGroup
		for i := range keys {
			wg.Add(1)
			go func() {
				defer wg.Done()
				keys[i], errs[i] = LoadOrCreateKEK(path)
			}()
		}
		wg.Wait()
		for i := range keys {
			if errs[i] != nil {
				t.Fatalf("round %d, start %d: %v", round, i, errs[i])
			}
			if !bytes.Equal(keys[i], keys[0]) {
				t.Fatalf("round %d: two starts got two keys", round)
			}
		}
	}
}
