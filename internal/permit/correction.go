package permit

import "time"

// CorrectionStatus is where a civil-data correction request stands.
type CorrectionStatus string

const (
	CorrectionPending   CorrectionStatus = "pending"
	CorrectionAccepted  CorrectionStatus = "accepted"
	CorrectionRefused   CorrectionStatus = "refused"
	CorrectionWithdrawn CorrectionStatus = "withdrawn"
)

// CorrectionStatuses lists every status, for the catalogue's keys.
var CorrectionStatuses = []CorrectionStatus{CorrectionPending, CorrectionAccepted, CorrectionRefused, CorrectionWithdrawn}

// Correction is an applicant's request to correct their civil data (the
// fields of CivilFields), with a document as evidence. An agent of the
// person's competent prefecture accepts it, and the new values replace
// the old ones with the history keeping both, or refuses it with a reason.
type Correction struct {
	ID          int64
	PersonID    int64
	RequestedBy int64
	// Fields are the requested changes, Old being the value when asked.
	Fields      []PersonChange
	Explanation string
	Evidence    Document // BlobSum, Filename, Kind and Size only
	Status      CorrectionStatus
	DecidedBy   int64
	DecidedAt   *time.Time
	Reason      string // why it was refused, or the agent's note on acceptance
	CreatedAt   time.Time
}

// Apply returns a copy of p with the requested values in place.
func (c *Correction) Apply(p *Person) *Person {
	q := *p
	for _, f := range c.Fields {
		switch f.Field {
		case FieldGivenNames:
			q.GivenNames = f.New
		case FieldSurname:
			q.Surname = f.New
		case FieldBirthDate:
			q.BirthDate = f.New
		case FieldBirthPlace:
			q.BirthPlace = f.New
		case FieldNationality:
			q.Nationality = f.New
		case FieldForeignerNumber:
			q.ForeignerNumber = f.New
		}
	}
	return &q
}

// PermitDates returns the permit with the requested dates in place, and
// whether the request changes them.
func (c *Correction) PermitDates(pm *Permit) (*Permit, bool, error) {
	if pm == nil {
		return nil, false, nil
	}
	q := *pm
	changed := false
	for _, f := range c.Fields {
		if !IsPermitField(f.Field) {
			continue
		}
		d, err := time.Parse(time.DateOnly, f.New)
		if err != nil {
			return nil, false, err
		}
		switch f.Field {
		case FieldPermitValidFrom:
			q.ValidFrom = d
		case FieldPermitValidTo:
			q.ValidTo = d
		}
		changed = true
	}
	return &q, changed, nil
}

// Reissue is an attestation to replace by a new version (same number,
// same dates), because the data it carries changed.
type Reissue struct{ Old, Next *Attestation }

// IdentityLocked reports whether a person's civil data is no longer the
// applicant's to edit: once a prefecture confirmed it, or once any of
// their applications (given by state) left the draft, since a receipt or
// an attestation carries it (decision 0005).
func IdentityLocked(confirmed bool, states []State) bool {
	if confirmed {
		return true
	}
	for _, st := range states {
		if st != StateDraft {
			return true
		}
	}
	return false
}
