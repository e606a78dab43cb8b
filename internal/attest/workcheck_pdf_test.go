package attest

import (
	"bytes"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// TestWorkCheckRecordRendersFromTheStoredRecord: the same stored record
// gives the same PDF, and a record without its code is refused.
func TestWorkCheckRecordRendersFromTheStoredRecord(t *testing.T) {
	rec := &permit.WorkCheck{Number: "VER-7KQM-2XHP", Organisation: "Boulangerie A", SIRET: "73282932000074",
		CheckedAt: time.Date(2026, 12, 7, 10, 15, 2, 0, time.UTC), GivenNames: "Awa", Surname: "Diallo", BirthDate: "1994-05-17",
		Work: "limited_hours", WorkHours: 964, Until: time.Date(2027, 3, 17, 0, 0, 0, 0, time.UTC), Basis: permit.BasisExtension,
		PendingRenewal: true, Ground: "student", PrefectureName: "Préfecture de police", PrefectureCode: "75",
		Code: "SJ1:6BFOXN*TS0BI$ZD.P9UOL97O4-2HH77HRM3DSPTF6.5NB0UD*PB2C07"}
	var a, b bytes.Buffer
	for _, buf := range []*bytes.Buffer{&a, &b} {
		if err := RenderWorkCheck(buf, rec, rules.MustLoad(), i18n.MustLoad(), "https://sejour.example/verifier"); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.HasPrefix(a.Bytes(), []byte("%PDF")) || !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Errorf("two renderings of one record differ, or are no PDF (%d bytes)", a.Len())
	}
	rec.Code = ""
	if err := RenderWorkCheck(&a, rec, rules.MustLoad(), i18n.MustLoad(), ""); err == nil {
		t.Error("a record without its code was rendered")
	}
}
