package employer

import (
	"bytes"
	"net/http"

	"github.com/sejour/sejour/internal/attest"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// historyView is the organisation's checks, newest first.
type historyView struct {
	*web.Page
	Checks []*permit.WorkCheck
}

// Work says a record's right to work in the catalogue's words.
func (v *historyView) Work(rec *permit.WorkCheck) string { return WorkWords(v.Page, rec) }

func (s *Pages) history(w http.ResponseWriter, r *http.Request) error {
	list, err := s.WorkChecks.History(r.Context(), web.Account(r))
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "employer_history", &historyView{Page: s.Page(r, "employers.history.title"), Checks: list})
	return nil
}

// record sends a check record's PDF, rendered again from what was stored.
func (s *Pages) record(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	return s.sendRecord(w, r, casework.Checker{Account: web.Account(r)}, id)
}

func (s *Pages) sendRecord(w http.ResponseWriter, r *http.Request, by casework.Checker, id int64) error {
	rec, err := s.WorkChecks.Record(r.Context(), by, id)
	if err != nil {
		return err
	}
	return web.ServePDF(w, attest.WorkCheckFileName(rec.Number), func(b *bytes.Buffer) error {
		return s.Records.RenderWorkCheck(b, rec, s.BaseURL+paths.Verify.String())
	})
}
