package casework

import "testing"

// TestCounterCodeWithADashInItsHMAC: a counter code whose HMAC part holds
// "-" (base64url; about one code in five) names its booking; splitting on
// every "-" made it "not found" at the counter.
func TestCounterCodeWithADashInItsHMAC(t *testing.T) {
	for _, tc := range []struct {
		code string
		id   int64
		ok   bool
	}{
		{"RDV-13-k28mf_BehvV0UTwC", 13, true},
		{"RDV-7-ab-Cd_e-fGhIjKlM", 7, true},
		{" RDV-7-ab-Cd ", 7, true},
		{"RDV-x-abc", 0, false},
		{"RDV-7-", 0, false},
		{"RDV-7", 0, false},
		{"XYZ-7-abc", 0, false},
	} {
		id, ok := counterCodeID(tc.code)
		if ok != tc.ok || (ok && id != tc.id) {
			t.Errorf("%q: %d, %v; want %d, %v", tc.code, id, ok, tc.id, tc.ok)
		}
	}
}
