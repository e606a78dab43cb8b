package admin

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// staffAccountsView is the admin's list of staff accounts and the form
// that creates one.
type staffAccountsView struct {
	*web.Page
	Staff       []*permit.Account
	Prefectures []*permit.Prefecture
	Titles      []titleOption
	Checked     map[string]bool // prefectures ticked in the form, by id
}

// PrefectureNames names an account's prefectures.
func (v *staffAccountsView) PrefectureNames(a *permit.Account) string {
	var names []string
	for _, id := range a.Prefectures {
		for _, p := range v.Prefectures {
			if p.ID == id {
				names = append(names, p.Name)
			}
		}
	}
	return strings.Join(names, ", ")
}

// Self reports whether a is the admin looking at the page, who cannot
// disable themself.
func (v *staffAccountsView) Self(a *permit.Account) bool {
	return v.Account != nil && v.Account.ID == a.ID
}

// titleOption is a role an admin may give, with its name and what it may do.
type titleOption struct{ Value, Label, Hint string }

var titleOptions = []titleOption{
	{casework.TitleAgent, "role.agent", "staffauth.admin.hint.agent"},
	{casework.TitleSupervisor, "role.supervisor", "staffauth.admin.hint.supervisor"},
	{casework.TitleAdmin, "role.admin", "staffauth.admin.hint.admin"},
	{casework.TitleHelpDesk, "role.help_desk", "support.admin.hint.help_desk"},
}

// staffNotices are the notices a redirect asks the staff accounts page for.
var staffNotices = web.Notices{
	"cree":      "staffauth.admin.created",
	"desactive": "staffauth.admin.disabled",
	"reactive":  "staffauth.admin.enabled",
}

func (s *Pages) staffAccounts(w http.ResponseWriter, r *http.Request) error {
	p := s.Page(r, "staffauth.admin.title")
	staffNotices.Set(p, r)
	return s.renderStaffAccounts(w, r, http.StatusOK, p, nil)
}

func (s *Pages) renderStaffAccounts(w http.ResponseWriter, r *http.Request, status int, p *web.Page, checked []string) error {
	p.Staff = true
	list, err := s.Accounts.StaffList(r.Context(), web.Account(r))
	if err != nil {
		return err
	}
	prefs, err := s.Accounts.Prefectures(r.Context())
	if err != nil {
		return err
	}
	v := &staffAccountsView{Page: p, Staff: list, Prefectures: prefs, Checked: map[string]bool{},
		Titles: titleOptions}
	for _, id := range checked {
		v.Checked[id] = true
	}
	s.Render(w, r, status, "staff_accounts", v)
	return nil
}

func (s *Pages) createStaff(w http.ResponseWriter, r *http.Request) error {
	err := web.ParseForm(w, r)
	f := casework.StaffForm{Email: r.PostForm.Get("email"), Title: r.PostForm.Get("title"),
		Prefectures: r.PostForm["prefectures"], Lang: web.Lang(r)}
	if err == nil {
		_, err = s.Accounts.CreateStaff(r.Context(), web.Account(r), f)
	}
	if err != nil {
		p := s.Page(r, "staffauth.admin.title")
		if err := web.FormError(p, err); err != nil {
			return err
		}
		p.Values = map[string]string{"email": f.Email, "title": f.Title}
		return s.renderStaffAccounts(w, r, http.StatusUnprocessableEntity, p, f.Prefectures)
	}
	http.Redirect(w, r, paths.StaffAccounts.String()+"?cree", http.StatusSeeOther)
	return nil
}

func (s *Pages) disableStaff(w http.ResponseWriter, r *http.Request) error {
	return s.setStaffDisabled(w, r, true)
}

func (s *Pages) enableStaff(w http.ResponseWriter, r *http.Request) error {
	return s.setStaffDisabled(w, r, false)
}

func (s *Pages) setStaffDisabled(w http.ResponseWriter, r *http.Request, disabled bool) error {
	id, err := web.PathID(r, "account")
	if err != nil {
		return err
	}
	if err := s.Accounts.SetStaffDisabled(r.Context(), web.Account(r), id, disabled); err != nil {
		return err
	}
	notice := "reactive"
	if disabled {
		notice = "desactive"
	}
	http.Redirect(w, r, paths.StaffAccounts.String()+"?"+notice+"#compte-"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}
