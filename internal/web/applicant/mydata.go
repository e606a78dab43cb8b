package web

import (
	"bytes"
	"net/http"
	"strconv"
)

func (s *Server) myData(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "mydata", s.page(r, "mydata.title"))
	return nil
}

// exportData sends the applicant's data as a zip. It is built in memory
// first, so that a failure gives an error page rather than a cut archive;
// a person's files are bounded by the storage quota.
func (s *Server) exportData(w http.ResponseWriter, r *http.Request) error {
	var b bytes.Buffer
	if err := s.Export.Export(r.Context(), account(r), &b); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", mimeAttachment("sejour-donnees.zip"))
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	h.Set("Cache-Control", "private, no-store")
	_, err := b.WriteTo(w)
	return err
}
