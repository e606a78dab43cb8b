package store

import (
	"os"
	"regexp"
	"slices"
	"testing"

	"github.com/sejour/sejour/internal/permit"
)

// TestMigrationStatesAreTheMachines checks the state lists written in
// migrations, which cannot ask permit, against the state machine: the
// index that allows one open application per ground must name exactly
// the states in which an application is no longer open.
func TestMigrationStatesAreTheMachines(t *testing.T) {
	want := permit.EndStates()
	slices.Sort(want)
	list := regexp.MustCompile(`applications_one_open_per_ground[^;]*state NOT IN \(([^)]*)\)`)
	literal := regexp.MustCompile(`'([a-z_]+)'`)
	for _, dialect := range []string{"sqlite", "postgres"} {
		data, err := os.ReadFile("migrations/" + dialect + "/0002_applications.sql")
		if err != nil {
			t.Fatal(err)
		}
		m := list.FindSubmatch(data)
		if m == nil {
			t.Fatalf("%s: no state list in the index of migration 0002", dialect)
		}
		var got []permit.State
		for _, l := range literal.FindAllSubmatch(m[1], -1) {
			got = append(got, permit.State(l[1]))
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s migration 0002 lists %v, the state machine's end states are %v", dialect, got, want)
		}
	}
}

func TestStateList(t *testing.T) {
	if got := stateList([]permit.State{permit.StateSubmitted, "it's"}); got != `'submitted', 'it''s'` {
		t.Errorf("stateList = %s", got)
	}
}
