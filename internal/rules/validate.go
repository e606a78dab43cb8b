package rules

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// ValidationError is why a catalogue was refused. It lists every problem,
// each naming the offending id, because the catalogue is checked at
// start-up and whoever edits the law data should fix it in one pass. It
// unwraps to a permit.Error with code permit.EINVALID.
type ValidationError struct {
	Version  string
	Problems []string
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	noun := "problems"
	if len(e.Problems) == 1 {
		noun = "problem"
	}
	fmt.Fprintf(&b, "rules: catalogue %q is invalid (%d %s):", e.Version, len(e.Problems), noun)
	for _, p := range e.Problems {
		b.WriteString("\n  - ")
		b.WriteString(p)
	}
	return b.String()
}

// Unwrap lets permit.ErrorCode classify the error as permit.EINVALID.
func (e *ValidationError) Unwrap() error {
	return permit.Errorf(permit.EINVALID, "error.rules.catalogue_invalid", len(e.Problems))
}

// checker collects problems instead of stopping at the first one.
type checker struct {
	problems []string
	texts    []placedText
}

// placedText is a text of the catalogue and where it is, for CheckLangs.
type placedText struct {
	where string
	text  Text
}

func (ch *checker) add(format string, args ...any) {
	ch.problems = append(ch.problems, fmt.Sprintf(format, args...))
}

// text requires French, the legal reference every other language falls
// back to, and keeps the text for CheckLangs, which requires the others.
func (ch *checker) text(where string, t Text) {
	if strings.TrimSpace(t[FallbackLang]) == "" {
		ch.add("%s: missing French text", where)
	}
	ch.texts = append(ch.texts, placedText{where, t})
}

// CheckLangs reports every text of the catalogue that lacks one of langs,
// the languages the portal offers (i18n's list, checked at start-up), and
// every text in a language not among them, which is a typo or a language
// not offered yet: a right shown in French to a reader who chose another
// language is a right they may not understand.
func (c *Catalogue) CheckLangs(langs []string) error {
	ch := &checker{}
	for _, pt := range c.texts {
		for _, lang := range langs {
			if strings.TrimSpace(pt.text[lang]) == "" {
				ch.add("%s: missing text in %q", pt.where, lang)
			}
		}
		for _, lang := range slices.Sorted(maps.Keys(pt.text)) {
			if !slices.Contains(langs, lang) {
				ch.add("%s: text in %q, a language not offered", pt.where, lang)
			}
		}
	}
	if len(ch.problems) > 0 {
		return &ValidationError{Version: c.Version, Problems: ch.problems}
	}
	return nil
}

// build validates a decoded file and, when it is coherent, indexes it.
func build(f *catalogueFile) (*Catalogue, error) {
	ch := &checker{}
	f.Fees.Tariffs = dropNull(ch, "tariff", f.Fees.Tariffs)
	f.Notes = dropNull(ch, "note", f.Notes)
	f.Documents = dropNull(ch, "document", f.Documents)
	f.Grounds = dropNull(ch, "ground", f.Grounds)
	c := &Catalogue{
		Version:                 f.Version,
		RenewalWindow:           f.RenewalWindow,
		Attestations:            f.Attestations,
		ImplicitRejectionMonths: f.ImplicitRejectionMonths,
		Appeals:                 f.Appeals,
		ExpiredCardGraceMonths:  f.ExpiredCardGraceMonths,
		Limits:                  f.Limits,
		Decisions:               f.Decisions,
		ShareCodes:              f.ShareCodes,
		Declarations:            &f.Declarations,
		Outages:                 f.Outages,
		Fees:                    f.Fees,
		CommonDocuments:         f.CommonDocuments,
		grounds:                 f.Grounds,
		documents:               f.Documents,
	}
	c.EffectiveFrom = ch.header(f)
	ch.attestations(f.Attestations)
	c.tariffByID = ch.tariffs(f.Fees)
	c.noteByID = ch.notes(f.Notes)
	c.docByID = ch.documents(f.Documents)
	ch.commonDocuments(f.CommonDocuments, c.docByID)
	c.groundByID = make(map[permit.GroundID]*Ground, len(f.Grounds))
	for i, g := range f.Grounds {
		switch {
		case g.ID == "":
			ch.add("ground #%d: empty id", i+1)
		case c.groundByID[g.ID] != nil:
			ch.add("duplicate ground id %q", g.ID)
		default:
			c.groundByID[g.ID] = g
		}
		ch.ground(g, c)
	}
	if len(f.Grounds) == 0 {
		ch.add("grounds: none defined")
	}
	ch.unusedDocuments(f)
	if len(ch.problems) > 0 {
		return nil, &ValidationError{Version: f.Version, Problems: ch.problems}
	}
	c.texts = ch.texts
	return c, nil
}

// dropNull removes null entries of a list (a stray "null" in the JSON), so
// that the other checks can follow pointers safely.
func dropNull[T any](ch *checker, what string, xs []*T) []*T {
	out := make([]*T, 0, len(xs))
	for i, x := range xs {
		if x == nil {
			ch.add("%s #%d: null", what, i+1)
			continue
		}
		out = append(out, x)
	}
	return out
}

func (ch *checker) header(f *catalogueFile) time.Time {
	if strings.TrimSpace(f.Version) == "" {
		ch.add("version: empty")
	}
	from, err := time.Parse(time.DateOnly, f.EffectiveFrom)
	if err != nil {
		ch.add("effective_from: %q is not a date (YYYY-MM-DD)", f.EffectiveFrom)
	}
	w := f.RenewalWindow
	if w.ClosesDaysBefore < 0 {
		ch.add("renewal_window: closes_days_before_expiry is negative (%d)", w.ClosesDaysBefore)
	}
	if w.OpensDaysBefore <= w.ClosesDaysBefore {
		ch.add("renewal_window: opens %d days before expiry, which is not before it closes (%d days before)",
			w.OpensDaysBefore, w.ClosesDaysBefore)
	}
	ch.outages(f.Outages)
	if f.ImplicitRejectionMonths <= 0 {
		ch.add("implicit_rejection_months: must be positive (got %d)", f.ImplicitRejectionMonths)
	}
	ap := f.Appeals
	if ap.AdministrativeMonths <= 0 || ap.CourtMonths <= 0 || ap.CourtDaysWithOQTF <= 0 {
		ch.add("appeals: administrative_months, court_months and court_days_with_oqtf must be positive (got %d, %d, %d)",
			ap.AdministrativeMonths, ap.CourtMonths, ap.CourtDaysWithOQTF)
	}
	if f.ExpiredCardGraceMonths < 0 {
		ch.add("expired_card_grace_months: negative (%d)", f.ExpiredCardGraceMonths)
	}
	ch.limits(f.Limits)
	ch.decisions(f.Decisions)
	ch.shareCodes(f.ShareCodes)
	ch.declarations(&f.Declarations)
	return from
}

func (ch *checker) limits(l Limits) {
	if l.CompletionDueMaxMonths <= 0 || l.AppointmentHorizonMonths <= 0 {
		ch.add("limits: completion_due_max_months and appointment_horizon_months must be positive (got %d, %d)",
			l.CompletionDueMaxMonths, l.AppointmentHorizonMonths)
	}
	if l.AppointmentOpensHour < 0 || l.AppointmentClosesHour > 24 || l.AppointmentOpensHour >= l.AppointmentClosesHour {
		ch.add("limits: appointments open at %d h and close at %d h, which is not an opening within a day",
			l.AppointmentOpensHour, l.AppointmentClosesHour)
	}
}

func (ch *checker) attestations(a Attestations) {
	listed := a.byKind()
	for k := range a {
		if !slices.ContainsFunc(listed, func(r kindRule) bool { return r.kind == k }) {
			ch.add("attestation %q: not a kind sejour issues (permit.AttestationKinds) nor %q", k, PaperReceipt)
		}
	}
	for _, r := range listed {
		where := fmt.Sprintf("attestation %q", r.kind)
		if _, ok := a[r.kind]; !ok {
			ch.add("%s: missing from the catalogue", where)
			continue
		}
		ch.text(where+": name", r.rule.Name)
		ch.text(where+": notice", r.rule.Notice)
		if r.rule.MinMonths < 0 || r.rule.MaxMonths < 0 {
			ch.add("%s: negative validity in months", where)
		}
		if r.rule.ProvesStay && r.rule.MaxMonths <= 0 {
			ch.add("%s: proves stay, so max_months must say how long each one lasts", where)
		}
		if r.rule.MaxMonths > 0 && r.rule.MinMonths > r.rule.MaxMonths {
			ch.add("%s: min_months %d is above max_months %d", where, r.rule.MinMonths, r.rule.MaxMonths)
		}
	}
}

func (ch *checker) tariffs(fees Fees) map[string]*Tariff {
	byID := make(map[string]*Tariff, len(fees.Tariffs))
	for i, t := range fees.Tariffs {
		switch {
		case t.ID == "":
			ch.add("tariff #%d: empty id", i+1)
		case byID[t.ID] != nil:
			ch.add("duplicate tariff id %q", t.ID)
		default:
			byID[t.ID] = t
		}
		if t.AmountCents < 0 {
			ch.add("tariff %q: negative fee (%d cents)", t.ID, t.AmountCents)
		}
		ch.text(fmt.Sprintf("tariff %q: name", t.ID), t.Name)
	}
	if fees.LateFilingSurchargeCents < 0 {
		ch.add("fees: negative late_filing_surcharge_cents (%d)", fees.LateFilingSurchargeCents)
	}
	return byID
}

func (ch *checker) notes(notes []*Note) map[string]Text {
	byID := make(map[string]Text, len(notes))
	for i, n := range notes {
		if _, dup := byID[n.ID]; dup {
			ch.add("duplicate note id %q", n.ID)
		} else if n.ID == "" {
			ch.add("note #%d: empty id", i+1)
		} else {
			byID[n.ID] = n.Text
		}
		ch.text(fmt.Sprintf("note %q", n.ID), n.Text)
	}
	return byID
}

func (ch *checker) documents(docs []*Document) map[string]*Document {
	byID := make(map[string]*Document, len(docs))
	for i, d := range docs {
		switch {
		case d.ID == "":
			ch.add("document #%d: empty id", i+1)
		case byID[d.ID] != nil:
			ch.add("duplicate document id %q", d.ID)
		default:
			byID[d.ID] = d
		}
		ch.text(fmt.Sprintf("document %q: name", d.ID), d.Name)
		ch.text(fmt.Sprintf("document %q: explanation", d.ID), d.Explanation)
		ch.slot(d)
	}
	if n := len(slices.DeleteFunc(slices.Clone(docs), func(d *Document) bool { return d.Code == nil })); n > 1 {
		ch.add("documents: %d take a code, at most one may (an application keeps one e-photo code)", n)
	}
	return byID
}

// maxFilesPerSlot bounds how many files one document may hold: enough for
// the pages of a passport or six months of statements, few enough that a
// page lists them.
const maxFilesPerSlot = 10

// slot checks what a document's slot takes: files (at least one, at most
// maxFilesPerSlot), a typed code, or both.
func (ch *checker) slot(d *Document) {
	where := fmt.Sprintf("document %q", d.ID)
	switch {
	case d.MaxFiles < 0 || d.MaxFiles > maxFilesPerSlot:
		ch.add("%s: max_files %d is outside 0 to %d", where, d.MaxFiles, maxFilesPerSlot)
	case d.MaxFiles == 0 && d.Code == nil:
		ch.add("%s: max_files must be at least 1 for a document that takes no code", where)
	}
	if d.ValidMonths < 0 {
		ch.add("%s: negative valid_months (%d)", where, d.ValidMonths)
	}
	if c := d.Code; c != nil {
		if c.Kind != CodeEPhoto {
			ch.add("%s: code: unknown kind %q", where, c.Kind)
		}
		if c.Length < 8 || c.Length > 64 {
			ch.add("%s: code: length %d is outside 8 to 64", where, c.Length)
		}
	}
}

func (ch *checker) commonDocuments(common map[permit.Kind][]string, docs map[string]*Document) {
	for _, kind := range slices.Sorted(maps.Keys(common)) {
		where := fmt.Sprintf("common_documents %q", kind)
		if !kind.Valid() {
			ch.add("%s: unknown kind %q", where, kind)
		}
		ch.documentList(where, common[kind], docs)
	}
}

// documentList checks one list of document references.
func (ch *checker) documentList(where string, ids []string, docs map[string]*Document) {
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if docs[id] == nil {
			ch.add("%s: unknown document %q", where, id)
		}
		if seen[id] {
			ch.add("%s: document %q listed twice", where, id)
		}
		seen[id] = true
	}
}

func (ch *checker) ground(g *Ground, c *Catalogue) {
	where := fmt.Sprintf("ground %q", g.ID)
	ch.text(where+": name", g.Name)
	ch.text(where+": description", g.Description)
	ch.text(where+": card text", g.Card.Text)
	if g.Card.MaxYears <= 0 {
		ch.add("%s: card max_years must be positive (got %d)", where, g.Card.MaxYears)
	}
	ch.rights(where, g.Rights)
	if note := g.FirstIssueAttestationWorkNote; note != "" {
		if _, ok := c.noteByID[note]; !ok {
			ch.add("%s: first_issue_attestation_work_note: unknown note %q", where, note)
		}
	}
	ch.kinds(where, g)
	for _, kind := range slices.Sorted(maps.Keys(g.Fees)) {
		ch.groundKindKey(where+": fees", kind, g)
		if c.tariffByID[g.Fees[kind]] == nil {
			ch.add("%s: fees %q: unknown tariff %q", where, kind, g.Fees[kind])
		}
	}
	for _, kind := range slices.Sorted(maps.Keys(g.Documents)) {
		ch.groundKindKey(where+": documents", kind, g)
		ch.documentList(fmt.Sprintf("%s: documents %q", where, kind), g.Documents[kind], c.docByID)
	}
}

// rights rejects a ground that grants nothing and a right to work that an
// attestation could not state precisely.
func (ch *checker) rights(where string, r Rights) {
	k := r.Work.Kind
	switch {
	case !r.Stay && (k == "" || k == WorkNone):
		ch.add("%s: grants no rights (no right to stay and no right to work)", where)
	case k == "":
		ch.add("%s: rights.work.kind: missing", where)
	case !k.Valid():
		ch.add("%s: rights.work.kind: unknown work kind %q", where, k)
	}
	if !k.Valid() {
		return // the hours cannot be judged against an unknown kind
	}
	if k == WorkLimitedHours && r.Work.HoursPerYear <= 0 {
		ch.add("%s: rights.work.hours_per_year: missing or not positive, but required with %q", where, WorkLimitedHours)
	}
	if k != WorkLimitedHours && r.Work.HoursPerYear != 0 {
		ch.add("%s: rights.work.hours_per_year: set to %d, but only %q takes hours (kind is %q)",
			where, r.Work.HoursPerYear, WorkLimitedHours, k)
	}
}

// kinds checks the kinds of application a ground allows, and that each of
// them has a fee, so that no form can be filed without a price.
func (ch *checker) kinds(where string, g *Ground) {
	if len(g.Kinds) == 0 {
		ch.add("%s: kinds: none allowed", where)
	}
	seen := make(map[permit.Kind]bool, len(g.Kinds))
	for _, k := range g.Kinds {
		switch {
		case !k.Valid():
			ch.add("%s: kinds: unknown kind %q", where, k)
		case seen[k]:
			ch.add("%s: kinds: %q listed twice", where, k)
		case g.Fees[k] == "":
			ch.add("%s: fees: no tariff for kind %q", where, k)
		}
		seen[k] = true
	}
}

// groundKindKey checks a kind used as a key of a ground's fees or
// documents: it must exist and be allowed, or the data is dead.
func (ch *checker) groundKindKey(where string, k permit.Kind, g *Ground) {
	switch {
	case !k.Valid():
		ch.add("%s: unknown kind %q", where, k)
	case !g.Allows(k):
		ch.add("%s: kind %q is not allowed for this ground", where, k)
	}
}

// unusedDocuments reports documents nobody requires: they are either a
// typo in a reference or a rule that was meant to apply and does not.
func (ch *checker) unusedDocuments(f *catalogueFile) {
	used := make(map[string]bool)
	for _, ids := range f.CommonDocuments {
		for _, id := range ids {
			used[id] = true
		}
	}
	for _, g := range f.Grounds {
		for _, ids := range g.Documents {
			for _, id := range ids {
				used[id] = true
			}
		}
	}
	for _, d := range f.Documents {
		if d.ID != "" && !used[d.ID] {
			ch.add("document %q: used by no ground", d.ID)
		}
	}
}
