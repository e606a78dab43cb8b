package backoffice

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// staffStep runs one action of the staff's case page: on success it goes
// back to the case with a notice; on a form error it shows the case again
// with the errors next to the fields and the input kept.
func (s *Pages) staffStep(w http.ResponseWriter, r *http.Request, notice, anchor string, keep []string, do func(ctx context.Context, acc *permit.Account, id int64) error) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	err = web.ParseForm(w, r)
	if err == nil {
		err = do(r.Context(), web.Account(r), id)
	}
	if err != nil {
		p := s.Page(r, "staff.case.title")
		if err := web.FormError(p, err); err != nil {
			return err
		}
		p.Values = map[string]string{}
		for _, k := range keep {
			p.Values[k] = r.PostForm.Get(k)
		}
		return s.renderStaffCase(w, r, http.StatusUnprocessableEntity, p)
	}
	http.Redirect(w, r, s.staffURL(id, notice)+anchor, http.StatusSeeOther)
	return nil
}

func (s *Pages) confirmIdentity(w http.ResponseWriter, r *http.Request) error {
	return s.staffStep(w, r, "identite", "#identite", nil, s.Decisions.ConfirmIdentity)
}

func (s *Pages) markComplete(w http.ResponseWriter, r *http.Request) error {
	return s.staffStep(w, r, "complet", "", nil, s.Decisions.MarkComplete)
}

// decideFavourable grants the application; a file not checked yet is
// shown again with what is missing, named in the error summary too.
func (s *Pages) decideFavourable(w http.ResponseWriter, r *http.Request) error {
	return s.staffStep(w, r, "favorable", "", []string{"favourable_note"}, func(ctx context.Context, acc *permit.Account, id int64) error {
		err := s.Decisions.DecideFavourable(ctx, acc, id, r.PostForm.Get("favourable_note"))
		var unchecked *permit.UncheckedError
		if errors.As(err, &unchecked) {
			p := s.Page(r, "staff.case.title")
			var items []string
			for _, it := range uncheckedItems(p, s.Rules, unchecked) {
				items = append(items, it.Text)
			}
			return permit.InvalidWith(map[string]string{"favorable": "grant.error.missing"},
				map[string][]any{"favorable": {strings.Join(items, p.T("grant.missing.join"))}})
		}
		return permit.AsField("favourable_note", err)
	})
}

func (s *Pages) decideUnfavourable(w http.ResponseWriter, r *http.Request) error {
	return s.staffStep(w, r, "defavorable", "", []string{"note"}, func(ctx context.Context, acc *permit.Account, id int64) error {
		return s.Decisions.DecideUnfavourable(ctx, acc, id, casework.RefusalForm{
			Reasons: r.PostForm["reasons"], Note: r.PostForm.Get("note"), OQTF: r.PostForm.Get("oqtf") == "1"})
	})
}

func (s *Pages) produceCard(w http.ResponseWriter, r *http.Request) error {
	return s.staffStep(w, r, "carte", "", nil, func(ctx context.Context, acc *permit.Account, id int64) error {
		return s.Decisions.ProduceCard(ctx, acc, id)
	})
}

func (s *Pages) handOver(w http.ResponseWriter, r *http.Request) error {
	return s.staffStep(w, r, "remise", "", []string{"number", "valid_from", "valid_to"}, func(ctx context.Context, acc *permit.Account, id int64) error {
		return s.Decisions.HandOver(ctx, acc, id, casework.HandOverForm{Number: r.PostForm.Get("number"),
			ValidFrom: r.PostForm.Get("valid_from"), ValidTo: r.PostForm.Get("valid_to")})
	})
}

func (s *Pages) closeCase(w http.ResponseWriter, r *http.Request) error {
	return s.staffStep(w, r, "cloture", "", []string{"close_reason"}, func(ctx context.Context, acc *permit.Account, id int64) error {
		return renamed(s.Decisions.Close(ctx, acc, id, r.PostForm.Get("close_reason")), "reason", "close_reason")
	})
}

func (s *Pages) reopenCase(w http.ResponseWriter, r *http.Request) error {
	return s.staffStep(w, r, "reouverture", "", []string{"reopen_reason"}, func(ctx context.Context, acc *permit.Account, id int64) error {
		return renamed(s.Decisions.Reopen(ctx, acc, id, r.PostForm.Get("reopen_reason")), "reason", "reopen_reason")
	})
}

func (s *Pages) undoStep(w http.ResponseWriter, r *http.Request) error {
	return s.staffStep(w, r, "annulation", "", []string{"undo_reason"}, func(ctx context.Context, acc *permit.Account, id int64) error {
		return renamed(s.Decisions.Undo(ctx, acc, id, r.PostForm.Get("undo_reason")), "reason", "undo_reason")
	})
}

func (s *Pages) reviewDocument(w http.ResponseWriter, r *http.Request) error {
	docID, err := web.PathID(r, "doc")
	if err != nil {
		return err
	}
	anchor := "#doc-" + r.PathValue("doc")
	return s.staffStep(w, r, "avis", anchor, nil, func(ctx context.Context, acc *permit.Account, id int64) error {
		f := casework.ReviewForm{Accept: r.PostForm.Get("verdict") == "accept", Reason: r.PostForm.Get("reason"), Note: r.PostForm.Get("note")}
		err := s.Decisions.ReviewDocument(ctx, acc, id, docID, f)
		// One form per document: its errors are named after it.
		err = renamed(err, "reason", "reason-"+r.PathValue("doc"))
		return renamed(err, "note", "note-"+r.PathValue("doc"))
	})
}

// renamed gives a field error another field's name, when two forms of one
// page have fields of the same name.
func renamed(err error, from, to string) error {
	fields := permit.FieldErrors(err)
	if fields == nil {
		return err
	}
	key, ok := fields[from]
	if !ok {
		return err
	}
	out := map[string]string{}
	for k, v := range fields {
		out[k] = v
	}
	delete(out, from)
	out[to] = key
	return permit.Invalid(out)
}

// downloadDocument serves a document version to the staff, as an
// attachment with a safe name, never rendered in the page's origin.
func (s *Pages) downloadDocument(w http.ResponseWriter, r *http.Request) error {
	return web.ServeDocument(w, r, s.Documents, nil)
}

// previewDocument shows a document version inline, in the case page:
// images as they are, PDFs as the picture of their pages.
func (s *Pages) previewDocument(w http.ResponseWriter, r *http.Request) error {
	return web.ServeDocument(w, r, s.Documents, s.Previews)
}
