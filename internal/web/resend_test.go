package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

var onceRe = regexp.MustCompile(`name="` + web.OnceField + `" value="([A-Z2-7]{26})"`)

// onceKey is the one-time key of the form a page shows.
func onceKey(t *testing.T, page string) string {
	t.Helper()
	m := onceRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no one-time key in the page:\n%s", page)
	}
	return m[1]
}

// TestResendsAreRecognised sends each form that creates something twice
// with the same one-time key, as a browser does when the answer to the
// first send was lost: the second send answers as the first did and
// makes nothing (issue 13, item 14: 9 of 26 messages cut by a kill had
// committed, and their resend made a duplicate).
func TestResendsAreRecognised(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.prefecture("75", "75")
		id := s.applicantWithFiling("zoe@example.org")
		twice := func(what string, send func() *http.Response) string {
			t.Helper()
			first, second := send(), send()
			if first.StatusCode != http.StatusSeeOther || second.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: %d then %d", what, first.StatusCode, second.StatusCode)
			}
			if what != "report" && first.Header.Get("Location") != second.Header.Get("Location") {
				t.Fatalf("%s: the resend leads to %q, the first send to %q", what, second.Header.Get("Location"), first.Header.Get("Location"))
			}
			return second.Header.Get("Location")
		}

		_, page := s.get(paths.Application.Format(id))
		key := onceKey(t, page)
		before := s.rows("messages")
		twice("message", func() *http.Response {
			res, _ := s.postMultipart(paths.Messages.Format(id), map[string]string{"body": "Voici mon bail.", web.OnceField: key}, "attachment", "", nil)
			return res
		})
		if n := s.rows("messages") - before; n != 1 {
			t.Fatalf("one message sent twice with its key: %d messages", n)
		}
		// The page shows a new key: the next message is a new one.
		_, page = s.get(paths.Application.Format(id))
		if next := onceKey(t, page); next == key {
			t.Fatal("the page shows the same key again")
		} else if res, _ := s.postMultipart(paths.Messages.Format(id), map[string]string{"body": "Voici mon bail.", web.OnceField: next}, "attachment", "", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("a second message: %d", res.StatusCode)
		}
		if n := s.rows("messages") - before; n != 2 {
			t.Fatalf("two messages with two keys: %d messages", n)
		}
		// A message refused (empty) keeps its key, which then makes one.
		res, page := s.postMultipart(paths.Messages.Format(id), map[string]string{"body": " ", web.OnceField: "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}, "attachment", "", nil)
		if res.StatusCode != http.StatusUnprocessableEntity || onceKey(t, page) != "ABCDEFGHIJKLMNOPQRSTUVWXYZ" {
			t.Fatalf("a refused message: %d, key %q", res.StatusCode, onceKey(t, page))
		}

		_, page = s.get(paths.NewApplication.String())
		key = onceKey(t, page)
		before = s.rows("applications")
		loc := twice("application", func() *http.Response {
			res, _ := s.post(paths.NewApplication.String(), url.Values{"kind": {string(permit.KindFirstIssue)}, "ground": {"visitor"}, web.OnceField: {key}})
			return res
		})
		if n := s.rows("applications") - before; n != 1 || !strings.HasPrefix(loc, "/demandes/") {
			t.Fatalf("one application started twice with its key: %d applications, to %q", n, loc)
		}

		_, page = s.get(paths.Report.String())
		key = onceKey(t, page)
		before = s.rows("reports")
		loc = twice("report", func() *http.Response {
			res, _ := s.postMultipart(paths.Report.String(), map[string]string{"category": "attestation", "description": "Rien ne marche",
				web.OnceField: key}, "screenshot", "", nil)
			return res
		})
		if n := s.rows("reports") - before; n != 1 || !strings.HasPrefix(loc, "/mes-signalements/") {
			t.Fatalf("one report sent twice with its key: %d reports, the resend to %q", n, loc)
		}

		// Without an account, a resent report leads to the page where the
		// code shown the first time is typed.
		s.cookie = map[string]string{}
		_, page = s.get(paths.Report.String())
		key = onceKey(t, page)
		send := func() *http.Response {
			res, _ := s.postMultipart(paths.Report.String(), map[string]string{"category": "attestation", "description": "Rien ne marche",
				"email": "yann@example.org", web.OnceField: key}, "screenshot", "", nil)
			return res
		}
		first := send()
		follow := first.Header.Get("Location")
		loc = twice("report", send)
		if n := s.rows("reports") - before; n != 2 || !strings.HasPrefix(follow, "/suivi/") || loc != paths.Follow.String()+"?deja" {
			t.Fatalf("an anonymous report sent thrice: %d reports, to %q then %q", n, follow, loc)
		}
		_, page = s.get(loc)
		mustContain(t, page, "Ce signalement a déjà été reçu")

		follow = strings.TrimSuffix(follow, "?cree")
		_, page = s.get(follow)
		key = onceKey(t, page)
		before = s.rows("report_events")
		twice("reply", func() *http.Response {
			res, _ := s.post(follow, url.Values{"body": {"Toujours rien."}, web.OnceField: {key}})
			return res
		})
		if n := s.rows("report_events") - before; n != 1 {
			t.Fatalf("one reply sent twice with its key: %d events", n)
		}
	})
}
