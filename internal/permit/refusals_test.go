package permit

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

// TestRefusalsCarryTheirData: wrapped as they travel, the refusals still
// give their data to errors.As, and the code, message and arguments users
// read are those the portal always showed.
func TestRefusalsCarryTheirData(t *testing.T) {
	tests := []struct {
		err     error
		check   func(error) bool
		code    string
		key     string
		keyArgs []any
	}{
		{&DuplicateError{Ground: "student", Existing: 42}, func(err error) bool {
			var e *DuplicateError
			return errors.As(err, &e) && e.Existing == 42 && e.Ground == "student"
		}, ECONFLICT, "start.error.duplicate", []any{int64(42)}},
		{&ProfileFirstError{Person: 7}, func(err error) bool {
			var e *ProfileFirstError
			return errors.As(err, &e) && e.Person == 7
		}, EINVALID, "start.error.profile_first", nil},
		{&ClaimBlockedError{Person: 9}, func(err error) bool {
			var e *ClaimBlockedError
			return errors.As(err, &e) && e.Person == 9
		}, ECONFLICT, "claim.error.has_profile", nil},
		{&CorrectionDecidedError{Correction: 5}, func(err error) bool {
			var e *CorrectionDecidedError
			return errors.As(err, &e) && e.Correction == 5
		}, ECONFLICT, "correction.error.decided", nil},
		{&UncheckedError{Documents: []UncheckedDocument{{Slot: "passport", Version: 3, Rejected: true}}, Identity: true}, func(err error) bool {
			var e *UncheckedError
			return errors.As(err, &e) && e.Identity && len(e.Documents) == 1 && e.Documents[0].Slot == "passport"
		}, ECONFLICT, "grant.error.unchecked", nil},
		{&FeeStampUsedError{}, func(err error) bool {
			var e *FeeStampUsedError
			return errors.As(err, &e) && FieldErrors(err)["fee_stamp"] == "fee.error.used"
		}, EINVALID, "error.form", nil},
		{&CodeError{Outcome: CodeMalformed}, func(err error) bool {
			var e *CodeError
			return errors.As(err, &e) && e.Outcome == CodeMalformed
		}, EINVALID, "verify.malformed", nil},
		{&CodeError{Outcome: CodeForged}, func(err error) bool {
			var e *CodeError
			return errors.As(err, &e) && e.Outcome == CodeForged
		}, EINVALID, "verify.forged", nil},
	}
	for _, tt := range tests {
		err := fmt.Errorf("somewhere: %w", tt.err)
		if !tt.check(err) {
			t.Errorf("%v: errors.As lost the data", tt.err)
		}
		if got := ErrorCode(err); got != tt.code {
			t.Errorf("%v: code %q, want %q", tt.err, got, tt.code)
		}
		key, args := ErrorMessage(err)
		if key != tt.key || !slices.Equal(args, tt.keyArgs) {
			t.Errorf("%v: message %q %v, want %q %v", tt.err, key, args, tt.key, tt.keyArgs)
		}
	}
}
