package web_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/password"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/web"
)

var keyShape = regexp.MustCompile(`^[a-z_]+(\.[a-z0-9_]+)+$`)

// usedKeys collects every string literal of the program's Go sources
// (tests excepted) and every quoted string of the templates that has the
// shape of a translation key.
func usedKeys(t *testing.T) map[string]bool {
	t.Helper()
	used := map[string]bool{}
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == ".git" || d.Name() == "static") {
			return filepath.SkipDir
		}
		switch {
		case strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go"):
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if s, err := strconv.Unquote(lit.Value); err == nil && keyShape.MatchString(s) {
						used[s] = true
					}
				}
				return true
			})
		case strings.HasSuffix(path, ".html"):
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range regexp.MustCompile(`"([a-z_]+(?:\.[a-z0-9_]+)+)"`).FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return used
}

// dynamicKeys are the keys built in code from a value ("state." + the
// state): each value of the domain must have its key.
func dynamicKeys() []string {
	var keys []string
	for _, st := range permit.States {
		keys = append(keys, "state."+string(st), "step."+string(st))
	}
	for _, k := range permit.Kinds {
		keys = append(keys, "kind."+string(k), "kind_hint."+string(k))
	}
	for _, a := range []permit.ActorKind{permit.ActorApplicant, permit.ActorAgent, permit.ActorSystem} {
		keys = append(keys, "actor."+string(a))
	}
	for _, k := range rules.AttestationKinds {
		keys = append(keys, "mail.attestation."+string(k)+".subject", "mail.attestation."+string(k)+".body", "attestation_kind."+string(k))
	}
	for _, st := range []permit.AttestationStatus{permit.AttestationValid, permit.AttestationPending, permit.AttestationExpired,
		permit.AttestationSuperseded, permit.AttestationRevoked} {
		keys = append(keys, "attestation_status."+string(st))
	}
	keys = append(keys, "attestation_kind."+string(permit.AttestationAttempt), "attestation_kind."+string(permit.AttestationWorkCheck),
		"attestation_kind."+string(permit.AttestationDeclaration), "verify.outcome.declaration_valid", "verify.explain.declaration_valid")
	for _, st := range append([]permit.DeclarationStatus{permit.DeclarationReferred}, permit.DeclarationOutcomes...) {
		keys = append(keys, "declaration.status."+string(st))
	}
	for _, r := range []permit.ReferralReason{permit.ReferralLimitedHours, permit.ReferralEndsBefore, permit.ReferralRestricted, permit.ReferralNoMatch} {
		keys = append(keys, "declaration.reason."+string(r))
	}
	for _, c := range permit.ContractKinds {
		keys = append(keys, "declaration.contract."+string(c))
	}
	for _, f := range []string{"surname", "job"} {
		keys = append(keys, "declaration.error."+f+"_required")
	}
	for _, k := range permit.ReminderKinds {
		keys = append(keys, "reminders.mail."+string(k), "reminders.sms."+string(k), "reminders.kind."+string(k), "reminders.name."+string(k))
	}
	for _, k := range []permit.LegalDateKind{permit.DateWindowOpens, permit.DateWindowCloses, permit.DatePermitEnds, permit.DateAttestation,
		permit.DateCompletionDue, permit.DateImplicitRefusal, permit.DateAppointment} {
		keys = append(keys, "reminders.ics."+string(k)+".summary", "reminders.ics."+string(k)+".description")
	}
	for _, p := range permit.SharePurposes {
		keys = append(keys, "share.purpose."+string(p))
	}
	for _, b := range []permit.WorkBasis{permit.BasisPermit, permit.BasisExtension, permit.BasisFavourable, permit.BasisNone} {
		keys = append(keys, "pdf.workcheck.basis."+string(b))
	}
	for _, st := range []permit.BookingStatus{permit.BookingBooked, permit.BookingWaiting, permit.BookingCancelled, permit.BookingNoShow} {
		keys = append(keys, "appointments.manage.status."+string(st))
	}
	for _, r := range permit.BookingReasons {
		keys = append(keys, "counter_code.reason."+string(r))
	}
	for _, f := range []string{"name", "address", "city"} {
		keys = append(keys, "employers.error."+f+"_required")
	}
	for _, o := range append([]string{"receipt_valid", "receipt_" + casework.OutcomeUnchecked, "attempt_valid", "check_valid", "check_expired"}, casework.Outcomes...) {
		keys = append(keys, "verify.outcome."+o, "verify.explain."+o)
	}
	for _, k := range permit.FollowUpEventKinds {
		keys = append(keys, "followups.event."+string(k))
	}
	keys = append(keys, "followups.state.ended.worker", "followups.state.ended.employer")
	for _, w := range rules.WorkKinds {
		keys = append(keys, "rights.work."+string(w))
	}
	for _, r := range permit.DocumentRejections {
		keys = append(keys, "review.reason."+r)
	}
	for _, st := range permit.CorrectionStatuses {
		keys = append(keys, "correction.status."+string(st))
	}
	for _, f := range (&permit.Person{}).Fields() {
		keys = append(keys, "field."+f.Name)
	}
	keys = append(keys, "field."+permit.FieldEmail, "field."+permit.FieldConfirmedAt)
	for _, src := range permit.ChangeSources {
		keys = append(keys, "change_source."+string(src))
	}
	for _, o := range []string{"accepted", "refused"} {
		keys = append(keys, "mail.correction."+o+".subject", "mail.correction."+o+".body")
	}
	for _, r := range permit.RefusalReasons {
		keys = append(keys, "refusal.reason."+r)
	}
	for _, m := range []string{"decided_favourable", "decided_unfavourable", "card_collection", "closed", "reopened", "undone"} {
		keys = append(keys, "mail."+m+".subject", "mail."+m+".body")
	}
	for _, c := range append([]permit.Channel{permit.ChannelOnline}, permit.OnBehalfChannels...) {
		keys = append(keys, "counter.channel."+string(c))
	}
	for _, w := range permit.ConsentWays {
		keys = append(keys, "counter.consent_how."+w)
	}
	for m := time.January; m <= time.December; m++ {
		keys = append(keys, fmt.Sprintf("date.month.%02d", int(m)))
	}
	keys = append(keys, supportKeys()...)
	keys = append(keys, statusKeys()...)
	for _, c := range web.ProblemCodes {
		keys = append(keys, "api.title."+c, "api.detail."+c)
	}
	return keys
}

// TestCatalogueMatchesSource fails when a key used by the program is
// missing in a language, or a key of the catalogue is used nowhere.
func TestCatalogueMatchesSource(t *testing.T) {
	cat := i18n.MustLoad()
	used := usedKeys(t)
	for _, k := range dynamicKeys() {
		used[k] = true
	}
	namespaces := map[string]bool{}
	for _, k := range cat.Keys(i18n.Default) {
		ns, _, _ := strings.Cut(k, ".")
		namespaces[ns] = true
	}
	for k := range used {
		ns, _, _ := strings.Cut(k, ".")
		if !namespaces[ns] {
			continue // a file name or another dotted string, not a key
		}
		for _, lang := range cat.Langs() {
			if !cat.Has(lang, k) && !isFamily(cat, lang, k) {
				t.Errorf("key %q is used but missing in %s", k, lang)
			}
		}
	}
	for _, lang := range cat.Langs() {
		for _, k := range cat.Keys(lang) {
			parent := k[:strings.LastIndex(k, ".")]
			if !used[k] && !used[parent] {
				t.Errorf("key %q (%s) is used nowhere", k, lang)
			}
		}
	}
}

// isFamily reports whether k is the stem of keys built by appending a
// last part in code, such as "mail.confirm" for ".subject" and ".body".
func isFamily(cat *i18n.Catalogue, lang, k string) bool {
	for _, key := range cat.Keys(lang) {
		if strings.HasPrefix(key, k+".") {
			return true
		}
	}
	return false
}

// TestPasswordLimitsInWords keeps the figures written in the messages in
// step with the policy.
func TestPasswordLimitsInWords(t *testing.T) {
	cat := i18n.MustLoad()
	for _, lang := range cat.Langs() {
		for key, n := range map[string]int{"password.too_short": password.MinLength, "password.too_long": password.MaxBytes, "signup.password_hint": password.MinLength} {
			if !strings.Contains(cat.T(lang, key), strconv.Itoa(n)) {
				t.Errorf("%s %s does not say %d", lang, key, n)
			}
		}
	}
}
