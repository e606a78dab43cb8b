package admin

import (
	"net/http"
	"strconv"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// outagesView is the administrators' list of outages and the form that
// declares one (or planned maintenance); outageView is one outage, its
// trail, and the forms that correct or withdraw it.
type outagesView struct {
	*web.Page
	Outages []*permit.Outage
	Kinds   []permit.OutageKind
	Checked map[string]bool // functions ticked in the form
	// ReliefDays is the catalogue's relief, which the form explains.
	ReliefDays int
}

type outageView struct {
	*outagesView
	Outage *permit.Outage
	Events []*permit.OutageEvent
}

// FunctionList is every function, for the form's boxes.
func (v *outagesView) FunctionList() []permit.Function { return permit.Functions }

// When writes an instant in Paris, date and time.
func (v *outagesView) When(t *permit.Outage, end bool) string {
	at := &t.StartedAt
	if end {
		at = t.EndedAt
	}
	if at == nil {
		return v.T("status.ongoing")
	}
	return v.T("status.at", v.Date(*at), casework.FormatOutageTime(at)[11:])
}

// Step names a step of an outage's trail.
func (v *outagesView) Step(ev *permit.OutageEvent) string {
	return v.T("status.admin.step." + string(ev.Action))
}

// OutageKind names an outage's kind.
func (v *outagesView) OutageKind(k permit.OutageKind) string { return v.T("status.kind." + string(k)) }

func (s *Pages) newOutagesView(r *http.Request, p *web.Page) (*outagesView, error) {
	p.Staff = true
	list, err := s.Outages.List(r.Context(), web.Account(r))
	if err != nil {
		return nil, err
	}
	return &outagesView{Page: p, Outages: list, Kinds: []permit.OutageKind{permit.OutageDeclared, permit.OutagePlanned},
		Checked: map[string]bool{}, ReliefDays: s.Rules.Outages.ReliefDays}, nil
}

func (s *Pages) outages(w http.ResponseWriter, r *http.Request) error {
	p := s.Page(r, "status.admin.title")
	p.Values = map[string]string{"kind": string(permit.OutageDeclared), "relieves": "oui"}
	v, err := s.newOutagesView(r, p)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "admin_outages", v)
	return nil
}

// outageForm reads the declaration or correction form.
func outageForm(r *http.Request) casework.OutageForm {
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	return casework.OutageForm{Kind: r.PostForm.Get("kind"), Functions: r.PostForm["functions"],
		Start: r.PostForm.Get("start"), End: r.PostForm.Get("end"),
		DescriptionFR: r.PostForm.Get("description_fr"), DescriptionEN: r.PostForm.Get("description_en"),
		Relieves: r.PostForm.Get("relieves") == "oui", Cancel: r.PostForm.Get("cancel") == "oui",
		Reason: r.PostForm.Get("reason"), Version: version}
}

// keep puts what was typed back into the page after a refusal.
func keep(p *web.Page, v *outagesView, f casework.OutageForm) {
	relieves := ""
	if f.Relieves {
		relieves = "oui"
	}
	p.Values = map[string]string{"kind": f.Kind, "start": f.Start, "end": f.End, "description_fr": f.DescriptionFR,
		"description_en": f.DescriptionEN, "relieves": relieves, "reason": f.Reason}
	for _, fn := range f.Functions {
		v.Checked[fn] = true
	}
}

func (s *Pages) declareOutage(w http.ResponseWriter, r *http.Request) error {
	err := web.ParseForm(w, r)
	f := outageForm(r)
	var o *permit.Outage
	if err == nil {
		o, err = s.Outages.Declare(r.Context(), web.Account(r), f)
	}
	if err != nil {
		p := s.Page(r, "status.admin.title")
		if err := web.FormError(p, err); err != nil {
			return err
		}
		v, verr := s.newOutagesView(r, p)
		if verr != nil {
			return verr
		}
		keep(p, v, f)
		s.Render(w, r, http.StatusUnprocessableEntity, "admin_outages", v)
		return nil
	}
	http.Redirect(w, r, paths.AdminOutage.Format(o.ID)+"?declaree", http.StatusSeeOther)
	return nil
}

func (s *Pages) renderOutage(w http.ResponseWriter, r *http.Request, status int, p *web.Page, f *casework.OutageForm) error {
	id, err := web.PathID(r, "outage")
	if err != nil {
		return err
	}
	o, evs, err := s.Outages.Get(r.Context(), web.Account(r), id)
	if err != nil {
		return err
	}
	p.Staff = true
	v := &outageView{outagesView: &outagesView{Page: p, Kinds: []permit.OutageKind{permit.OutageDeclared, permit.OutagePlanned},
		Checked: map[string]bool{}, ReliefDays: s.Rules.Outages.ReliefDays}, Outage: o, Events: evs}
	if o.Kind == permit.OutageDetected {
		v.Kinds = []permit.OutageKind{permit.OutageDetected}
	}
	if f != nil {
		keep(p, v.outagesView, *f)
	} else {
		relieves := ""
		if o.Relieves {
			relieves = "oui"
		}
		p.Values = map[string]string{"kind": string(o.Kind), "start": casework.FormatOutageTime(&o.StartedAt),
			"end": casework.FormatOutageTime(o.EndedAt), "description_fr": o.Description["fr"],
			"description_en": o.Description["en"], "relieves": relieves}
		for _, fn := range o.Functions {
			v.Checked[string(fn)] = true
		}
	}
	s.Render(w, r, status, "admin_outage", v)
	return nil
}

func (s *Pages) outage(w http.ResponseWriter, r *http.Request) error {
	p := s.Page(r, "status.admin.outage_title")
	switch {
	case r.URL.Query().Has("declaree"):
		p.Notice = "status.admin.declared"
	case r.URL.Query().Has("corrigee"):
		p.Notice = "status.admin.corrected"
	}
	return s.renderOutage(w, r, http.StatusOK, p, nil)
}

func (s *Pages) correctOutage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "outage")
	if err != nil {
		return err
	}
	err = web.ParseForm(w, r)
	f := outageForm(r)
	if err == nil {
		_, err = s.Outages.Correct(r.Context(), web.Account(r), id, f)
	}
	if err != nil {
		p := s.Page(r, "status.admin.outage_title")
		if err := web.FormError(p, err); err != nil {
			return err
		}
		return s.renderOutage(w, r, http.StatusUnprocessableEntity, p, &f)
	}
	http.Redirect(w, r, paths.AdminOutage.Format(id)+"?corrigee", http.StatusSeeOther)
	return nil
}
