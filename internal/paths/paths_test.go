package paths

import "testing"

func TestFormat(t *testing.T) {
	tests := []struct{ got, want string }{
		{Application.Format(42), "/demandes/42"},
		{Download.Format(42, "7"), "/demandes/42/fichiers/7"},
		{Attestation.FormatIDs(42, 9), "/demandes/42/attestations/9"},
		{Reset.Format("a b/c"), "/reinitialiser/a%20b%2Fc"},
		{CorrectionReview.Format(3), "/agent/corrections/3"},
		{Dashboard.String(), "/tableau-de-bord"},
		{Home.String(), "/"},
		{Get(Home), "GET /{$}"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestFormatRefusesTheWrongNumberOfValues(t *testing.T) {
	for name, f := range map[string]func(){
		"too few":  func() { fill("/a/{id}/b/{doc}", "1") },
		"too many": func() { fill("/a/{id}", "1", "2") },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}
