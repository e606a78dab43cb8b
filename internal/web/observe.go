package web

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/sejour/sejour/internal/clock"
)

// RequestObserver is told of every answered request (package metrics):
// the route pattern it matched, never its path (no identifier reaches a
// label), its status and how long it took.
type RequestObserver interface {
	ObserveRequest(pattern string, status int, elapsed time.Duration)
}

type patternKey struct{}

// observe times every request, outermost, and tells the observer. The
// pattern is learnt from the router (notePattern), which sets it on the
// request it is given, a copy of this one: a slot in the context carries
// it back out.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elapsed := clock.Stopwatch()
		var pattern string
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			if v := recover(); v != nil {
				// An aborted answer (http.ErrAbortHandler) goes on up, counted.
				s.opts.Observer.ObserveRequest(pattern, status, elapsed())
				panic(v)
			}
			s.opts.Observer.ObserveRequest(pattern, status, elapsed())
		}()
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), patternKey{}, &pattern)))
	})
}

// notePattern runs the router and writes the pattern it matched into
// observe's slot.
func notePattern(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slot, ok := r.Context().Value(patternKey{}).(*string); ok {
			// Deferred: the router has set r.Pattern before the handler
			// runs, and a handler's panic still names its route.
			defer func() { *slot = r.Pattern }()
		}
		mux.ServeHTTP(w, r)
	})
}

// statusRecorder keeps the status a handler answered with. Unwrap lets
// http.ResponseController reach the connection's own writer.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// ReadFrom keeps the connection's own ReadFrom (sendfile for a file sent
// with http.ServeContent) within reach of io.Copy.
func (w *statusRecorder) ReadFrom(r io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return io.Copy(w.ResponseWriter, r)
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
