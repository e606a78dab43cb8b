package web_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

func TestApplicantTakesAllTheirData(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		d := newDesk(t, s, "mydata@example.org")
		d.step(paths.CaseRefuse, url.Values{"reasons": {"fraud"}, "note": {"Faux bulletin de salaire."}}, http.StatusSeeOther)
		s.cookie = d.applicant
		if res, page := s.postMultipart(paths.Messages.Format(d.id), map[string]string{"body": "Je conteste."}, "attachment", "lettre.png", pngFile(t)); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("message: %d\n%s", res.StatusCode, page)
		}
		// A name correction, accepted: its request, evidence and the
		// former value are part of the data.
		corr := d.askCorrection("Ndiaye")
		s.cookie = d.agent
		if res, _ := s.post(paths.CorrectionAccept.Format(corr), nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("correction: %d", res.StatusCode)
		}
		s.cookie = d.applicant
		// A report of a problem, with a screenshot.
		if res, page := s.postMultipart(paths.Report.String(), map[string]string{"category": "attestation", "description": "Mon attestation n'arrive pas."},
			"screenshot", "ecran.png", pngFile(t)); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("report: %d\n%s", res.StatusCode, page)
		}
		res, page := s.get(paths.MyData.String())
		if res.StatusCode != 200 {
			t.Fatalf("my data: %d", res.StatusCode)
		}
		mustContain(t, page, "Télécharger mes données (zip)", "donnees.json")

		res, body := s.get(paths.MyDataArchive.String())
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/zip" || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("export: %d %v", res.StatusCode, res.Header)
		}
		zr, err := zip.NewReader(bytes.NewReader([]byte(body)), int64(len(body)))
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			files[f.Name], _ = io.ReadAll(rc)
			rc.Close()
		}
		var data struct {
			Format  string `json:"format"`
			Account struct{ Email string }
			Person  struct {
				Surname string `json:"surname"`
			}
			Permits     []struct{ Number string }
			DataHistory []struct {
				Field  string
				Old    string `json:"former_value"`
				New    string `json:"new_value"`
				Source string
			} `json:"data_history"`
			Reports []struct {
				Reference  string
				Category   string
				Thread     []struct{ Kind, Text string }
				Screenshot string `json:"screenshot_in_this_archive"`
			}
			Corrections []struct {
				Status   string
				Values   map[string]string `json:"requested_values"`
				Evidence string            `json:"evidence_in_this_archive"`
			} `json:"correction_requests"`
			Applications []struct {
				Number    int64
				State     string
				PhotoCode string `json:"photo_code"`
				History   []struct{ To, By string }
				Filings   []struct {
					Number   string
					Snapshot json.RawMessage `json:"what_was_filed"`
				}
				Documents []struct {
					SHA256  string
					Current bool
					File    string `json:"file_in_this_archive"`
				}
				Messages []struct {
					Body  string
					Files []string `json:"files_in_this_archive"`
				}
				Attestations []struct {
					Kind string
					Code string `json:"signed_code"`
				}
				Decision *struct {
					Outcome   string
					Reasons   []string
					Statement string
				}
			}
		}
		if err := json.Unmarshal(files["sejour/donnees.json"], &data); err != nil {
			t.Fatalf("donnees.json: %v\n%s", err, files["sejour/donnees.json"])
		}
		if data.Format != "sejour-export/1" || data.Account.Email != "mydata@example.org" || data.Person.Surname != "Ndiaye" || len(data.Permits) != 1 {
			t.Fatalf("export header: %+v", data)
		}
		if len(data.DataHistory) != 1 || data.DataHistory[0].Field != "surname" || data.DataHistory[0].Old != "N'Diaye" || data.DataHistory[0].Source != "correction" {
			t.Fatalf("exported history: %+v", data.DataHistory)
		}
		if len(data.Reports) != 1 || data.Reports[0].Category != "attestation" || len(data.Reports[0].Thread) == 0 ||
			!strings.HasPrefix(data.Reports[0].Reference, "SIG-") || !bytes.Equal(files["sejour/"+data.Reports[0].Screenshot], pngFile(t)) {
			t.Fatalf("exported reports: %+v", data.Reports)
		}
		if len(data.Corrections) != 1 || data.Corrections[0].Status != "accepted" || data.Corrections[0].Values["surname"] != "Ndiaye" ||
			!bytes.Equal(files["sejour/"+data.Corrections[0].Evidence], pngFile(t)) {
			t.Fatalf("exported corrections: %+v", data.Corrections)
		}
		if len(data.Applications) != 1 {
			t.Fatalf("%d applications", len(data.Applications))
		}
		a := data.Applications[0]
		if a.Number != d.id || a.State != string(permit.StateUnfavourable) || a.Decision == nil || a.Decision.Statement != "Faux bulletin de salaire." ||
			len(a.Filings) != 1 || !strings.Contains(string(a.Filings[0].Snapshot), "N'Diaye") || len(a.Attestations) == 0 ||
			!strings.HasPrefix(a.Attestations[0].Code, "SJ1:") || len(a.History) < 3 {
			t.Fatalf("exported application: %+v", a)
		}
		if len(a.Documents) == 0 || a.PhotoCode == "" {
			t.Fatalf("no documents exported, or no e-photo code (%q)", a.PhotoCode)
		}
		for _, doc := range a.Documents {
			if !doc.Current {
				t.Errorf("document %s is exported as not current, though nothing replaced or removed it", doc.File)
			}
			content, ok := files["sejour/"+doc.File]
			sum := sha256.Sum256(content)
			if !ok || hex.EncodeToString(sum[:]) != doc.SHA256 {
				t.Fatalf("document %s missing or altered in the archive", doc.File)
			}
		}
		if len(a.Messages) != 1 || a.Messages[0].Body != "Je conteste." || len(a.Messages[0].Files) != 1 || files["sejour/"+a.Messages[0].Files[0]] == nil {
			t.Fatalf("exported messages: %+v", a.Messages)
		}
		for _, leak := range []string{"agent-mydata@example.org", "password", "hash"} {
			if strings.Contains(string(files["sejour/donnees.json"]), leak) {
				t.Fatalf("the export contains %q", leak)
			}
		}

		// Another applicant's export holds only their own data; staff cannot export.
		s.cookie = map[string]string{web.SessionCookie: loggedIn(t, s, "someone-else@example.org", permit.RoleApplicant)}
		_, body = s.get(paths.MyDataArchive.String())
		zr, err = zip.NewReader(bytes.NewReader([]byte(body)), int64(len(body)))
		if err != nil || len(zr.File) != 1 {
			t.Fatalf("another applicant's export: %v, %d files", err, len(zr.File))
		}
		rc, _ := zr.File[0].Open()
		other, _ := io.ReadAll(rc)
		if !strings.Contains(string(other), "someone-else@example.org") || strings.Contains(string(other), "N'Diaye") || strings.Contains(string(other), "mydata@example.org") {
			t.Fatalf("another applicant's export:\n%s", other)
		}
		s.cookie = d.agent
		if res, _ := s.get(paths.MyDataArchive.String()); res.StatusCode != http.StatusNotFound {
			t.Fatalf("an agent's export: %d", res.StatusCode)
		}
	})
}
