package web_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// pngFile is a small valid PNG, accepted for any document.
func pngFile(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := 0; x < 40; x++ {
		img.Set(x, x%30, color.RGBA{200, 10, 10, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// prefecture makes the Paris prefecture, competent for department 75.
func (s *site) prefecture(code, dept string) *permit.Prefecture {
	s.t.Helper()
	p := &permit.Prefecture{Code: code, Name: "Préfecture " + code, Departments: []string{dept}}
	if err := s.db.Files().CreatePrefecture(s.t.Context(), p); err != nil {
		s.t.Fatal(err)
	}
	return p
}

// profile fills the logged-in applicant's profile through the page, with
// an address in postcode and, when ground is set, a permit that began a
// year ago and ends in endsIn days.
func (s *site) profile(postcode string, ground string, endsIn int) {
	s.t.Helper()
	s.profileWithCard(postcode, ground, 365, endsIn)
}

// profileWithCard is profile with a permit that began fromDaysAgo days ago.
func (s *site) profileWithCard(postcode string, ground string, fromDaysAgo, endsIn int) {
	s.t.Helper()
	form := url.Values{"given_names": {"Zoë"}, "surname": {"N'Diaye"}, "birth_date": {"1999-02-03"}, "birth_place": {"Dakar, Sénégal"},
		"nationality": {"sen"}, "address_line": {"3 rue des Lilas"}, "postcode": {postcode}, "city": {"Paris"}}
	if ground != "" {
		now := s.clk.Now()
		form.Set("has_permit", "oui")
		form.Set("permit_ground", ground)
		form.Set("permit_number", "AB1234567")
		form.Set("permit_from", now.AddDate(0, 0, -fromDaysAgo).Format("2006-01-02"))
		form.Set("permit_to", now.AddDate(0, 0, endsIn).Format("2006-01-02"))
	}
	res, page := s.post(paths.Profile.String(), form)
	if res.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("profile: %d\n%s", res.StatusCode, page)
	}
}

var appPath = regexp.MustCompile(`^/demandes/(\d+)$`)

// start begins an application through the page and returns its id.
func (s *site) start(kind permit.Kind, ground string) int64 {
	s.t.Helper()
	res, page := s.post(paths.NewApplication.String(), url.Values{"kind": {string(kind)}, "ground": {ground}})
	m := appPath.FindStringSubmatch(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || m == nil {
		s.t.Fatalf("start %s %s: %d %q\n%s", kind, ground, res.StatusCode, res.Header.Get("Location"), page)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// upload sends a file for one document of an application.
func (s *site) upload(id int64, slot, name string, data []byte) (*http.Response, string) {
	s.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("file-"+slot, name)
	fw.Write(data)
	mw.Close()
	req := httptest.NewRequest("POST", paths.Upload.Format(id, slot), &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res := s.do(req)
	return res, body(s.t, res)
}

// complete uploads every required document and the fee stamp.
func (s *site) complete(id int64) {
	s.t.Helper()
	c, err := s.uc.Applications.View(s.t.Context(), s.account(), id)
	if err != nil {
		s.t.Fatal(err)
	}
	for _, it := range c.Checklist {
		if !it.Doc.TakesFiles() { // the photo, given as its e-photo code
			if res, page := s.post(paths.FeeStamp.Format(id), photoCodeForm(id)); res.StatusCode != http.StatusSeeOther {
				s.t.Fatalf("e-photo code: %d\n%s", res.StatusCode, page)
			}
			continue
		}
		if res, page := s.upload(id, it.Doc.ID, it.Doc.ID+".png", pngFile(s.t)); res.StatusCode != http.StatusSeeOther {
			s.t.Fatalf("upload %s: %d\n%s", it.Doc.ID, res.StatusCode, page)
		}
	}
	if res, _ := s.post(paths.FeeStamp.Format(id), url.Values{"fee_stamp": {feeStamp(id)}}); res.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("fee stamp: %d", res.StatusCode)
	}
}

// photoCodeForm is the form that saves an e-photo code of the catalogue's
// shape (22 letters and digits), as its "Save the code" button posts it.
func photoCodeForm(n int64) url.Values {
	return url.Values{"photo_code": {fmt.Sprintf("EP%020d", n)}, "enregistrer": {"photo_code"}}
}

// feeStamp is application id's own timbre fiscal number, typed in groups
// of four: a stamp is used once across the portal.
func feeStamp(id int64) string {
	return fmt.Sprintf("4000 0000 %04d %04d", id/10000%10000, id%10000)
}

// account is the account of the site's session.
func (s *site) account() *permit.Account {
	s.t.Helper()
	a, err := s.uc.Accounts.Authenticate(s.t.Context(), s.cookie[web.SessionCookie])
	if err != nil {
		s.t.Fatalf("not logged in: %v", err)
	}
	return a
}

// applicantWithFiling logs in a new applicant in department 75 holding a
// student permit, and files a renewal; it returns the application's id.
func (s *site) applicantWithFiling(email string) int64 {
	s.t.Helper()
	return s.renewalFiled(email, 365)
}

// renewalFiled is applicantWithFiling with a permit that began
// fromDaysAgo days ago (and ends in 90 days).
func (s *site) renewalFiled(email string, fromDaysAgo int) int64 {
	s.t.Helper()
	s.cookie = map[string]string{web.SessionCookie: loggedIn(s.t, s, email, permit.RoleApplicant)}
	s.profileWithCard("75011", "student", fromDaysAgo, 90)
	id := s.start(permit.KindRenewal, "student")
	s.complete(id)
	if res, page := s.post(paths.File.Format(id), nil); res.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("file: %d\n%s", res.StatusCode, page)
	}
	return id
}

// sealed is the application's latest attestation of kind, which must be
// signed (its code in the current SJ1 format).
func (s *site) sealed(appID int64, kind permit.AttestationKind) *permit.Attestation {
	s.t.Helper()
	atts, err := s.db.Attestations(s.t.Context(), appID)
	if err != nil {
		s.t.Fatal(err)
	}
	var last *permit.Attestation
	for _, a := range atts {
		if a.Kind == kind {
			last = a
		}
	}
	if last == nil || !strings.HasPrefix(last.Code, "SJ1:") {
		s.t.Fatalf("no sealed %s attestation: %+v", kind, atts)
	}
	return last
}

// postMultipart posts a multipart form with one file field.
func (s *site) postMultipart(path string, fields map[string]string, fileField, name string, data []byte) (*http.Response, string) {
	s.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if name != "" {
		fw, _ := mw.CreateFormFile(fileField, name)
		fw.Write(data)
	}
	mw.Close()
	req := httptest.NewRequest("POST", path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res := s.do(req)
	return res, body(s.t, res)
}
