package backoffice

import (
	"net/http"
	"strconv"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// secondFactorView is the second-factor page: the enrolment (the secret
// and its QR code) for a staff member who has none yet, the code form
// otherwise, and the recovery codes right after an enrolment.
type secondFactorView struct {
	*web.Page
	Enrolment     *casework.Enrolment
	RecoveryCodes []string
	Next          string // where to go on, once passed
}

// QRURL is the enrolment's QR code image.
func (v *secondFactorView) QRURL() string { return paths.SecondFactorQR.String() }

// ActionURL is where a form of the page posts, keeping ?suite=.
func (v *secondFactorView) ActionURL(path string) string {
	if q := v.NextQuery(); q != "" {
		return path + "?suite=" + q
	}
	return path
}

func (s *Pages) secondFactorForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderSecondFactor(w, r, http.StatusOK, s.Page(r, "staffauth.title"))
}

// renderSecondFactor shows the enrolment to an account that has not
// enrolled, and the code form to one that has.
func (s *Pages) renderSecondFactor(w http.ResponseWriter, r *http.Request, status int, p *web.Page) error {
	p.Staff = true
	v := &secondFactorView{Page: p}
	a := web.Account(r)
	if a.EnrolledAt == nil {
		e, err := s.Accounts.StartEnrolment(r.Context(), a)
		if err != nil {
			return err
		}
		v.Enrolment = e
		p.TitleKey = "staffauth.enrol.title"
	}
	w.Header().Set("Cache-Control", "no-store")
	s.Render(w, r, status, "second_factor", v)
	return nil
}

// enrolmentQR draws the secret being enrolled as a QR code. It is an
// image of its own, served to the pending staff session only, never once
// the account is enrolled.
func (s *Pages) enrolmentQR(w http.ResponseWriter, r *http.Request) error {
	a := web.Account(r)
	if a.EnrolledAt != nil {
		return permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	e, err := s.Accounts.StartEnrolment(r.Context(), a)
	if err != nil {
		return err
	}
	return web.ServeQR(w, e.URL, 264)
}

// enrol checks the first code of the application and shows the recovery
// codes, once: they are not kept in clear, so this page cannot be shown
// again.
func (s *Pages) enrol(w http.ResponseWriter, r *http.Request) error {
	a, code, secret, err := s.secondFactorAttempt(w, r)
	if err != nil {
		return err
	}
	codes, err := s.Accounts.ConfirmEnrolment(r.Context(), a, secret, code)
	if err != nil {
		p := s.Page(r, "staffauth.title")
		if err := web.FormError(p, err); err != nil {
			return err
		}
		return s.renderSecondFactor(w, r, http.StatusUnprocessableEntity, p)
	}
	p := s.Page(r, "staffauth.recovery.title")
	p.Staff = true
	w.Header().Set("Cache-Control", "no-store")
	s.Render(w, r, http.StatusOK, "second_factor", &secondFactorView{Page: p, RecoveryCodes: codes, Next: web.NextTarget(r, paths.Agent.String())})
	return nil
}

// secondFactor checks a code, or a recovery code, and goes on to the page
// the staff member asked for.
func (s *Pages) secondFactor(w http.ResponseWriter, r *http.Request) error {
	a, code, secret, err := s.secondFactorAttempt(w, r)
	if err != nil {
		return err
	}
	if a.EnrolledAt == nil {
		http.Redirect(w, r, web.SecondFactorPath, http.StatusSeeOther)
		return nil
	}
	if err := s.Accounts.PassSecondFactor(r.Context(), a, secret, code); err != nil {
		p := s.Page(r, "staffauth.title")
		if err := web.FormError(p, err); err != nil {
			return err
		}
		return s.renderSecondFactor(w, r, http.StatusUnprocessableEntity, p)
	}
	http.Redirect(w, r, web.NextTarget(r, paths.Agent.String()), http.StatusSeeOther)
	return nil
}

// secondFactorAttempt reads a code form, within the attempts allowed to
// the account, and returns the account, the code and the session secret.
func (s *Pages) secondFactorAttempt(w http.ResponseWriter, r *http.Request) (*permit.Account, string, string, error) {
	if err := web.ParseForm(w, r); err != nil {
		return nil, "", "", err
	}
	a := web.Account(r)
	id := strconv.FormatInt(a.ID, 10)
	if err := s.Limit("second-factor", id, "second-factor-daily", id); err != nil {
		return nil, "", "", err
	}
	c, err := r.Cookie(web.SessionCookie)
	if err != nil {
		return nil, "", "", permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	return a, r.PostForm.Get("code"), c.Value, nil
}
