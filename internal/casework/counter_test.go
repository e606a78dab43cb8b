package casework

import (
	"strings"
	"testing"
)

// TestClaimCodes checks codes are drawn from the alphabet without
// look-alikes, grouped by four for reading, and read back however typed.
func TestClaimCodes(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		c := newClaimCode()
		if len(c) != claimLength || strings.Trim(c, claimAlphabet) != "" {
			t.Fatalf("code %q: not %d characters of %s", c, claimLength, claimAlphabet)
		}
		if seen[c] {
			t.Fatalf("code %q drawn twice", c)
		}
		seen[c] = true
		if strings.ContainsAny(c, "01OIL5S2Z8B") {
			t.Fatalf("code %q has a look-alike character", c)
		}
	}
	for _, tc := range []struct{ typed, want string }{
		{"ACDE-FGHJ-KMNP", "ACDEFGHJKMNP"},
		{"acde fghj kmnp", "ACDEFGHJKMNP"},
		{" ACDE\u00a0FGHJ-kmnp ", "ACDEFGHJKMNP"},
		{"ACDÉ-FGHJ-KMNP", "ACD?FGHJKMNP"},
	} {
		if got := normalizeClaim(tc.typed); got != tc.want {
			t.Errorf("normalizeClaim(%q) = %q, want %q", tc.typed, got, tc.want)
		}
	}
	if got := FormatClaim("ACDEFGHJKMNP"); got != "ACDE-FGHJ-KMNP" {
		t.Errorf("FormatClaim: %q", got)
	}
}
