package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// The API (issue 14, part 6) is every route under /api/. Each is mounted
// through apiRoute, which gives it, whoever wrote it: errors as
// application/problem+json (RFC 9457), a rate limit with its RateLimit
// headers on every answer, bounded JSON bodies, and, for the POSTs of
// API keys, idempotency keys. docs/architecture.md ("An API route") says
// how a new route gets all of it.

// APIPrefix is the path every API route starts with.
const APIPrefix = "/api/"

// maxAPIBody bounds the body of an API request: the API takes small
// JSON documents only.
const maxAPIBody = 16 << 10

// ProblemTypes is where the problem types are described: a problem's
// type is this address and its code (docs/employers.md, "Problems").
const ProblemTypes = "https://github.com/sejour/sejour/blob/main/docs/employers.md#problem-"

// The codes of the API's problems, beside the domain's error codes
// (permit.ENOTFOUND...), which are problems' codes too. Each has its
// title and detail in the catalogue (api.title.<code>, api.detail.<code>).
const (
	ProblemInvalidJSON      = "invalid_json"            // 400: not the JSON expected
	ProblemNoMatch          = "no_match"                // 404: a check that matched nothing
	ProblemMethod           = "method_not_allowed"      // 405
	ProblemTooLarge         = "too_large"               // 413
	ProblemMediaType        = "unsupported_media_type"  // 415: not application/json
	ProblemKeyInvalid       = "idempotency_key_invalid" // 400: an Idempotency-Key not of 1 to 255 visible ASCII characters
	ProblemKeyReused        = "idempotency_key_reused"  // 422: the key came with another request
	ProblemKeyInFlight      = "idempotency_in_flight"   // 409: the first request with the key is still being answered
	ProblemMalformedCode    = "malformed"               // 400: the verifier's code is not a code of this format
	ProblemUnreadableString = "unreadable"              // 400: control characters or bytes that are not UTF-8
)

// ProblemCodes are every code a problem may carry: the catalogue has a
// title and a detail for each, and docs/employers.md a section.
var ProblemCodes = []string{
	permit.EINVALID, permit.ENOTFOUND, permit.ECONFLICT, permit.EFORBIDDEN, permit.EUNAUTHORIZED,
	permit.EUNAVAILABLE, permit.ERATELIMIT, permit.EINTERNAL,
	ProblemInvalidJSON, ProblemNoMatch, ProblemMethod, ProblemTooLarge, ProblemMediaType,
	ProblemKeyInvalid, ProblemKeyReused, ProblemKeyInFlight, ProblemMalformedCode, ProblemUnreadableString,
}

// Problem is the body of every error answer of the API (RFC 9457,
// application/problem+json). Error repeats the code in the member the
// API's errors carried before problems, so that clients reading it go on
// working.
type Problem struct {
	Type      string         `json:"type"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Detail    string         `json:"detail,omitempty"`
	Error     string         `json:"error"`
	Errors    []FieldProblem `json:"errors,omitempty"`
	Result    string         `json:"result,omitempty"`    // "no_match" on a check that matched nothing
	Reference string         `json:"reference,omitempty"` // a server error's reference, to quote to the help desk
}

// FieldProblem is one invalid member of the request's body.
type FieldProblem struct {
	Field   string `json:"field"`
	Pointer string `json:"pointer"` // JSON pointer into the body, as RFC 9457's example
	Detail  string `json:"detail"`
}

// WriteJSON sends v as a JSON answer of the API with status. API answers
// are never stored by a cache, unless the handler said otherwise.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	b, err := encodeJSON(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	if w.Header().Get("Cache-Control") == "" {
		w.Header().Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	_, err = w.Write(b)
	return err
}

// encodeJSON is v as WriteJSON sends it, and as an answer is kept for a
// replay: the same bytes either way.
func encodeJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	return append(b, '\n'), err
}

// Problem sends the problem of code with status, in the caller's
// language, with the field errors (field → translation key) if any.
func (s *Server) Problem(w http.ResponseWriter, r *http.Request, status int, code string, fields map[string]string) error {
	lang := Lang(r)
	p := Problem{Type: ProblemTypes + code, Title: s.Tr.T(lang, "api.title."+code), Status: status,
		Detail: s.Tr.T(lang, "api.detail."+code), Error: code}
	p.Errors = s.fieldProblems(lang, fields, nil)
	return s.WriteProblem(w, p)
}

// fieldProblems are the field errors (field → translation key) in words,
// in the order of the fields' names.
func (s *Server) fieldProblems(lang string, fields map[string]string, args map[string][]any) []FieldProblem {
	var out []FieldProblem
	for _, f := range slices.Sorted(maps.Keys(fields)) {
		out = append(out, FieldProblem{Field: f, Pointer: "#/" + f, Detail: s.Tr.T(lang, fields[f], args[f]...)})
	}
	return out
}

// WriteProblem sends p as application/problem+json.
func (s *Server) WriteProblem(w http.ResponseWriter, p Problem) error {
	b, err := encodeJSON(p)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_, err = w.Write(b)
	return err
}

// renderProblem is RenderError for the API: the domain error as a
// problem, its message as the detail. Invalid members of the body are 400
// (a page's invalid form is 422, shown again with its errors).
func (s *Server) renderProblem(w http.ResponseWriter, r *http.Request, err error, status int, ref string) {
	code := permit.ErrorCode(err)
	if code == permit.EINVALID {
		status = http.StatusBadRequest
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", RetryAfter)
	}
	if code == permit.EUNAUTHORIZED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="sejour"`)
	}
	lang := Lang(r)
	key, args := permit.ErrorMessage(err)
	p := Problem{Type: ProblemTypes + code, Title: s.Tr.T(lang, "api.title."+code), Status: status,
		Detail: s.Tr.T(lang, key, args...), Error: code}
	if code == permit.EINTERNAL || code == permit.EUNAVAILABLE {
		p.Detail, p.Reference = s.Tr.T(lang, "api.detail."+code), ref
	}
	var pe *permit.Error
	if fields := permit.FieldErrors(err); fields != nil && errors.As(err, &pe) {
		p.Detail, p.Errors = s.Tr.T(lang, "api.detail."+permit.EINVALID), s.fieldProblems(lang, fields, pe.FieldArgs)
	}
	_ = s.WriteProblem(w, p)
}

// isAPI reports whether the request is one of the API's.
func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, APIPrefix) }

type callerKey struct{}

// apiCaller is the API key a request was authenticated with, and its
// organisation.
type apiCaller struct {
	key *permit.APIKey
	org *permit.Organisation
}

// APICaller is the API key of the request and its organisation, set by
// apiRoute before an APIClient route's handler runs (nil outside one).
func APICaller(r *http.Request) (*permit.APIKey, *permit.Organisation) {
	c, _ := r.Context().Value(callerKey{}).(apiCaller)
	return c.key, c.org
}

// apiRoute is the API's middleware around a route's handler, in this
// order: who calls (an APIClient route authenticates its key), the rate
// limit (per key, else the route's per address) with its headers on
// every answer, then for a request with a body its type (JSON) and size,
// and for a POST of a key its Idempotency-Key.
func (s *Server) apiRoute(rt Route) HandlerFunc {
	_, path, _ := strings.Cut(rt.Pattern, " ")
	shared := slices.ContainsFunc(s.routes, func(o Route) bool { return o.Pattern == "OPTIONS "+path })
	return func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Cache-Control", "no-store")
		if shared {
			// A path other sites' scripts may call (it has a preflight):
			// its refusals too, a 429 above all, are theirs to read.
			w.Header().Set("Access-Control-Allow-Origin", "*")
		}
		kind, partition := rt.Limit, ClientIP(r)
		if kind == "" {
			kind = LimitAPIIP
		}
		var caller apiCaller
		if rt.Who == APIClient {
			var err error
			if caller.key, caller.org, err = s.authenticateKey(r); err != nil {
				return err
			}
			if caller.key != nil {
				kind, partition = LimitAPIKey, strconv.FormatInt(caller.key.ID, 10)
				r = r.WithContext(context.WithValue(r.Context(), callerKey{}, caller))
			}
		}
		st := s.limits.take(kind, partition)
		setRateLimit(w, st)
		if !st.Allowed {
			w.Header().Set("Retry-After", strconv.Itoa(seconds(st.RetryAfter)))
			return s.Problem(w, r, http.StatusTooManyRequests, permit.ERATELIMIT, nil)
		}
		if rt.Who == APIClient && caller.key == nil {
			return s.unauthorized(w, r)
		}
		body, done, err := s.readAPIBody(w, r, rt)
		if done || err != nil {
			return err
		}
		if _, sent := r.Header[IdempotencyKeyHeader]; sent && rt.Who == APIClient && r.Method == http.MethodPost {
			return s.idempotent(w, r, caller.key, body, rt.Handler)
		}
		return rt.Handler(w, r)
	}
}

// authenticateKey reads the request's bearer API key: (nil, nil, nil)
// when there is none, or it is unknown or revoked.
func (s *Server) authenticateKey(r *http.Request) (*permit.APIKey, *permit.Organisation, error) {
	bearer, ok := BearerKey(r)
	if !ok || s.opts.UseCases == nil || s.opts.Employers == nil {
		return nil, nil, nil
	}
	k, o, err := s.opts.Employers.AuthenticateKey(r.Context(), bearer)
	if permit.ErrorCode(err) == permit.EUNAUTHORIZED {
		return nil, nil, nil
	}
	return k, o, err
}

// unauthorized answers an API call without a usable key: none, unknown
// or revoked, all alike.
func (s *Server) unauthorized(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("WWW-Authenticate", `Bearer realm="sejour"`)
	return s.Problem(w, r, http.StatusUnauthorized, permit.EUNAUTHORIZED, nil)
}

// readAPIBody checks the body of a request that carries one: JSON, for
// the routes of API keys (the public verifier also takes the text/plain a
// browser's script sends without a preflight), at most maxAPIBody bytes.
// It returns the body, put back for the handler, or answers itself (done).
func (s *Server) readAPIBody(w http.ResponseWriter, r *http.Request, rt Route) ([]byte, bool, error) {
	if r.Method != http.MethodPost && r.Method != http.MethodPut && r.Method != http.MethodPatch {
		return nil, false, nil
	}
	if rt.Who == APIClient {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			w.Header().Set("Accept-Post", "application/json")
			return nil, true, s.Problem(w, r, http.StatusUnsupportedMediaType, ProblemMediaType, nil)
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAPIBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, true, s.Problem(w, r, http.StatusRequestEntityTooLarge, ProblemTooLarge, nil)
	} else if err != nil {
		return nil, true, s.Problem(w, r, http.StatusBadRequest, ProblemInvalidJSON, nil)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, false, nil
}

// setRateLimit writes the limit's state in the syntax of
// draft-ietf-httpapi-ratelimit-headers-10: the policy's quota q over its
// window w in seconds, and r requests left, the quota whole in t seconds.
func setRateLimit(w http.ResponseWriter, st LimitState) {
	w.Header().Set("RateLimit-Policy", fmt.Sprintf("%q;q=%d;w=%d", st.Policy, st.Quota, seconds(st.Window)))
	w.Header().Set("RateLimit", fmt.Sprintf("%q;r=%d;t=%d", st.Policy, st.Remaining, seconds(st.Reset)))
}

// seconds is d in whole seconds, rounded up: a client waiting that long
// is never early.
func seconds(d time.Duration) int {
	return int((d + time.Second - 1) / time.Second)
}

// apiFallbacks are the routes that answer the API's wrong calls as
// problems: a method the path does not take (405, with Allow), and a path
// the API does not have (404).
func (s *Server) apiFallbacks(routes []Route) []Route {
	methods := map[string][]string{}
	var order []string
	for _, rt := range routes {
		method, path, ok := strings.Cut(rt.Pattern, " ")
		if !ok || !strings.HasPrefix(path, APIPrefix) {
			continue
		}
		if _, seen := methods[path]; !seen {
			order = append(order, path)
		}
		methods[path] = append(methods[path], method)
		if method == http.MethodGet {
			methods[path] = append(methods[path], http.MethodHead)
		}
	}
	out := []Route{{Pattern: APIPrefix, Who: Anyone, Handler: func(w http.ResponseWriter, r *http.Request) error {
		return s.Problem(w, r, http.StatusNotFound, permit.ENOTFOUND, nil)
	}}}
	for _, path := range order {
		allow := strings.Join(methods[path], ", ")
		out = append(out, Route{Pattern: path, Who: Anyone, Handler: func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Allow", allow)
			return s.Problem(w, r, http.StatusMethodNotAllowed, ProblemMethod, nil)
		}})
	}
	return out
}
