package casework

import (
	"testing"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// TestDocumentsNameThePrefectureThatIssuedThem: a receipt or attestation
// issued before a move names the prefecture the application left; one
// issued between two moves, the middle one; one issued after, the
// current one.
func TestDocumentsNameThePrefectureThatIssuedThem(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 9, 0, 0, 0, time.UTC) }
	moves := []*permit.Transfer{
		{From: 75, FromName: "Paris", To: 69, ToName: "Lyon", At: day(10)},
		{From: 69, FromName: "Lyon", To: 13, ToName: "Marseille", At: day(20)},
	}
	now := &permit.Prefecture{ID: 13, Name: "Marseille"}
	for _, tc := range []struct {
		issued time.Time
		want   string
	}{
		{day(1), "Paris"},
		{day(10), "Lyon"}, // issued by the new prefecture the instant the file arrived
		{day(15), "Lyon"},
		{day(25), "Marseille"},
	} {
		if got := issuerAt(moves, now, tc.issued); got.Name != tc.want {
			t.Errorf("issued on %s: %s, want %s", tc.issued.Format(time.DateOnly), got.Name, tc.want)
		}
	}
	if got := issuerAt(nil, now, day(1)); got != now {
		t.Errorf("never moved: %+v", got)
	}
}
