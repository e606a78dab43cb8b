package public

import (
	"fmt"
	"net/http"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// verifyOfflineView is the verifier that works offline: the online form
// of /verifier, and for its script the words it shows, in the page's
// language, since offline it can ask the server for nothing.
type verifyOfflineView struct {
	*verifyView
	Words map[string]any
}

// offlineKeys are the translations the offline verifier's script shows.
var offlineKeys = []string{
	"verify.kind", "verify.number", "verify.version", "receipt.holder", "verify.born", "verify.validity",
	"attestations.validity", "verify.from", "verify.request", "receipt.prefecture", "verify.rights", "verify.error.empty",
	"rights.stay", "rights.no_stay", "rights.travel", "rights.no_travel", "rights.social",
	"verify.unchecked", "date.long", "date.day_one",
	"verify_offline.state.ready", "verify_offline.state.preparing", "verify_offline.state.unsupported",
	"verify_offline.checked_offline", "verify_offline.checked_online", "verify_offline.unknown_key", "verify_offline.no_keys",
	// an attestation of attempt (section 7a), a check record (7b), a
	// declaration's record (7c)
	"attempt.at", "attempt.verify_note",
	"verify.check.by", "verify.check.when", "verify.check.whom", "verify.check.answer", "pdf.workcheck.until", "pdf.workcheck.pending",
	"verify.declaration.by", "declarations.start", "declarations.status",
}

// offlineOutcomes are the answers the script can give: the server's,
// since it asks the server when it can (revoked, superseded), and the
// filing receipt's own.
var offlineOutcomes = append([]string{"receipt_valid", "receipt_" + casework.OutcomeUnchecked,
	"attempt_valid", "check_valid", "check_expired", "declaration_valid"}, casework.Outcomes...)

// words gathers the texts of offlineKeys and of the closed lists a code
// holds (kinds, work, grounds), by the ids of the signed format.
func (v *verifyOfflineView) words(cat *rules.Catalogue) map[string]any {
	t := map[string]string{}
	for _, k := range offlineKeys {
		t[k] = v.T(k)
	}
	for _, o := range offlineOutcomes {
		t["verify.outcome."+o], t["verify.explain."+o] = v.T("verify.outcome."+o), v.T("verify.explain."+o)
	}
	for m := time.January; m <= time.December; m++ {
		k := fmt.Sprintf("date.month.%02d", int(m))
		t[k] = v.T(k)
	}
	for _, k := range permit.WireKinds {
		t["attestation_kind."+string(k)] = v.AttestationKind(k)
	}
	for _, o := range permit.DeclarationOutcomes {
		t["declaration.status."+string(o)] = v.T("declaration.status." + string(o))
	}
	for _, k := range permit.Kinds {
		t["kind."+string(k)] = v.Kind(k)
	}
	for _, w := range rules.WorkKinds {
		t["rights.work."+string(w)] = v.T("rights.work." + string(w))
	}
	grounds := map[string]string{}
	for _, g := range cat.Grounds() {
		grounds[string(g.ID)] = v.Text(g.Name)
	}
	return map[string]any{"t": t, "grounds": grounds}
}

func (s *Pages) verifyOffline(w http.ResponseWriter, r *http.Request) error {
	v := &verifyOfflineView{verifyView: &verifyView{Page: s.Page(r, "verify_offline.title")}}
	v.Words = v.words(s.Rules)
	s.Render(w, r, http.StatusOK, "verify_offline", v)
	return nil
}
