package permit

import "testing"

func TestStaffPowers(t *testing.T) {
	tests := []struct {
		name                     string
		a                        *Account
		staff, supervises, admin bool
		worksFor75, worksFor13   bool
	}{
		{"nobody", nil, false, false, false, false, false},
		{"applicant", &Account{Role: RoleApplicant, Prefectures: []int64{75}}, false, false, false, false, false},
		{"agent of 75", &Account{Role: RoleAgent, Prefectures: []int64{75}}, true, false, false, true, false},
		{"supervisor of 75", &Account{Role: RoleAgent, Supervisor: true, Prefectures: []int64{75}}, true, true, false, true, false},
		{"applicant marked supervisor", &Account{Role: RoleApplicant, Supervisor: true}, false, false, false, false, false},
		{"admin", &Account{Role: RoleAdmin}, true, true, true, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.Staff(); got != tt.staff {
				t.Errorf("Staff() = %v", got)
			}
			if got := tt.a.Supervises(); got != tt.supervises {
				t.Errorf("Supervises() = %v", got)
			}
			if got := tt.a.Admin(); got != tt.admin {
				t.Errorf("Admin() = %v", got)
			}
			if got := tt.a.WorksFor(75); got != tt.worksFor75 {
				t.Errorf("WorksFor(75) = %v", got)
			}
			if got := tt.a.WorksFor(13); got != tt.worksFor13 {
				t.Errorf("WorksFor(13) = %v", got)
			}
		})
	}
}
