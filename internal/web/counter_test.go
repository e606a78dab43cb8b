package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/web"
	"github.com/sejour/sejour/internal/web/backoffice"
)

// counterAgent logs the site in as a new agent of a prefecture.
func (s *site) counterAgent(email string, prefectureID int64) {
	s.t.Helper()
	s.cookie = map[string]string{web.SessionCookie: loggedIn(s.t, s, email, permit.RoleAgent, prefectureID)}
}

var (
	personPath  = regexp.MustCompile(`^/agent/guichet/personnes/(\d+)`)
	counterPath = regexp.MustCompile(`^/agent/guichet/demandes/(\d+)$`)
)

func idFrom(t *testing.T, re *regexp.Regexp, res *http.Response, page string) int64 {
	t.Helper()
	m := re.FindStringSubmatch(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("got %d %q, want a redirect matching %s\n%s", res.StatusCode, res.Header.Get("Location"), re, page)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// counterPersonForm is a person who came to the counter, living in Paris,
// holding a student permit that ends in 90 days.
func counterPersonForm(now time.Time, contact string) url.Values {
	return url.Values{"given_names": {"Amina"}, "surname": {"Diallo"}, "birth_date": {"1998-05-06"}, "birth_place": {"Conakry, Guinée"},
		"nationality": {"gin"}, "foreigner_number": {"7512345678"}, "address_line": {"12 rue Oberkampf"}, "postcode": {"75011"}, "city": {"Paris"},
		"contact_email": {contact}, "has_permit": {"oui"}, "permit_ground": {"student"}, "permit_number": {"CD7654321"},
		"permit_from": {now.AddDate(-1, 0, 0).Format(time.DateOnly)}, "permit_to": {now.AddDate(0, 0, 90).Format(time.DateOnly)}}
}

// counterDraft has the logged-in agent record a person and start a
// renewal on their behalf through channel; it returns the person's and
// the application's ids.
func (s *site) counterDraft(channel permit.Channel, contact string) (personID, appID int64) {
	s.t.Helper()
	res, page := s.post(paths.CounterNewPerson.String(), counterPersonForm(s.clk.Now(), contact))
	personID = idFrom(s.t, personPath, res, page)
	res, page = s.post(paths.CounterStart.Format(personID), url.Values{"kind": {"renewal"}, "ground": {"student"}, "channel": {string(channel)},
		"consent": {"oui"}, "consent_how": {"signed_form"}})
	return personID, idFrom(s.t, counterPath, res, page)
}

// counterFiling is counterDraft, then the draft completed and filed.
func (s *site) counterFiling(channel permit.Channel, contact string) (personID, appID int64) {
	s.t.Helper()
	personID, appID = s.counterDraft(channel, contact)
	c, err := s.uc.Counter.CounterView(s.t.Context(), s.account(), appID)
	if err != nil {
		s.t.Fatal(err)
	}
	for _, it := range c.Checklist {
		if !it.Doc.TakesFiles() { // the photo, given as its e-photo code
			if res, page := s.post(backoffice.CounterCaseURL(appID)+"/timbre", photoCodeForm(appID)); res.StatusCode != http.StatusSeeOther {
				s.t.Fatalf("e-photo code: %d\n%s", res.StatusCode, page)
			}
			continue
		}
		res, page := s.postMultipart(backoffice.CounterCaseURL(appID)+"/documents/"+it.Doc.ID, nil, "file-"+it.Doc.ID, it.Doc.ID+".png", pngFile(s.t))
		if res.StatusCode != http.StatusSeeOther {
			s.t.Fatalf("upload %s: %d\n%s", it.Doc.ID, res.StatusCode, page)
		}
	}
	if res, page := s.post(backoffice.CounterCaseURL(appID)+"/timbre", url.Values{"fee_stamp": {feeStamp(appID)}}); res.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("fee stamp: %d\n%s", res.StatusCode, page)
	}
	if res, page := s.post(backoffice.CounterCaseURL(appID)+"/deposer", url.Values{"confirm": {"oui"}}); res.StatusCode != http.StatusSeeOther ||
		res.Header.Get("Location") != backoffice.CounterCaseURL(appID)+"/recepisse" {
		s.t.Fatalf("file: %d %q\n%s", res.StatusCode, res.Header.Get("Location"), page)
	}
	return personID, appID
}

// TestCounterFilingForAPersonWithoutAccount walks the backup channel: an
// agent records a person who has no account, files a renewal for them from
// a paper form, and prints the récépissé; the same filing receipt
// (attestation de dépôt) is issued as online, the agent is the actor, and
// nothing fails for want of an account.
func TestCounterFilingForAPersonWithoutAccount(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		pref := s.prefecture("75", "75")
		s.counterAgent("guichet@prefecture.test", pref.ID)
		personID, appID := s.counterFiling(permit.ChannelPaper, "")
		ctx := t.Context()

		a, err := s.db.Application(ctx, appID)
		if err != nil || a.State != permit.StateSubmitted || a.PersonID != personID {
			t.Fatalf("application after counter filing: %+v, %v", a, err)
		}
		p, _ := s.db.Person(ctx, personID)
		if p.AccountID != 0 {
			t.Errorf("person got account %d", p.AccountID)
		}
		ob, err := s.db.OnBehalf(ctx, appID)
		if err != nil || ob.Channel != permit.ChannelPaper || ob.ConsentAt == nil || ob.ConsentHow != "signed_form" ||
			ob.ConsentBy != s.account().ID || ob.By != s.account().ID {
			t.Errorf("on-behalf record: %+v, %v", ob, err)
		}
		evs, _ := s.db.Events(ctx, appID)
		if last := evs[len(evs)-1]; last.To != permit.StateSubmitted || last.Actor.Kind != permit.ActorAgent || last.Actor.AccountID != s.account().ID {
			t.Errorf("filing event: %+v", last)
		}
		atts, _ := s.db.Attestations(ctx, appID)
		if len(atts) != 1 || atts[0].Kind != permit.AttestationFilingReceipt || atts[0].Code == "" {
			t.Errorf("attestations after counter filing: %+v", atts)
		}
		mails, _ := s.db.Mails().RecentMails(ctx, 50)
		for _, m := range mails {
			if strings.Contains(m.Text, "/demandes/"+strconv.FormatInt(appID, 10)) {
				t.Errorf("a mail was written for a person without any address: %+v", m)
			}
		}

		res, page := s.get(backoffice.CounterCaseURL(appID) + "/recepisse")
		if res.StatusCode != 200 {
			t.Fatalf("receipt page: %d\n%s", res.StatusCode, page)
		}
		mustContain(t, page, "Récépissé de dépôt", "Demande déposée sur formulaire papier", "Amina Diallo", "Ce que prouve cette attestation")
		res, pdf := s.get(backoffice.CounterCaseURL(appID) + "/recepisse.pdf")
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF") ||
			!strings.Contains(res.Header.Get("Content-Disposition"), "recepisse-de-depot-") {
			t.Errorf("receipt PDF: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
		}

		// The prefecture's other actions reach a person without an account
		// without failing: a message, a completion request, and the answer
		// filed at the counter again.
		staff := s.account()
		if _, err := s.uc.Messages.PostMessage(ctx, staff, appID, "Merci de revenir avec votre bail.", nil); err != nil {
			t.Errorf("message to a person without account: %v", err)
		}
		if err := s.uc.Decisions.RequestCompletion(ctx, staff, appID, completionForm(s)); err != nil {
			t.Fatalf("completion request to a person without account: %v", err)
		}
		if n, err := s.uc.Attestations.SweepAttestations(ctx); err != nil {
			t.Errorf("sweep with a person without account: %d, %v", n, err)
		}
		res, _ = s.postMultipart(backoffice.CounterCaseURL(appID)+"/documents/proof_of_address", nil, "file-proof_of_address", "bail.png", pngFile(t))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload answering the request: %d", res.StatusCode)
		}
		if res, page := s.post(backoffice.CounterCaseURL(appID)+"/completer", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("resubmit at the counter: %d\n%s", res.StatusCode, page)
		}
		if a, _ := s.db.Application(ctx, appID); a.State != permit.StateUnderReview {
			t.Errorf("after resubmitting at the counter: %s", a.State)
		}
	})
}

// completionForm asks for a new proof of address within a month.
func completionForm(s *site) casework.CompletionForm {
	return casework.CompletionForm{Slots: []string{"proof_of_address"}, Reason: "Justificatif de domicile illisible.",
		DueOn: s.clk.Now().AddDate(0, 1, 0).Format(time.DateOnly)}
}

// TestCounterContactEmailGetsTheMails checks that a person without an
// account, for whom the agent recorded a contact address, gets the filing
// mail there.
func TestCounterContactEmailGetsTheMails(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		pref := s.prefecture("75", "75")
		s.counterAgent("guichet@prefecture.test", pref.ID)
		_, appID := s.counterFiling(permit.ChannelCounter, "Amina@Example.org")
		mails, _ := s.db.Mails().RecentMails(t.Context(), 50)
		found := false
		for _, m := range mails {
			found = found || (m.To == "amina@example.org" && strings.Contains(m.Text, "/demandes/"+strconv.FormatInt(appID, 10)+"/recepisse"))
		}
		if !found {
			t.Errorf("no filing mail to the contact address among %d mails", len(mails))
		}
		res, page := s.get(backoffice.CounterCaseURL(appID) + "/recepisse")
		if res.StatusCode != 200 {
			t.Fatalf("receipt: %d", res.StatusCode)
		}
		mustContain(t, page, "Attestation de dépôt")
		mustNotContain(t, page, "Récépissé de dépôt", "formulaire papier")
	})
}

// TestCounterRefusesWhatTheRulesRefuse checks the forms' refusals: no
// consent, no way of consent, no channel, filing unconfirmed or incomplete,
// and a second open application on the same ground.
func TestCounterRefusesWhatTheRulesRefuse(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		pref := s.prefecture("75", "75")
		s.counterAgent("guichet@prefecture.test", pref.ID)
		res, page := s.post(paths.CounterNewPerson.String(), counterPersonForm(s.clk.Now(), ""))
		personID := idFrom(t, personPath, res, page)
		start := func(consent, how, channel string) (*http.Response, string) {
			return s.post(paths.CounterStart.Format(personID), url.Values{"kind": {"first_issue"}, "ground": {"employee"},
				"channel": {channel}, "consent": {consent}, "consent_how": {how}})
		}
		for _, tc := range []struct {
			name, consent, how, channel, want string
		}{
			{"no consent", "", "in_person_oral", "counter", "sans accord, vous ne pouvez pas déposer pour elle"},
			{"no way of consent", "oui", "", "counter", "Choisissez comment la personne a donné son accord"},
			{"online is not a counter channel", "oui", "in_person_oral", "online", "Choisissez comment la demande est reçue"},
		} {
			res, page := start(tc.consent, tc.how, tc.channel)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d", tc.name, res.StatusCode)
			}
			mustContain(t, page, tc.want, `value="employee" checked`)
		}
		if apps, _ := s.db.ApplicationsByPerson(t.Context(), personID); len(apps) != 0 {
			t.Fatalf("refused starts created %d applications", len(apps))
		}
		res, page = start("oui", "in_person_oral", "phone")
		appID := idFrom(t, counterPath, res, page)
		res, page = start("oui", "in_person_oral", "phone")
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("second open application on a ground: %d", res.StatusCode)
		}
		mustContain(t, page, "déjà")
		res, page = s.post(backoffice.CounterCaseURL(appID)+"/deposer", url.Values{})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("filing unconfirmed: %d", res.StatusCode)
		}
		mustContain(t, page, "a relu sa demande et accepte")
		res, page = s.post(backoffice.CounterCaseURL(appID)+"/deposer", url.Values{"confirm": {"oui"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("filing without documents: %d", res.StatusCode)
		}
		mustContain(t, page, "pièces")
		if a, _ := s.db.Application(t.Context(), appID); a.State != permit.StateDraft {
			t.Errorf("refused filing changed the state to %s", a.State)
		}
	})
}

// TestCounterOtherPrefectureFindsNothing checks that an agent of another
// prefecture can neither find nor act on the person: every page and
// action answers "not found".
func TestCounterOtherPrefectureFindsNothing(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		paris, lyon := s.prefecture("75", "75"), s.prefecture("69", "69")
		s.counterAgent("paris@prefecture.test", paris.ID)
		res, page := s.post(paths.CounterNewPerson.String(), counterPersonForm(s.clk.Now(), "amina@example.org"))
		personID := idFrom(t, personPath, res, page)
		res, page = s.post(paths.CounterStart.Format(personID), url.Values{"kind": {"first_issue"}, "ground": {"employee"},
			"channel": {"counter"}, "consent": {"oui"}, "consent_how": {"in_person_oral"}})
		appID := idFrom(t, counterPath, res, page)
		_, page = s.get(paths.Counter.String() + "?recherche=1&foreigner_number=7512345678")
		mustContain(t, page, "Diallo")

		s.counterAgent("lyon@prefecture.test", lyon.ID)
		for _, q := range []string{"foreigner_number=7512345678", "surname=Diallo&birth_date=1998-05-06", "email=amina@example.org"} {
			res, page := s.get(paths.Counter.String() + "?recherche=1&" + q)
			if res.StatusCode != 200 {
				t.Errorf("search %s: %d", q, res.StatusCode)
			}
			mustContain(t, page, "Aucune personne trouvée")
			mustNotContain(t, page, backoffice.PersonURL(personID))
		}
		for _, tc := range []struct{ method, path string }{
			{"GET", paths.CounterPerson.Format(personID)},
			{"POST", paths.CounterStart.Format(personID)},
			{"POST", paths.CounterClaimCode.Format(personID)},
			{"GET", paths.CounterCase.Format(appID)},
			{"POST", paths.CounterFeeStamp.Format(appID)},
			{"POST", paths.CounterFile.Format(appID)},
			{"POST", backoffice.CounterCaseURL(appID) + "/documents/passport/retirer"},
			{"GET", backoffice.CounterCaseURL(appID) + "/recepisse.pdf"},
		} {
			var res *http.Response
			if tc.method == "POST" {
				res, _ = s.post(tc.path, url.Values{"kind": {"renewal"}, "ground": {"student"}, "channel": {"counter"},
					"consent": {"oui"}, "consent_how": {"in_person_oral"}, "fee_stamp": {"1234567890123456"}, "confirm": {"oui"}})
			} else {
				res, _ = s.get(tc.path)
			}
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("%s %s by another prefecture's agent: %d", tc.method, tc.path, res.StatusCode)
			}
		}
		res, page = s.post(paths.CounterNewPerson.String(), counterPersonForm(s.clk.Now(), ""))
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("a Lyon agent recorded a Paris resident: %d", res.StatusCode)
		}
		mustContain(t, page, "une préfecture pour laquelle vous ne travaillez pas")
		if a, _ := s.db.Application(t.Context(), appID); a.FeeStamp != "" {
			t.Errorf("another prefecture's agent set the fee stamp")
		}
	})
}

// TestApplicantCannotReachTheCounter checks the counter pages are not
// found for an applicant, whatever the id.
func TestApplicantCannotReachTheCounter(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.prefecture("75", "75")
		id := s.applicantWithFiling("zoe@example.org")
		a, _ := s.db.Application(t.Context(), id)
		for _, path := range []string{paths.Counter.String(), paths.CounterNewPerson.String(), paths.CounterPerson.Format(a.PersonID), paths.CounterCase.Format(id),
			paths.CounterReceipt.Format(id)} {
			if res, _ := s.get(path); res.StatusCode != http.StatusNotFound {
				t.Errorf("applicant GET %s: %d", path, res.StatusCode)
			}
		}
		if res, _ := s.post(backoffice.PersonURL(a.PersonID)+"/code", nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("applicant issued a claim code: %d", res.StatusCode)
		}
	})
}

var codeRe = regexp.MustCompile(`<strong>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</strong>`)

// issueCode has the logged-in agent issue a claim code and returns it as
// shown on the page.
func (s *site) issueCode(personID int64) string {
	s.t.Helper()
	res, page := s.post(backoffice.PersonURL(personID)+"/code", nil)
	m := codeRe.FindStringSubmatch(page)
	if res.StatusCode != 200 || m == nil {
		s.t.Fatalf("issue code: %d\n%s", res.StatusCode, page)
	}
	return m[1]
}

// TestClaimingAFileFiledAtTheCounter tries claim codes: good, wrong,
// used, expired, replaced, and an applicant whose profile has data.
func TestClaimingAFileFiledAtTheCounter(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		pref := s.prefecture("75", "75")
		s.counterAgent("guichet@prefecture.test", pref.ID)
		personID, appID := s.counterFiling(permit.ChannelPaper, "")
		staffCookie := s.cookie
		first := s.issueCode(personID)
		code := s.issueCode(personID) // replaces the first

		// The code prints on the receipt, posted back by the agent.
		res, pdf := s.post(backoffice.CounterCaseURL(appID)+"/recepisse.pdf", url.Values{"code": {code}})
		if res.StatusCode != 200 || !strings.HasPrefix(pdf, "%PDF") {
			t.Errorf("receipt with code: %d", res.StatusCode)
		}
		if res, _ := s.post(backoffice.CounterCaseURL(appID)+"/recepisse.pdf", url.Values{"code": {first}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("receipt with a replaced code: %d", res.StatusCode)
		}
		_, page := s.get(backoffice.PersonURL(personID))
		mustContain(t, page, "Un code de reprise a été remis")
		mustNotContain(t, page, code)

		// An applicant whose profile has data is told to see the prefecture.
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "has-profile@example.org", permit.RoleApplicant)}
		s.profile("75011", "", 0)
		res, page = s.post(paths.Claim.String(), url.Values{"code": {code}})
		if res.StatusCode != http.StatusConflict {
			t.Errorf("claim into a profile with data: %d", res.StatusCode)
		}
		mustContain(t, page, "contactez la préfecture")

		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "amina@example.org", permit.RoleApplicant)}
		_, page = s.get(paths.Dashboard.String())
		mustContain(t, page, `href="/reprendre"`, "Reprenez votre dossier")
		for _, tc := range []struct{ name, code, want string }{
			{"wrong", "ACDE-FGHJ-KMNP", "Ce code n’est pas reconnu"},
			{"malformed", "hello", "Ce code n’est pas reconnu"},
			{"replaced", first, "Ce code n’est plus valable"}, // a new code ends the old one at once
		} {
			res, page := s.post(paths.Claim.String(), url.Values{"code": {tc.code}})
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s code: %d", tc.name, res.StatusCode)
			}
			if !strings.Contains(page, tc.want) {
				t.Errorf("%s code: page lacks %q\n%s", tc.name, tc.want, page)
			}
		}
		// Typed in lower case, with spaces instead of dashes: still good.
		res, page = s.post(paths.Claim.String(), url.Values{"code": {strings.ToLower(strings.ReplaceAll(code, "-", " "))}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/tableau-de-bord?repris" {
			t.Fatalf("claim: %d %q\n%s", res.StatusCode, res.Header.Get("Location"), page)
		}
		_, page = s.get(paths.Dashboard.String() + "?repris")
		mustContain(t, page, "Votre dossier déposé au guichet est maintenant dans votre espace", "/demandes/"+strconv.FormatInt(appID, 10))
		res, page = s.get(paths.Application.Format(appID))
		if res.StatusCode != 200 {
			t.Fatalf("claimed application: %d", res.StatusCode)
		}
		mustContain(t, page, "Historique", "attestation de dépôt")
		// The agent's visits to the person's page at the counter are theirs to see.
		_, page = s.get(paths.Accesses.String())
		mustContain(t, page, "Votre fiche au guichet (identité et demandes)", "Agent, Préfecture 75")
		// The applicant acts on it: a message to the prefecture.
		res, _ = s.postMultipart(paths.Messages.Format(appID), map[string]string{"body": "Bonjour, je suis en ligne désormais."}, "attachment", "", nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("message from the claimant: %d", res.StatusCode)
		}
		if res, _ := s.get(paths.Receipt.Format(appID)); res.StatusCode != 200 {
			t.Errorf("claimant's receipt: %d", res.StatusCode)
		}

		// Used: another applicant cannot claim it again.
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "someone@example.org", permit.RoleApplicant)}
		res, page = s.post(paths.Claim.String(), url.Values{"code": {code}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("used code: %d", res.StatusCode)
		}
		mustContain(t, page, "Ce code a déjà servi")

		// The agent no longer edits the file on the person's behalf.
		s.cookie = staffCookie
		_, page = s.get(backoffice.CounterCaseURL(appID))
		mustContain(t, page, "a repris ce dossier en ligne")
		res, page = s.post(backoffice.CounterCaseURL(appID)+"/timbre", url.Values{"fee_stamp": {"1234567890123456"}})
		if res.StatusCode != http.StatusConflict {
			t.Errorf("agent editing a claimed file: %d", res.StatusCode)
		}
		mustContain(t, page, "la personne s’en occupe en ligne")
		if res, _ := s.post(backoffice.PersonURL(personID)+"/code", nil); res.StatusCode != http.StatusConflict {
			t.Errorf("code for a person who has an account: %d", res.StatusCode)
		}
	})
}

// TestClaimCodeExpires checks a code stops working after 90 days.
func TestClaimCodeExpires(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		pref := s.prefecture("75", "75")
		s.counterAgent("guichet@prefecture.test", pref.ID)
		personID, _ := s.counterFiling(permit.ChannelCounter, "")
		code := s.issueCode(personID)
		s.clk.Advance(90*24*time.Hour + time.Minute)
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "late@example.org", permit.RoleApplicant)}
		res, page := s.post(paths.Claim.String(), url.Values{"code": {code}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("expired code: %d", res.StatusCode)
		}
		mustContain(t, page, "Ce code n’est plus valable")
		if p, _ := s.db.Person(t.Context(), personID); p.AccountID != 0 {
			t.Errorf("an expired code gave the person away")
		}
	})
}

// TestClaimIsRateLimited checks wrong guesses are slowed down per account.
func TestClaimIsRateLimited(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "guesser@example.org", permit.RoleApplicant)}
		var last *http.Response
		var page string
		for i := 0; i < 6; i++ {
			last, page = s.post(paths.Claim.String(), url.Values{"code": {"ACDE-FGHJ-KMN" + string(rune('P'+i%3))}})
		}
		if last.StatusCode != http.StatusTooManyRequests {
			t.Errorf("sixth wrong code in a row: %d", last.StatusCode)
		}
		mustContain(t, page, "Trop de tentatives")
	})
}

// auditSpy records the audit entries each store write carries.
type auditSpy struct {
	*store.DB
	store.Counter
	store.Files
	entries []audit.Entry
}

func (a *auditSpy) note(ctx context.Context) { a.entries = append(a.entries, audit.From(ctx)...) }

func (a *auditSpy) SaveProfile(ctx context.Context, p *permit.Person, pm *permit.Permit) error {
	a.note(ctx)
	return a.DB.Files().SaveProfile(ctx, p, pm)
}

func (a *auditSpy) CreateOnBehalf(ctx context.Context, app *permit.Application, ob *permit.OnBehalf, actor permit.Actor) error {
	a.note(ctx)
	return a.DB.Counter().CreateOnBehalf(ctx, app, ob, actor)
}

func (a *auditSpy) AddDocuments(ctx context.Context, appID int64, slot string, ds []*permit.Document, max int, quota int64) error {
	a.note(ctx)
	return a.DB.Files().AddDocuments(ctx, appID, slot, ds, max, quota)
}

func (a *auditSpy) SetPhotoCode(ctx context.Context, id int64, code string) error {
	a.note(ctx)
	return a.DB.Files().SetPhotoCode(ctx, id, code)
}

func (a *auditSpy) SetFeeStamp(ctx context.Context, id int64, stamp string) error {
	a.note(ctx)
	return a.DB.Files().SetFeeStamp(ctx, id, stamp)
}

func (a *auditSpy) File(ctx context.Context, app *permit.Application, ev *permit.Event, f *permit.Filing, mail func(*permit.Filing) *permit.Mail) error {
	a.note(ctx)
	return a.DB.Files().File(ctx, app, ev, f, mail)
}

func (a *auditSpy) IssueClaimCode(ctx context.Context, c *permit.ClaimCode) error {
	a.note(ctx)
	return a.DB.Counter().IssueClaimCode(ctx, c)
}

func (a *auditSpy) EnqueueMail(ctx context.Context, m *permit.Mail) error {
	a.note(ctx) // must carry nothing: the action's entry goes with the action's write only
	return a.DB.EnqueueMail(ctx, m)
}

// TestCounterActionsAreAudited checks that every write of a counter
// filing carries its audit entry, with the agent as actor, and that the
// applicant's own actions carry none.
func TestCounterActionsAreAudited(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		spy := &auditSpy{DB: s.db, Counter: s.db.Counter(), Files: s.db.Files()}
		s.uc.Counter.Store, s.uc.Counter.Profiles, s.uc.Counter.People = spy, spy, spy
		s.uc.Documents.Store, s.uc.Applications.Store = spy, spy
		pref := s.prefecture("75", "75")
		s.counterAgent("guichet@prefecture.test", pref.ID)
		agent := s.account()
		personID, appID := s.counterFiling(permit.ChannelPhone, "amina@example.org")
		s.issueCode(personID)
		counts := map[string]int{}
		for _, e := range spy.entries {
			counts[e.Action]++
			if e.ActorAccountID != agent.ID || e.PrefectureID != pref.ID {
				t.Errorf("entry %+v: want actor %d and prefecture %d", e, agent.ID, pref.ID)
			}
			if e.Action != "counter_create_person" && e.PersonID != personID {
				t.Errorf("entry %+v: want person %d", e, personID)
			}
			if (e.Action == "counter_upload" || e.Action == "counter_photo_code" || e.Action == "counter_fee_stamp" || e.Action == "counter_file") && e.ApplicationID != appID {
				t.Errorf("entry %+v: want application %d", e, appID)
			}
		}
		c, _ := s.uc.Counter.CounterView(t.Context(), agent, appID)
		// Every document is a file but the photo, given as its e-photo code.
		want := map[string]int{"counter_create_person": 1, "counter_start": 1, "counter_upload": len(c.Checklist) - 1,
			"counter_photo_code": 1, "counter_fee_stamp": 1, "counter_file": 1, "counter_claim_code": 1}
		for action, n := range want {
			if counts[action] != n {
				t.Errorf("%s: %d entries, want %d (all: %v)", action, counts[action], n, counts)
			}
		}
		if len(spy.entries) != len(c.Checklist)+5 {
			t.Errorf("%d entries, want %d: a mail or another write carried one", len(spy.entries), len(c.Checklist)+5)
		}
		// Opening the person's page is recorded, each time.
		personViews := func() []*audit.Line {
			views, err := s.db.Audit().AuditTrail(t.Context(), audit.Filter{Everywhere: true, Actions: []string{"person.view"}, PersonID: personID, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			return views
		}
		before := len(personViews())
		if res, _ := s.get(paths.CounterPerson.Format(personID)); res.StatusCode != http.StatusOK {
			t.Fatalf("person page: %d", res.StatusCode)
		}
		if views := personViews(); len(views) != before+1 || views[0].ActorEmail != agent.Email {
			t.Fatalf("person views: %d before, %d after (%+v)", before, len(views), views)
		}
		// In the trail, the entries of the writes that create the person and
		// the application name them, though their ids did not exist before.
		lines, err := s.db.Audit().AuditTrail(t.Context(), audit.Filter{Everywhere: true, Actions: []string{"counter_create_person", "counter_start"}, Limit: 10})
		if err != nil || len(lines) != 2 {
			t.Fatalf("trail: %+v, %v", lines, err)
		}
		for _, l := range lines {
			if l.PersonID != personID || (l.Action == "counter_start" && l.ApplicationID != appID) {
				t.Errorf("trail line %s: person %d, application %d; want %d, %d", l.Action, l.PersonID, l.ApplicationID, personID, appID)
			}
		}

		spy.entries = nil
		s.applicantWithFiling("zoe@example.org")
		if len(spy.entries) != 0 {
			t.Errorf("an applicant's own filing carried audit entries: %+v", spy.entries)
		}
	})
}
