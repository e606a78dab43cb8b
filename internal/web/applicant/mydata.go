package applicant

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/sejour/sejour/internal/web"
)

// exportData sends the applicant's data as a zip. It is built in memory
// first, so that a failure gives an error page rather than a cut archive;
// a person's files are bounded by the storage quota.
func (s *Pages) exportData(w http.ResponseWriter, r *http.Request) error {
	var b bytes.Buffer
	if err := s.Export.Export(r.Context(), web.Account(r), &b); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", web.Attachment("sejour-donnees.zip"))
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	h.Set("Cache-Control", "private, no-store")
	_, err := b.WriteTo(w)
	return err
}
