package permit

import (
	"regexp"
	"testing"
)

// TestEveryAttestationKindHasANumberPrefix: a kind without a prefix would
// be numbered "-2026-0000012"; the store refuses it, and this test names
// the kind first.
func TestEveryAttestationKindHasANumberPrefix(t *testing.T) {
	seen := map[string]AttestationKind{}
	for _, k := range AttestationKinds {
		p := k.NumberPrefix()
		if !regexp.MustCompile(`^[A-Z]{3}$`).MatchString(p) {
			t.Errorf("kind %s: number prefix %q, want three capital letters", k, p)
		}
		if other, ok := seen[p]; ok {
			t.Errorf("kinds %s and %s share the prefix %s", k, other, p)
		}
		seen[p] = k
	}
	if len(numberPrefixes) != len(AttestationKinds) {
		t.Errorf("%d prefixes for %d kinds: a prefix names a kind that is not listed", len(numberPrefixes), len(AttestationKinds))
	}
	if AttestationKind("unknown").NumberPrefix() != "" {
		t.Error("an unknown kind has a prefix")
	}
}
