package employer

import (
	"net/http"
	"strconv"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/web"
)

// apiDeclarationRequest is the body of POST /api/v1/declarations.
type apiDeclarationRequest struct {
	ShareCode   string `json:"share_code"`
	BirthDate   string `json:"birth_date"`
	GivenNames  string `json:"given_names"`
	Surname     string `json:"surname"`
	StartDate   string `json:"start_date"`
	Job         string `json:"job"`
	WeeklyHours int    `json:"weekly_hours"`
	Contract    string `json:"contract"`
}

// APIDeclaration is a declaration as the API states it
// (docs/openapi.yaml, Declaration). The worker is as the portal knows
// them when the code matched, else as declared; why a declaration was
// referred is said only when it matched, so that a declaration matching
// no one reveals nothing about anyone.
type APIDeclaration struct {
	ID           int64           `json:"id"`
	Number       string          `json:"number"`
	Status       string          `json:"status"` // covered, referred, authorised, refused, silence
	DeclaredAt   time.Time       `json:"declared_at"`
	Organisation apiOrganisation `json:"organisation"`
	Worker       apiPerson       `json:"worker"`
	StartDate    string          `json:"start_date"`
	Job          string          `json:"job"`
	WeeklyHours  int             `json:"weekly_hours"`
	Contract     string          `json:"contract"`
	RightToWork  *rules.Work     `json:"right_to_work,omitempty"` // the right found, when matched
	Reason       string          `json:"referral_reason,omitempty"`
	DueDate      string          `json:"due_date,omitempty"` // the prefecture's last day to answer, when referred
	AnsweredAt   *time.Time      `json:"answered_at,omitempty"`
	Refusal      string          `json:"refusal_reason,omitempty"`
	Record       *apiRecord      `json:"record,omitempty"` // the signed record, once there is an outcome
}

func (s *Pages) apiDeclarationOf(d *permit.Declaration) APIDeclaration {
	out := APIDeclaration{ID: d.ID, Number: d.Number, Status: string(d.Status), DeclaredAt: d.DeclaredAt,
		Organisation: apiOrganisation{Name: d.Organisation, SIRET: d.SIRET},
		Worker:       apiPerson{GivenNames: d.GivenNames, Surname: d.Surname, BirthDate: d.BirthDate},
		StartDate:    d.StartDate.Format(time.DateOnly), Job: d.Job, WeeklyHours: d.WeeklyHours, Contract: string(d.Contract),
		AnsweredAt: d.AnsweredAt, Refusal: d.RefusalReason}
	if d.Matched() {
		out.RightToWork = &rules.Work{Kind: rules.WorkKind(d.Work), HoursPerYear: d.WorkHours}
		out.Reason = string(d.Reason)
	}
	if !d.DueDate.IsZero() {
		out.DueDate = d.DueDate.Format(time.DateOnly)
	}
	if d.Code != "" {
		out.Record = &apiRecord{Code: d.Code, PDF: s.BaseURL + paths.APIDeclarationRecord.Format(d.ID)}
	}
	return out
}

// apiDeclare records a declaration for a program: 201 with the
// declaration, covered or referred; 400 with the members in words. With
// an Idempotency-Key, the answer is recorded with the declaration, in its
// transaction (web.AnswerInWrite).
func (s *Pages) apiDeclare(w http.ResponseWriter, r *http.Request) error {
	k, o := web.APICaller(r)
	var in apiDeclarationRequest
	if answered, err := s.apiRequest(w, r, o, 8<<10, &in); answered {
		return err
	}
	web.AnswerInWrite(r, http.StatusCreated, func(d *permit.Declaration) any { return s.apiDeclarationOf(d) })
	d, err := s.Declarations.Declare(r.Context(), casework.Checker{Organisation: o, Key: k}, casework.DeclarationForm{
		ShareCode: in.ShareCode, BirthDate: in.BirthDate, GivenNames: in.GivenNames, Surname: in.Surname, StartDate: in.StartDate,
		Job: in.Job, WeeklyHours: strconv.Itoa(in.WeeklyHours), Contract: in.Contract})
	if err != nil {
		return err // invalid members: a 400 problem with them (web.renderProblem)
	}
	w.Header().Set("Location", s.BaseURL+paths.APIDeclaration.Format(d.ID))
	return web.WriteJSON(w, http.StatusCreated, s.apiDeclarationOf(d))
}

// apiDeclaration is one of the key's organisation's declarations.
func (s *Pages) apiDeclaration(w http.ResponseWriter, r *http.Request) error {
	k, _ := web.APICaller(r)
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.Declarations.Get(r.Context(), casework.Checker{Key: k}, id)
	if err != nil {
		return err
	}
	return web.WriteJSON(w, http.StatusOK, s.apiDeclarationOf(d))
}

// apiDeclarationRecord sends a declaration's record to a key of its
// organisation.
func (s *Pages) apiDeclarationRecord(w http.ResponseWriter, r *http.Request) error {
	k, _ := web.APICaller(r)
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	return s.sendDeclarationRecord(w, r, casework.Checker{Key: k}, id)
}
