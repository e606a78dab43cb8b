package backoffice

import "testing"

func TestCellsEscapeFormulas(t *testing.T) {
	got := cells("=1+1", "+33 6", "-2", "@x", "\tx", "\rx", "Zoë", "", "a=b")
	want := []string{"'=1+1", "'+33 6", "'-2", "'@x", "'\tx", "'\rx", "Zoë", "", "a=b"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("cells[%d] = %q, want %q", i, got[i], want[i])
		}
	}
}
