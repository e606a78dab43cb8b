package public

import (
	"context"
	"net/http"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// keepLanguage joins the language of this browser and the account's at
// log-in: a language chosen on this device before logging in (the
// switch's cookie) is the person's latest choice, and becomes the
// account's; a device with no choice gets the account's language when
// the account has one other than French, the default every account
// starts with (a French account leaves the browser's preference be).
func (s *Pages) keepLanguage(w http.ResponseWriter, r *http.Request, a *permit.Account) {
	if c, err := r.Cookie(web.LangCookie); err == nil && s.Tr.Known(c.Value) {
		if c.Value != a.Lang {
			if err := s.Accounts.SetLanguage(r.Context(), a, c.Value); err != nil {
				s.Logger.Warn("language not remembered for the account", "err", err)
			}
		}
		return
	}
	if a.Lang != i18n.Default && s.Tr.Known(a.Lang) {
		web.SetCookie(w, web.LangCookie, a.Lang, 365*24*time.Hour)
	}
}

func (s *Pages) logInForm(w http.ResponseWriter, r *http.Request) error {
	p := s.Page(r, "login.title")
	if r.URL.Query().Has("reinitialise") {
		p.Notice = "reset.done"
	} else if r.URL.Query().Has("debloque") {
		p.Notice = "security.unlock.done"
	}
	s.Render(w, r, http.StatusOK, "login", p)
	return nil
}

// logIn checks the password, rotates the session and goes to the page the
// person wanted, or their home.
func (s *Pages) logIn(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		// A value no account can hold: said beside its field, before any
		// limit is counted or any account read.
		p := s.Page(r, "login.title")
		if err := web.FormError(p, err); err != nil {
			return err
		}
		return s.logInRefused(w, r, p, r.PostForm.Get("email"))
	}
	f := casework.LogInForm{Email: r.PostForm.Get("email"), Password: r.PostForm.Get("password")}
	email := permit.NormalizeEmail(f.Email)
	if locked, err := s.LogInLimit(r, email); err != nil {
		if !locked {
			return err
		}
		return s.mailUnlock(r, email)
	}
	old := ""
	if c, err := r.Cookie(web.SessionCookie); err == nil {
		old = c.Value
	}
	a, secret, err := s.Accounts.LogIn(r.Context(), f, old)
	if err != nil {
		code := permit.ErrorCode(err)
		if code != permit.EINVALID && code != permit.EFORBIDDEN {
			return err
		}
		p := s.Page(r, "login.title")
		key, _ := permit.ErrorMessage(err)
		p.Errors = map[string]string{"email": key}
		return s.logInRefused(w, r, p, f.Email)
	}
	s.KnownAddress(r, email)
	web.SetCookie(w, web.SessionCookie, secret, s.Accounts.SessionTTL)
	s.keepLanguage(w, r, a)
	http.Redirect(w, r, web.NextTarget(r, web.HomeOf(a)), http.StatusSeeOther)
	return nil
}

// logInRefused shows the log-in form again with its errors and the
// address typed, never the password.
func (s *Pages) logInRefused(w http.ResponseWriter, r *http.Request, p *web.Page, email string) error {
	p.Values = map[string]string{"email": email}
	s.Render(w, r, http.StatusUnprocessableEntity, "login", p)
	return nil
}

// unlockTimeout bounds the writing of an unlock mail.
const unlockTimeout = 10 * time.Second

// mailUnlock answers a log-in refused by the account's ceiling: the
// owner is mailed, at most once an hour, a link that unlocks log-in where
// they follow it. The mail is written whatever becomes of the request.
func (s *Pages) mailUnlock(r *http.Request, email string) error {
	if s.Limit("unlock-mail", email) == nil {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), unlockTimeout)
		defer cancel()
		if err := s.Accounts.MailUnlock(ctx, email); err != nil {
			return err
		}
	}
	return permit.Errorf(permit.ERATELIMIT, "security.login.locked")
}

// unlock follows a mailed unlock link: the address it is followed from
// becomes one of the account's usual ones, free of the account's ceiling.
func (s *Pages) unlock(w http.ResponseWriter, r *http.Request) error {
	if err := s.Limit("confirm-ip", web.ClientIP(r)); err != nil {
		return err
	}
	a, err := s.Accounts.Unlock(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	s.KnownAddress(r, a.Email)
	http.Redirect(w, r, paths.LogIn.String()+"?debloque", http.StatusSeeOther)
	return nil
}

func (s *Pages) logOut(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(web.SessionCookie); err == nil {
		if err := s.Accounts.LogOut(r.Context(), c.Value); err != nil {
			return err
		}
	}
	web.EndSession(w)
	http.Redirect(w, r, "/?deconnecte", http.StatusSeeOther)
	return nil
}
