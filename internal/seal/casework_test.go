package seal

import (
	"errors"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// TestCheckerSaysWhyACodeFails: casework and the verify command tell
// "not a code" from "not authentic" by the refusal's outcome.
func TestCheckerSaysWhyACodeFails(t *testing.T) {
	k := testKeyring(t)
	stranger := testKeyring(t)
	forged, err := Sign(stranger, typicalClaims())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for code, want := range map[string]string{"hello": permit.CodeMalformed, forged: permit.CodeForged} {
		_, err := Checker{Keys: k}.Check(code, now)
		var bad *permit.CodeError
		if !errors.As(err, &bad) || bad.Outcome != want {
			t.Errorf("Check(%.12s…) = %v, want a CodeError %q", code, err, want)
		}
	}
}
