package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

var correctionPath = regexp.MustCompile(`/profil/corrections/(\d+)/piece`)

// askCorrection sends a correction request through the applicant's page
// (surname changed, the rest as declared) and returns its id.
func (d *staffDesk) askCorrection(surname string) int64 {
	d.t.Helper()
	d.cookie = d.applicant
	defer func() { d.cookie = d.agent }()
	res, page := d.postMultipart(paths.Correction.String(), map[string]string{"given_names": "Zoë", "surname": surname,
		"birth_date": "1999-02-03", "birth_place": "Dakar, Sénégal", "nationality": "SEN", "explanation": "Erreur de saisie."},
		"evidence", "passeport.png", pngFile(d.t))
	if res.StatusCode != http.StatusSeeOther {
		d.t.Fatalf("correction request: %d\n%s", res.StatusCode, page)
	}
	_, page = d.get(paths.Profile.String())
	m := correctionPath.FindStringSubmatch(page)
	if m == nil {
		d.t.Fatalf("no request on the profile:\n%s", page)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// TestCorrectionRefusedThenAccepted follows a name correction: the
// identity is locked after filing, a request is refused with a reason the
// applicant reads, a second one is accepted, the person's data changes
// with the former value kept, and every current attestation is reissued:
// the old code verifies as superseded, the new one as valid.
func TestCorrectionRefusedThenAccepted(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		d := newDesk(t, s, "zoe@example.org")
		d.grant(nil)
		adf := s.sealed(d.id, permit.AttestationFavourable)
		before, _ := s.db.Attestations(t.Context(), d.id)

		// After filing the identity is shown, not offered as a form.
		d.cookie = d.applicant
		_, page := d.get(paths.Profile.String())
		mustContain(t, page, "Demander la correction de mon identité", "N&#39;Diaye")
		mustNotContain(t, page, `name="surname"`)
		// The birth date reads in words, as on every other page.
		mustContain(t, page, "3 février 1999")
		mustNotContain(t, page, "1999-02-03")
		// The form the page no longer offers is refused if posted anyway.
		res, page := d.post(paths.Profile.String(), url.Values{"given_names": {"Zoë"}, "surname": {"Ndiaye"}, "birth_date": {"1999-02-03"},
			"birth_place": {"Dakar, Sénégal"}, "nationality": {"SEN"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("changing the surname after filing: %d", res.StatusCode)
		}
		mustContain(t, page, "Ceci ne se modifie plus ici")

		// Bad requests: nothing changed, no evidence.
		res, page = d.postMultipart(paths.Correction.String(), map[string]string{"given_names": "Zoë", "surname": "N'Diaye",
			"birth_date": "1999-02-03", "birth_place": "Dakar, Sénégal", "nationality": "SEN"}, "evidence", "p.png", pngFile(t))
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("request changing nothing: %d", res.StatusCode)
		}
		mustContain(t, page, "Vous n&#39;avez rien changé")
		res, page = d.postMultipart(paths.Correction.String(), map[string]string{"given_names": "Zoë", "surname": "Ndiaye",
			"birth_date": "1999-02-03", "birth_place": "Dakar, Sénégal", "nationality": "SEN", "explanation": "Mon nom."}, "evidence", "", nil)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("request without evidence: %d", res.StatusCode)
		}
		// What was typed is kept beside the error.
		mustContain(t, page, "Joignez un justificatif", `value="Ndiaye"`, "Mon nom.")
		res, page = d.postMultipart(paths.Correction.String(), map[string]string{"given_names": "Zoë", "surname": "Ndiaye",
			"birth_date": "1999-02-03", "birth_place": "Dakar, Sénégal", "nationality": "SEN"}, "evidence", "p.png", []byte("MZ not an image"))
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("request with an executable as evidence: %d", res.StatusCode)
		}
		mustContain(t, page, `id="evidence-error"`)

		first := d.askCorrection("Ndiaye")
		d.cookie = d.applicant
		_, page = d.get(paths.Correction.String())
		mustContain(t, page, "Vous avez déjà une demande de correction")

		// Only staff of the person's prefecture see it.
		other := s.prefecture("13", "13")
		d.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "agent13@example.org", permit.RoleAgent, other.ID)}
		passSecondFactor(t, s, d.cookie[web.SessionCookie])
		for _, p := range []string{paths.CorrectionReview.Format(first), paths.CorrectionFile.Format(first)} {
			if res, _ := d.get(p); res.StatusCode != http.StatusNotFound {
				t.Errorf("another prefecture's agent GET %s: %d", p, res.StatusCode)
			}
		}
		if res, _ := d.post(paths.CorrectionAccept.Format(first), nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("another prefecture's agent accepts: %d", res.StatusCode)
		}
		_, page = d.get(paths.Corrections.String())
		mustNotContain(t, page, "/agent/corrections/"+itoa(first))
		// Nor another applicant.
		d.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "someone@example.org", permit.RoleApplicant)}
		if res, _ := d.get(paths.CorrectionEvidence.Format(first)); res.StatusCode != http.StatusNotFound {
			t.Errorf("another applicant gets the evidence: %d", res.StatusCode)
		}
		if res, _ := d.post(paths.CorrectionWithdraw.Format(first), nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("another applicant withdraws the request: %d", res.StatusCode)
		}

		// The agent refuses; a reason is required.
		d.cookie = d.agent
		_, page = d.get(paths.Case.Format(d.id))
		mustContain(t, page, "Une demande de correction de l&#39;identité attend", "/agent/corrections/"+itoa(first))
		_, page = d.get(paths.Corrections.String())
		mustContain(t, page, "/agent/corrections/"+itoa(first), "<bdi>N&#39;Diaye</bdi> <bdi>Zoë</bdi>")
		_, page = d.get(paths.CorrectionReview.Format(first))
		mustContain(t, page, "Ndiaye", "Erreur de saisie.", "passeport.png", "Accepter réémet 2 attestations", "3 février 1999")
		mustNotContain(t, page, "1999-02-03")
		if res, _ := d.get(paths.CorrectionFile.Format(first) + "?apercu"); res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("evidence preview: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		res, page = d.post(paths.CorrectionRefuse.Format(first), url.Values{"reason": {"  "}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("refusal without reason: %d", res.StatusCode)
		}
		mustContain(t, page, `id="reason-error"`)
		res, _ = d.post(paths.CorrectionRefuse.Format(first), url.Values{"reason": {"Le justificatif est illisible."}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("refusal: %d", res.StatusCode)
		}
		// Decided once only.
		res, page = d.post(paths.CorrectionAccept.Format(first), nil)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "déjà été traitée") {
			t.Fatalf("accepting a refused request: %d", res.StatusCode)
		}
		p, _ := s.db.PersonByAccount(t.Context(), accountID(t, s, "zoe@example.org"))
		if p.Surname != "N'Diaye" {
			t.Fatalf("a refused correction changed the surname: %q", p.Surname)
		}
		d.cookie = d.applicant
		_, page = d.get(paths.Profile.String())
		mustContain(t, page, "Refusée", "Le justificatif est illisible.")
		// The agent's opening of the request is among the accesses to the file.
		_, page = d.get(paths.Accesses.String())
		mustContain(t, page, "Votre demande de correction d&#39;identité et son justificatif")
		mails, _ := s.db.Mails().RecentMails(t.Context(), 5)
		if len(mails) == 0 || mails[0].To != "zoe@example.org" || !strings.Contains(mails[0].Text, "Le justificatif est illisible.") {
			t.Fatalf("refusal mail: %+v", mails)
		}

		// A second request is accepted.
		second := d.askCorrection("Ndiaye")
		d.cookie = d.agent
		res, _ = d.post(paths.CorrectionAccept.Format(second), url.Values{"accept_note": {"Conforme au passeport."}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("acceptance: %d", res.StatusCode)
		}
		p, _ = s.db.Person(t.Context(), p.ID)
		if p.Surname != "Ndiaye" || p.GivenNames != "Zoë" {
			t.Fatalf("accepted correction not applied: %+v", p)
		}
		hist, _ := s.db.PersonChanges(t.Context(), p.ID)
		last := hist[len(hist)-1]
		if last.Field != permit.FieldSurname || last.Old != "N'Diaye" || last.New != "Ndiaye" ||
			last.Source != permit.ChangeByCorrection || last.SourceRef != second {
			t.Fatalf("history after the correction: %+v", hist)
		}
		d.cookie = d.applicant
		_, page = d.get(paths.Profile.String())
		mustContain(t, page, "Acceptée", "Conforme au passeport.", "Historique de mes données", "Correction acceptée par la préfecture")

		// Every attestation that proved something is reissued; the old
		// code says superseded, the new one valid, with the new name.
		after, _ := s.db.Attestations(t.Context(), d.id)
		var old, next *permit.Attestation
		for _, a := range after {
			if a.Number == adf.Number && a.Version == adf.Version {
				old = a
			}
			if a.Number == adf.Number && a.Version == adf.Version+1 {
				next = a
			}
		}
		if old == nil || old.SupersededAt == nil || next == nil || next.Code == "" || next.Code == adf.Code {
			t.Fatalf("attestations after the correction: %+v", after)
		}
		if len(after) != 2*len(before) {
			t.Errorf("%d attestations before, %d after: each should have a new version", len(before), len(after))
		}
		_, page = s.verifyCode(adf.Code)
		mustContain(t, page, "Attestation remplacée par une version plus récente")
		mustNotContain(t, page, "Attestation authentique et valable aujourd&#39;hui")
		_, page = s.verifyCode(next.Code)
		mustContain(t, page, "Attestation authentique et valable aujourd&#39;hui", "Ndiaye")
		mustNotContain(t, page, "remplacée")
	})
}

// TestIdentityFreeUntilFiling: before anything is filed the applicant
// corrects their own declaration, and the history keeps the former
// value; contact details are not changed on this form.
func TestIdentityFreeUntilFiling(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.prefecture("75", "75")
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "draft@example.org", permit.RoleApplicant)}
		s.profile("75011", "", 0)
		form := url.Values{"given_names": {"Zoë"}, "surname": {"Ndiaye"}, "birth_date": {"1999-02-03"}, "birth_place": {"Dakar, Sénégal"}, "nationality": {"SEN"}}
		if res, page := s.post(paths.Profile.String(), form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("correcting a draft identity: %d\n%s", res.StatusCode, page)
		}
		_, page := s.get(paths.Profile.String())
		mustContain(t, page, `name="surname"`, "Historique de mes données", "N&#39;Diaye", "Ndiaye", "Modifier mes coordonnées")
		form.Set("postcode", "13001")
		res, page := s.post(paths.Profile.String(), form)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("changing the address on the identity form: %d", res.StatusCode)
		}
		mustContain(t, page, "Vos coordonnées se modifient")
		p, _ := s.db.PersonByAccount(t.Context(), accountID(t, s, "draft@example.org"))
		if p.Address.Postcode != "75011" {
			t.Fatalf("postcode changed: %q", p.Address.Postcode)
		}
	})
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func accountID(t *testing.T, s *site, email string) int64 {
	t.Helper()
	a, _, err := s.db.Accounts().AccountByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

// TestApplicantCannotChangeWhatThePrefectureSet: a decision, a state, a
// date the prefecture set, or another person's data are out of an
// applicant's reach, whatever they post.
func TestApplicantCannotChangeWhatThePrefectureSet(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		d := newDesk(t, s, "decided@example.org")
		d.grant(url.Values{"favourable_note": {"Conforme."}})
		dec, err := s.db.Decision(t.Context(), d.id)
		if err != nil {
			t.Fatal(err)
		}
		atts, _ := s.db.Attestations(t.Context(), d.id)
		d.cookie = d.applicant
		// The decision routes are the prefecture's: not found for an applicant.
		for _, p := range []string{paths.CaseRefuse.Format(d.id), paths.CaseClose.Format(d.id), paths.CaseUndo.Format(d.id)} {
			if res, _ := d.post(p, url.Values{"reasons": {"other"}, "note": {"x"}, "reason": {"x"}}); res.StatusCode != http.StatusNotFound {
				t.Errorf("applicant POST %s: %d, want 404", p, res.StatusCode)
			}
		}
		// Decision fields smuggled into the applicant's own forms are ignored.
		smuggled := map[string]string{"state": "refused", "outcome": "unfavourable", "decided_at": "2020-01-01",
			"valid_until": "2099-12-31", "prefecture_id": "99", "confirmed_at": "2020-01-01"}
		fields := map[string]string{"body": "Merci."}
		for k, v := range smuggled {
			fields[k] = v
		}
		if res, page := d.postMultipart(paths.Messages.Format(d.id), fields, "attachment", "", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("message: %d\n%s", res.StatusCode, page)
		}
		form := url.Values{"given_names": {"Zoë"}, "surname": {"N'Diaye"}, "birth_date": {"1999-02-03"}, "birth_place": {"Dakar, Sénégal"},
			"nationality": {"SEN"}, "has_permit": {"oui"}, "permit_ground": {"student"}, "permit_number": {"ZZ999"},
			"permit_from": {"2020-01-01"}, "permit_to": {"2099-12-31"}}
		for k, v := range smuggled {
			form.Set(k, v)
		}
		if res, _ := d.post(paths.Profile.String(), form); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("declaring another permit after filing: %d, want 422", res.StatusCode)
		}
		fields = map[string]string{"given_names": "Zoë", "surname": "N'Diaye", "birth_date": "1999-02-03", "birth_place": "Dakar, Sénégal", "nationality": "SEN"}
		for k, v := range smuggled {
			fields[k] = v
		}
		if res, page := d.postMultipart(paths.Correction.String(), fields, "evidence", "p.png", pngFile(t)); res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(page, "rien changé") {
			t.Errorf("a correction of anything but civil data: %d", res.StatusCode)
		}

		a, _ := s.db.Application(t.Context(), d.id)
		after, _ := s.db.Decision(t.Context(), d.id)
		atts2, _ := s.db.Attestations(t.Context(), d.id)
		if a.State != permit.StateFavourable || after.Outcome != dec.Outcome || !after.DecidedAt.Equal(dec.DecidedAt) || len(atts2) != len(atts) {
			t.Fatalf("the decision moved: state %s, decision %+v, %d attestations (was %d)", a.State, after, len(atts2), len(atts))
		}
		for i := range atts {
			if !atts2[i].ValidUntil.Equal(atts[i].ValidUntil) {
				t.Errorf("attestation %s now ends %v", atts[i].Number, atts2[i].ValidUntil)
			}
		}
		p, _ := s.db.Person(t.Context(), a.PersonID)
		if p.PrefectureID != a.PrefectureID {
			t.Errorf("prefecture changed to %d", p.PrefectureID)
		}
		if pm, _ := s.db.CurrentPermit(t.Context(), p.ID); pm != nil && pm.Number == "ZZ999" {
			t.Errorf("a permit was declared after filing: %+v", pm)
		}
	})
}

// TestAgentConfirmsTheIdentity: an agent checks the declared identity
// against the passport, once; the applicant sees it confirmed, the
// history keeps when and by whom, and another prefecture cannot do it.
func TestAgentConfirmsTheIdentity(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		d := newDesk(t, s, "confirm@example.org")
		_, page := d.get(paths.Case.Format(d.id))
		mustContain(t, page, "J&#39;ai vérifié cette identité sur le passeport")

		other := s.prefecture("13", "13")
		d.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "agent13c@example.org", permit.RoleAgent, other.ID)}
		if res, _ := d.post(paths.CaseIdentity.Format(d.id), nil); res.StatusCode != http.StatusNotFound {
			t.Fatalf("another prefecture's agent confirms: %d", res.StatusCode)
		}
		d.cookie = d.agent
		d.step(paths.CaseIdentity, nil, http.StatusSeeOther)
		p, _ := s.db.PersonByAccount(t.Context(), accountID(t, s, "confirm@example.org"))
		if p.ConfirmedAt == nil {
			t.Fatal("identity not confirmed")
		}
		hist, _ := s.db.PersonChanges(t.Context(), p.ID)
		if n := len(hist); n == 0 || hist[n-1].Field != permit.FieldConfirmedAt || hist[n-1].Source != permit.ChangeByPrefecture || hist[n-1].ActorID == 0 {
			t.Fatalf("history: %+v", hist)
		}
		_, page = d.get(paths.Case.Format(d.id))
		mustNotContain(t, page, "J&#39;ai vérifié cette identité sur le passeport")
		if res, _ := d.post(paths.CaseIdentity.Format(d.id), nil); res.StatusCode != http.StatusConflict {
			t.Errorf("confirming twice: %d, want 409", res.StatusCode)
		}
		d.cookie = d.applicant
		_, page = d.get(paths.Profile.String())
		mustContain(t, page, "Confirmé par la préfecture", "Identité vérifiée par la préfecture")
	})
}

// TestPermitDatesCorrectionThroughThePage: the correction page offers the
// declared permit's dates; a changed end date makes a request the agent
// reads by its label, and an end before the start is refused on the field
// with a translated message (issue 11 §8).
func TestPermitDatesCorrectionThroughThePage(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		d := newDesk(t, s, "dates@example.org")
		d.cookie = d.applicant
		_, page := d.get(paths.Correction.String())
		mustContain(t, page, `name="permit_from"`, `name="permit_to"`, "Les dates de votre titre de séjour actuel")
		civil := map[string]string{"given_names": "Zoë", "surname": "N'Diaye", "birth_date": "1999-02-03",
			"birth_place": "Dakar, Sénégal", "nationality": "SEN", "explanation": "La date de fin était mal saisie."}
		bad := map[string]string{"permit_to": "2001-01-01"}
		for k, v := range civil {
			bad[k] = v
		}
		res, page := d.postMultipart(paths.Correction.String(), bad, "evidence", "titre.png", pngFile(t))
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("an end before the start: %d", res.StatusCode)
		}
		mustContain(t, page, "La date de fin doit être après la date de début.")
		app, err := s.db.Application(t.Context(), d.id)
		if err != nil {
			t.Fatal(err)
		}
		pm, err := s.db.CurrentPermit(t.Context(), app.PersonID)
		if err != nil {
			t.Fatal(err)
		}
		good := map[string]string{"permit_to": pm.ValidTo.AddDate(0, 0, 7).Format("2006-01-02")}
		for k, v := range civil {
			good[k] = v
		}
		if res, page := d.postMultipart(paths.Correction.String(), good, "evidence", "titre.png", pngFile(t)); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("correction of the end date: %d\n%s", res.StatusCode, page)
		}
		d.cookie = d.agent
		_, page = d.get(paths.Corrections.String())
		mustContain(t, page, "Titre de séjour : valable jusqu’au")
	})
}
