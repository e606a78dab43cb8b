package backoffice

import (
	"context"
	"errors"
	"net/http"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/upload"
	"github.com/sejour/sejour/internal/web"
)

// staffCorrectionsView is the list of requests awaiting the agent.
type staffCorrectionsView struct {
	*web.Page
	Rows []casework.CorrectionRow
}

func (s *Pages) staffCorrections(w http.ResponseWriter, r *http.Request) error {
	rows, err := s.Corrections.PendingCorrections(r.Context(), web.Account(r))
	if err != nil {
		return err
	}
	p := s.Page(r, "correction.staff.list_title")
	p.Staff = true
	s.Render(w, r, http.StatusOK, "staff_corrections", &staffCorrectionsView{Page: p, Rows: rows})
	return nil
}

// staffCorrectionView is one request as the agent examines it.
type staffCorrectionView struct {
	*web.Page
	Review  *casework.CorrectionReview
	History []web.HistoryRow
	// Rows compare the person's civil data when asked with the request.
	Rows []compareRow
}

// compareRow is one civil field, before and after the request.
type compareRow struct {
	Label, Before, After string
	Changed              bool
}

// correctionNotices are the notices a redirect asks a correction's page for.
var correctionNotices = web.Notices{"acceptee": "correction.staff.accepted", "refusee": "correction.staff.refused"}

func (s *Pages) staffCorrection(w http.ResponseWriter, r *http.Request) error {
	p := s.Page(r, "correction.staff.title")
	correctionNotices.Set(p, r)
	return s.renderStaffCorrection(w, r, http.StatusOK, p)
}

func (s *Pages) renderStaffCorrection(w http.ResponseWriter, r *http.Request, status int, p *web.Page) error {
	id, err := web.PathID(r, "correction")
	if err != nil {
		return err
	}
	rev, err := s.Corrections.ReviewCorrection(r.Context(), web.Account(r), id)
	if err != nil {
		return err
	}
	v := &staffCorrectionView{Page: p, Review: rev}
	p.Staff = true
	if v.History, err = web.HistoryRows(r.Context(), s.Queue, rev.History); err != nil {
		return err
	}
	asked := map[string]permit.PersonChange{}
	for _, f := range rev.Correction.Fields {
		asked[f.Field] = f
	}
	for _, f := range rev.Person.Fields() {
		if !permit.IsCivilField(f.Name) {
			continue
		}
		row := compareRow{Label: "field." + f.Name, Before: f.Value, After: f.Value}
		if a, ok := asked[f.Name]; ok {
			row.Before, row.After, row.Changed = a.Old, a.New, true
		}
		row.Before, row.After = p.FieldValue(f.Name, row.Before), p.FieldValue(f.Name, row.After)
		v.Rows = append(v.Rows, row)
	}
	s.Render(w, r, status, "staff_correction", v)
	return nil
}

func (s *Pages) acceptCorrection(w http.ResponseWriter, r *http.Request) error {
	return s.decideCorrection(w, r, "acceptee", "accept_note", s.Corrections.AcceptCorrection)
}

func (s *Pages) refuseCorrection(w http.ResponseWriter, r *http.Request) error {
	return s.decideCorrection(w, r, "refusee", "reason", s.Corrections.RefuseCorrection)
}

func (s *Pages) decideCorrection(w http.ResponseWriter, r *http.Request, notice, field string, do func(context.Context, *permit.Account, int64, string) error) error {
	id, err := web.PathID(r, "correction")
	if err != nil {
		return err
	}
	err = web.ParseForm(w, r)
	if err == nil {
		err = do(r.Context(), web.Account(r), id, r.PostForm.Get(field))
	}
	if err != nil {
		p := s.Page(r, "correction.staff.title")
		if permit.ErrorCode(err) == permit.ECONFLICT {
			// Decided meanwhile, or the person's data moved since the
			// request: each says so. A conflict without words of its own
			// (an attestation superseded meanwhile) asks for a second look.
			key := "correction.error.changed"
			var decided *permit.CorrectionDecidedError
			if errors.As(err, &decided) {
				key, _ = permit.ErrorMessage(err)
			}
			p.Errors = map[string]string{field: key}
		} else if err := web.FormError(p, permit.AsField(field, err)); err != nil {
			return err
		}
		p.Values = map[string]string{field: r.PostForm.Get(field)}
		return s.renderStaffCorrection(w, r, http.StatusUnprocessableEntity, p)
	}
	http.Redirect(w, r, paths.CorrectionReview.Format(id)+"?"+notice, http.StatusSeeOther)
	return nil
}

// correctionEvidence serves a request's evidence to the staff reviewing
// it: inline when previewed.
func (s *Pages) correctionEvidence(w http.ResponseWriter, r *http.Request) error {
	var preview *upload.Previewer
	if r.URL.Query().Has("apercu") {
		preview = s.Previews
	}
	return web.ServeEvidence(w, r, s.Corrections, preview)
}
