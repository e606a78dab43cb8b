package applicant

import (
	"net/http"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/web"
)

// accessesView tells an applicant who at the prefecture opened their
// file, one line a visit.
type accessesView struct {
	*web.Page
	Accesses []casework.Access
}

// Opened says in words what a visit opened.
func (v *accessesView) Opened(o casework.Opened) string {
	switch o.What {
	case casework.OpenedPerson:
		return v.T("accesses.person")
	case casework.OpenedCorrection:
		return v.T("accesses.correction")
	case casework.OpenedReport:
		return v.T("accesses.report")
	case casework.OpenedDocuments:
		if o.Count > 1 {
			return v.T("accesses.documents", o.Count, o.ApplicationID)
		}
		return v.T("accesses.document", o.ApplicationID)
	}
	return v.T("accesses.file", o.ApplicationID)
}

// accesses lists the visits of the prefecture's staff to the applicant's
// file or documents.
func (s *Pages) accesses(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Journal.FileAccesses(r.Context(), web.Account(r))
	if err != nil {
		return err
	}
	s.Render(w, r, http.StatusOK, "accesses", &accessesView{Page: s.Page(r, "accesses.title"), Accesses: list})
	return nil
}
