package rules

import "slices"

// Check is something the prefecture verifies on a file before it may
// decide favourably. Checks are a closed list, because each is computed
// by the use cases from the file (casework.Decisions); the catalogue only
// says which of them the law requires.
type Check string

// The checks a favourable decision may require.
const (
	// CheckDocumentsAccepted: every document the ground and kind require
	// has its current version accepted by an agent.
	CheckDocumentsAccepted Check = "documents_accepted"
	// CheckIdentityConfirmed: an agent checked the declared identity
	// against the passport (casework.Decisions.ConfirmIdentity).
	CheckIdentityConfirmed Check = "identity_confirmed"
)

// Checks lists every known check.
var Checks = []Check{CheckDocumentsAccepted, CheckIdentityConfirmed}

// DecisionRules are the conditions of the prefecture's decisions. A
// favourable decision gives a signed attestation of the holder's rights
// in the holder's name: issued on a self-declared identity or on
// documents nobody looked at, it would certify what nobody checked
// (issue 13, item 15).
type DecisionRules struct {
	// FavourableRequires are the checks a favourable decision needs.
	// The catalogue must state the list (an empty list requires nothing),
	// so that a catalogue that forgets it does not lift the rule silently.
	FavourableRequires []Check `json:"favourable_requires"`
}

// Requires reports whether a favourable decision needs check c.
func (d DecisionRules) Requires(c Check) bool { return slices.Contains(d.FavourableRequires, c) }

func (ch *checker) decisions(d DecisionRules) {
	if d.FavourableRequires == nil {
		ch.add("decisions: favourable_requires missing (write [] to require no check)")
	}
	seen := map[Check]bool{}
	for _, c := range d.FavourableRequires {
		if !slices.Contains(Checks, c) {
			ch.add("decisions: favourable_requires: unknown check %q", c)
		}
		if seen[c] {
			ch.add("decisions: favourable_requires: %q listed twice", c)
		}
		seen[c] = true
	}
}
