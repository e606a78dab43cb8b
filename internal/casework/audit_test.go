package casework

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/permit"
)

// trailStore answers what AuditTrail asks and keeps the filter it got;
// any other method would panic on the nil CoreStore.
type trailStore struct {
	CoreStore
	AuditStore
	got *audit.Filter
}

func (s *trailStore) Prefectures(context.Context) ([]*permit.Prefecture, error) {
	return []*permit.Prefecture{{ID: 1, Name: "Paris"}, {ID: 2, Name: "Rhône"}, {ID: 3, Name: "Nord"}}, nil
}

func (s *trailStore) AuditTrail(_ context.Context, f audit.Filter) ([]*audit.Line, error) {
	s.got = &f
	return nil, nil
}

func TestAuditTrailScope(t *testing.T) {
	agent := &permit.Account{ID: 1, Role: permit.RoleAgent, Prefectures: []int64{1}}
	super := &permit.Account{ID: 2, Role: permit.RoleAgent, Supervisor: true, Prefectures: []int64{1, 2}}
	admin := &permit.Account{ID: 3, Role: permit.RoleAdmin}
	applicant := &permit.Account{ID: 4, Role: permit.RoleApplicant}
	tests := []struct {
		name   string
		acc    *permit.Account
		q      TrailQuery
		code   string
		filter string // the filter's scope, as printed
		prefs  int    // prefectures offered
	}{
		{"an agent who is not a supervisor", agent, TrailQuery{}, permit.ENOTFOUND, "", 0},
		{"an applicant", applicant, TrailQuery{}, permit.ENOTFOUND, "", 0},
		{"nobody", nil, TrailQuery{}, permit.ENOTFOUND, "", 0},
		{"a supervisor: their prefectures", super, TrailQuery{}, "", "[1 2] false", 2},
		{"a supervisor: one of theirs", super, TrailQuery{Prefecture: "2"}, "", "[2] false", 2},
		{"a supervisor: another prefecture", super, TrailQuery{Prefecture: "3"}, permit.ENOTFOUND, "", 0},
		{"a supervisor: a made-up prefecture", super, TrailQuery{Prefecture: "x"}, permit.ENOTFOUND, "", 0},
		{"an admin: everywhere", admin, TrailQuery{}, "", "[] true", 3},
		{"an admin: one prefecture", admin, TrailQuery{Prefecture: "3"}, "", "[3] false", 3},
		{"bad dates", super, TrailQuery{From: "26/11/2026", To: "2026-02-30"}, permit.EINVALID, "", 2},
		{"dates the wrong way round", super, TrailQuery{From: "2026-11-27", To: "2026-11-26"}, permit.EINVALID, "", 2},
		{"bad numbers", super, TrailQuery{Application: "12a", Person: "-1"}, permit.EINVALID, "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &trailStore{}
			s := &Journal{core: &core{People: st}, Store: st}
			tr, err := s.AuditTrail(context.Background(), tt.acc, tt.q)
			if permit.ErrorCode(err) != tt.code && !(tt.code == "" && err == nil) {
				t.Fatalf("err = %v, want code %q", err, tt.code)
			}
			if tt.code != "" {
				if st.got != nil {
					t.Errorf("the store was read: %+v", st.got)
				}
				if tt.code == permit.EINVALID && (tr == nil || len(tr.Prefectures) != tt.prefs) {
					t.Errorf("an invalid query should still offer the prefectures: %+v", tr)
				}
				return
			}
			if got := fmt.Sprint(st.got.Prefectures, " ", st.got.Everywhere); got != tt.filter {
				t.Errorf("scope %s, want %s", got, tt.filter)
			}
			if len(tr.Prefectures) != tt.prefs {
				t.Errorf("%d prefectures offered, want %d", len(tr.Prefectures), tt.prefs)
			}
		})
	}
}

// TestAuditTrailFilter checks that dates are Paris days, both included,
// and that paging asks for one line more than a page.
func TestAuditTrailFilter(t *testing.T) {
	st := &trailStore{}
	s := &Journal{core: &core{People: st}, Store: st}
	admin := &permit.Account{ID: 3, Role: permit.RoleAdmin}
	_, err := s.AuditTrail(context.Background(), admin, TrailQuery{From: "2026-07-01", To: "2026-07-01", Application: "12", Person: "7", Actor: " Agent@Example.org ", Page: 3})
	if err != nil {
		t.Fatal(err)
	}
	f := st.got
	if !f.From.Equal(time.Date(2026, 6, 30, 22, 0, 0, 0, time.UTC)) || !f.To.Equal(time.Date(2026, 7, 1, 22, 0, 0, 0, time.UTC)) {
		t.Errorf("summer day in Paris: %v – %v", f.From.UTC(), f.To.UTC())
	}
	if f.ApplicationID != 12 || f.PersonID != 7 || f.ActorEmail != "agent@example.org" || f.Offset != 2*TrailPageSize || f.Limit != TrailPageSize+1 {
		t.Errorf("filter %+v", f)
	}
}
