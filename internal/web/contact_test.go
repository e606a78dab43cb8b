package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// contactForm is the contact form with a new address in postcode.
func contactForm(postcode, phone, email, pw string) url.Values {
	return url.Values{"address_line": {"8 avenue Foch"}, "postcode": {postcode}, "city": {"Ailleurs"}, "phone": {phone},
		"email": {email}, "password": {pw}}
}

// person is the logged-in applicant's person as stored.
func (s *site) person() *permit.Person {
	s.t.Helper()
	p, err := s.db.PersonByAccount(s.t.Context(), s.account().ID)
	if err != nil {
		s.t.Fatal(err)
	}
	return p
}

// TestContactChangeWhileAnApplicationIsFiled: with a renewal filed, a
// wrong password changes nothing and shows the typed values again; the
// right one saves the phone and address at once, each former value kept
// in the history.
func TestContactChangeWhileAnApplicationIsFiled(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		pref := s.prefecture("75", "75")
		id := s.applicantWithFiling("zoe@example.org")
		res, page := s.get(paths.Contact.String())
		if res.StatusCode != http.StatusOK {
			t.Fatalf("contact page: %d", res.StatusCode)
		}
		mustContain(t, page, "Mes coordonnées", "3 rue des Lilas, 75011 Paris", "zoe@example.org", "Préfecture 75",
			`autocomplete="current-password"`, `value="75011"`)

		res, page = s.post(paths.Contact.String(), contactForm("75015", "06 11 22 33 44", "", "not my password"))
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("wrong password: %d", res.StatusCode)
		}
		mustContain(t, page, "Mot de passe incorrect. Rien n’a été changé.", `value="75015"`, `value="06 11 22 33 44"`,
			`aria-describedby="password-error"`, `href="#password"`)
		mustNotContain(t, page, "not my password")
		if p := s.person(); p.Address.Postcode != "75011" || p.Phone != "" {
			t.Fatalf("a wrong password changed the person: %+v", p)
		}
		if res, _ := s.post(paths.Contact.String(), contactForm("75015", "06 11 22 33 44", "", "")); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("no password: %d", res.StatusCode)
		}
		res, page = s.post(paths.Contact.String(), contactForm("7501", "abc", "not-an-address", goodPassword))
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("bad values: %d", res.StatusCode)
		}
		mustContain(t, page, "Saisissez un code postal français de 5 chiffres.", "Saisissez un numéro de téléphone")

		res, _ = s.post(paths.Contact.String(), contactForm("75015", "06 11 22 33 44", "", goodPassword))
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/profil/coordonnees?enregistre" {
			t.Fatalf("change: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		p := s.person()
		if p.Address.Postcode != "75015" || p.Address.Line != "8 avenue Foch" || p.Phone != "06 11 22 33 44" || p.PrefectureID != pref.ID {
			t.Fatalf("person = %+v", p)
		}
		if a, _ := s.db.Application(t.Context(), id); a.State != permit.StateSubmitted || a.PrefectureID != pref.ID {
			t.Errorf("the filed application changed: %+v", a)
		}
		changes, _ := s.db.PersonChanges(t.Context(), p.ID)
		old := map[string]string{}
		for _, c := range changes {
			if c.Source != permit.ChangeByApplicant {
				t.Errorf("change of %s by %s, want the applicant", c.Field, c.Source)
			}
			old[c.Field] = c.Old
		}
		if old[permit.FieldPostcode] != "75011" || old[permit.FieldAddressLine] != "3 rue des Lilas" || old[permit.FieldPhone] != "" {
			t.Errorf("former values = %v", old)
		}
		_, page = s.get(paths.Contact.String() + "?enregistre")
		mustContain(t, page, "Vos coordonnées sont enregistrées.", "8 avenue Foch, 75015 Ailleurs")
	})
}

// TestMovingTakesPendingApplicationsToTheNewPrefecture: an address in
// another department moves the filed application, with its history and
// deadline, and leaves the decided one. The new prefecture's agent opens
// the case and sees where it came from; the former one no longer opens it
// but lists it among the transfers; both journals record it; the filing
// receipt still names the prefecture it was filed with.
func TestMovingTakesPendingApplicationsToTheNewPrefecture(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		paris := s.prefecture("75", "75")
		lyon := s.prefecture("69", "69")
		id := s.applicantWithFiling("zoe@example.org")
		decided := s.start(permit.KindChangeOfStatus, "employee")
		setState(s, decided, permit.StateUnderReview)
		setState(s, decided, permit.StateFavourable)
		applicant := s.cookie
		before, _ := s.db.Events(t.Context(), id)
		// Reports of problems: about the filed application, about the
		// decided one, and about the person alone.
		aboutFiled, _ := reportAs(t, s, map[string]string{"category": "other", "description": "Où en est-elle ?", "application": reportID(id)})
		aboutDecided, _ := reportAs(t, s, map[string]string{"category": "other", "description": "La carte ?", "application": reportID(decided)})
		aboutMe, _ := reportAs(t, s, map[string]string{"category": "data_wrong", "description": "Mon adresse."})
		if aboutMe.PrefectureID != paris.ID || aboutFiled.ApplicationID != id {
			t.Fatalf("reports before the move: %+v %+v", aboutFiled, aboutMe)
		}
		s.cookie = applicant
		s.clk.Advance(time.Hour)

		res, _ := s.post(paths.Contact.String(), contactForm("69003", "", "", goodPassword))
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/profil/coordonnees?enregistre&transfert" {
			t.Fatalf("move: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		_, page := s.get(res.Header.Get("Location"))
		mustContain(t, page, "Votre nouvelle adresse relève de : Préfecture 69.")
		if p := s.person(); p.PrefectureID != lyon.ID {
			t.Errorf("person at prefecture %d, want %d", p.PrefectureID, lyon.ID)
		}
		if a, _ := s.db.Application(t.Context(), id); a.PrefectureID != lyon.ID || a.State != permit.StateSubmitted {
			t.Errorf("filed application: %+v", a)
		}
		if a, _ := s.db.Application(t.Context(), decided); a.PrefectureID != paris.ID {
			t.Errorf("the decided application moved: %+v", a)
		}
		// The reports about the person and the moved application follow
		// the person; the one about the decided application stays.
		for _, c := range []struct {
			r    *permit.Report
			want int64
		}{{aboutFiled, lyon.ID}, {aboutDecided, paris.ID}, {aboutMe, lyon.ID}} {
			if r, _ := s.db.Support().Report(t.Context(), c.r.ID); r.PrefectureID != c.want {
				t.Errorf("report %s (%q) at prefecture %d, want %d", r.Reference, r.Description, r.PrefectureID, c.want)
			}
		}
		if after, _ := s.db.Events(t.Context(), id); len(after) != len(before) {
			t.Errorf("events: %d, were %d", len(after), len(before))
		}
		mails, _ := s.db.Mails().RecentMails(t.Context(), 5)
		if len(mails) == 0 || mails[0].To != "zoe@example.org" || !strings.Contains(mails[0].Subject, "Préfecture 69") ||
			!strings.Contains(mails[0].Text, "demande n° "+strconv.FormatInt(id, 10)+" (auparavant : Préfecture 75)") ||
			strings.Contains(mails[0].Text, "n° "+strconv.FormatInt(decided, 10)+" ") {
			t.Errorf("mail = %+v", mails[0])
		}
		changes, _ := s.db.PersonChanges(t.Context(), s.person().ID)
		if n := len(changes); n == 0 || changes[n-1].Field != permit.FieldPrefecture || changes[n-1].Source != permit.ChangeByMove ||
			changes[n-1].Old != strconv.FormatInt(paris.ID, 10) {
			t.Errorf("history = %+v", changes)
		}
		moved := "Dossier transmis de « Préfecture 75 » à « Préfecture 69 »"
		_, page = s.get(paths.Application.Format(id))
		mustContain(t, page, moved, s.srv.Tr.T("fr", "case.prefecture", "\u2068Préfecture 69\u2069"))
		_, page = s.get(paths.Receipt.Format(id))
		mustContain(t, page, "Préfecture 75")
		mustNotContain(t, page, "Préfecture 69")

		caseURL := paths.Case.Format(id)
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "agent@lyon.example", permit.RoleAgent, lyon.ID)}
		res, page = s.get(caseURL)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("the new prefecture's agent: %d", res.StatusCode)
		}
		mustContain(t, page, moved)
		_, page = s.get(paths.Transfers.String())
		mustContain(t, page, `href="`+caseURL+`"`, "Préfecture 75", "Préfecture 69", "Déposée")
		_, page = s.get(paths.Agent.String())
		mustContain(t, page, `href="`+caseURL+`"`)

		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "agent@paris.example", permit.RoleAgent, paris.ID)}
		if res, _ := s.get(caseURL); res.StatusCode != http.StatusNotFound {
			t.Errorf("the former prefecture's agent opens the moved file: %d", res.StatusCode)
		}
		if res, _ := s.get(paths.Case.Format(decided)); res.StatusCode != http.StatusOK {
			t.Errorf("the former prefecture's agent lost the decided file: %d", res.StatusCode)
		}
		res, page = s.get(paths.Transfers.String())
		if res.StatusCode != http.StatusOK {
			t.Fatalf("transfers page: %d", res.StatusCode)
		}
		mustContain(t, page, "Demande n° "+strconv.FormatInt(id, 10), "Traité par une autre préfecture", "Préfecture 69")
		mustNotContain(t, page, `href="`+caseURL+`"`)
		_, page = s.get(paths.Agent.String())
		mustNotContain(t, page, `href="`+caseURL+`"`)

		for pref, action := range map[int64]string{paris.ID: "transfer_out", lyon.ID: "transfer_in"} {
			lines, err := s.db.Audit().AuditTrail(t.Context(), audit.Filter{Prefectures: []int64{pref}, ApplicationID: id, Actions: []string{action}, Limit: 10})
			if err != nil || len(lines) != 1 || lines[0].Detail != "Préfecture 75 → Préfecture 69" {
				t.Errorf("journal of prefecture %d, %s: %+v, %v", pref, action, lines, err)
			}
		}
		s.cookie = map[string]string{web.SessionCookie: supervisorIn(t, s, "sup@paris.example", paris.ID)}
		_, page = s.get(paths.Journal.String())
		mustContain(t, page, "Dossier transmis à une autre préfecture (déménagement)")

		// Moving back within the department changes nothing more.
		s.cookie = applicant
		s.post(paths.Contact.String(), contactForm("69008", "", "", goodPassword))
		if moves, _ := s.db.Transfers(t.Context(), id); len(moves) != 1 {
			t.Errorf("a move within a department made a transfer: %+v", moves)
		}
	})
}

// TestEmailChangeIsPendingUntilConfirmed: the new address gets a single-
// use link; until it is followed, log-in and mails use the former
// address, which is told and may cancel; after it, the new address logs
// in, the former does not, and the history keeps it.
func TestEmailChangeIsPendingUntilConfirmed(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		pref := s.prefecture("75", "75")
		id := s.applicantWithFiling("old@example.org")
		applicant := s.cookie
		res, _ := s.post(paths.Contact.String(), url.Values{"email": {"new@example.org"}, "password": {goodPassword},
			"address_line": {"3 rue des Lilas"}, "postcode": {"75011"}, "city": {"Paris"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/profil/coordonnees?enregistre&courriel" {
			t.Fatalf("ask: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		_, page := s.get(paths.Contact.String())
		mustContain(t, page, "Nouvelle adresse électronique en attente", "new@example.org", "old@example.org")
		confirm := s.lastLink("new@example.org", "/coordonnees/courriel/")
		cancel := s.lastLink("old@example.org", "/coordonnees/annuler/")
		// Opening the former address's link only asks: a mail scanner
		// fetching it cancels nothing.
		if res, page := s.get(cancel); res.StatusCode != http.StatusOK || !strings.Contains(page, "Annuler le changement") {
			t.Fatalf("the cancel link: %d\n%s", res.StatusCode, page)
		}

		// The former address is still the account's: an agent's message
		// goes there, and log-in works with it only.
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "agent@pref.example", permit.RoleAgent, pref.ID)}
		s.postMultipart(paths.CaseMessages.Format(id), map[string]string{"body": "Bonjour"}, "attachment", "", nil)
		if mails, _ := s.db.Mails().RecentMails(t.Context(), 1); mails[0].To != "old@example.org" {
			t.Errorf("a mail before confirmation went to %s", mails[0].To)
		}
		s.cookie = map[string]string{}
		if res := s.logIn("new@example.org", goodPassword); res.StatusCode == http.StatusSeeOther {
			t.Error("logged in with an unconfirmed address")
		}
		if res := s.logIn("old@example.org", goodPassword); res.StatusCode != http.StatusSeeOther {
			t.Errorf("log-in with the account's address: %d", res.StatusCode)
		}
		other := s.cookie

		// Followed from another browser, not logged in: this session and
		// the one above end; the link works once.
		s.cookie = map[string]string{}
		res, page = s.get(confirm)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("confirm: %d\n%s", res.StatusCode, page)
		}
		mustContain(t, page, "Votre nouvelle adresse électronique est confirmée")
		res, page = s.get(confirm)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("link used twice: %d", res.StatusCode)
		}
		mustContain(t, page, "Ce lien n’est plus valable")
		for _, c := range []map[string]string{applicant, other} {
			s.cookie = c
			if res, _ := s.get(paths.Contact.String()); res.StatusCode != http.StatusSeeOther {
				t.Errorf("a session survived the change of address: %d", res.StatusCode)
			}
		}
		s.cookie = map[string]string{}
		if res := s.logIn("old@example.org", goodPassword); res.StatusCode == http.StatusSeeOther {
			t.Error("the former address still logs in")
		}
		if res := s.logIn("new@example.org", goodPassword); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("log-in with the new address: %d", res.StatusCode)
		}
		changes, _ := s.db.PersonChanges(t.Context(), s.person().ID)
		if n := len(changes); n == 0 || changes[n-1].Field != permit.FieldEmail || changes[n-1].Old != "old@example.org" {
			t.Errorf("history = %+v", changes)
		}
		s.lastLink("old@example.org", "/connexion")

		// An expired link, and one cancelled from the page.
		s.post(paths.Contact.String(), url.Values{"email": {"later@example.org"}, "password": {goodPassword},
			"address_line": {"3 rue des Lilas"}, "postcode": {"75011"}, "city": {"Paris"}})
		late := s.lastLink("later@example.org", "/coordonnees/courriel/")
		s.clk.Advance(49 * time.Hour)
		s.cookie = map[string]string{}
		if res, _ := s.get(late); res.StatusCode != http.StatusNotFound {
			t.Errorf("expired link: %d", res.StatusCode)
		}
		s.logIn("new@example.org", goodPassword)
		_, page = s.get(paths.Contact.String())
		mustNotContain(t, page, "later@example.org")
		s.post(paths.Contact.String(), url.Values{"email": {"again@example.org"}, "password": {goodPassword},
			"address_line": {"3 rue des Lilas"}, "postcode": {"75011"}, "city": {"Paris"}})
		res, _ = s.post(paths.ContactCancelEmail.String(), nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("cancel: %d", res.StatusCode)
		}
		_, page = s.get(res.Header.Get("Location"))
		mustContain(t, page, "Le changement d’adresse électronique est annulé.")
		mustNotContain(t, page, "again@example.org")
		if res, _ := s.get(s.lastLink("again@example.org", "/coordonnees/courriel/")); res.StatusCode != http.StatusNotFound {
			t.Errorf("a cancelled change was confirmed: %d", res.StatusCode)
		}
	})
}

// TestEmailChangeToAnAddressInUseRevealsNothing: asking for an address
// that has an account answers exactly as for a free one; that address's
// owner is told, and no link can make it the applicant's.
func TestEmailChangeToAnAddressInUseRevealsNothing(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.prefecture("75", "75")
		loggedIn(t, s, "taken@example.org", permit.RoleApplicant)
		s.applicantWithFiling("zoe@example.org")
		form := func(email string) url.Values {
			return url.Values{"email": {email}, "password": {goodPassword}, "address_line": {"3 rue des Lilas"}, "postcode": {"75011"}, "city": {"Paris"}}
		}
		free, _ := s.post(paths.Contact.String(), form("free@example.org"))
		_, freePage := s.get(paths.Contact.String())
		taken, _ := s.post(paths.Contact.String(), form("taken@example.org"))
		_, takenPage := s.get(paths.Contact.String())
		if free.StatusCode != taken.StatusCode || free.Header.Get("Location") != taken.Header.Get("Location") {
			t.Errorf("answers differ: %d %s / %d %s", free.StatusCode, free.Header.Get("Location"), taken.StatusCode, taken.Header.Get("Location"))
		}
		if strings.ReplaceAll(freePage, "free@", "taken@") != takenPage {
			t.Error("the pages differ by more than the address")
		}
		mails, _ := s.db.Mails().RecentMails(t.Context(), 3)
		for _, m := range mails {
			if m.To == "taken@example.org" && (strings.Contains(m.Text, "/coordonnees/courriel/") || !strings.Contains(m.Text, "/mot-de-passe-oublie")) {
				t.Errorf("mail to the address in use: %q", m.Text)
			}
		}
		if a := s.account(); a.Email != "zoe@example.org" {
			t.Errorf("address = %s", a.Email)
		}
	})
}

// TestContactPageIsTheApplicantsOwn: an agent of the applicant's
// prefecture and an admin get "not found" and change nothing; another
// applicant changes only their own data; guessing passwords is limited.
func TestContactPageIsTheApplicantsOwn(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		pref := s.prefecture("75", "75")
		s.applicantWithFiling("owner@example.org")
		owner := s.person()
		for _, c := range []string{
			loggedIn(t, s, "agent@pref.example", permit.RoleAgent, pref.ID),
			loggedIn(t, s, "admin@pref.example", permit.RoleAdmin),
		} {
			s.cookie = map[string]string{web.SessionCookie: c}
			for _, path := range []string{paths.Contact.String(), paths.ContactCancelEmail.String()} {
				var res *http.Response
				if strings.HasSuffix(path, "annuler") {
					res, _ = s.post(path, nil)
				} else {
					res, _ = s.post(path, contactForm("69001", "", "x@example.org", goodPassword))
				}
				if res.StatusCode != http.StatusNotFound {
					t.Errorf("staff POST %s: %d", path, res.StatusCode)
				}
			}
		}
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "other@example.org", permit.RoleApplicant)}
		s.profile("75012", "", 0)
		if res, _ := s.post(paths.Contact.String(), contactForm("75020", "", "", goodPassword)); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("the other applicant's own change: %d", res.StatusCode)
		}
		if p, _ := s.db.Person(t.Context(), owner.ID); p.Address != owner.Address || p.UpdatedAt != owner.UpdatedAt {
			t.Errorf("another applicant's change touched the owner: %+v", p)
		}
		var last *http.Response
		for range 6 {
			last, _ = s.post(paths.Contact.String(), contactForm("75020", "", "", "guess"))
		}
		if last.StatusCode != http.StatusTooManyRequests {
			t.Errorf("sixth wrong password in a row: %d, want 429", last.StatusCode)
		}
	})
}

// TestContactPageBeforeTheProfile: an applicant who has not filled their
// profile yet sees their e-mail address and is sent to the profile for
// the postal address, and may still change their e-mail address.
func TestContactPageBeforeTheProfile(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "new@example.org", permit.RoleApplicant)}
		res, page := s.get(paths.Contact.String())
		if res.StatusCode != http.StatusOK {
			t.Fatalf("contact page: %d", res.StatusCode)
		}
		mustContain(t, page, "new@example.org", "Compléter mon profil", `id="email"`, `id="password"`)
		mustNotContain(t, page, `id="postcode"`)
		res, _ = s.post(paths.Contact.String(), url.Values{"email": {"newer@example.org"}, "password": {goodPassword}, "postcode": {"69001"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/profil/coordonnees?enregistre&courriel" {
			t.Fatalf("ask: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if _, err := s.db.PersonByAccount(t.Context(), s.account().ID); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("a person was made from the contact page: %v", err)
		}
		if res, _ := s.get(s.lastLink("newer@example.org", "/coordonnees/courriel/")); res.StatusCode != http.StatusOK {
			t.Errorf("confirm: %d", res.StatusCode)
		}
	})
}
