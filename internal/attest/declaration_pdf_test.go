package attest

import (
	"bytes"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// TestDeclarationRecordRendersFromTheStoredDeclaration: the same stored
// declaration gives the same PDF, its refusal's reason included, and one
// still referred (no code, no outcome) is refused.
func TestDeclarationRecordRendersFromTheStoredDeclaration(t *testing.T) {
	at := time.Date(2026, 12, 9, 15, 4, 5, 0, time.UTC)
	d := &permit.Declaration{Number: "DEC-7KQM-2XHP", Organisation: "Boulangerie A", SIRET: "73282932000074",
		DeclaredAt: time.Date(2026, 12, 7, 10, 15, 2, 0, time.UTC), GivenNames: "Awa", Surname: "Diallo", BirthDate: "1994-05-17",
		StartDate: time.Date(2026, 12, 14, 0, 0, 0, 0, time.UTC), Job: "Vendeuse", WeeklyHours: 35, Contract: permit.ContractFixedTerm,
		Status: permit.DeclarationRefused, RefusalReason: "Heures au-delà du plafond", AnsweredAt: &at,
		PrefectureName: "Préfecture de police", PrefectureCode: "75",
		Code: "SJ1:6BFOXN*TS0BI$ZD.P9UOL97O4-2HH77HRM3DSPTF6.5NB0UD*PB2C07"}
	var a, b bytes.Buffer
	for _, buf := range []*bytes.Buffer{&a, &b} {
		if err := RenderDeclaration(buf, d, rules.MustLoad(), i18n.MustLoad(), "https://sejour.example/verifier"); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.HasPrefix(a.Bytes(), []byte("%PDF")) || !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Errorf("two renderings of one declaration differ, or are no PDF (%d bytes)", a.Len())
	}
	d.Code, d.AnsweredAt = "", nil
	if err := RenderDeclaration(&a, d, rules.MustLoad(), i18n.MustLoad(), ""); err == nil {
		t.Error("a declaration without its outcome was rendered")
	}
}
