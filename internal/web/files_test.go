package web_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// TestSeveralApplications covers the combinations of the court's order:
// several applications on different grounds coexist; a second open one
// on the same ground is refused with a link to the first; nothing else
// about other applications or earlier permits blocks a new request.
func TestSeveralApplications(t *testing.T) {
	type step struct {
		kind   permit.Kind
		ground string
		status int    // 303 when the draft is created
		want   string // text of the refusal
	}
	tests := []struct {
		name   string
		permit string // ground of the declared permit, "" for none
		before func(s *site, first int64)
		steps  []step
	}{
		{"renewal and change of status side by side", "student", nil, []step{
			{permit.KindRenewal, "student", 303, ""},
			{permit.KindChangeOfStatus, "employee", 303, ""},
		}},
		{"two open applications on one ground", "student", nil, []step{
			{permit.KindRenewal, "student", 303, ""},
			{permit.KindRenewal, "student", 409, "Vous avez déjà une demande en cours sur ce motif."},
		}},
		{"a withdrawn application frees its ground", "student", func(s *site, first int64) {
			s.post(paths.Withdraw.Format(first), url.Values{})
		}, []step{
			{permit.KindRenewal, "student", 303, ""},
			{permit.KindRenewal, "student", 303, ""},
		}},
		{"a card not recorded as collected blocks nothing on another ground", "student", func(s *site, first int64) {
			setState(s, first, permit.StateCardReady)
		}, []step{
			{permit.KindRenewal, "student", 303, ""},
			{permit.KindChangeOfStatus, "employee", 303, ""},
		}},
		{"a refusal on one ground blocks nothing", "student", func(s *site, first int64) {
			setState(s, first, permit.StateUnfavourable)
		}, []step{
			{permit.KindRenewal, "student", 303, ""},
			{permit.KindRenewal, "student", 303, ""},
		}},
		{"first application without any permit", "", nil, []step{
			{permit.KindFirstIssue, "family", 303, ""},
			{permit.KindFirstIssue, "visitor", 303, ""},
		}},
		{"renewal needs the permit it renews", "", nil, []step{
			{permit.KindRenewal, "student", 422, "indiquez d&#39;abord votre titre actuel"},
		}},
		{"renewal is on the permit's ground", "student", nil, []step{
			{permit.KindRenewal, "employee", 422, "Un renouvellement se fait sur le motif de votre titre actuel"},
		}},
		{"change of status to the same ground", "student", nil, []step{
			{permit.KindChangeOfStatus, "student", 422, "choisissez «\u00a0Renouvellement\u00a0»"},
		}},
		{"a kind the ground does not allow", "", nil, []step{
			{permit.KindRenewal, "job_seeker", 422, "Ce type de demande n&#39;existe pas pour ce motif."},
		}},
	}
	eachSite(t, func(t *testing.T, s *site) {
		s.prefecture("75", "75")
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "multi"+strconv.Itoa(i)+"@example.org", permit.RoleApplicant)}
				s.profile("75011", tt.permit, 90)
				var first int64
				for n, st := range tt.steps {
					res, page := s.post(paths.NewApplication.String(), url.Values{"kind": {string(st.kind)}, "ground": {st.ground}})
					if res.StatusCode != st.status {
						t.Fatalf("step %d (%s %s): status %d, want %d\n%s", n+1, st.kind, st.ground, res.StatusCode, st.status, page)
					}
					if st.want != "" {
						mustContain(t, page, st.want)
					}
					if st.status == 409 {
						mustContain(t, page, `href="/demandes/`+strconv.FormatInt(first, 10)+`"`)
					}
					if n == 0 && res.StatusCode == 303 {
						first, _ = strconv.ParseInt(strings.TrimPrefix(res.Header.Get("Location"), "/demandes/"), 10, 64)
						if tt.before != nil {
							tt.before(s, first)
						}
					}
				}
			})
		}
	})
}

// setState moves an application as the prefecture would, for set-ups.
func setState(s *site, id int64, to permit.State) {
	s.t.Helper()
	a, err := s.db.Application(s.t.Context(), id)
	if err != nil {
		s.t.Fatal(err)
	}
	ev := &permit.Event{ApplicationID: id, From: a.State, To: to, Actor: permit.System, At: s.clk.Now(), Reason: "test set-up"}
	a.State = to
	if err := s.db.Files().Transition(s.t.Context(), a, ev); err != nil {
		s.t.Fatal(err)
	}
}

func TestRenewalWindowInWords(t *testing.T) {
	tests := []struct {
		endsIn int
		wants  []string
	}{
		{150, []string{"C&#39;est un peu tôt\u00a0: vous pouvez déposer votre renouvellement à partir du 26 décembre 2026, et jusqu&#39;au 24 février 2027"}},
		{90, []string{"Vous êtes dans le délai\u00a0: déposez votre demande au plus tard le 26 décembre 2026."}},
		{30, []string{"Le délai de renouvellement s&#39;est terminé le 27 octobre 2026", "coûte 180 € de plus", "pas obligée de vous délivrer une attestation de prolongation", "255 €"}},
	}
	eachSite(t, func(t *testing.T, s *site) {
		s.prefecture("75", "75")
		for i, tt := range tests {
			s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "window"+strconv.Itoa(i)+"@example.org", permit.RoleApplicant)}
			s.profile("75011", "student", tt.endsIn)
			id := s.start(permit.KindRenewal, "student")
			_, page := s.get(paths.Application.Format(id))
			mustContain(t, page, tt.wants...)
			if tt.endsIn == 30 {
				// Lateness never blocks filing.
				s.complete(id)
				if res, page := s.post(paths.File.Format(id), nil); res.StatusCode != http.StatusSeeOther {
					t.Fatalf("late filing refused: %d\n%s", res.StatusCode, page)
				}
			}
		}
	})
}

func TestDocuments(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.prefecture("75", "75")
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "docs@example.org", permit.RoleApplicant)}
		s.profile("75011", "student", 90)
		id := s.start(permit.KindRenewal, "student")
		s.uc.Documents.Limits.MaxBytes = 1 << 20
		bad := []struct {
			name string
			data []byte
			want string
		}{
			{"empty.pdf", nil, "Le fichier est vide."},
			{"programme.pdf", append([]byte("\x7fELF\x02\x01\x01"), bytes.Repeat([]byte{0x90}, 512)...), "Ce type de fichier n&#39;est pas accepté"},
			{"faux.pdf", []byte("%PDF-1.7\nthis is not a pdf at all"), "Ce PDF est endommagé"},
			{"coupee.png", pngFile(t)[:60], "Cette image est endommagée"},
			{"enorme.png", append(pngFile(t), make([]byte, 1<<20)...), "Le fichier est trop gros\u00a0: 1 Mo au plus."},
		}
		for _, b := range bad {
			res, page := s.upload(id, "passport", b.name, b.data)
			if res.StatusCode != 422 {
				t.Fatalf("%s: status %d", b.name, res.StatusCode)
			}
			mustContain(t, page, b.want, `id="file-passport"`, `aria-invalid="true"`, `href="#file-passport"`)
		}
		if docs, _ := s.db.Documents(t.Context(), id); len(docs) != 0 {
			t.Fatalf("refused files were kept: %+v", docs)
		}
		s.upload(id, "passport", "../../passeport Zoë.png", pngFile(t))
		s.upload(id, "passport", "passeport-v2.png", pngFile(t))
		_, page := s.get(paths.Application.Format(id))
		// Both pages are current files of the slot, each removable alone.
		mustContain(t, page, "Passeport, fichier 1 sur 2", "Passeport, fichier 2 sur 2", "passeport-v2.png", "Ajouter un autre fichier",
			"Retirer le fichier\u00a0: Passeport, fichier 2 sur 2", "Fichier ajouté\u00a0: \u2068passeport_Zoë.png\u2069", "Fichier ajouté\u00a0: \u2068passeport-v2.png\u2069")
		docs, _ := s.db.Documents(t.Context(), id)
		if res, _ := s.post(paths.RemoveDocument.Format(id, "passport"), url.Values{"document": {strconv.FormatInt(docs[1].ID, 10)}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("remove: %d", res.StatusCode)
		}
		docs, _ = s.db.Documents(t.Context(), id)
		if len(docs) != 2 || docs[1].RemovedAt == nil || !docs[0].Current() || docs[0].Filename != "passeport_Zoë.png" {
			t.Fatalf("versions: %+v", docs)
		}
		_, page = s.get(paths.Application.Format(id))
		mustContain(t, page, "passeport_Zoë.png", "Fichier retiré\u00a0: \u2068passeport-v2.png\u2069")
		res, _ := s.get(paths.Download.FormatIDs(id, docs[0].ID))
		cd := res.Header.Get("Content-Disposition")
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(cd, `attachment; filename="passeport_Zo_.png"`) ||
			!strings.Contains(cd, "filename*=UTF-8''passeport_Zo%c3%ab.png") {
			t.Fatalf("download: %d %v", res.StatusCode, res.Header)
		}
		// The quota counts every version.
		s.uc.Documents.Quota = 100
		res, page = s.upload(id, "passport", "p.png", pngFile(t))
		if res.StatusCode != 422 || !strings.Contains(page, "limite de") {
			t.Fatalf("quota: %d", res.StatusCode)
		}
	})
}

func TestFilingOnceWithReceipt(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.prefecture("75", "75")
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "file@example.org", permit.RoleApplicant)}
		s.profile("75011", "student", 90)
		id := s.start(permit.KindRenewal, "student")
		res, page := s.post(paths.File.Format(id), nil)
		if res.StatusCode != 422 {
			t.Fatalf("filing an empty draft: %d", res.StatusCode)
		}
		mustContain(t, page, "Des pièces manquent", "Enregistrez le numéro de votre timbre fiscal")
		if res, page := s.post(paths.FeeStamp.Format(id), url.Values{"fee_stamp": {"1234"}}); res.StatusCode != 422 || !strings.Contains(page, "16 chiffres") {
			t.Fatalf("short stamp: %d", res.StatusCode)
		}
		s.complete(id)
		for i := 0; i < 2; i++ { // a double click files once
			res, _ = s.post(paths.File.Format(id), nil)
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != paths.Receipt.Format(id) {
				t.Fatalf("filing %d: %d %q", i+1, res.StatusCode, res.Header.Get("Location"))
			}
		}
		if fs, _ := s.db.Filings(t.Context(), id); len(fs) != 1 {
			t.Fatalf("filed %d times", len(fs))
		}
		_, page = s.get(paths.Receipt.Format(id))
		mustContain(t, page, "Attestation de dépôt", "Elle ne prouve pas, à elle seule, que votre séjour est régulier.",
			"DEP-2026-", "26 novembre 2026", "26 mars 2027", "Zoë N&#39;Diaye")
		res, pdf := s.get(paths.ReceiptPDF.Format(id))
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF-") {
			t.Fatalf("receipt PDF: %d %v", res.StatusCode, res.Header)
		}
		_, page = s.get(paths.Dashboard.String())
		mustContain(t, page, "Déposée", "La préfecture vérifie que votre dossier est complet.", "Qui agit\u00a0: La préfecture",
			"Sans réponse d&#39;ici le 26 mars 2027\u00a0: refus implicite.")
		// The file is frozen once filed.
		if res, _ := s.upload(id, "passport", "p.png", pngFile(t)); res.StatusCode != http.StatusConflict {
			t.Fatalf("upload after filing: %d", res.StatusCode)
		}
		var mailed bool
		mails, _ := s.db.Mails().RecentMails(t.Context(), 10)
		for _, m := range mails {
			mailed = mailed || (m.To == "file@example.org" && strings.Contains(m.Text, "/recepisse"))
		}
		if !mailed {
			t.Fatal("the applicant was not told by mail")
		}
	})
}

func TestCompletionRoundTrip(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		pref := s.prefecture("75", "75")
		id := s.applicantWithFiling("complete@example.org")
		applicant := s.cookie
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "agent@pref.example", permit.RoleAgent, pref.ID)}
		if res, _ := s.post(paths.CaseStartReview.Format(id), nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("start review: %d", res.StatusCode)
		}
		due := s.clk.Now().AddDate(0, 0, 20).Format(time.DateOnly)
		res, page := s.post(paths.CaseAskDocuments.Format(id), url.Values{"reason": {"x"}})
		if res.StatusCode != 422 {
			t.Fatalf("incomplete request: %d", res.StatusCode)
		}
		mustContain(t, page, "Choisissez au moins une pièce.", "Choisissez une date limite")
		res, _ = s.post(paths.CaseAskDocuments.Format(id),
			url.Values{"slots": {"payslips", "passport"}, "reason": {"Vos bulletins de salaire manquent."}, "due_on": {due}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("request completion: %d", res.StatusCode)
		}
		s.cookie = applicant
		_, page = s.get(paths.Application.Format(id))
		mustContain(t, page, "La préfecture vous demande des pièces", "Vos bulletins de salaire manquent.", "16 décembre 2026",
			"Demandée par la préfecture", "Bulletins de salaire")
		if res, page := s.post(paths.Resubmit.Format(id), nil); res.StatusCode != 422 || !strings.Contains(page, "Envoyez d&#39;abord chaque pièce demandée") {
			t.Fatalf("resubmitting without the documents: %d", res.StatusCode)
		}
		s.clk.Advance(time.Hour)
		for _, slot := range []string{"payslips", "passport"} {
			if res, page := s.upload(id, slot, slot+".png", pngFile(t)); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("upload %s: %d\n%s", slot, res.StatusCode, page)
			}
		}
		if res, _ := s.post(paths.Resubmit.Format(id), nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("resubmit: %d", res.StatusCode)
		}
		a, _ := s.db.Application(t.Context(), id)
		if a.State != permit.StateUnderReview {
			t.Fatalf("state after completion: %s", a.State)
		}
		_, page = s.get(paths.Application.Format(id))
		mustContain(t, page, "Étape\u00a0: Pièces demandées", "Étape\u00a0: En cours d&#39;examen", "Vos bulletins de salaire manquent.")
	})
}

func TestWithdraw(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.prefecture("75", "75")
		id := s.applicantWithFiling("withdraw@example.org")
		_, page := s.get(paths.Withdraw.Format(id))
		mustContain(t, page, "Oui, retirer cette demande", "Non, garder ma demande", "Vos autres demandes ne changent pas.")
		res, _ := s.post(paths.Withdraw.Format(id), url.Values{"reason": {"J'ai trouvé un autre motif."}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/tableau-de-bord?retiree" {
			t.Fatalf("withdraw: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		_, page = s.get(paths.Dashboard.String() + "?retiree")
		mustContain(t, page, "Votre demande est retirée.", "Retirée")
		if res, _ := s.post(paths.Withdraw.Format(id), nil); res.StatusCode != http.StatusConflict {
			t.Fatalf("withdrawing twice: %d", res.StatusCode)
		}
	})
}

func TestMessages(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		pref := s.prefecture("75", "75")
		id := s.applicantWithFiling("talk@example.org")
		applicant := s.cookie
		agent := loggedIn(t, s, "agent@pref.example", permit.RoleAgent, pref.ID)
		res, page := s.postMultipart(paths.Messages.Format(id), map[string]string{"body": "Voici mon nouveau bail."}, "attachment", "bail.pdf", []byte("not a pdf"))
		if res.StatusCode != 422 || !strings.Contains(page, "Ce type de fichier n&#39;est pas accepté") || !strings.Contains(page, "Voici mon nouveau bail.") {
			t.Fatalf("bad attachment: %d", res.StatusCode)
		}
		if msgs, _ := s.db.Messages(t.Context(), id); len(msgs) != 0 {
			t.Fatal("a refused message was kept")
		}
		res, _ = s.postMultipart(paths.Messages.Format(id), map[string]string{"body": "Voici mon nouveau bail."}, "attachment", "bail.png", pngFile(t))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("message: %d", res.StatusCode)
		}
		s.cookie = map[string]string{web.SessionCookie: agent}
		_, page = s.get(paths.Case.Format(id))
		mustContain(t, page, "Voici mon nouveau bail.", "bail.png")
		res, _ = s.postMultipart(paths.CaseMessages.Format(id), map[string]string{"body": "Bien reçu, merci."}, "attachment", "", nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("agent message: %d", res.StatusCode)
		}
		s.cookie = applicant
		_, page = s.get(paths.Application.Format(id))
		mustContain(t, page, "Bien reçu, merci.", "La préfecture")
		to := map[string]bool{}
		mails, _ := s.db.Mails().RecentMails(t.Context(), 20)
		for _, m := range mails {
			to[m.To+" "+m.Subject] = true
		}
		if !to["agent@pref.example Nouveau message sur la demande n° "+strconv.FormatInt(id, 10)] || !to["talk@example.org Nouveau message de la préfecture – sejour"] {
			t.Fatalf("the other side was not told: %v", to)
		}
	})
}

// TestOtherPeoplesFilesAreNotFound tries every route of an application
// with another applicant's session, and the back-office routes with an
// agent of another prefecture: all answer "not found".
func TestOtherPeoplesFilesAreNotFound(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.prefecture("75", "75")
		other := s.prefecture("69", "69")
		id := s.applicantWithFiling("owner@example.org")
		docs, _ := s.db.Documents(t.Context(), id)
		intruder := loggedIn(t, s, "intruder@example.org", permit.RoleApplicant)
		outsider := loggedIn(t, s, "agent69@pref.example", permit.RoleAgent, other.ID)
		atts, _ := s.db.Attestations(t.Context(), id)
		fill := strings.NewReplacer("{id}", strconv.FormatInt(id, 10), "{doc}", strconv.FormatInt(docs[0].ID, 10), "{slot}", docs[0].Slot,
			"{att}", strconv.FormatInt(atts[0].ID, 10))
		for _, rt := range s.srv.Routes() {
			if !strings.Contains(rt.Pattern, "{id}") || rt.Who == web.DevOnly {
				continue
			}
			method, path, _ := strings.Cut(rt.Pattern, " ")
			s.cookie = map[string]string{web.SessionCookie: intruder}
			if rt.Who == web.Staff {
				s.cookie = map[string]string{web.SessionCookie: outsider}
			}
			var res *http.Response
			if method == "POST" {
				res, _ = s.post(fill.Replace(path), url.Values{"body": {"x"}, "reason": {"x"}})
			} else {
				res, _ = s.get(fill.Replace(path))
			}
			want := http.StatusNotFound
			if rt.Who == web.APIClient {
				want = http.StatusUnauthorized // a session is no API key
			}
			if res.StatusCode != want {
				t.Errorf("%s by someone else: %d, want %d", rt.Pattern, res.StatusCode, want)
			}
		}
		if a, _ := s.db.Application(t.Context(), id); a.State != permit.StateSubmitted {
			t.Fatalf("someone else changed the application: %s", a.State)
		}
	})
}
