package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/permit"
)

// historyRow is one change of a person's data, in words.
type historyRow struct {
	At       time.Time
	Field    string // a catalogue key
	Old, New string
	Source   string // a catalogue key
}

// historyRows turns a person's history into rows, naming prefectures
// rather than giving their ids.
func (s *Server) historyRows(ctx context.Context, changes []permit.PersonChange) ([]historyRow, error) {
	names := map[string]string{}
	for _, c := range changes {
		if c.Field == permit.FieldPrefecture {
			prefs, err := s.Queue.Prefectures(ctx)
			if err != nil {
				return nil, err
			}
			for _, p := range prefs {
				names[strconv.FormatInt(p.ID, 10)] = p.Name
			}
			break
		}
	}
	out := make([]historyRow, 0, len(changes))
	for i := len(changes) - 1; i >= 0; i-- { // newest first
		c := changes[i]
		row := historyRow{At: c.At, Field: "field." + c.Field, Old: c.Old, New: c.New, Source: "change_source." + string(c.Source)}
		if c.Field == permit.FieldPrefecture {
			row.Old, row.New = names[c.Old], names[c.New]
		}
		out = append(out, row)
	}
	return out, nil
}

// correctionView is the applicant's correction request form.
type correctionView struct {
	*Page
	Person  *permit.Person
	Pending *permit.Correction
}

func (s *Server) correctionForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderCorrection(w, r, http.StatusOK, s.page(r, "correction.title"), nil)
}

func (s *Server) renderCorrection(w http.ResponseWriter, r *http.Request, status int, p *Page, values map[string]string) error {
	prof, err := s.Applications.Profile(r.Context(), account(r))
	if err != nil {
		return err
	}
	if prof.Person == nil {
		http.Redirect(w, r, "/profil", http.StatusSeeOther)
		return nil
	}
	if values == nil {
		values = profileValues(prof)
	}
	p.Values = values
	s.render(w, r, status, "correction", &correctionView{Page: p, Person: prof.Person, Pending: prof.Pending()})
	return nil
}

func (s *Server) requestCorrection(w http.ResponseWriter, r *http.Request) error {
	name, data, v, err := s.readUpload(w, r, "evidence")
	if err == nil {
		_, err = s.Corrections.RequestCorrection(r.Context(), account(r), casework.CorrectionForm{
			Identity:    profileFormOf(func(k string) string { return v[k] }),
			Explanation: v["explanation"], Filename: name, Evidence: data})
	}
	if err != nil {
		p := s.page(r, "correction.title")
		if err := formError(p, err); err != nil {
			if permit.ErrorCode(err) != permit.ECONFLICT {
				return err
			}
			p.Errors = map[string]string{"identity": "correction.error.pending"}
		}
		if v == nil {
			v = map[string]string{}
		}
		return s.renderCorrection(w, r, http.StatusUnprocessableEntity, p, v)
	}
	http.Redirect(w, r, "/profil?correction#corrections", http.StatusSeeOther)
	return nil
}

func (s *Server) withdrawCorrection(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "correction")
	if err != nil {
		return err
	}
	if err := s.Corrections.WithdrawCorrection(r.Context(), account(r), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/profil?correction_retiree#corrections", http.StatusSeeOther)
	return nil
}

// correctionEvidence serves a request's evidence to its applicant, or
// inline to the staff reviewing it.
func (s *Server) correctionEvidence(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "correction")
	if err != nil {
		return err
	}
	d, rc, err := s.Corrections.CorrectionEvidence(r.Context(), account(r), id)
	if err != nil {
		return err
	}
	return sendFile(w, d, rc, account(r).Staff() && r.URL.Query().Has("apercu"))
}

// staffCorrectionsView is the list of requests awaiting the agent.
type staffCorrectionsView struct {
	*Page
	Rows []casework.CorrectionRow
}

func (s *Server) staffCorrections(w http.ResponseWriter, r *http.Request) error {
	rows, err := s.Corrections.PendingCorrections(r.Context(), account(r))
	if err != nil {
		return err
	}
	p := s.page(r, "correction.staff.list_title")
	p.Staff = true
	s.render(w, r, http.StatusOK, "staff_corrections", &staffCorrectionsView{Page: p, Rows: rows})
	return nil
}

// staffCorrectionView is one request as the agent examines it.
type staffCorrectionView struct {
	*Page
	Review  *casework.CorrectionReview
	History []historyRow
	// Rows compare the person's civil data when asked with the request.
	Rows []compareRow
}

// compareRow is one civil field, before and after the request.
type compareRow struct {
	Label, Before, After string
	Changed              bool
}

func (s *Server) staffCorrection(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "correction.staff.title")
	switch {
	case r.URL.Query().Has("acceptee"):
		p.Notice = "correction.staff.accepted"
	case r.URL.Query().Has("refusee"):
		p.Notice = "correction.staff.refused"
	}
	return s.renderStaffCorrection(w, r, http.StatusOK, p)
}

func (s *Server) renderStaffCorrection(w http.ResponseWriter, r *http.Request, status int, p *Page) error {
	id, err := pathID(r, "correction")
	if err != nil {
		return err
	}
	rev, err := s.Corrections.ReviewCorrection(r.Context(), account(r), id)
	if err != nil {
		return err
	}
	v := &staffCorrectionView{Page: p, Review: rev}
	p.Staff = true
	if v.History, err = s.historyRows(r.Context(), rev.History); err != nil {
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
		v.Rows = append(v.Rows, row)
	}
	s.render(w, r, status, "staff_correction", v)
	return nil
}

func (s *Server) acceptCorrection(w http.ResponseWriter, r *http.Request) error {
	return s.decideCorrection(w, r, "acceptee", "accept_note", s.Corrections.AcceptCorrection)
}

func (s *Server) refuseCorrection(w http.ResponseWriter, r *http.Request) error {
	return s.decideCorrection(w, r, "refusee", "reason", s.Corrections.RefuseCorrection)
}

func (s *Server) decideCorrection(w http.ResponseWriter, r *http.Request, notice, field string, do func(context.Context, *permit.Account, int64, string) error) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r, "correction")
	if err != nil {
		return err
	}
	if err := do(r.Context(), account(r), id, r.PostForm.Get(field)); err != nil {
		p := s.page(r, "correction.staff.title")
		if permit.ErrorCode(err) == permit.ECONFLICT {
			// Decided meanwhile, or the person's data moved since the
			// request: each says so. A conflict without words of its own
			// (an attestation superseded meanwhile) asks for a second look.
			key, _ := permit.ErrorMessage(err)
			if key != "correction.error.decided" {
				key = "correction.error.changed"
			}
			p.Errors = map[string]string{field: key}
		} else if err := formError(p, permit.AsField(field, err)); err != nil {
			return err
		}
		p.Values = map[string]string{field: r.PostForm.Get(field)}
		return s.renderStaffCorrection(w, r, http.StatusUnprocessableEntity, p)
	}
	http.Redirect(w, r, "/agent/corrections/"+strconv.FormatInt(id, 10)+"?"+notice, http.StatusSeeOther)
	return nil
}
