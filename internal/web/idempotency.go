package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/sejour/sejour/internal/permit"
)

// IdempotencyKeyHeader is the header of a POST sent with an idempotency
// key (draft-ietf-httpapi-idempotency-key-header); ReplayedHeader marks
// an answer given again from what was kept.
const (
	IdempotencyKeyHeader = "Idempotency-Key"
	ReplayedHeader       = "Idempotent-Replayed"
)

// validIdempotencyKey reports whether k is 1 to 255 visible ASCII
// characters.
func validIdempotencyKey(k string) bool {
	if len(k) == 0 || len(k) > 255 {
		return false
	}
	for i := range len(k) {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// fingerprint is what a replay must repeat: the method, the path and the
// body, hashed.
func fingerprint(r *http.Request, body []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", r.Method, r.URL.Path)
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// inFlight are the idempotency keys whose first request this process is
// answering now: a duplicate sent meanwhile is 409. Two processes
// answering the same key at once cannot both commit: the kept answer's
// primary key refuses the second write, whose request then gets the
// first one's answer.
type inFlight struct{ keys sync.Map }

// idempotent answers a POST of an API key sent with an Idempotency-Key:
// the answer kept for the key when there is one (the same request: the
// same answer, marked Idempotent-Replayed; another request: 422), else
// the handler's, which is then kept for 24 hours. The handler of a POST
// that creates something renders its answer into the write that creates
// it (AnswerInWrite), so that what is created and its answer commit
// together; an answer that created nothing (an invalid body, no match) is
// kept after it is given, when losing it loses nothing.
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, key *permit.APIKey, body []byte, next HandlerFunc) error {
	sent := r.Header.Values(IdempotencyKeyHeader)
	if len(sent) != 1 || !validIdempotencyKey(sent[0]) {
		return s.Problem(w, r, http.StatusBadRequest, ProblemKeyInvalid, nil)
	}
	idem := sent[0]
	fp := fingerprint(r, body)
	flight := strconv.FormatInt(key.ID, 10) + "\x00" + idem
	if _, busy := s.inFlight.keys.LoadOrStore(flight, true); busy {
		return s.Problem(w, r, http.StatusConflict, ProblemKeyInFlight, nil)
	}
	defer s.inFlight.keys.Delete(flight)
	kept, err := s.opts.APIRequests.Answer(r.Context(), key, idem)
	if err != nil {
		return err
	}
	if kept != nil {
		return s.replay(w, r, kept, fp)
	}
	req := &permit.APIRequest{KeyID: key.ID, Key: idem, Fingerprint: fp}
	r = r.WithContext(permit.WithAPIRequest(r.Context(), req))
	buf := &bufferedWriter{header: w.Header()}
	if err := next(buf, r); err != nil {
		if permit.ErrorCode(err) == permit.ECONFLICT {
			// Another process committed the key first: its answer.
			if kept, lerr := s.opts.APIRequests.Answer(r.Context(), key, idem); lerr == nil && kept != nil {
				return s.replay(w, r, kept, fp)
			}
		}
		buf.reset()
		s.RenderError(buf, r, err)
	}
	if !req.Recorded && keepable(buf.status) {
		a := &permit.APIAnswer{KeyID: key.ID, Key: idem, Fingerprint: fp, Status: buf.status,
			ContentType: w.Header().Get("Content-Type"), Body: buf.body}
		if err := s.opts.APIRequests.Keep(context.WithoutCancel(r.Context()), a); err != nil {
			s.Logger.Warn("the API answer could not be kept for its idempotency key", "key_id", key.ID, "err", err)
		}
	}
	return buf.send(w)
}

// keepable reports whether an answer of status is kept for a replay:
// not a server error, nor a refusal of the moment (a conflict, a rate
// limit), which a replay may see differently.
func keepable(status int) bool {
	return status < 500 && status != http.StatusConflict && status != http.StatusTooManyRequests
}

// replay sends a kept answer again, if the request is the one it
// answered.
func (s *Server) replay(w http.ResponseWriter, r *http.Request, a *permit.APIAnswer, fp string) error {
	if a.Fingerprint != fp {
		return s.Problem(w, r, http.StatusUnprocessableEntity, ProblemKeyReused, nil)
	}
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set(ReplayedHeader, "true")
	w.WriteHeader(a.Status)
	_, err := w.Write(a.Body)
	return err
}

// AnswerInWrite makes the answer of an API POST that creates something
// part of the write that creates it: when the request came with an
// Idempotency-Key, the store renders render(made) in that transaction and
// keeps it with what it made (permit.APIRequest). The handler then sends
// the same render of what the use case returns. Without a key it does
// nothing.
func AnswerInWrite[T any](r *http.Request, status int, render func(T) any) {
	req, ok := permit.APIRequestOf(r.Context())
	if !ok {
		return
	}
	req.Answer = func(made any) (*permit.APIAnswer, error) {
		t, ok := made.(T)
		if !ok {
			return nil, fmt.Errorf("web: the write made a %T, the answer renders a %T", made, *new(T))
		}
		b, err := encodeJSON(render(t))
		if err != nil {
			return nil, err
		}
		return &permit.APIAnswer{Status: status, ContentType: "application/json", Body: b}, nil
	}
}

// bufferedWriter holds an answer until it is kept: headers go to the
// real writer's, the status and body wait.
type bufferedWriter struct {
	header http.Header
	status int
	body   []byte
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	b.body = append(b.body, p...)
	return len(p), nil
}

func (b *bufferedWriter) reset() { b.status, b.body = 0, nil }

func (b *bufferedWriter) send(w http.ResponseWriter) error {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	w.WriteHeader(b.status)
	_, err := w.Write(b.body)
	return err
}
