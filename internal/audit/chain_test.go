package audit

import (
	"testing"
	"time"
)

func chain(n int) []Record {
	var out []Record
	prev := Genesis
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		r := Record{Entry: Entry{ActorAccountID: 3, Action: "case.view", PrefectureID: 1, PersonID: int64(i)}, ID: int64(i), At: at, PrevHash: prev}
		r.Hash = r.Sum()
		prev = r.Hash
		out = append(out, r)
	}
	return out
}

// TestSumIsPinned pins the encoding: changing it breaks every stored
// chain. The expected hash was computed apart from this code, from the
// encoding as documented (docs/security.md), with Python's hashlib.
func TestSumIsPinned(t *testing.T) {
	r := Record{Entry: Entry{ActorAccountID: 3, Action: "case.view", PrefectureID: 1, PersonID: 5, ApplicationID: 8, DocumentID: 0, Detail: "é"},
		ID: 1, At: time.Date(2026, 11, 26, 10, 0, 0, 123456000, time.FixedZone("CET", 3600)), PrevHash: Genesis}
	if got, want := r.Sum(), "a91de6ed8eb403e03ca7bced6f0841f068b5d27736f84384626d46bc63123021"; got != want {
		t.Errorf("Sum = %s, want %s", got, want)
	}
	utc := r
	utc.At = r.At.UTC()
	if r.Sum() != utc.Sum() {
		t.Error("the same instant in another zone hashes differently")
	}
}

// TestEncodingIsUnambiguous: moving bytes from one field to the next
// changes the hash.
func TestEncodingIsUnambiguous(t *testing.T) {
	a := Record{Entry: Entry{Action: "ab", Detail: "c"}, ID: 1, PrevHash: Genesis}
	b := Record{Entry: Entry{Action: "a", Detail: "bc"}, ID: 1, PrevHash: Genesis}
	c := Record{Entry: Entry{ActorAccountID: 11}, ID: 1, PrevHash: Genesis}
	d := Record{Entry: Entry{ActorAccountID: 1, PrefectureID: 1}, ID: 1, PrevHash: Genesis}
	if a.Sum() == b.Sum() || c.Sum() == d.Sum() {
		t.Error("two different records hash alike")
	}
}

func TestVerifier(t *testing.T) {
	check := func(rs []Record) (*Break, int64) {
		var v Verifier
		for i := range rs {
			if b := v.Check(&rs[i]); b != nil {
				return b, v.Count()
			}
		}
		return nil, v.Count()
	}
	if b, n := check(chain(4)); b != nil || n != 4 {
		t.Fatalf("whole chain: %v, %d", b, n)
	}
	altered := chain(4)
	altered[2].Detail = "x"
	gap := append(chain(4)[:1], chain(4)[2:]...)
	swapped := chain(4)
	swapped[1], swapped[2] = swapped[2], swapped[1]
	swapped[1].ID, swapped[2].ID = 2, 3
	late := chain(4)[1:]
	for name, c := range map[string]struct {
		rs      []Record
		id      int64
		problem Problem
	}{
		"altered":       {altered, 3, HashMismatch},
		"deleted":       {gap, 2, MissingID},
		"reordered":     {swapped, 2, PrevMismatch},
		"first missing": {late, 1, MissingID},
	} {
		b, _ := check(c.rs)
		if b == nil || b.ID != c.id || b.Problem != c.problem {
			t.Errorf("%s: %v, want %s at %d", name, b, c.problem, c.id)
		}
	}
}
