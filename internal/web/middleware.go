package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
)

type ctxKey int

const (
	accountKey ctxKey = iota
	langKey
	sessionKey
	clientKey
)

// Cookie names. The __Host- prefix makes the browser refuse them unless
// they are Secure, have Path=/ and no Domain: no other site or sub-domain
// can set or read them. Browsers treat http://localhost as secure, so this
// holds in development too.
const (
	SessionCookie = "__Host-sejour_session"
	LangCookie    = "__Host-sejour_lang"
)

// securityHeaders sets the headers every response carries.
func securityHeaders(next http.Handler) http.Handler {
	const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
		"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// clientAddress finds the client's address once, from the TCP peer and,
// behind the configured trusted proxies only, from X-Forwarded-For; the
// rate limits and the logs read it with ClientIP.
func (s *Server) clientAddress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := forwardedClient(r, s.opts.TrustedProxies)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientKey, ip)))
	})
}

// recover turns a panic into the error page, with a reference, instead of
// a dropped connection; the stack goes to the log only.
func (s *Server) recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.RenderError(w, r, fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// FrenchParam is the query parameter that shows one page in French, the
// legal reference, without changing the reader's language: the link
// "read it in French" of every translated page.
const FrenchParam = "langue"

// language picks the reader's language: French for a page asked in
// French (FrenchParam), else their explicit choice (a cookie set by the
// switch, or at log-in from their account), else their browser's
// Accept-Language, else French.
func (s *Server) language(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := ""
		if r.Method == http.MethodGet && r.URL.Query().Get(FrenchParam) == i18n.Default {
			lang = i18n.Default // one page in French, the reference, the choice kept
		} else if c, err := r.Cookie(LangCookie); err == nil {
			lang = s.Tr.Supported(c.Value)
		} else {
			lang = s.Tr.Match(r.Header.Get("Accept-Language"))
		}
		// Static files are the same for every reader: they do not vary by
		// language or cookie, so caches keep one copy (or two, by encoding).
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			w.Header().Add("Vary", "Accept-Language, Cookie")
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), langKey, lang)))
	})
}

// session loads the account of the session cookie, if any. A forged,
// expired or revoked cookie is removed and the request goes on as
// anonymous; private pages then ask to log in.
func (s *Server) session(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/static/") || r.URL.Path == paths.Healthz.String() || r.URL.Path == paths.Readyz.String() {
			next.ServeHTTP(w, r)
			return
		}
		c, err := r.Cookie(SessionCookie)
		if err != nil {
			next.ServeHTTP(w, r)
			return
		}
		// Bounded: with the database frozen, the page says so in seconds
		// rather than hanging until the client gives up.
		lookup, cancel := context.WithTimeout(r.Context(), sessionTimeout)
		sess, a, err := s.opts.Accounts.Session(lookup, c.Value)
		cancel()
		if err != nil {
			if permit.ErrorCode(err) != permit.ENOTFOUND {
				if s.onProof(w, r, c.Value, next) {
					return
				}
				s.RenderError(w, r, err)
				return
			}
			ClearCookie(w, SessionCookie)
			next.ServeHTTP(w, r)
			return
		}
		s.refreshProof(w, r, c.Value, a)
		ctx := context.WithValue(context.WithValue(r.Context(), accountKey, a), sessionKey, sess)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// sessionTimeout bounds the session's lookup: a read by key, which takes
// milliseconds when the database works.
const sessionTimeout = 5 * time.Second

// Account is the caller's account, or nil when nobody is logged in.
func Account(r *http.Request) *permit.Account {
	a, _ := r.Context().Value(accountKey).(*permit.Account)
	return a
}

// Session is the caller's session, if logged in; it tells whether a staff
// member passed the second factor.
func Session(r *http.Request) *permit.Session {
	sess, _ := r.Context().Value(sessionKey).(*permit.Session)
	return sess
}

// Lang is the language the page is written in.
func Lang(r *http.Request) string {
	if l, ok := r.Context().Value(langKey).(string); ok {
		return l
	}
	return i18n.Default
}

// SetCookie sets one of the site's cookies: secure, HTTP only, same site.
func SetCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: int(maxAge.Seconds()),
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

// ClearCookie removes a cookie SetCookie set.
func ClearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// SafeNext keeps a "come back here" target only when it is a path on this
// site, so that links cannot redirect users elsewhere.
func SafeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return url.QueryEscape(u.RequestURI())
}

// NextTarget is the decoded, checked target of a ?suite= parameter.
func NextTarget(r *http.Request, fallback string) string {
	next := r.URL.Query().Get("suite")
	if next == "" || SafeNext(next) == "/" {
		return fallback
	}
	return next
}
