package casework_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// fieldKey is the translation key of one field's error, or "".
func fieldKey(err error, field string) string {
	key, _ := permit.FieldMessage(err, field)
	return key
}

// TestSlotHoldsSeveralFiles: a slot takes files up to the catalogue's
// most, each removed alone, the versions kept; the filing's snapshot and
// the attempt's ticket list every current file.
func TestSlotHoldsSeveralFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newAttemptWorld(t, db, clk)
		acc, appID, _ := w.draft(clk.Now().AddDate(0, 0, 70))
		docs := w.uc.Documents
		passport, _ := w.cfg.Rules.Document("passport")
		var added []*permit.Document
		for i := 2; i <= passport.MaxFiles; i++ { // the draft has one page already
			d, err := docs.Upload(ctx, acc, appID, "passport", "page.png", scanPNG(t, uint8(i)))
			if err != nil {
				t.Fatalf("page %d of %d: %v", i, passport.MaxFiles, err)
			}
			added = append(added, d)
		}
		_, err := docs.Upload(ctx, acc, appID, "passport", "one-too-many.png", scanPNG(t, 99))
		if key, args := permit.ErrorMessage(err); permit.ErrorCode(err) != permit.EINVALID || key != "slots.error.full" || args[0] != passport.MaxFiles {
			t.Fatalf("a file past the slot's most: %v", err)
		}
		if err := docs.RemoveDocument(ctx, acc, appID, "passport", added[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := docs.RemoveDocument(ctx, acc, appID, "proof_of_address", added[1].ID); permit.ErrorCode(err) != permit.ENOTFOUND {
			t.Errorf("removing a passport page through another slot: %v", err)
		}
		c, err := w.uc.Applications.View(ctx, acc, appID)
		if err != nil {
			t.Fatal(err)
		}
		current := c.CurrentDocuments("passport")
		if len(current) != passport.MaxFiles-1 || slices.ContainsFunc(current, func(d *permit.Document) bool { return d.ID == added[0].ID }) {
			t.Fatalf("current passport files: %d, want %d without the removed one", len(current), passport.MaxFiles-1)
		}
		removed := 0
		for _, e := range c.Timeline {
			if e.Key == "timeline.document_removed" && e.Doc.ID == added[0].ID {
				removed++
			}
		}
		if removed != 1 {
			t.Errorf("the removed page is in the timeline %d times, want once", removed)
		}
		if _, err := w.uc.Applications.File(ctx, acc, appID); err != nil {
			t.Fatal(err)
		}
		rc, err := w.uc.Applications.Receipt(ctx, acc, appID)
		if err != nil {
			t.Fatal(err)
		}
		filed := 0
		for _, d := range rc.Docs {
			if d.Slot == "passport" {
				filed++
			}
		}
		if filed != len(current) {
			t.Errorf("the filing lists %d passport files, want %d", filed, len(current))
		}
		var snap struct {
			PhotoCode string `json:"photo_code"`
		}
		if err := json.Unmarshal(rc.Filing.Snapshot, &snap); err != nil || snap.PhotoCode != c.App.PhotoCode || snap.PhotoCode == "" {
			t.Errorf("the filing's e-photo code %q, want %q (%v)", snap.PhotoCode, c.App.PhotoCode, err)
		}
	})
}

// TestPhotoIsAnEPhotoCode: the photo slot takes the typed e-photo code of
// the catalogue's shape, not a file, and the draft cannot be filed
// without it.
func TestPhotoIsAnEPhotoCode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newAttemptWorld(t, db, clk)
		acc, appID, _ := w.draft(clk.Now().AddDate(0, 0, 70))
		docs := w.uc.Documents
		if _, err := docs.Upload(ctx, acc, appID, "photo", "photo.png", scanPNG(t, 3)); permit.ErrorCode(err) != permit.EINVALID {
			t.Errorf("a file for the photo: %v, want a refusal", err)
		}
		for _, bad := range []string{"", "ABC123", "EP0000000000000000000É", "EP00000000000000000000X", "EP-0000-0000-0000-000!"} {
			if err := docs.SetPhotoCode(ctx, acc, appID, bad); fieldKey(err, casework.PhotoCodeField) != "ephoto.error.format" {
				t.Errorf("code %q: %v, want the format error", bad, err)
			}
		}
		if err := docs.SetPhotoCode(ctx, acc, appID, " ab12 cd34-ef56 gh78 ij90 kl "); err != nil {
			t.Fatal(err)
		}
		c, err := w.uc.Applications.View(ctx, acc, appID)
		if err != nil || c.App.PhotoCode != "AB12CD34EF56GH78IJ90KL" {
			t.Fatalf("code recorded %q, %v", c.App.PhotoCode, err)
		}
		// A draft without the code lacks a document.
		if err := db.Files().SetPhotoCode(ctx, appID, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := w.uc.Applications.File(ctx, acc, appID); fieldKey(err, "documents") != "file.error.missing_documents" {
			t.Errorf("filing without the e-photo code: %v", err)
		}
	})
}

// TestTypedValuesAreKept: what the filing form carries (the fee stamp
// and the e-photo code) is saved before filing; a wrong value is refused
// with both fields' errors at once, and an empty one changes nothing.
func TestTypedValuesAreKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newAttemptWorld(t, db, clk)
		acc, appID, _ := w.draft(clk.Now().AddDate(0, 0, 70))
		docs := w.uc.Documents
		err := docs.SaveTyped(ctx, acc, appID, casework.Typed{FeeStamp: "12", PhotoCode: "short"})
		if fieldKey(err, "fee_stamp") != "fee.error.format" || fieldKey(err, casework.PhotoCodeField) != "ephoto.error.format" {
			t.Errorf("two wrong values: %v, want both fields' errors", err)
		}
		if err := docs.SaveTyped(ctx, acc, appID, casework.Typed{FeeStamp: "9999 8888 7777 6666"}); err != nil {
			t.Fatal(err)
		}
		a, _ := db.Application(ctx, appID)
		if a.FeeStamp != "9999888877776666" || a.PhotoCode == "" {
			t.Errorf("after saving the stamp: stamp %q, code %q (an empty code changes nothing)", a.FeeStamp, a.PhotoCode)
		}
	})
}

// TestEarlierFilesAreOffered: a second application of the person is
// offered the files of the first for the same slots (not those refused,
// nor those older than the catalogue's validity), reused by reference
// without counting against the quota, chosen one by one.
func TestEarlierFilesAreOffered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		w := newAttemptWorld(t, db, clk)
		acc, firstID, _ := w.draft(clk.Now().AddDate(0, 0, 70))
		first, err := w.uc.Applications.View(ctx, acc, firstID)
		if err != nil {
			t.Fatal(err)
		}
		given := func(slot string) *permit.Document { return first.CurrentDocuments(slot)[0] }
		// The prefecture refused the passport of the first application.
		if err := db.Decisions().ReviewDocument(ctx, &permit.DocumentReview{DocumentID: given("passport").ID, ApplicationID: firstID,
			Reason: "illegible", ReviewedBy: acc.ID}); err != nil {
			t.Fatal(err)
		}
		clk.Advance(7 * 30 * 24 * 3600e9) // seven months: the proof of address (6 months) is too old
		second, err := w.uc.Applications.Start(ctx, acc, casework.StartForm{Kind: permit.KindChangeOfStatus, Ground: "employee"})
		if err != nil {
			t.Fatal(err)
		}
		c, err := w.uc.Applications.View(ctx, acc, second.ID)
		if err != nil {
			t.Fatal(err)
		}
		offered := map[string][]int64{}
		for _, it := range c.Checklist {
			for _, d := range it.Reusable {
				offered[it.Doc.ID] = append(offered[it.Doc.ID], d.ID)
			}
		}
		want := map[string][]int64{"current_permit": {given("current_permit").ID}}
		if len(offered) != len(want) || !slices.Equal(offered["current_permit"], want["current_permit"]) {
			t.Fatalf("offered %v, want %v (the passport refused, the proof of address too old, the photo a code)", offered, want)
		}
		used, _ := db.StorageUsed(ctx, c.Person.ID)
		if err := w.uc.Documents.Reuse(ctx, acc, second.ID, "passport", []int64{given("passport").ID}); fieldKey(err, casework.ReuseField("passport")) != "reuse.error.gone" {
			t.Errorf("reusing the refused passport: %v", err)
		}
		if err := w.uc.Documents.Reuse(ctx, acc, second.ID, "current_permit", nil); fieldKey(err, casework.ReuseField("current_permit")) != "reuse.error.none" {
			t.Errorf("reusing nothing: %v", err)
		}
		if err := w.uc.Documents.Reuse(ctx, acc, second.ID, "current_permit", want["current_permit"]); err != nil {
			t.Fatal(err)
		}
		c, err = w.uc.Applications.View(ctx, acc, second.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := c.CurrentDocuments("current_permit")
		if len(got) != 1 || got[0].BlobSum != given("current_permit").BlobSum || got[0].ReusedFrom != given("current_permit").ID {
			t.Fatalf("the reused card: %+v", got)
		}
		for _, it := range c.Checklist {
			if len(it.Reusable) > 0 {
				t.Errorf("%s still offers %d files after the reuse", it.Doc.ID, len(it.Reusable))
			}
		}
		if now, _ := db.StorageUsed(ctx, c.Person.ID); now != used {
			t.Errorf("storage used %d after the reuse, was %d: a reused file costs no quota", now, used)
		}
	})
}
