package app

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/app/apptest"
	"github.com/sejour/sejour/internal/blob/blobtest"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/notify/smtptest"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store/storetest"
)

// TestDocumentsAndAttestationsInS3 runs the program with SEJOUR_BLOB_URL
// naming a bucket of a real S3-compatible server: an applicant's
// documents and the PDF of the attestation issued on the grant are
// objects there, the data directory holds no blob, and the health probe
// writes to the bucket.
func TestDocumentsAndAttestationsInS3(t *testing.T) {
	o := blobtest.S3Options(t)
	db := storetest.SQLite(t, clock.System{})
	mail := smtptest.Start(t)
	scheme := "http://"
	if o.Secure {
		scheme = "https://"
	}
	m := newMainWith(t, db, mail, map[string]string{
		"SEJOUR_BLOB_URL":      "s3://" + o.Bucket + "/" + o.Prefix,
		"SEJOUR_S3_ENDPOINT":   scheme + o.Endpoint,
		"SEJOUR_S3_ACCESS_KEY": o.AccessKey,
		"SEJOUR_S3_SECRET_KEY": o.SecretKey,
	})
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	if err := m.Health.Probe(ctx); err != nil {
		t.Fatalf("health probe on the bucket: %v", err)
	}
	acc, appID := draft(t, m, 1)
	if _, err := m.UseCases.Applications.File(ctx, acc, appID); err != nil {
		t.Fatal(err)
	}
	prefs, _ := db.Prefectures(ctx)
	now := time.Now()
	agent := &permit.Account{Email: "agent@prefecture.example.org", Role: permit.RoleAgent, Lang: "fr", ConfirmedAt: &now, Prefectures: []int64{prefs[0].ID}}
	if err := db.Accounts().CreateAccount(ctx, agent, "!", nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := m.UseCases.Decisions.StartReview(ctx, agent, appID); err != nil {
		t.Fatal(err)
	}
	apptest.Checked(t, m.UseCases, agent, appID)
	if err := m.UseCases.Decisions.DecideFavourable(ctx, agent, appID, ""); err != nil {
		t.Fatal(err)
	}
	pdf := waitKeptPDF(t, m, appID, permit.AttestationFavourable)

	s3, err := OpenBlobs(m.Config, m.Config.Blobs)
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]bool{}
	for _, sum := range blobtest.Sums(t, s3) {
		in[sum] = true
	}
	docs, err := db.Documents(ctx, appID)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) == 0 {
		t.Fatal("the application has no document")
	}
	for _, d := range docs {
		if !in[d.BlobSum] {
			t.Errorf("document %d (%s): blob %s not in the bucket", d.ID, d.Slot, d.BlobSum)
		}
	}
	if !in[pdf] {
		t.Errorf("the attestation's PDF %s is not in the bucket", pdf)
	}
	if got := blobtest.Read(t, s3, pdf); len(got) < 5 || string(got[:5]) != "%PDF-" {
		t.Errorf("the kept attestation is not a PDF: %q...", got[:min(len(got), 16)])
	}
	if _, err := os.Stat(filepath.Join(m.Config.BlobDir(), "blobs")); !os.IsNotExist(err) {
		t.Errorf("the data directory has a blob directory (%v): blobs went to disk", err)
	}
}

// waitKeptPDF waits until the application's attestation of kind is
// signed and its PDF kept, and returns the PDF's sum.
func waitKeptPDF(t *testing.T, m *Main, appID int64, kind permit.AttestationKind) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		atts, err := m.DB.Attestations(t.Context(), appID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range atts {
			if a.Kind == kind && a.PDFSum != "" {
				return a.PDFSum
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("application %d: no kept PDF of a %s after 30 s", appID, kind)
	return ""
}
