package applicant

import (
	"net/http"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// contactFields are the contact form's fields, in form order.
var contactFields = []string{"address_line", "postcode", "city", "phone", "email", "password"}

// contactView is the contact page: what is in use, what waits for
// confirmation, and the form.
type contactView struct {
	*web.Page
	Contact *casework.ContactView
	// What the last change did, from the redirect's query.
	Saved, EmailSent, Moved bool
}

func (s *Pages) contactForm(w http.ResponseWriter, r *http.Request) error {
	p := s.Page(r, "contact.title")
	q := r.URL.Query()
	v := &contactView{Page: p, Saved: q.Has("enregistre"), EmailSent: q.Has("courriel"), Moved: q.Has("transfert")}
	if q.Has("annule") {
		p.Notice = "contact.cancelled"
	}
	return s.renderContact(w, r, http.StatusOK, v)
}

// renderContact fills the form with the values in use (unless the page
// re-shows what was typed) and renders it.
func (s *Pages) renderContact(w http.ResponseWriter, r *http.Request, status int, v *contactView) error {
	c, err := s.Contacts.Contact(r.Context(), web.Account(r))
	if err != nil {
		return err
	}
	v.Contact = c
	if v.Values == nil && c.Person != nil {
		v.Values = map[string]string{"address_line": c.Person.Address.Line, "postcode": c.Person.Address.Postcode,
			"city": c.Person.Address.City, "phone": c.Person.Phone}
	}
	s.Render(w, r, status, "contact", v)
	return nil
}

// changeContact checks the password (rate-limited with the log-in's
// limits: guesses at one account's password count together wherever they
// are made) and applies the change. On failure the form comes back with
// what was typed, the password excepted.
func (s *Pages) changeContact(w http.ResponseWriter, r *http.Request) error {
	err := web.ParseForm(w, r)
	acc := web.Account(r)
	v := r.PostForm
	var out *casework.ContactOutcome
	if err == nil {
		if _, err := s.LogInLimit(r, acc.Email); err != nil {
			return err
		}
		f := casework.ContactForm{AddressLine: v.Get("address_line"), Postcode: v.Get("postcode"), City: v.Get("city"),
			Phone: v.Get("phone"), Email: v.Get("email"), Password: v.Get("password")}
		out, err = s.Contacts.ChangeContact(r.Context(), acc, f)
	}
	if err != nil {
		p := s.Page(r, "contact.title")
		if ferr := web.FormError(p, err); ferr != nil {
			if permit.ErrorCode(err) != permit.EINVALID && permit.ErrorCode(err) != permit.ECONFLICT {
				return err
			}
			p.Notice, _ = permit.ErrorMessage(err)
		}
		p.Values = map[string]string{}
		for _, k := range contactFields {
			p.Values[k] = v.Get(k)
		}
		return s.renderContact(w, r, http.StatusUnprocessableEntity, &contactView{Page: p})
	}
	target := paths.Contact.String() + "?enregistre"
	if out.EmailAsked {
		target += "&courriel"
	}
	if len(out.Moved) > 0 {
		target += "&transfert"
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

func (s *Pages) cancelEmail(w http.ResponseWriter, r *http.Request) error {
	if err := s.Contacts.CancelEmail(r.Context(), web.Account(r)); err != nil {
		return err
	}
	http.Redirect(w, r, paths.Contact.String()+"?annule", http.StatusSeeOther)
	return nil
}

// confirmEmailChange follows the link mailed to a new address.
func (s *Pages) confirmEmailChange(w http.ResponseWriter, r *http.Request) error {
	if err := s.Limit("confirm-ip", web.ClientIP(r)); err != nil {
		return err
	}
	session := ""
	if c, err := r.Cookie(web.SessionCookie); err == nil {
		session = c.Value
	}
	p := s.Page(r, "contact.confirm_title")
	_, err := s.Contacts.ConfirmEmail(r.Context(), r.PathValue("token"), session)
	return s.linkOutcome(w, r, p, err, "contact.confirmed")
}

// cancelEmailByLink cancels with the token of the link mailed to the
// former address.
func (s *Pages) cancelEmailByLink(w http.ResponseWriter, r *http.Request) error {
	if err := s.Limit("confirm-ip", web.ClientIP(r)); err != nil {
		return err
	}
	p := s.Page(r, "contact.cancel_title")
	return s.linkOutcome(w, r, p, s.Contacts.CancelEmailByLink(r.Context(), r.PathValue("token")), "contact.cancelled")
}

// linkOutcome renders what following a mailed link did: done, or why not
// (a used, expired or replaced link; an address taken meanwhile).
func (s *Pages) linkOutcome(w http.ResponseWriter, r *http.Request, p *web.Page, err error, done string) error {
	switch permit.ErrorCode(err) {
	case "":
		p.Notice = done
		s.Render(w, r, http.StatusOK, "contact_link", p)
	case permit.ENOTFOUND:
		p.Notice = "contact.link_invalid"
		s.Render(w, r, http.StatusNotFound, "contact_link", p)
	case permit.ECONFLICT:
		p.Notice, _ = permit.ErrorMessage(err)
		s.Render(w, r, http.StatusConflict, "contact_link", p)
	default:
		return err
	}
	return nil
}
