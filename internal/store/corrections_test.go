package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
)

// TestDecidingADecidedCorrectionNamesIt: the second of two decisions on a
// correction request is refused with the request it lost to.
func TestDecidingADecidedCorrectionNamesIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, _ *clock.Fixed) {
		ctx := context.Background()
		acc, p := aminaDiallo(t, db, "c@example.org")
		c := &permit.Correction{PersonID: p.ID, RequestedBy: acc.ID, Explanation: "typo",
			Fields:   []permit.PersonChange{{Field: permit.FieldSurname, Old: "Diallo", New: "Dialo"}},
			Evidence: permit.Document{BlobSum: "00", Filename: "acte.pdf", Kind: "application/pdf", Size: 1}}
		if err := db.Corrections().RequestCorrection(ctx, c, 0, &permit.Mail{To: "prefecture@example.org", Subject: "s", Text: "t"}); err != nil {
			t.Fatal(err)
		}
		if err := db.Corrections().WithdrawCorrection(ctx, c); err != nil {
			t.Fatal(err)
		}
		err := db.Corrections().WithdrawCorrection(ctx, c)
		var decided *permit.CorrectionDecidedError
		if !errors.As(err, &decided) || decided.Correction != c.ID || permit.ErrorCode(err) != permit.ECONFLICT {
			t.Fatalf("second decision: %v, want a CorrectionDecidedError naming %d", err, c.ID)
		}
	})
}
