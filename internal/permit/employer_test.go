package permit

import "testing"

func TestValidSIRET(t *testing.T) {
	for _, c := range []struct {
		siret string
		ok    bool
	}{
		{"73282932000074", true},  // a real establishment (Luhn)
		{"73282932000075", false}, // its last digit changed
		{"35600000000048", true},  // La Poste's head office: Luhn
		{"35600000049837", true},  // a La Poste establishment: digits sum to 50, though Luhn fails
		{"35600000049838", false}, // La Poste, sum 51
		{"35600000000001", true},  // La Poste, sum 15
		{"35600000000002", false}, // La Poste, sum 16, Luhn fails
		{"7328293200007", false},  // 13 digits
		{"7328293200007A", false},
		{"12345678900000", false}, // the SIREN fails Luhn
	} {
		if got := ValidSIRET(c.siret); got != c.ok {
			t.Errorf("ValidSIRET(%s) = %v, want %v", c.siret, got, c.ok)
		}
	}
	if NormalizeSIRET(" 732 829 320 00074 ") != "73282932000074" {
		t.Error("spaces between groups are not dropped")
	}
}
