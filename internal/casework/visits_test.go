package casework

import (
	"reflect"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/audit"
)

// TestVisitsGroupWhatOnePersonOpenedInARow: an agent's case page and its
// six document previews are one visit; the same agent back after a long
// pause, or another agent in between, make new ones. Documents are
// counted once each.
func TestVisitsGroupWhatOnePersonOpenedInARow(t *testing.T) {
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	var lines []*audit.Line // built oldest first, read newest first
	add := func(actor int64, minutes int, action string, app, doc int64) {
		l := &audit.Line{Record: audit.Record{At: at.Add(time.Duration(minutes) * time.Minute), Entry: audit.Entry{
			ActorAccountID: actor, Action: action, PrefectureID: 75, ApplicationID: app, DocumentID: doc}},
			ActorRole: "agent", PrefectureName: "Préfecture 75"}
		lines = append([]*audit.Line{l}, lines...)
	}
	add(1, 0, ActionCaseView, 41, 0)
	for doc := int64(1); doc <= 6; doc++ {
		add(1, 0, ActionDocumentView, 41, doc)
	}
	add(1, 5, ActionDocumentView, 41, 3) // the same document again
	add(1, 20, ActionPersonView, 0, 0)
	add(2, 21, ActionCaseView, 41, 0) // another agent
	add(1, 22, ActionCaseView, 41, 0)
	add(1, 22+31, ActionCorrectionView, 0, 0) // after a pause

	got := Visits(lines, VisitGap)
	type visit struct {
		from, until int
		opened      []Opened
	}
	want := []visit{
		{53, 53, []Opened{{OpenedCorrection, 0, 1}}},
		{22, 22, []Opened{{OpenedFile, 41, 1}}},
		{21, 21, []Opened{{OpenedFile, 41, 1}}},
		{0, 20, []Opened{{OpenedFile, 41, 1}, {OpenedDocuments, 41, 6}, {OpenedPerson, 0, 1}}},
	}
	if len(got) != len(want) {
		t.Fatalf("%d visits, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.At != at.Add(time.Duration(w.from)*time.Minute) || g.Until != at.Add(time.Duration(w.until)*time.Minute) ||
			!reflect.DeepEqual(g.Opened, w.opened) || g.Title != "role.agent" || g.Prefecture != "Préfecture 75" {
			t.Errorf("visit %d = %+v, want from minute %d to %d, opened %+v", i, g, w.from, w.until, w.opened)
		}
	}
}
