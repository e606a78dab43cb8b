package casework

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// refusalStore has the few answers Start and Claim read; anything else
// it is asked is a bug of the test and panics.
type refusalStore struct {
	CoreStore
	ApplicationStore
	CounterStore
	person *permit.Person        // nil: no profile
	open   *permit.Application   // the open application on the ground, if any
	apps   []*permit.Application // the person's applications
	code   *permit.ClaimCode
}

func (st *refusalStore) PersonByAccount(context.Context, int64) (*permit.Person, error) {
	if st.person == nil {
		return nil, permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	return st.person, nil
}

func (st *refusalStore) OpenApplicationOnGround(context.Context, int64, permit.GroundID) (*permit.Application, error) {
	if st.open == nil {
		return nil, permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	return st.open, nil
}

func (st *refusalStore) ApplicationsByPerson(context.Context, int64) ([]*permit.Application, error) {
	return st.apps, nil
}

func (st *refusalStore) ClaimCodeByHash(context.Context, string) (*permit.ClaimCode, error) {
	return st.code, nil
}

var anApplicant = &permit.Account{ID: 3, Role: permit.RoleApplicant}

// TestStartRefusalsCarryTheirData: the page links to the open application
// and sends a person without an address to their profile from these
// values, not from the words of the message.
func TestStartRefusalsCarryTheirData(t *testing.T) {
	f := StartForm{Kind: permit.KindFirstIssue, Ground: "student"}
	st := &refusalStore{person: &permit.Person{ID: 8, PrefectureID: 75}, open: &permit.Application{ID: 42}}
	files := New(Config{Rules: rules.MustLoad()}, Stores{Core: st, Applications: st}, nil).Applications
	_, err := files.Start(t.Context(), anApplicant, f)
	var dup *permit.DuplicateError
	if !errors.As(err, &dup) || dup.Existing != 42 || dup.Ground != "student" {
		t.Errorf("Start beside an open application: %v, want a DuplicateError naming 42", err)
	}
	st.person.PrefectureID = 0
	_, err = files.Start(t.Context(), anApplicant, f)
	var noProfile *permit.ProfileFirstError
	if !errors.As(err, &noProfile) || noProfile.Person != 8 {
		t.Errorf("Start without an address: %v, want a ProfileFirstError naming person 8", err)
	}
	st.person = nil
	if _, err = files.Start(t.Context(), anApplicant, f); !errors.As(err, &noProfile) || noProfile.Person != 0 {
		t.Errorf("Start without a profile: %v, want a ProfileFirstError", err)
	}
}

// TestClaimBlockedCarriesThePerson: an account whose person has data
// cannot take a counter file, and the refusal says whose data.
func TestClaimBlockedCarriesThePerson(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	st := &refusalStore{person: &permit.Person{ID: 8, Surname: "Dupont"},
		code: &permit.ClaimCode{ID: 1, PersonID: 12, ExpiresAt: now.Add(time.Hour)}}
	files := New(Config{Clock: clock.NewFixed(now)}, Stores{Core: st, Counter: st}, nil).Counter
	_, err := files.Claim(t.Context(), anApplicant, "ACDE-FGHJ-KMNP")
	var blocked *permit.ClaimBlockedError
	if !errors.As(err, &blocked) || blocked.Person != 8 {
		t.Errorf("Claim with a profile: %v, want a ClaimBlockedError naming person 8", err)
	}
}
