package employer

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/web"
)

// apiCheckRequest is the body of POST /api/v1/work-checks.
type apiCheckRequest struct {
	ShareCode string `json:"share_code"`
	BirthDate string `json:"birth_date"`
}

// APICheck is the answer to a check that matched: the record, the
// person, the right to work (docs/openapi.yaml, WorkCheck). The pre-hire
// declaration (issue 14, part 4) answers with the same right.
type APICheck struct {
	Result       string          `json:"result"` // "match"
	Number       string          `json:"number"`
	CheckedAt    time.Time       `json:"checked_at"`
	Organisation apiOrganisation `json:"organisation"`
	Person       apiPerson       `json:"person"`
	RightToWork  APIRightToWork  `json:"right_to_work"`
	Record       apiRecord       `json:"record"`
}

type apiOrganisation struct {
	Name  string `json:"name"`
	SIRET string `json:"siret"`
}

type apiPerson struct {
	GivenNames string `json:"given_names"`
	Surname    string `json:"surname"`
	BirthDate  string `json:"birth_date"`
}

// APIRightToWork is a right to work as the API states it.
type APIRightToWork struct {
	Work           rules.Work `json:"work"`
	Until          string     `json:"until,omitempty"` // YYYY-MM-DD; absent when there is no right
	Basis          string     `json:"basis"`           // permit, extension, favourable_decision, none
	PendingRenewal bool       `json:"pending_renewal"`
}

type apiRecord struct {
	Code string `json:"code"` // the signed code (SJ1:…), verifiable offline
	PDF  string `json:"pdf"`  // the record's PDF, with the same key
}

// apiLimited answers 429 when the organisation or the address is over the
// checks' limits (a check, a declaration and a proof count alike);
// answered is true when it did.
func (s *Pages) apiLimited(w http.ResponseWriter, r *http.Request, o *permit.Organisation) (answered bool, err error) {
	if s.limitCheck(o, web.ClientIP(r)) == nil {
		return false, nil
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(s.RetryAfter("workcheck-org").Seconds())))
	return true, s.Problem(w, r, http.StatusTooManyRequests, permit.ERATELIMIT, nil)
}

// apiRequest applies apiLimited, then reads the JSON body (at most max
// bytes, unknown members refused) into v, answering 400 invalid_json when
// it cannot; answered is true when it answered the request itself.
func (s *Pages) apiRequest(w http.ResponseWriter, r *http.Request, o *permit.Organisation, max int64, v any) (answered bool, err error) {
	if answered, err := s.apiLimited(w, r, o); answered {
		return true, err
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, max))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return true, s.Problem(w, r, http.StatusBadRequest, web.ProblemInvalidJSON, nil)
	}
	return false, nil
}

// apiCheck is the check for programs: JSON in, the answer out, 200 for a
// match, a problem for anything else: 404 no_match whatever was wrong,
// 400 for a body not of the right shape, 429 over the organisation's or
// the address's limits (the key's own limit is the API's, web.apiRoute).
// With an Idempotency-Key, the answer is recorded with the check, in its
// transaction (web.AnswerInWrite).
func (s *Pages) apiCheck(w http.ResponseWriter, r *http.Request) error {
	k, o := web.APICaller(r)
	var in apiCheckRequest
	if answered, err := s.apiRequest(w, r, o, 4<<10, &in); answered {
		return err
	}
	web.AnswerInWrite(r, http.StatusOK, func(rec *permit.WorkCheck) any { return s.apiAnswer(rec) })
	rec, err := s.WorkChecks.Check(r.Context(), casework.Checker{Organisation: o, Key: k}, casework.CheckForm{ShareCode: in.ShareCode, BirthDate: in.BirthDate})
	if errors.Is(err, casework.ErrNoMatch) {
		return s.noMatch(w, r)
	}
	if fields := permit.FieldErrors(err); fields != nil {
		return s.Problem(w, r, http.StatusBadRequest, permit.EINVALID, fields)
	}
	if err != nil {
		return err
	}
	return web.WriteJSON(w, http.StatusOK, s.apiAnswer(rec))
}

// noMatch is the one answer to every check that does not match: a
// problem that still carries "result": "no_match", as before problems.
func (s *Pages) noMatch(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	return s.WriteProblem(w, web.Problem{Type: web.ProblemTypes + web.ProblemNoMatch, Title: s.Tr.T(lang, "api.title."+web.ProblemNoMatch),
		Status: http.StatusNotFound, Detail: s.Tr.T(lang, "api.detail."+web.ProblemNoMatch), Error: web.ProblemNoMatch, Result: "no_match"})
}

// apiAnswer is a record as the API states it.
func (s *Pages) apiAnswer(rec *permit.WorkCheck) APICheck {
	out := APICheck{Result: "match", Number: rec.Number, CheckedAt: rec.CheckedAt,
		Organisation: apiOrganisation{Name: rec.Organisation, SIRET: rec.SIRET},
		Person:       apiPerson{GivenNames: rec.GivenNames, Surname: rec.Surname, BirthDate: rec.BirthDate},
		RightToWork: APIRightToWork{Work: rules.Work{Kind: rules.WorkKind(rec.Work), HoursPerYear: rec.WorkHours},
			Basis: string(rec.Basis), PendingRenewal: rec.PendingRenewal},
		Record: apiRecord{Code: rec.Code, PDF: s.BaseURL + paths.APIWorkCheck.Format(rec.ID)}}
	if !rec.Until.IsZero() {
		out.RightToWork.Until = rec.Until.Format(time.DateOnly)
	}
	return out
}

// apiRecord sends a record's PDF to a key of its organisation.
func (s *Pages) apiRecord(w http.ResponseWriter, r *http.Request) error {
	k, _ := web.APICaller(r)
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	return s.sendRecord(w, r, casework.Checker{Key: k}, id)
}
