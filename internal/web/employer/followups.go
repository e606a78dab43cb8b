package employer

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/sejour/sejour/internal/attest"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// followUpsView is the organisation's follow-ups, each with its latest
// events.
type followUpsView struct {
	*web.Page
	FollowUps []casework.FollowUpView
}

// EndURL is where ending a follow-up posts.
func (v *followUpsView) EndURL(id int64) string { return paths.FollowUpEnd.Format(id) }

// ProofURL is the current signed proof of a follow-up.
func (v *followUpsView) ProofURL(id int64) string { return paths.FollowUpProof.Format(id) }

// Event says an event in words, with its day.
func (v *followUpsView) Event(e *permit.FollowUpEvent) string {
	return v.T("followups.event.line", v.T("followups.event."+string(e.Kind)), v.Day(e.Day))
}

func (s *Pages) followUps(w http.ResponseWriter, r *http.Request) error {
	list, err := s.FollowUps.Organisation(r.Context(), web.Account(r))
	if err != nil {
		return err
	}
	p := s.Page(r, "followups.employer.title")
	q := r.URL.Query()
	switch {
	case q.Has("demande"):
		p.Notice = "followups.employer.asked"
	case q.Has("deja"):
		p.Notice = "followups.error.exists"
	case q.Has("arrete"):
		p.Notice = "followups.employer.ended"
	}
	s.Render(w, r, http.StatusOK, "employer_followups", &followUpsView{Page: p, FollowUps: list})
	return nil
}

// ask asks the person of one of the organisation's checks to be
// followed. A request already open says so; another organisation's check
// is not found.
func (s *Pages) ask(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	_, err = s.FollowUps.Ask(r.Context(), web.Account(r), id)
	if permit.ErrorCode(err) == permit.ECONFLICT {
		http.Redirect(w, r, paths.FollowUps.String()+"?deja", http.StatusSeeOther)
		return nil
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, paths.FollowUps.String()+"?demande", http.StatusSeeOther)
	return nil
}

func (s *Pages) endFollowUp(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.FollowUps.EndByEmployer(r.Context(), web.Account(r), id); err != nil {
		return err
	}
	http.Redirect(w, r, paths.FollowUps.String()+"?arrete", http.StatusSeeOther)
	return nil
}

// proof signs a fresh check of the followed person and sends its PDF.
func (s *Pages) proof(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	acc := web.Account(r)
	if err := s.Limit("workcheck-org", strconv.FormatInt(acc.OrganisationID, 10), "workcheck-ip", web.ClientIP(r)); err != nil {
		return err // a proof is a check: the checks' limits apply
	}
	rec, err := s.FollowUps.Proof(r.Context(), casework.Checker{Account: acc}, id)
	if err != nil {
		return err
	}
	return web.ServePDF(w, attest.WorkCheckFileName(rec.Number), func(b *bytes.Buffer) error {
		return s.Records.RenderWorkCheck(b, rec, s.BaseURL+paths.Verify.String())
	})
}

// apiProof is the current signed proof for a key of the follow-up's
// organisation: the answer of a check (APICheck); a 404 problem for a
// follow-up not active or another organisation's.
func (s *Pages) apiProof(w http.ResponseWriter, r *http.Request) error {
	k, o := web.APICaller(r)
	// A proof is a check: the checks' limits apply.
	if answered, err := s.apiLimited(w, r, o); answered {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	rec, err := s.FollowUps.Proof(r.Context(), casework.Checker{Key: k}, id)
	if err != nil {
		return err
	}
	return web.WriteJSON(w, http.StatusOK, s.apiAnswer(rec))
}

// webhookView is the organisation's webhook, the form to set it, and a
// new secret, shown once.
type webhookView struct {
	*web.Page
	Webhook *permit.Webhook
	Secret  string
	Events  []permit.FollowUpEventKind
}

func (s *Pages) webhook(w http.ResponseWriter, r *http.Request) error {
	p := s.Page(r, "followups.webhook.title")
	if r.URL.Query().Has("supprime") {
		p.Notice = "followups.webhook.removed"
	}
	return s.renderWebhook(w, r, http.StatusOK, &webhookView{Page: p})
}

func (s *Pages) renderWebhook(w http.ResponseWriter, r *http.Request, status int, v *webhookView) error {
	h, err := s.FollowUps.Webhook(r.Context(), web.Account(r))
	if err != nil {
		return err
	}
	v.Webhook, v.Events = h, permit.FollowUpEventKinds
	if h != nil && v.Values == nil {
		v.Values = map[string]string{"url": h.URL}
	}
	s.Render(w, r, status, "employer_webhook", v)
	return nil
}

// setWebhook registers the webhook and shows its secret, this once.
func (s *Pages) setWebhook(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	p := s.Page(r, "followups.webhook.title")
	secret, err := s.FollowUps.SetWebhook(r.Context(), web.Account(r), r.PostForm.Get("url"))
	if err != nil {
		if err := web.FormError(p, err); err != nil {
			return err
		}
		p.Values = map[string]string{"url": r.PostForm.Get("url")}
		return s.renderWebhook(w, r, http.StatusUnprocessableEntity, &webhookView{Page: p})
	}
	return s.renderWebhook(w, r, http.StatusOK, &webhookView{Page: p, Secret: secret})
}

func (s *Pages) rotateWebhook(w http.ResponseWriter, r *http.Request) error {
	secret, err := s.FollowUps.RotateWebhookSecret(r.Context(), web.Account(r))
	if err != nil {
		return err
	}
	return s.renderWebhook(w, r, http.StatusOK, &webhookView{Page: s.Page(r, "followups.webhook.title"), Secret: secret})
}

func (s *Pages) removeWebhook(w http.ResponseWriter, r *http.Request) error {
	// None to remove is done too: a second click lands on the same page.
	if err := s.FollowUps.RemoveWebhook(r.Context(), web.Account(r)); err != nil && permit.ErrorCode(err) != permit.ENOTFOUND {
		return err
	}
	http.Redirect(w, r, paths.EmployerWebhook.String()+"?supprime", http.StatusSeeOther)
	return nil
}
