package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// The words of the boundary's refusals, in French.
const (
	controlRefused = "caractère invisible (caractère de contrôle)"
	bidiRefused    = "change le sens de lecture du texte"
)

// rows counts the rows of a table, straight from the database.
func (s *site) rows(table string) int {
	s.t.Helper()
	var n int
	if err := s.db.SQL().QueryRowContext(s.t.Context(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

// TestControlCharactersRefusedAtTheBoundary posts a NUL (refused by
// PostgreSQL: a server fault and an incident each time before) and other
// control characters in every kind of form a person fills in, anonymous
// or not, urlencoded or multipart: each comes back as the form with the
// error beside the field and what was typed, nothing is stored, and no
// incident is recorded (issue 13, item 9).
func TestControlCharactersRefusedAtTheBoundary(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		before := map[string]int{}
		for _, table := range []string{"accounts", "reports", "persons", "messages", "incidents"} {
			before[table] = s.rows(table)
		}
		refused := func(what string, res *http.Response, page string, wants ...string) {
			t.Helper()
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("%s: %d, want 422\n%s", what, res.StatusCode, page)
			}
			mustContain(t, page, wants...)
		}

		res, page := s.post(paths.LogIn.String(), url.Values{"email": {"zoe\x00@example.org"}, "password": {goodPassword}})
		refused("log-in", res, page, controlRefused, `aria-invalid="true"`, "zoe\uFFFD@example.org")
		res, page = s.post(paths.SignUp.String(), url.Values{"email": {"zoe@example.org\x00"}, "password": {goodPassword}, "confirm": {goodPassword}})
		refused("sign-up", res, page, controlRefused, "zoe@example.org\uFFFD")
		res, page = s.post(paths.Forgot.String(), url.Values{"email": {"zoe\x00@example.org"}})
		refused("reset request", res, page, controlRefused)
		res, page = s.postMultipart(paths.Report.String(), map[string]string{"category": "attestation",
			"description": "Rien ne marche\x00", "email": "zoe@example.org"}, "screenshot", "", nil)
		refused("report", res, page, controlRefused, "Rien ne marche\uFFFD", `value="zoe@example.org"`)
		res, page = s.postMultipart(paths.Report.String(), map[string]string{"category": "attestation",
			"description": "Rien ne marche", "email": "zoe@example.org"}, "screenshot", "capture\u202egnp.exe", pngFile(t))
		refused("screenshot's name", res, page, bidiRefused, `id="screenshot-error"`)

		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "zoe@example.org", permit.RoleApplicant)}
		person := url.Values{"given_names": {"Zoë"}, "surname": {"N'Diaye"}, "birth_date": {"1999-02-03"}, "birth_place": {"Dakar"},
			"nationality": {"sen"}, "address_line": {"3 rue des Lilas"}, "postcode": {"75011"}, "city": {"Paris"}}
		for _, c := range []struct{ name, value, want string }{
			{"NUL", "N'Di\x00aye", controlRefused},
			{"BEL", "N'Diaye\a", controlRefused},
			{"line break", "N'Diaye\nX", controlRefused},
			{"right-to-left override", "N'Diaye\u202egpj.exe", bidiRefused},
			{"right-to-left mark", "\u200fN'Diaye", bidiRefused},
		} {
			form := url.Values{}
			for k, v := range person {
				form[k] = v
			}
			form.Set("surname", c.value)
			res, page = s.post(paths.Profile.String(), form)
			refused("profile, "+c.name, res, page, c.want, `id="surname-error"`, `value="Zoë"`)
		}
		if p, err := s.db.PersonByAccount(t.Context(), s.account().ID); err == nil {
			t.Fatalf("a refused profile was stored: %+v", p)
		}

		s.prefecture("75", "75")
		id := s.renewalFiled("yann@example.org", 365)
		res, page = s.postMultipart(paths.Messages.Format(id), map[string]string{"body": "Bonjour\x00, voici"}, "attachment", "", nil)
		refused("message", res, page, controlRefused, "Bonjour\uFFFD, voici")
		// A message is multi-line: its tabs and line breaks are text, and
		// so is a right-to-left mark in Arabic or Hebrew.
		res, page = s.postMultipart(paths.Messages.Format(id), map[string]string{"body": "Bonjour,\r\n\tvoici \u200fمرحبا"}, "attachment", "", nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("a multi-line message: %d\n%s", res.StatusCode, page)
		}

		for table, n := range before {
			want := n
			switch table {
			case "accounts":
				want += 2 // the two logged in above
			case "persons":
				want++ // the filer's
			case "messages":
				want++ // the multi-line one
			}
			if got := s.rows(table); got != want {
				t.Errorf("%s: %d rows, want %d", table, got, want)
			}
		}
	})
}

// TestControlCharactersInAddressesRefused: a NUL in a query (a search, a
// filter) is refused before any page reads it.
func TestControlCharactersInAddressesRefused(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		res, page := s.get(paths.Report.String() + "?page=%2F&ref=ERR%00")
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "caractère de contrôle ou illisible") {
			t.Fatalf("a NUL in the query: %d\n%s", res.StatusCode, page)
		}
		if n := s.rows("incidents"); n != 0 {
			t.Fatalf("%d incidents", n)
		}
	})
}

// TestOverlongFieldsSaySo: a message of 100 KB came back as "write your
// message", its text dropped on the way (issue 13, item 14). It says it
// is too long, with the limit, and shows the text again.
func TestOverlongFieldsSaySo(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.prefecture("75", "75")
		id := s.applicantWithFiling("zoe@example.org")
		long := strings.Repeat("Mon titre de séjour expire bientôt. ", 2900) // about 100 KB
		res, page := s.postMultipart(paths.Messages.Format(id), map[string]string{"body": long}, "attachment", "", nil)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a 100 KB message: %d", res.StatusCode)
		}
		mustContain(t, page, "Le message est trop long : 5 000 caractères au plus.", strings.Repeat("Mon titre de séjour expire bientôt. ", 10))
		mustNotContain(t, page, "Écrivez votre message.")

		// Beyond what the boundary reads for one field (256 KB), it says
		// so itself.
		huge := strings.Repeat("x", 300<<10)
		res, page = s.postMultipart(paths.Messages.Format(id), map[string]string{"body": huge}, "attachment", "", nil)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a 300 KB message: %d", res.StatusCode)
		}
		mustContain(t, page, "Ce texte est trop long : 256 Ko au plus pour un champ.")

		// An urlencoded form too: a reason of 30 KB (the whole form used to
		// be refused over 16 KB, as unreadable).
		res, page = s.post(paths.Withdraw.Format(id), url.Values{"reason": {strings.Repeat("motif ", 5000)}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a 30 KB reason: %d\n%s", res.StatusCode, page)
		}
		mustContain(t, page, "Ce texte est trop long.", "motif motif motif")
	})
}
