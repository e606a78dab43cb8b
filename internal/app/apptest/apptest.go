// Package apptest makes, for the tests that run the whole program (the
// app's own and the fault tests, which kill it), what people did before
// the test begins: the Paris prefecture, an applicant with a profile and
// a draft renewal ready to file, and a scan the upload checks accept; and
// it serves the program until the test ends. It
// takes the program's parts rather than app.Main, so that app's own tests
// can use it too.
package apptest

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/demo"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/store"
)

// Program is what Serve needs of the program (app.Main).
type Program interface {
	Open(context.Context) error
	Serve(context.Context) error
}

// Serve opens the program and serves it until the test ends.
func Serve(t testing.TB, p Program) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	if err := p.Open(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
}

// Paris returns the Paris prefecture (code 75), made if the database has
// none.
func Paris(t testing.TB, db *store.DB) *permit.Prefecture {
	t.Helper()
	prefs, err := db.Prefectures(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range prefs {
		if p.Code == "75" {
			return p
		}
	}
	p := &permit.Prefecture{Code: "75", Name: "Préfecture de police de Paris", Departments: []string{"75"}}
	if err := db.Files().CreatePrefecture(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	return p
}

// Identity is applicant n's identity as declared, with a permit ending
// on permitTo (the fields a correction request reads).
func Identity(n int, permitTo string) casework.ProfileForm {
	return casework.ProfileForm{GivenNames: "Awa", Surname: "Diallo", BirthDate: "1994-05-17",
		BirthPlace: "Bamako, Mali", Nationality: "MLI", ForeignerNumber: fmt.Sprintf("%010d", 7500000000+n), PermitTo: permitTo}
}

// Renewal makes applicant n, confirmed at now, with a profile in Paris
// and a student card ending on end, and a draft renewal with every
// document (each a copy of scan) and the fee stamp, ready to file.
func Renewal(t testing.TB, db *store.DB, uc *casework.UseCases, cat *rules.Catalogue, n int, now, end time.Time, scan []byte) (*permit.Account, int64) {
	t.Helper()
	ctx := t.Context()
	acc := &permit.Account{Email: fmt.Sprintf("titulaire%d@example.org", n), Role: permit.RoleApplicant, Lang: "fr", ConfirmedAt: &now}
	if err := db.Accounts().CreateAccount(ctx, acc, "!", nil, nil); err != nil {
		t.Fatal(err)
	}
	f := Identity(n, end.Format(time.DateOnly))
	f.AddressLine, f.Postcode, f.City = "1 rue de la Paix", "75002", "Paris"
	f.HasPermit, f.PermitGround, f.PermitNumber = true, "student", fmt.Sprintf("TS%08d", n)
	f.PermitFrom = end.AddDate(-1, 0, 0).Format(time.DateOnly)
	if err := uc.Applications.SaveProfile(ctx, acc, f); err != nil {
		t.Fatal(err)
	}
	a, err := uc.Applications.Start(ctx, acc, casework.StartForm{Kind: permit.KindRenewal, Ground: "student"})
	if err != nil {
		t.Fatal(err)
	}
	docs, err := cat.RequiredDocuments("student", permit.KindRenewal)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if !d.TakesFiles() { // the photo, given as its e-photo code
			if err := uc.Documents.SetPhotoCode(ctx, acc, a.ID, PhotoCode(n)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if _, err := uc.Documents.Upload(ctx, acc, a.ID, d.ID, d.ID+".png", scan); err != nil {
			t.Fatalf("upload %s: %v", d.ID, err)
		}
	}
	if err := uc.Documents.SetFeeStamp(ctx, acc, a.ID, fmt.Sprintf("%016d", 1000000000000000+n)); err != nil {
		t.Fatal(err)
	}
	return acc, a.ID
}

// PhotoCode is the n-th e-photo code of a test: 22 letters and digits.
func PhotoCode(n int) string { return fmt.Sprintf("EP%020d", n) }

// Checked has agent take the checks the catalogue requires before a
// favourable decision on application appID (demo.Check: every document
// accepted, the identity confirmed), as an agent does before granting.
func Checked(t testing.TB, uc *casework.UseCases, agent *permit.Account, appID int64) {
	t.Helper()
	if err := demo.Check(t.Context(), uc.Decisions, agent, appID); err != nil {
		t.Fatalf("check application %d: %v", appID, err)
	}
}

// Scan is a small PNG that passes the upload checks.
func Scan(t testing.TB) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 48, 32))
	for x := range 48 {
		img.Set(x, x%32, color.Gray{Y: 40})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
