package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/sejour/sejour/internal/health"
	"github.com/sejour/sejour/internal/permit"
)

// RetryAfter is the Retry-After of a 503, in seconds: about the time a
// database fail-over or a restart takes, and the monitor's period.
const RetryAfter = "30"

// HandlerFunc is a page handler: it writes a response or returns an error.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// codes maps domain error codes to HTTP statuses, in one place.
var codes = map[string]int{
	permit.ECONFLICT:     http.StatusConflict,
	permit.EINVALID:      http.StatusUnprocessableEntity,
	permit.ENOTFOUND:     http.StatusNotFound,
	permit.EFORBIDDEN:    http.StatusForbidden,
	permit.EUNAUTHORIZED: http.StatusUnauthorized,
	permit.EUNAVAILABLE:  http.StatusServiceUnavailable,
	permit.ERATELIMIT:    http.StatusTooManyRequests,
	permit.EINTERNAL:     http.StatusInternalServerError,
}

// Handle turns a HandlerFunc into an http.Handler: a returned error
// becomes the error page.
func (s *Server) Handle(h HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.RenderError(w, r, err)
		}
	})
}

// errorView is the error page: what happened in plain words, and a
// reference to quote to the help desk, which is also in the log.
type errorView struct {
	*Page
	Status    int
	Message   string
	Reference string
	ReportURL string // "report this problem", carrying the reference, the page and its application
}

// RenderError writes the error page. Internal errors are logged once,
// here, with the reference shown to the user; their detail never reaches
// the page.
func (s *Server) RenderError(w http.ResponseWriter, r *http.Request, err error) {
	code := permit.ErrorCode(err)
	status := codes[code]
	ref := newReference()
	if code == permit.EINTERNAL || code == permit.EUNAVAILABLE {
		s.Logger.Error("request failed", "ref", ref, "method", r.Method, "path", r.URL.Path, "err", err)
		s.recordIncident(r, ref, status, err)
	}
	if isAPI(r) {
		s.renderProblem(w, r, err, status, ref)
		return
	}
	if code == permit.EUNAVAILABLE {
		s.renderOutage(w, r, ref, false)
		return
	}
	p := s.Page(r, "error.title")
	key, args := permit.ErrorMessage(err)
	if errors.Is(err, http.ErrHandlerTimeout) {
		key = "error.internal"
	}
	v := &errorView{Page: p, Status: status, Message: p.T(key, args...), Reference: ref, ReportURL: reportURL(p.Path, ref)}
	w.Header().Set("Cache-Control", "no-store")
	s.Render(w, r, status, "error", v)
}

// newReference returns a short reference, easy to read aloud on the phone:
// no 0/O or 1/I confusion.
func newReference() string { return permit.NewReference("ERR") }

// recordIncident keeps a server error as an incident, under the reference
// the page shows, so that a report quoting it finds its cause. It never
// fails the error page: an incident the database cannot take now (the
// monitor says so, or the write fails) is kept in memory and written when
// the database answers again (FlushIncidents).
func (s *Server) recordIncident(r *http.Request, ref string, status int, err error) {
	if s.opts.UseCases == nil {
		return
	}
	inc := &permit.Incident{Reference: ref, Source: permit.IncidentWeb, Kind: "http_" + strconv.Itoa(status),
		Method: r.Method, Path: ReportedPath(r.URL.Path), Status: status, Cause: err.Error(), At: s.Clock.Now()}
	if s.writesDown() {
		s.incidents.keep(inc)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), incidentTimeout)
	defer cancel()
	if rerr := s.opts.Reports.RecordIncident(ctx, inc); rerr != nil {
		s.incidents.keep(inc)
		s.Logger.Warn("incident kept until the database answers", "ref", ref, "err", rerr)
		// An outage shorter than the monitor's period changes no status:
		// try again after one, when the monitor has either seen the
		// outage (and will flush at its end) or sees none.
		time.AfterFunc(health.DefaultPeriod, func() {
			if !s.writesDown() {
				s.FlushIncidents(context.Background())
			}
		})
		return
	}
	if s.PendingIncidents() > 0 { // the database answers again: the kept ones too
		go s.FlushIncidents(context.WithoutCancel(r.Context()))
	}
}

// incidentTimeout bounds the recording of an incident: the database may
// be what failed, and the error page must not wait for it.
const incidentTimeout = 2 * time.Second
