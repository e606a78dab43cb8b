package permit

import "testing"

func TestPersonChangesNameEveryChangedField(t *testing.T) {
	old := &Person{ID: 7, GivenNames: "Amina", Surname: "Diallo", BirthDate: "1990-01-02", PrefectureID: 1,
		Address: Address{Line: "1 rue A", Postcode: "75011", City: "Paris"}, Phone: "0600000000"}
	same := *old
	if ch := same.Changes(old); len(ch) != 0 {
		t.Fatalf("no change expected, got %+v", ch)
	}
	p := *old
	p.Surname, p.Address.Postcode, p.PrefectureID, p.Phone = "Dialo", "69003", 2, ""
	ch := p.Changes(old)
	want := []PersonChange{
		{PersonID: 7, Field: FieldSurname, Old: "Diallo", New: "Dialo"},
		{PersonID: 7, Field: FieldPostcode, Old: "75011", New: "69003"},
		{PersonID: 7, Field: FieldPhone, Old: "0600000000", New: ""},
		{PersonID: 7, Field: FieldPrefecture, Old: "1", New: "2"},
	}
	if len(ch) != len(want) {
		t.Fatalf("changes = %+v, want %+v", ch, want)
	}
	for i := range want {
		if ch[i] != want[i] {
			t.Errorf("change %d = %+v, want %+v", i, ch[i], want[i])
		}
	}
	if !IsCivilField(FieldSurname) || IsCivilField(FieldPhone) || IsCivilField(FieldPrefecture) {
		t.Error("civil fields misclassified")
	}
}

func TestIdentityLockedOnceFiledOrConfirmed(t *testing.T) {
	for _, tt := range []struct {
		confirmed bool
		states    []State
		want      bool
	}{
		{false, nil, false},
		{false, []State{StateDraft, StateDraft}, false},
		{false, []State{StateDraft, StateWithdrawn}, true},
		{false, []State{StateSubmitted}, true},
		{true, nil, true},
	} {
		if got := IdentityLocked(tt.confirmed, tt.states); got != tt.want {
			t.Errorf("IdentityLocked(%v, %v) = %v, want %v", tt.confirmed, tt.states, got, tt.want)
		}
	}
}
