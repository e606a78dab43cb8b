package applicant

import (
	"net/http"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// shareView is a person's share codes, each with the checks made with
// it, the form for a new one, and a new code, shown once.
type shareView struct {
	*web.Page
	Codes    []casework.ShareCodeView
	NewCode  string
	Purposes []permit.SharePurpose
	Days     int // how long a code lasts, from the catalogue
	// FollowUps are the organisations that follow, or ask to follow,
	// the person's right to work.
	FollowUps []*permit.FollowUp
}

// AcceptURL, DeclineURL and EndURL are where a follow-up's answers post.
func (v *shareView) AcceptURL(id int64) string  { return paths.FollowUpAccept.Format(id) }
func (v *shareView) DeclineURL(id int64) string { return paths.FollowUpDecline.Format(id) }
func (v *shareView) EndURL(id int64) string     { return paths.FollowUpWorkerEnd.Format(id) }

// PurposeError is the purpose's error in words, with its arguments.
func (v *shareView) PurposeError() string {
	key, ok := v.Errors["purpose"]
	if !ok {
		return ""
	}
	return v.T(key, v.ErrArgs["purpose"]...)
}

// RevokeURL is where a code's revocation posts.
func (v *shareView) RevokeURL(id int64) string { return paths.ShareRevoke.Format(id) }

func (s *Pages) shareCodes(w http.ResponseWriter, r *http.Request) error {
	p := s.Page(r, "share.title")
	switch q := r.URL.Query(); {
	case q.Has("revoque"):
		p.Notice = "share.revoked"
	case q.Has("suivi-accepte"):
		p.Notice = "followups.worker.accepted"
	case q.Has("suivi-refuse"):
		p.Notice = "followups.worker.declined"
	case q.Has("suivi-arrete"):
		p.Notice = "followups.worker.ended"
	}
	return s.renderShare(w, r, http.StatusOK, &shareView{Page: p})
}

func (s *Pages) renderShare(w http.ResponseWriter, r *http.Request, status int, v *shareView) error {
	codes, err := s.WorkChecks.ShareCodes(r.Context(), web.Account(r))
	if err != nil {
		return err
	}
	follow, err := s.FollowUps.Mine(r.Context(), web.Account(r))
	if err != nil {
		return err
	}
	v.Codes, v.Purposes, v.Days, v.FollowUps = codes, permit.SharePurposes, s.Rules.ShareCodes.ValidityDays, follow
	s.Render(w, r, status, "share", v)
	return nil
}

// createShareCode makes a code and shows it, this once.
func (s *Pages) createShareCode(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	p := s.Page(r, "share.title")
	purpose := r.PostForm.Get("purpose")
	code, _, err := s.WorkChecks.CreateShareCode(r.Context(), web.Account(r), purpose)
	if permit.ErrorCode(err) == permit.ECONFLICT {
		p.Notice = "share.error.profile_first"
		return s.renderShare(w, r, http.StatusConflict, &shareView{Page: p})
	} else if err != nil {
		if err := web.FormError(p, err); err != nil {
			return err
		}
		p.Values = map[string]string{"purpose": purpose}
		return s.renderShare(w, r, http.StatusUnprocessableEntity, &shareView{Page: p})
	}
	return s.renderShare(w, r, http.StatusOK, &shareView{Page: p, NewCode: casework.FormatShareCode(code)})
}

func (s *Pages) revokeShareCode(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.WorkChecks.RevokeShareCode(r.Context(), web.Account(r), id); err != nil {
		return err
	}
	http.Redirect(w, r, paths.Share.String()+"?revoque", http.StatusSeeOther)
	return nil
}

// answerFollowUp records the person's yes or no to a request to follow
// their right to work.
func (s *Pages) answerFollowUp(accept bool) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		if err := s.FollowUps.Answer(r.Context(), web.Account(r), id, accept); err != nil {
			return err
		}
		notice := "?suivi-refuse"
		if accept {
			notice = "?suivi-accepte"
		}
		http.Redirect(w, r, paths.Share.String()+notice+"#suivis", http.StatusSeeOther)
		return nil
	}
}

func (s *Pages) endFollowUp(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.FollowUps.EndByWorker(r.Context(), web.Account(r), id); err != nil {
		return err
	}
	http.Redirect(w, r, paths.Share.String()+"?suivi-arrete#suivis", http.StatusSeeOther)
	return nil
}
