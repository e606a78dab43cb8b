package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"
	"go.yaml.in/yaml/v3"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
	"github.com/sejour/sejour/internal/web"
)

// openAPI is the part of docs/openapi.yaml the test compares with the
// program.
type openAPI struct {
	OpenAPI    string                               `yaml:"openapi"`
	Paths      map[string]map[string]map[string]any `yaml:"paths"`
	Components struct {
		Schemas struct {
			Verification struct {
				Properties struct {
					Status struct {
						Enum []string `yaml:"enum"`
					} `yaml:"status"`
				} `yaml:"properties"`
			} `yaml:"Verification"`
			Problem struct {
				Properties struct {
					Error struct {
						Enum []string `yaml:"enum"`
					} `yaml:"error"`
				} `yaml:"properties"`
			} `yaml:"Problem"`
		} `yaml:"schemas"`
	} `yaml:"components"`
}

func readOpenAPI(t *testing.T) ([]byte, openAPI) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPI
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("docs/openapi.yaml: %v", err)
	}
	return b, doc
}

// TestOpenAPIDescribesTheAPI fails when docs/openapi.yaml is not a valid
// OpenAPI 3.1 document, when a route under /api/ of internal/paths (or
// the key set) is missing from it, when it documents a route the program
// does not have, when an operation has no route of that method, or when
// the statuses of /api/v1/verify or the problems' codes differ from the
// program's.
func TestOpenAPIDescribesTheAPI(t *testing.T) {
	b, doc := readOpenAPI(t)
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi: %q, want 3.1", doc.OpenAPI)
	}
	d, err := libopenapi.NewDocument(b)
	if err != nil {
		t.Fatal(err)
	}
	v, errs := validator.NewValidator(d)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("docs/openapi.yaml is not valid OpenAPI: %s (%v)", e.Message, e.SchemaValidationErrors)
		}
	}
	// The key set and the public statistics' open data are described
	// too, though not under /api/.
	want := []string{paths.KeySet.String(), paths.StatisticsJSON.String(), paths.StatisticsCSV.String(), paths.StatisticsSchema.String()}
	vals := reflect.ValueOf(paths.Names())
	for i := range vals.NumField() {
		if p := vals.Field(i).String(); strings.HasPrefix(p, web.APIPrefix) {
			want = append(want, p)
		}
	}
	if len(want) < 3 {
		t.Fatalf("found no route under /api/ in internal/paths")
	}
	for _, p := range want {
		if _, ok := doc.Paths[p]; !ok {
			t.Errorf("docs/openapi.yaml does not describe %s", p)
		}
	}
	site := newSite(t, storetest.SQLite(t, clock.NewFixed(storetest.Start)), clock.NewFixed(storetest.Start))
	var routes []string
	for _, rt := range site.srv.Routes() {
		routes = append(routes, rt.Pattern)
	}
	for p, ops := range doc.Paths {
		if !slices.Contains(want, p) {
			t.Errorf("docs/openapi.yaml describes %s, which is not a route of internal/paths under /api/ nor open data", p)
		}
		for method := range ops {
			if pattern := strings.ToUpper(method) + " " + p; !slices.Contains(routes, pattern) {
				t.Errorf("docs/openapi.yaml describes %s, which no route serves", pattern)
			}
		}
	}
	for _, pattern := range routes {
		method, p, _ := strings.Cut(pattern, " ")
		if strings.HasPrefix(p, web.APIPrefix) && doc.Paths[p][strings.ToLower(method)] == nil {
			t.Errorf("the route %s is not in docs/openapi.yaml", pattern)
		}
	}
	got := doc.Components.Schemas.Verification.Properties.Status.Enum
	if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(casework.Outcomes))) {
		t.Errorf("docs/openapi.yaml lists the statuses %v, the program %v", got, casework.Outcomes)
	}
	codes := doc.Components.Schemas.Problem.Properties.Error.Enum
	if !slices.Equal(slices.Sorted(slices.Values(codes)), slices.Sorted(slices.Values(web.ProblemCodes))) {
		t.Errorf("docs/openapi.yaml lists the problems %v, the program %v", codes, web.ProblemCodes)
	}
}

// apiCase is one request of the contract test: what it sends, whether
// the document accepts the request, and the status the handler must give.
type apiCase struct {
	name     string
	method   string
	path     string
	body     string
	header   map[string]string
	valid    bool // the request conforms to the document
	status   int
	problem  bool // the answer is a problem
	replayed bool // the answer is the one kept for its Idempotency-Key
}

// TestOpenAPIMatchesTheHandlers drives every operation of
// docs/openapi.yaml through the real server with valid and invalid
// requests, and validates each request and each answer against the
// document with libopenapi-validator: a request the document accepts must
// validate, one it refuses must not, and every answer must be one the
// document describes (status, media type, body, required headers such as
// RateLimit). It fails when an operation has no valid request here.
func TestOpenAPIMatchesTheHandlers(t *testing.T) {
	spec, doc := readOpenAPI(t)
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		d, err := libopenapi.NewDocument(spec)
		if err != nil {
			t.Fatal(err)
		}
		v, errs := validator.NewValidator(d, config.WithFormatAssertions())
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		s := newCheckSite(t, db, clk)
		res, text := s.api(s.keyA, checkJSON(s.code, checkBirth))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("a check: %d %s", res.StatusCode, text)
		}
		var check struct {
			Record struct{ Code, PDF string }
		}
		if err := json.Unmarshal([]byte(text), &check); err != nil {
			t.Fatal(err)
		}
		record := strings.TrimPrefix(check.Record.PDF, "http://sejour.test")
		codeJSON, _ := json.Marshal(map[string]string{"code": check.Record.Code})
		bearer := map[string]string{"Authorization": "Bearer " + s.keyA}
		withKey := func(kv ...string) map[string]string {
			h := map[string]string{"Authorization": "Bearer " + s.keyA}
			for i := 0; i+1 < len(kv); i += 2 {
				h[kv[i]] = kv[i+1]
			}
			return h
		}
		good := checkJSON(s.code, checkBirth)
		decl, declID, declRecord, followUp := declarationFixture(t, s, clk)
		if _, err := s.uc.Statistics.Refresh(t.Context()); err != nil {
			t.Fatal(err)
		}
		stats, err := s.uc.Statistics.Latest(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		cases := []apiCase{
			{name: "verify a record's code", method: "POST", path: paths.APIVerify.String(), body: string(codeJSON), valid: true, status: 200},
			{name: "verify not a code", method: "POST", path: paths.APIVerify.String(), body: `{"code": "hello"}`, valid: true, status: 400, problem: true},
			{name: "verify not JSON", method: "POST", path: paths.APIVerify.String(), body: `not json`, valid: false, status: 400, problem: true},
			{name: "verify a control character", method: "POST", path: paths.APIVerify.String(), body: `{"code": "SJ1:\u0007"}`, valid: true, status: 400, problem: true},
			{name: "verify without code", method: "POST", path: paths.APIVerify.String(), body: `{}`, valid: false, status: 400, problem: true},
			{name: "verify too large", method: "POST", path: paths.APIVerify.String(), body: `{"code": "` + strings.Repeat("A", 20<<10) + `"}`, valid: true, status: 413, problem: true},
			{name: "preflight", method: "OPTIONS", path: paths.APIVerify.String(), valid: true, status: 204},
			{name: "key set", method: "GET", path: paths.KeySet.String(), valid: true, status: 200},
			{name: "openapi.json", method: "GET", path: paths.APIOpenAPI.String(), valid: true, status: 200},
			{name: "status", method: "GET", path: paths.APIStatus.String(), valid: true, status: 200},
			{name: "statistics JSON", method: "GET", path: paths.StatisticsJSON.String(), valid: true, status: 200},
			{name: "statistics JSON not modified", method: "GET", path: paths.StatisticsJSON.String(), valid: true, status: 304,
				header: map[string]string{"If-None-Match": `"statistiques-` + stats.Day + `-json"`}},
			{name: "statistics CSV", method: "GET", path: paths.StatisticsCSV.String(), valid: true, status: 200},
			{name: "statistics schema", method: "GET", path: paths.StatisticsSchema.String(), valid: true, status: 200},
			{name: "check", method: "POST", path: paths.APIWorkChecks.String(), body: good, header: withKey("Idempotency-Key", "k-1"), valid: true, status: 200},
			{name: "check replayed", method: "POST", path: paths.APIWorkChecks.String(), body: good, header: withKey("Idempotency-Key", "k-1"), valid: true, status: 200, replayed: true},
			{name: "check key reused", method: "POST", path: paths.APIWorkChecks.String(), body: checkJSON(s.code, "1990-01-02"), header: withKey("Idempotency-Key", "k-1"), valid: true, status: 422, problem: true},
			{name: "check bad Idempotency-Key", method: "POST", path: paths.APIWorkChecks.String(), body: good, header: withKey("Idempotency-Key", "é"), valid: false, status: 400, problem: true},
			{name: "check no match", method: "POST", path: paths.APIWorkChecks.String(), body: checkJSON("ZZZ-ZZZ-ZZZ", checkBirth), header: bearer, valid: true, status: 404, problem: true},
			{name: "check bad date", method: "POST", path: paths.APIWorkChecks.String(), body: checkJSON("ABC", "17/05/1994"), header: bearer, valid: false, status: 400, problem: true},
			{name: "check unknown member", method: "POST", path: paths.APIWorkChecks.String(), body: `{"share_code": "ABC", "birth_date": "1990-01-01", "x": 1}`, header: bearer, valid: false, status: 400, problem: true},
			{name: "check malformed JSON", method: "POST", path: paths.APIWorkChecks.String(), body: `{"share_code": `, header: bearer, valid: false, status: 400, problem: true},
			{name: "check without key", method: "POST", path: paths.APIWorkChecks.String(), body: good, valid: false, status: 401, problem: true},
			{name: "check as text", method: "POST", path: paths.APIWorkChecks.String(), body: good, header: withKey("Content-Type", "text/plain"), valid: false, status: 415, problem: true},
			{name: "record", method: "GET", path: record, header: bearer, valid: true, status: 200},
			{name: "record of another organisation", method: "GET", path: record, header: map[string]string{"Authorization": "Bearer " + s.keyB}, valid: true, status: 404, problem: true},
			{name: "record without key", method: "GET", path: record, valid: false, status: 401, problem: true},
			{name: "declare", method: "POST", path: paths.APIDeclarations.String(), body: decl, header: withKey("Idempotency-Key", "d-1"), valid: true, status: 201},
			{name: "declare replayed", method: "POST", path: paths.APIDeclarations.String(), body: decl, header: withKey("Idempotency-Key", "d-1"), valid: true, status: 201, replayed: true},
			{name: "declare key reused", method: "POST", path: paths.APIDeclarations.String(), body: good, header: withKey("Idempotency-Key", "d-1"), valid: false, status: 422, problem: true},
			{name: "declare a start too soon", method: "POST", path: paths.APIDeclarations.String(), body: declTooSoon(t, s, clk), header: bearer, valid: true, status: 400, problem: true},
			{name: "declare 60 hours", method: "POST", path: paths.APIDeclarations.String(), body: strings.Replace(decl, `"weekly_hours":20`, `"weekly_hours":60`, 1), header: bearer, valid: false, status: 400, problem: true},
			{name: "declaration", method: "GET", path: paths.APIDeclaration.Format(declID), header: bearer, valid: true, status: 200},
			{name: "declaration of another organisation", method: "GET", path: paths.APIDeclaration.Format(declID), header: map[string]string{"Authorization": "Bearer " + s.keyB}, valid: true, status: 404, problem: true},
			{name: "declaration record", method: "GET", path: paths.APIDeclarationRecord.Format(declRecord), header: bearer, valid: true, status: 200},
			{name: "declaration record without outcome", method: "GET", path: paths.APIDeclarationRecord.Format(declID), header: bearer, valid: true, status: 404, problem: true},
			{name: "follow-up proof", method: "GET", path: paths.APIFollowUpProof.Format(followUp), header: bearer, valid: true, status: 200},
			{name: "follow-up proof of another organisation", method: "GET", path: paths.APIFollowUpProof.Format(followUp), header: map[string]string{"Authorization": "Bearer " + s.keyB}, valid: true, status: 404, problem: true},
		}
		covered := map[string]bool{}
		for _, c := range cases {
			req := c.request()
			ok, verrs := v.ValidateHttpRequestSync(req)
			if ok != c.valid {
				t.Errorf("%s: the document says the request is valid: %v, the case %v (%s)", c.name, ok, c.valid, messages(verrs))
			}
			res := s.do(c.request())
			got, _ := io.ReadAll(res.Body)
			res.Body = io.NopCloser(bytes.NewReader(got))
			if res.StatusCode != c.status {
				t.Errorf("%s: %d, want %d: %s", c.name, res.StatusCode, c.status, got)
			}
			if ok, verrs := v.ValidateHttpResponse(c.request(), res); !ok {
				t.Errorf("%s: the answer %d does not match the document: %s\n%s", c.name, res.StatusCode, messages(verrs), got)
			}
			if isProblem := res.Header.Get("Content-Type") == "application/problem+json"; isProblem != c.problem {
				t.Errorf("%s: Content-Type %q, problem expected: %v", c.name, res.Header.Get("Content-Type"), c.problem)
			}
			if (res.Header.Get(web.ReplayedHeader) == "true") != c.replayed {
				t.Errorf("%s: %s %q, replayed expected: %v", c.name, web.ReplayedHeader, res.Header.Get(web.ReplayedHeader), c.replayed)
			}
			if strings.HasPrefix(c.path, web.APIPrefix) && (res.Header.Get("RateLimit") == "" || res.Header.Get("RateLimit-Policy") == "") {
				t.Errorf("%s: no RateLimit headers: %v", c.name, res.Header)
			}
			if c.valid && c.status < 300 {
				covered[c.method+" "+templatePath(c.path, doc)] = true
			}
		}
		for p, ops := range doc.Paths {
			for method := range ops {
				if op := strings.ToUpper(method) + " " + p; !covered[op] {
					t.Errorf("the operation %s has no valid request in this test", op)
				}
			}
		}
	})
}

// declarationFixture returns a valid declaration's body, the id of a
// referred declaration of A with no outcome, the id of one the Paris
// prefecture answered (so it has its record), and an active follow-up of
// A's first check.
func declarationFixture(t *testing.T, s *checkSite, clk *clock.Fixed) (body string, open, answered, followUp int64) {
	t.Helper()
	ctx := t.Context()
	earliest, err := s.uc.Rules.Declarations.EarliestStart(permit.ParisDay(clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{"share_code": s.code, "birth_date": checkBirth, "surname": "Diallo",
		"start_date": earliest.Format(time.DateOnly), "job": "Baker", "weekly_hours": 20, "contract": "fixed_term"})
	key, org, err := s.uc.Employers.AuthenticateKey(ctx, s.keyA)
	if err != nil {
		t.Fatal(err)
	}
	form := casework.DeclarationForm{ShareCode: s.code, BirthDate: checkBirth, Surname: "Diallo", StartDate: earliest.Format(time.DateOnly),
		Job: "Baker", WeeklyHours: "20", Contract: "fixed_term"}
	var ids []int64
	for range 2 {
		d, err := s.uc.Declarations.Declare(ctx, casework.Checker{Organisation: org, Key: key}, form)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	prefs, err := s.db.Prefectures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	loggedIn(t, s.site, "agent75@example.org", permit.RoleAgent, prefs[0].ID)
	agent, _, err := s.db.Accounts().AccountByEmail(ctx, "agent75@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.uc.Declarations.Answer(ctx, agent, ids[1], casework.AnswerForm{Outcome: "authorised"}); err != nil {
		t.Fatal(err)
	}
	hist, err := s.uc.WorkChecks.History(ctx, s.adminA)
	if err != nil || len(hist) == 0 {
		t.Fatalf("A's checks: %v", err)
	}
	f, err := s.uc.FollowUps.Ask(ctx, s.adminA, hist[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.uc.FollowUps.Answer(ctx, s.applicant, f.ID, true); err != nil {
		t.Fatal(err)
	}
	return string(b), ids[0], ids[1], f.ID
}

// declTooSoon is a declaration whose start is tomorrow: valid JSON the
// use case refuses.
func declTooSoon(t *testing.T, s *checkSite, clk *clock.Fixed) string {
	b, _ := json.Marshal(map[string]any{"share_code": s.code, "birth_date": checkBirth, "surname": "Diallo",
		"start_date": clk.Now().AddDate(0, 0, 1).Format(time.DateOnly), "job": "Baker", "weekly_hours": 20, "contract": "fixed_term"})
	return string(b)
}

// request builds the case's request, afresh each time (a body is read
// once).
func (c apiCase) request() *http.Request {
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req := httptest.NewRequest(c.method, "http://sejour.test"+c.path, body)
	if c.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.method == "OPTIONS" {
		req.Header.Set("Origin", "https://other.example")
		req.Header.Set("Access-Control-Request-Method", "POST")
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	return req
}

// templatePath is the document's path that p is an instance of.
func templatePath(p string, doc openAPI) string {
	if _, ok := doc.Paths[p]; ok {
		return p
	}
	parts := strings.Split(p, "/")
	for tpl := range doc.Paths {
		tparts := strings.Split(tpl, "/")
		if len(tparts) != len(parts) {
			continue
		}
		same := true
		for i := range parts {
			if tparts[i] != parts[i] && !strings.HasPrefix(tparts[i], "{") {
				same = false
			}
		}
		if same {
			return tpl
		}
	}
	return p
}

func messages(errs []*verrors.ValidationError) string {
	var out []string
	for _, e := range errs {
		s := e.Message
		if e.Reason != "" {
			s += ": " + e.Reason
		}
		for _, se := range e.SchemaValidationErrors {
			s += " [" + se.Reason + " at " + se.KeywordLocation + "]"
		}
		out = append(out, s)
	}
	return strings.Join(out, "; ")
}

// TestOpenAPIServedIsTheSource: /api/openapi.json is docs/openapi.yaml,
// as JSON, with its headers: public, cached, shared across origins.
func TestOpenAPIServedIsTheSource(t *testing.T) {
	_, doc := readOpenAPI(t)
	s := newSite(t, storetest.SQLite(t, clock.NewFixed(storetest.Start)), clock.NewFixed(storetest.Start))
	res, text := s.get(paths.APIOpenAPI.String())
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json" ||
		res.Header.Get("Cache-Control") != "public, max-age=3600" || res.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("%d %v", res.StatusCode, res.Header)
	}
	var served openAPI
	if err := json.Unmarshal([]byte(text), &served); err != nil {
		t.Fatal(err)
	}
	a, err := json.Marshal(served.Paths)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(doc.Paths)
	if err != nil {
		t.Fatal(err)
	}
	if served.OpenAPI != doc.OpenAPI || !bytes.Equal(a, b) {
		t.Errorf("the served document differs from docs/openapi.yaml:\n%s\n%s", a, b)
	}
	if _, err := libopenapi.NewDocument([]byte(text)); err != nil {
		t.Errorf("the served document does not parse: %v", err)
	}
}
