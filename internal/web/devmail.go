package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/sejour/sejour/internal/permit"
)

// devMailsView lists the outbox. It exists only in development and demo
// mode (SEJOUR_DEV), where no SMTP server receives the mails.
type devMailsView struct {
	*Page
	Mails []*permit.Mail
	Mail  *permit.Mail
}

func (s *Server) devMails(w http.ResponseWriter, r *http.Request) error {
	mails, err := s.opts.Outbox.RecentMails(r.Context(), 50)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "devmails", &devMailsView{Page: s.Page(r, "dev.mails.title"), Mails: mails})
	return nil
}

func (s *Server) devMail(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	m, err := s.opts.Outbox.Mail(r.Context(), id)
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "devmail", &devMailsView{Page: s.Page(r, "dev.mails.title"), Mail: m})
	return nil
}

// Links are the addresses in the mail's text, made clickable so that a
// demonstration can follow a confirmation link.
func (v *devMailsView) Links() []string {
	var out []string
	for _, f := range strings.Fields(v.Mail.Text) {
		if strings.HasPrefix(f, "http://") || strings.HasPrefix(f, "https://") {
			out = append(out, f)
		}
	}
	return out
}
