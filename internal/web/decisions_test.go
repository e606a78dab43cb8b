package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// collectionSlotRe finds the first collection slot offered on an
// application's page.
var collectionSlotRe = regexp.MustCompile(`name="slot" value="(cite/[0-9]+:[0-9]+)"`)

// staffDesk is a filed application under review, with the applicant's and
// an agent's sessions at hand.
type staffDesk struct {
	*site
	id               int64
	applicant, agent map[string]string
	pref             *permit.Prefecture
}

func newDesk(t *testing.T, s *site, email string) *staffDesk {
	t.Helper()
	d := &staffDesk{site: s, pref: s.prefecture("75", "75")}
	d.id = s.applicantWithFiling(email)
	d.applicant = s.cookie
	d.agent = map[string]string{web.SessionCookie: loggedIn(t, s, "agent-"+email, permit.RoleAgent, d.pref.ID)}
	s.cookie = d.agent
	d.step(paths.CaseStartReview, nil, http.StatusSeeOther)
	return d
}

// step posts an action of the staff's case page and checks the status.
func (d *staffDesk) step(action paths.ID, form url.Values, want int) string {
	d.t.Helper()
	return d.stepAt(action.Format(d.id), form, want)
}

// stepAt posts to an address of the case, such as a document's review,
// and checks the status.
func (d *staffDesk) stepAt(path string, form url.Values, want int) string {
	d.t.Helper()
	res, page := d.post(path, form)
	if res.StatusCode != want {
		d.t.Fatalf("POST %s: %d, want %d\n%s", path, res.StatusCode, want, page)
	}
	return page
}

// checked has the agent take, through the case page's forms, the checks
// a favourable decision needs (casework.Decisions.Unchecked): every
// document accepted, the identity confirmed.
func (d *staffDesk) checked() {
	d.t.Helper()
	missing, err := d.uc.Decisions.Unchecked(d.t.Context(), d.account(), d.id)
	if err != nil || missing == nil {
		if err != nil {
			d.t.Fatal(err)
		}
		return
	}
	for _, doc := range missing.Documents {
		d.stepAt(paths.CaseReview.FormatIDs(d.id, doc.Version), url.Values{"verdict": {"accept"}}, http.StatusSeeOther)
	}
	if missing.Identity {
		d.step(paths.CaseIdentity, nil, http.StatusSeeOther)
	}
}

// grant checks the file, then grants it.
func (d *staffDesk) grant(form url.Values) string {
	d.t.Helper()
	d.checked()
	return d.step(paths.CaseGrant, form, http.StatusSeeOther)
}

func (d *staffDesk) state() permit.State {
	d.t.Helper()
	a, err := d.db.Application(d.t.Context(), d.id)
	if err != nil {
		d.t.Fatal(err)
	}
	return a.State
}

func (d *staffDesk) applicantPage() string {
	d.t.Helper()
	d.cookie = d.applicant
	defer func() { d.cookie = d.agent }()
	res, page := d.get(paths.Application.Format(d.id))
	if res.StatusCode != 200 {
		d.t.Fatalf("applicant's page: %d", res.StatusCode)
	}
	return page
}

func TestFavourableDecisionCardAndHandOver(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		d := newDesk(t, s, "granted@example.org")
		_, page := s.get(paths.Case.Format(d.id))
		mustContain(t, page, "Identité et coordonnées", "3 rue des Lilas", "Décision favorable", "Refuser la demande", "Clore le dossier")

		d.grant(url.Values{"favourable_note": {"Dossier complet et conforme."}})
		if st := d.state(); st != permit.StateFavourable {
			t.Fatalf("state after the decision: %s", st)
		}
		// The favourable-decision attestation is issued at once.
		s.sealed(d.id, permit.AttestationFavourable)
		page = d.applicantPage()
		mustContain(t, page, "Décision favorable du 26 novembre 2026", "Votre titre est en fabrication", "Attestation de décision favorable")

		// Deciding twice fails, whatever the outcome.
		d.step(paths.CaseGrant, nil, http.StatusConflict)
		d.step(paths.CaseRefuse, url.Values{"reasons": {"fraud"}, "note": {"x"}}, http.StatusConflict)

		// The card is ready: the agent types no date; the applicant picks
		// a collection slot among the prefecture's (issue 18).
		d.step(paths.CaseCard, nil, http.StatusSeeOther)
		if st := d.state(); st != permit.StateCardReady {
			t.Fatalf("state after the card: %s", st)
		}
		page = d.applicantPage()
		mustContain(t, page, "Choisissez un créneau pour venir retirer votre carte.", "Créneau de retrait")
		slot := collectionSlotRe.FindStringSubmatch(page)
		once := onceRe.FindStringSubmatch(page)
		if slot == nil || once == nil {
			t.Fatalf("no collection slot or one-time key offered:\n%s", page)
		}
		pick := url.Values{"slot": {slot[1]}, web.OnceField: {once[1]}}
		// Another applicant cannot book for this application.
		s.applicantWithFiling("autre-" + strconv.FormatInt(d.id, 10) + "@example.org")
		if res, _ := s.post(paths.CaseCollection.Format(d.id), pick); res.StatusCode != http.StatusNotFound {
			t.Fatalf("another applicant books the collection: %d", res.StatusCode)
		}
		d.cookie = d.applicant
		res, page := d.post(paths.CaseCollection.Format(d.id), url.Values{"slot": {"cite/1:1"}, web.OnceField: {once[1]}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="slot-error"`) {
			t.Fatalf("a slot not offered: %d\n%s", res.StatusCode, page)
		}
		if res, page := d.post(paths.CaseCollection.Format(d.id), pick); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("booking the collection: %d\n%s", res.StatusCode, page)
		}
		// Sent twice, the form books once.
		if res, _ := d.post(paths.CaseCollection.Format(d.id), pick); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("the same form again: %d", res.StatusCode)
		}
		d.cookie = d.agent
		page = d.applicantPage()
		mustContain(t, page, "Votre rendez-vous pour retirer votre carte", "RDV-", "/rendez-vous/gerer/")
		if strings.Contains(page, `name="slot"`) {
			t.Fatal("slots still offered after booking")
		}
		_, page = s.get(paths.Case.Format(d.id))
		mustContain(t, page, "Retrait réservé par le demandeur")

		// Hand-over: the new card becomes the person's current permit.
		page = d.step(paths.CaseHandOver, url.Values{"number": {"x"}, "valid_from": {"2026-12-09"}, "valid_to": {"2026-12-01"}}, http.StatusUnprocessableEntity)
		mustContain(t, page, "Le numéro de la carte a de 6 à 20 lettres et chiffres.", "Le dernier jour de validité doit suivre le premier")
		// A student card lasts 4 years at most (the ground's card.max_years).
		page = d.step(paths.CaseHandOver, url.Values{"number": {"fr9876543"}, "valid_from": {"2026-12-09"}, "valid_to": {"2030-12-11"}}, http.StatusUnprocessableEntity)
		mustContain(t, page, "dans les 4 ans que peut durer une carte de ce motif.")
		d.step(paths.CaseHandOver, url.Values{"number": {"fr9876543"}, "valid_from": {"2026-12-09"}, "valid_to": {"2030-12-08"}}, http.StatusSeeOther)
		if st := d.state(); st != permit.StateHandedOver {
			t.Fatalf("state after the hand-over: %s", st)
		}
		a, _ := s.db.Application(t.Context(), d.id)
		pm, err := s.db.CurrentPermit(t.Context(), a.PersonID)
		if err != nil || pm.Number != "FR9876543" || pm.ConfirmedAt == nil || pm.ValidTo.Format(time.DateOnly) != "2030-12-08" {
			t.Fatalf("current permit after hand-over: %+v, %v", pm, err)
		}
	})
}

func TestRefusalShowsReasonsAndAppealDeadlines(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		d := newDesk(t, s, "refused@example.org")
		page := d.step(paths.CaseRefuse, url.Values{"reasons": {"made_up"}}, http.StatusUnprocessableEntity)
		mustContain(t, page, "Cochez au moins un motif de refus.", "Un refus doit être motivé")
		if st := d.state(); st != permit.StateUnderReview {
			t.Fatalf("a refused form changed the state: %s", st)
		}
		d.step(paths.CaseRefuse, url.Values{"reasons": {"no_real_studies", "insufficient_resources"},
			"note": {"Aucune inscription pour l'année en cours."}, "oqtf": {"1"}}, http.StatusSeeOther)
		page = d.applicantPage()
		// Each reason is a line of its own, starting with a capital.
		mustContain(t, page, "Refus du 26 novembre 2026", "<li>Ressources insuffisantes</li>", "<li>Caractère réel et sérieux des études non établi</li>",
			"Aucune inscription pour l&#39;année en cours.", "jusqu&#39;au 26 janvier 2027", // two months
			"Recours devant le tribunal administratif\u00a0: jusqu&#39;au 26 décembre 2026", // thirty days, with an OQTF
			"un recours gracieux ne le prolonge pas")
		var told bool
		mails, _ := s.db.Mails().RecentMails(t.Context(), 50)
		for _, m := range mails {
			told = told || (m.To == "refused@example.org" && strings.Contains(m.Subject, "Décision sur votre demande"))
		}
		if !told {
			t.Fatal("the applicant was not told of the refusal")
		}
	})
}

func TestNoDecisionOnAWithdrawnApplication(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		d := newDesk(t, s, "withdrawn@example.org")
		s.cookie = d.applicant
		if res, _ := s.post(paths.Withdraw.Format(d.id), url.Values{"reason": {"Je pars."}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("withdraw: %d", res.StatusCode)
		}
		s.cookie = d.agent
		d.step(paths.CaseGrant, nil, http.StatusConflict)
		d.step(paths.CaseRefuse, url.Values{"reasons": {"fraud"}, "note": {"Faux document."}}, http.StatusConflict)
		d.step(paths.CaseClose, url.Values{"close_reason": {"x"}}, http.StatusConflict)
		if st := d.state(); st != permit.StateWithdrawn {
			t.Fatalf("state: %s", st)
		}
	})
}

func TestSupervisorUndoesAMistakenDecision(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		d := newDesk(t, s, "undo@example.org")
		d.grant(nil)

		// A plain agent cannot undo: the route does not exist for them.
		d.step(paths.CaseUndo, url.Values{"undo_reason": {"Erreur de dossier."}}, http.StatusNotFound)
		_, page := s.get(paths.Case.Format(d.id))
		if strings.Contains(page, "Annuler la dernière étape") {
			t.Fatal("the undo form is offered to an agent who is not a supervisor")
		}

		sup := loggedIn(t, s, "supervisor@pref.example", permit.RoleAgent, d.pref.ID)
		if _, err := s.db.SQL().ExecContext(t.Context(), `UPDATE accounts SET supervisor = TRUE WHERE email = 'supervisor@pref.example'`); err != nil {
			t.Fatal(err)
		}
		s.cookie = map[string]string{web.SessionCookie: sup}
		_, page = s.get(paths.Case.Format(d.id))
		mustContain(t, page, "Annuler la dernière étape", "Réservé aux superviseurs")
		page = d.step(paths.CaseUndo, url.Values{"undo_reason": {" "}}, http.StatusUnprocessableEntity)
		mustContain(t, page, "Écrivez le motif")
		d.step(paths.CaseUndo, url.Values{"undo_reason": {"Décision prise sur le mauvais dossier."}}, http.StatusSeeOther)
		if st := d.state(); st != permit.StateUnderReview {
			t.Fatalf("state after undo: %s", st)
		}
		atts, _ := s.db.Attestations(t.Context(), d.id)
		for _, a := range atts {
			if a.Kind == permit.AttestationFavourable && a.RevokedAt == nil {
				t.Fatalf("the favourable-decision attestation is still live: %+v", a)
			}
		}
		if _, err := s.db.Decision(t.Context(), d.id); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Fatalf("the undone decision still stands: %v", err)
		}
		// An undo is not undone in turn, and the history keeps both.
		d.step(paths.CaseUndo, url.Values{"undo_reason": {"Encore."}}, http.StatusConflict)
		mustContain(t, d.applicantPage(), "Étape annulée par la préfecture\u00a0: retour à «\u00a0En cours d&#39;examen\u00a0»",
			"Décision prise sur le mauvais dossier.")
		s.cookie = map[string]string{web.SessionCookie: sup}
		// Deciding again works, and issues a new live attestation.
		d.grant(nil)
		atts, _ = s.db.Attestations(t.Context(), d.id)
		live := 0
		for _, a := range atts {
			if a.Kind == permit.AttestationFavourable && a.RevokedAt == nil && strings.HasPrefix(a.Code, "SJ1:") {
				live++
			}
		}
		if live != 1 {
			t.Fatalf("%d live favourable-decision attestations after deciding again, want 1: %+v", live, atts)
		}
		// Each step is in the audit trail, with who took it and why.
		lines, err := s.db.Audit().AuditTrail(t.Context(), audit.Filter{Everywhere: true, ApplicationID: d.id, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		var trail []string
		for i := len(lines) - 1; i >= 0; i-- {
			trail = append(trail, lines[i].Action+" by "+lines[i].ActorEmail+" "+lines[i].Detail)
		}
		joined := strings.Join(trail, "\n")
		for _, want := range []string{"decide_favourable by agent-undo@example.org", "undo by supervisor@pref.example Décision prise sur le mauvais dossier.",
			"decide_favourable by supervisor@pref.example"} {
			if !strings.Contains(joined, want) {
				t.Fatalf("the audit trail lacks %q:\n%s", want, joined)
			}
		}
	})
}

func TestDocumentReview(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		d := newDesk(t, s, "review@example.org")
		docs, _ := s.db.Documents(t.Context(), d.id)
		doc := strconv.FormatInt(docs[0].ID, 10)
		page := d.stepAt(paths.CaseReview.Format(d.id, doc), url.Values{"verdict": {"reject"}}, http.StatusUnprocessableEntity)
		mustContain(t, page, "Choisissez le motif du refus.")
		page = d.stepAt(paths.CaseReview.Format(d.id, doc), url.Values{"verdict": {"reject"}, "reason": {"other"}}, http.StatusUnprocessableEntity)
		mustContain(t, page, "Précisez le motif")
		d.stepAt(paths.CaseReview.Format(d.id, doc), url.Values{"verdict": {"reject"}, "reason": {"illegible"}, "note": {"Photo floue."}}, http.StatusSeeOther)
		mustContain(t, d.applicantPage(), "La préfecture a refusé cette pièce\u00a0: illisible — Photo floue.")
		d.stepAt(paths.CaseReview.Format(d.id, doc), url.Values{"verdict": {"accept"}}, http.StatusSeeOther)
		if strings.Contains(d.applicantPage(), "La préfecture a refusé cette pièce") {
			t.Fatal("the rejection is still shown after the document was accepted")
		}
		// A document of another application is not found through this one.
		other := s.applicantWithFiling("other-review@example.org")
		odocs, _ := s.db.Documents(t.Context(), other)
		s.cookie = d.agent
		d.stepAt(paths.CaseReview.FormatIDs(d.id, odocs[0].ID), url.Values{"verdict": {"accept"}}, http.StatusNotFound)

		// The preview is served inline, the download as an attachment.
		res, _ := s.get(paths.CasePreview.Format(d.id, doc))
		if res.StatusCode != 200 || res.Header.Get("Content-Disposition") != "inline" || res.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("preview: %d %v", res.StatusCode, res.Header)
		}
		res, _ = s.get(paths.CaseDownload.Format(d.id, doc))
		if !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("download: %v", res.Header)
		}
	})
}

func TestCloseAndReopen(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		d := newDesk(t, s, "close@example.org")
		page := d.step(paths.CaseClose, url.Values{"close_reason": {""}}, http.StatusUnprocessableEntity)
		mustContain(t, page, "Écrivez le motif")
		d.step(paths.CaseClose, url.Values{"close_reason": {"Pièces non fournies après deux demandes."}}, http.StatusSeeOther)
		if st := d.state(); st != permit.StateClosed {
			t.Fatalf("state: %s", st)
		}
		mustContain(t, d.applicantPage(), "Pièces non fournies après deux demandes.")
		d.step(paths.CaseReopen, url.Values{"reopen_reason": {"Pièces reçues par courrier."}}, http.StatusSeeOther)
		if st := d.state(); st != permit.StateUnderReview {
			t.Fatalf("state: %s", st)
		}
		d.step(paths.CaseComplete, nil, http.StatusConflict) // not waiting for documents
	})
}

func TestAnotherPrefecturesAgentCannotDecide(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		d := newDesk(t, s, "scoped@example.org")
		lyon := s.prefecture("69", "69")
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "agent@lyon.example", permit.RoleAgent, lyon.ID)}
		for _, action := range []paths.ID{paths.CaseGrant, paths.CaseRefuse, paths.CaseComplete, paths.CaseCard, paths.CaseHandOver, paths.CaseClose} {
			d.step(action, url.Values{"reasons": {"fraud"}, "note": {"x"}, "close_reason": {"x"}}, http.StatusNotFound)
		}
		if st := d.state(); st != permit.StateUnderReview {
			t.Fatalf("state: %s", st)
		}
	})
}

func TestAgentDeclaresTheFileComplete(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		d := newDesk(t, s, "complete-desk@example.org")
		// The deadline may be 3 months ahead at most (the catalogue's limits).
		late := s.clk.Now().AddDate(0, 3, 1).Format(time.DateOnly)
		page := d.step(paths.CaseAskDocuments, url.Values{"slots": {"payslips"}, "reason": {"Bulletins manquants."}, "due_on": {late}}, http.StatusUnprocessableEntity)
		mustContain(t, page, "Choisissez une date limite entre demain et dans 3 mois.")
		due := s.clk.Now().AddDate(0, 0, 20).Format(time.DateOnly)
		d.step(paths.CaseAskDocuments, url.Values{"slots": {"payslips"}, "reason": {"Bulletins manquants."}, "due_on": {due}}, http.StatusSeeOther)
		_, page = s.get(paths.Case.Format(d.id))
		mustContain(t, page, "Déclarer le dossier complet")
		d.step(paths.CaseComplete, nil, http.StatusSeeOther)
		if st := d.state(); st != permit.StateUnderReview {
			t.Fatalf("state: %s", st)
		}
		reqs, _ := s.db.CompletionRequests(t.Context(), d.id)
		if len(reqs) != 1 || reqs[0].AnsweredAt == nil {
			t.Fatalf("the completion request is still open: %+v", reqs)
		}
		mustContain(t, d.applicantPage(), "La préfecture examine votre demande.")
	})
}

func TestUndoTakesBackTheCardAndTheHandOver(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		d := newDesk(t, s, "undo-card@example.org")
		a, _ := s.db.Application(t.Context(), d.id)
		before, _ := s.db.CurrentPermit(t.Context(), a.PersonID)
		d.grant(nil)
		d.step(paths.CaseCard, url.Values{"date": {"2026-12-07"}, "time": {"14:30"}, "place": {"Préfecture 75"}}, http.StatusSeeOther)
		d.step(paths.CaseHandOver, url.Values{"number": {"FR1111111"}, "valid_from": {"2026-12-07"}, "valid_to": {"2029-12-06"}}, http.StatusSeeOther)
		sup := loggedIn(t, s, "sup-card@pref.example", permit.RoleAgent, d.pref.ID)
		if _, err := s.db.SQL().ExecContext(t.Context(), `UPDATE accounts SET supervisor = TRUE WHERE email = 'sup-card@pref.example'`); err != nil {
			t.Fatal(err)
		}
		s.cookie = map[string]string{web.SessionCookie: sup}
		d.step(paths.CaseUndo, url.Values{"undo_reason": {"Carte remise à la mauvaise personne."}}, http.StatusSeeOther)
		if st := d.state(); st != permit.StateCardReady {
			t.Fatalf("state after undoing the hand-over: %s", st)
		}
		if pm, _ := s.db.CurrentPermit(t.Context(), a.PersonID); pm.Number != before.Number {
			t.Fatalf("current permit after undoing the hand-over: %s, want %s", pm.Number, before.Number)
		}
		// Once undone, the earlier card step is not undone in turn (one step back only).
		d.step(paths.CaseUndo, url.Values{"undo_reason": {"Encore."}}, http.StatusConflict)
	})
}

func TestUndoTakesBackTheAppointment(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		d := newDesk(t, s, "undo-appointment@example.org")
		d.grant(nil)
		d.step(paths.CaseCard, url.Values{"date": {"2026-12-07"}, "time": {"14:30"}, "place": {"Préfecture 75"}}, http.StatusSeeOther)
		sup := loggedIn(t, s, "sup-rdv@pref.example", permit.RoleAgent, d.pref.ID)
		if _, err := s.db.SQL().ExecContext(t.Context(), `UPDATE accounts SET supervisor = TRUE WHERE email = 'sup-rdv@pref.example'`); err != nil {
			t.Fatal(err)
		}
		s.cookie = map[string]string{web.SessionCookie: sup}
		d.step(paths.CaseUndo, url.Values{"undo_reason": {"La carte n'est pas encore arrivée."}}, http.StatusSeeOther)
		if st := d.state(); st != permit.StateFavourable {
			t.Fatalf("state after undoing the card: %s", st)
		}
		if _, err := s.db.Appointment(t.Context(), d.id); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Fatalf("the appointment still stands: %v", err)
		}
		if strings.Contains(d.applicantPage(), "Rendez-vous pour la retirer") {
			t.Fatal("the applicant still sees the appointment")
		}
	})
}
