package applicant

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"net/http"
	"time"

	"github.com/sejour/sejour/internal/attest"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/qr"
	"github.com/sejour/sejour/internal/web"
)

// attemptView is the attestation of an attempted filing, as a page.
type attemptView struct {
	*web.Page
	Proof *casework.AttemptProof
	QR    template.URL // the code as a QR image, inline: no second request
}

// attempt answers a filing that failed in a way that is not about what
// was filed: it records the attempt in the local journal, dated when the
// request arrived, and answers with its signed attestation (issue 12). It
// reports whether it answered.
func (s *Pages) attempt(w http.ResponseWriter, r *http.Request, id int64, arrived time.Time, failure error) bool {
	if !casework.Unavailable(failure) || s.Attempts == nil {
		return false
	}
	p, err := s.Attempts.Record(web.Account(r), id, r.PostFormValue("tentative"), map[string]string{"path": r.URL.Path}, web.Lang(r), arrived)
	if err != nil {
		s.Logger.Warn("a filing failed and could not be recorded as an attempt", "application", id, "filing_err", failure, "err", err)
		return false
	}
	s.Logger.Warn("a filing failed: recorded as an attempt", "application", id, "attempt", p.Number, "err", failure)
	s.renderAttempt(w, r, http.StatusAccepted, p)
	return true
}

func (s *Pages) renderAttempt(w http.ResponseWriter, r *http.Request, status int, p *casework.AttemptProof) {
	v := &attemptView{Page: s.Page(r, "attempt.title"), Proof: p}
	if png, err := qr.Encode(p.Code, 480); err == nil {
		v.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	}
	w.Header().Set("Cache-Control", "private, no-store")
	s.Render(w, r, status, "attempt", v)
}

// attemptPDF renders the attestation of an attempt from its code, posted
// by its page or the dashboard: verified with the keys in memory, so it
// works with the database down. The code is the attestation itself;
// whoever holds it can already read all it says.
func (s *Pages) attemptPDF(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	p, err := s.Attempts.Check(r.PostForm.Get("code"))
	if err != nil {
		return permit.Errorf(permit.EINVALID, "attempt.error.code")
	}
	return web.ServePDF(w, attest.AttemptFileName(p.Number), func(b *bytes.Buffer) error {
		return s.Receipts.RenderAttempt(b, p, s.BaseURL+paths.Verify.String())
	})
}

// filingTimeout bounds a filing: a database that hangs rather than fails
// turns the filing into an attempt after it, not after the browser gave up.
const filingTimeout = 15 * time.Second
