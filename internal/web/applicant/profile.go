package applicant

import (
	"net/http"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/web"
)

// profileView is the profile form with what was declared.
type profileView struct {
	*web.Page
	Profile *casework.Profile
	Grounds []*rules.Ground
	History []web.HistoryRow
}

// labelValue is a line of a summary: a catalogue key and a value.
type labelValue struct{ Label, Value string }

// Identity is the person's civil data as a summary, for a profile that is
// no longer edited here.
func (v *profileView) Identity() []labelValue {
	p := v.Profile.Person
	if p == nil {
		return nil
	}
	var out []labelValue
	for _, f := range p.Fields() {
		if permit.IsCivilField(f.Name) {
			out = append(out, labelValue{"field." + f.Name, v.FieldValue(f.Name, f.Value)})
		}
	}
	return out
}

func (s *Pages) profileView(r *http.Request, p *web.Page) (*profileView, error) {
	prof, err := s.Applications.Profile(r.Context(), web.Account(r))
	if err != nil {
		return nil, err
	}
	v := &profileView{Page: p, Profile: prof, Grounds: s.Rules.Grounds()}
	if v.History, err = web.HistoryRows(r.Context(), s.Queue, prof.History); err != nil {
		return nil, err
	}
	return v, nil
}

// profileNotices are the notices a redirect asks the profile page for.
var profileNotices = web.Notices{
	"enregistre":         "profile.saved",
	"correction":         "profile.correction_sent",
	"correction_retiree": "profile.correction_withdrawn",
}

func (s *Pages) profileForm(w http.ResponseWriter, r *http.Request) error {
	p := s.Page(r, "profile.title")
	v, err := s.profileView(r, p)
	if err != nil {
		return err
	}
	p.Values = profileValues(v.Profile)
	profileNotices.Set(p, r)
	s.Render(w, r, http.StatusOK, "profile", v)
	return nil
}

func (s *Pages) saveProfile(w http.ResponseWriter, r *http.Request) error {
	f, err := web.ParsePersonForm(w, r)
	if err == nil {
		err = s.Applications.SaveProfile(r.Context(), web.Account(r), f)
	}
	if err != nil {
		return s.RenderFormError(w, r, "profile.title", err, web.FormValues(r.PostForm), s.renderProfile)
	}
	http.Redirect(w, r, web.NextTarget(r, paths.Profile.String()+"?enregistre"), http.StatusSeeOther)
	return nil
}

// renderProfile shows the profile page with the errors and values the
// page carries.
func (s *Pages) renderProfile(w http.ResponseWriter, r *http.Request, status int, p *web.Page) error {
	pv, err := s.profileView(r, p)
	if err != nil {
		return err
	}
	s.Render(w, r, status, "profile", pv)
	return nil
}

func profileValues(prof *casework.Profile) map[string]string {
	v := map[string]string{}
	if p := prof.Person; p != nil {
		v["given_names"], v["surname"], v["birth_date"], v["birth_place"] = p.GivenNames, p.Surname, p.BirthDate, p.BirthPlace
		v["nationality"], v["foreigner_number"], v["phone"] = p.Nationality, p.ForeignerNumber, p.Phone
		v["address_line"], v["postcode"], v["city"] = p.Address.Line, p.Address.Postcode, p.Address.City
	}
	if pm := prof.Permit; pm != nil {
		v["has_permit"], v["permit_ground"], v["permit_number"] = "oui", string(pm.Ground), pm.Number
		v["permit_from"], v["permit_to"] = pm.ValidFrom.Format(time.DateOnly), pm.ValidTo.Format(time.DateOnly)
	}
	return v
}
