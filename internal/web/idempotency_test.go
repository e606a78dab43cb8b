package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
	"github.com/sejour/sejour/internal/store/storetest"
	"github.com/sejour/sejour/internal/web"
)

// postIdem posts a check with a key and an Idempotency-Key.
func (s *checkSite) postIdem(key, idem, in string) (*http.Response, string) {
	req := httptest.NewRequest("POST", paths.APIWorkChecks.String(), strings.NewReader(in))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set(web.IdempotencyKeyHeader, idem)
	res := s.do(req)
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// checksOf counts the organisation's recorded checks.
func (s *checkSite) checksOf(t *testing.T) int {
	t.Helper()
	list, err := s.uc.WorkChecks.History(t.Context(), s.adminA)
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// TestIdempotentCheck: a check sent again with its Idempotency-Key gets
// the first answer, byte for byte, marked replayed, and records no second
// check; another body under the key is 422; the same key of another API
// key is another request; an answer that matched nothing is replayed too.
func TestIdempotentCheck(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		s := newCheckSite(t, db, clk)
		body := checkJSON(s.code, checkBirth)
		first, text := s.postIdem(s.keyA, "order-1", body)
		if first.StatusCode != http.StatusOK || first.Header.Get(web.ReplayedHeader) != "" {
			t.Fatalf("first: %d %v %s", first.StatusCode, first.Header, text)
		}
		clk.Advance(3600e9)
		again, text2 := s.postIdem(s.keyA, "order-1", body)
		if again.StatusCode != http.StatusOK || text2 != text || again.Header.Get(web.ReplayedHeader) != "true" ||
			again.Header.Get("Content-Type") != "application/json" {
			t.Errorf("replay: %d %v\n%s\nfirst:\n%s", again.StatusCode, again.Header, text2, text)
		}
		if n := s.checksOf(t); n != 1 {
			t.Errorf("%d checks recorded, want 1", n)
		}
		if res, text := s.postIdem(s.keyA, "order-1", checkJSON(s.code, "1990-01-02")); res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(text, `"idempotency_key_reused"`) || res.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("another body under the key: %d %s", res.StatusCode, text)
		}
		if res, _ := s.postIdem(s.keyB, "order-1", body); res.StatusCode != http.StatusOK || res.Header.Get(web.ReplayedHeader) != "" {
			t.Errorf("B's key with A's Idempotency-Key: %d %v", res.StatusCode, res.Header)
		}
		miss := checkJSON("ZZZ-ZZZ-ZZZ", checkBirth)
		res1, no1 := s.postIdem(s.keyA, "order-2", miss)
		res2, no2 := s.postIdem(s.keyA, "order-2", miss)
		if res1.StatusCode != http.StatusNotFound || res2.StatusCode != http.StatusNotFound || no1 != no2 || res2.Header.Get(web.ReplayedHeader) != "true" {
			t.Errorf("no match replayed: %d %d %v", res1.StatusCode, res2.StatusCode, res2.Header)
		}
		clk.Advance(permit.APIAnswerWindow)
		if res, _ := s.postIdem(s.keyA, "order-1", body); res.StatusCode != http.StatusOK || res.Header.Get(web.ReplayedHeader) != "" {
			t.Errorf("after 24 hours the key asks anew: %d %v", res.StatusCode, res.Header)
		}
		if n := s.checksOf(t); n != 2 {
			t.Errorf("%d checks of A recorded, want 2", n)
		}
		for _, bad := range []string{strings.Repeat("k", 256), "a b", "clé", ""} {
			if res, text := s.postIdem(s.keyA, bad, body); res.StatusCode != http.StatusBadRequest || !strings.Contains(text, "idempotency_key_invalid") {
				t.Errorf("Idempotency-Key %q: %d %s", bad, res.StatusCode, text)
			}
		}
	})
}

// TestIdempotentCheckAtOnce: the same request sent ten times at once
// records one check; each answer is that check's or 409 (the first is
// being answered).
func TestIdempotentCheckAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		s := newCheckSite(t, db, clk)
		body := checkJSON(s.code, checkBirth)
		var wg sync.WaitGroup
		statuses := make([]int, 10)
		texts := make([]string, 10)
		for i := range statuses {
			wg.Go(func() {
				req := httptest.NewRequest("POST", paths.APIWorkChecks.String(), strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+s.keyA)
				req.Header.Set(web.IdempotencyKeyHeader, "burst")
				req.RemoteAddr = "192.0.2.9:1"
				rec := httptest.NewRecorder()
				s.srv.ServeHTTP(rec, req)
				statuses[i], texts[i] = rec.Code, rec.Body.String()
			})
		}
		wg.Wait()
		ok := ""
		for i, st := range statuses {
			switch st {
			case http.StatusOK:
				if ok != "" && texts[i] != ok {
					t.Errorf("two different answers:\n%s\n%s", ok, texts[i])
				}
				ok = texts[i]
			case http.StatusConflict:
				if !strings.Contains(texts[i], "idempotency_in_flight") {
					t.Errorf("409: %s", texts[i])
				}
			default:
				t.Errorf("answer %d: %s", st, texts[i])
			}
		}
		if n := s.checksOf(t); n != 1 {
			t.Errorf("%d checks recorded, want 1", n)
		}
	})
}

// TestCheckAndItsAnswerCommitTogether: the answer of a check sent with an
// Idempotency-Key is kept by the transaction that records the check; when
// it cannot be (another process kept an answer under the key first), the
// check is not recorded either. So a check is never committed without its
// answer.
func TestCheckAndItsAnswerCommitTogether(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, clk *clock.Fixed) {
		s := newCheckSite(t, db, clk)
		key, org, err := s.uc.Employers.AuthenticateKey(t.Context(), s.keyA)
		if err != nil {
			t.Fatal(err)
		}
		by := casework.Checker{Organisation: org, Key: key}
		form := casework.CheckForm{ShareCode: s.code, BirthDate: checkBirth}
		req := &permit.APIRequest{KeyID: key.ID, Key: "tx-1", Fingerprint: "f1",
			Answer: func(made any) (*permit.APIAnswer, error) {
				return &permit.APIAnswer{Status: 200, ContentType: "application/json", Body: []byte(made.(*permit.WorkCheck).Number)}, nil
			}}
		rec, err := s.uc.WorkChecks.Check(permit.WithAPIRequest(t.Context(), req), by, form)
		if err != nil {
			t.Fatal(err)
		}
		kept, err := s.uc.APIRequests.Answer(t.Context(), key, "tx-1")
		if err != nil || kept == nil || string(kept.Body) != rec.Number || kept.Fingerprint != "f1" || !req.Recorded {
			t.Fatalf("the answer kept with the check: %+v %v", kept, err)
		}
		// Another process kept an answer under tx-2 first: this check,
		// which would record its answer under tx-2 too, records nothing.
		if err := s.uc.APIRequests.Keep(context.Background(), &permit.APIAnswer{KeyID: key.ID, Key: "tx-2", Fingerprint: "other",
			Status: 404, ContentType: "application/problem+json", Body: []byte("{}")}); err != nil {
			t.Fatal(err)
		}
		req2 := *req
		req2.Key, req2.Recorded = "tx-2", false
		if _, err := s.uc.WorkChecks.Check(permit.WithAPIRequest(t.Context(), &req2), by, form); permit.ErrorCode(err) != permit.ECONFLICT {
			t.Fatalf("a check whose answer cannot be kept: %v", err)
		}
		if n := s.checksOf(t); n != 1 {
			t.Errorf("%d checks recorded, want 1: a check committed without its answer", n)
		}
	})
}

// TestAPIRateLimitHeaders: every answer of a key states its limit; past
// it, 429 as a problem with Retry-After; another key is not limited.
func TestAPIRateLimitHeaders(t *testing.T) {
	s := newCheckSite(t, storetest.SQLite(t, clock.NewFixed(storetest.Start)), clock.NewFixed(storetest.Start))
	get := func(key string) *http.Response {
		req := httptest.NewRequest("GET", paths.APIWorkCheck.Format(999999), nil)
		req.Header.Set("Authorization", "Bearer "+key)
		return s.do(req)
	}
	res := get(s.keyA)
	if res.StatusCode != http.StatusNotFound || res.Header.Get("RateLimit-Policy") != `"api-key";q=60;w=60` ||
		res.Header.Get("RateLimit") != `"api-key";r=59;t=1` || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("first: %d %v", res.StatusCode, res.Header)
	}
	for range 59 {
		get(s.keyA)
	}
	res = get(s.keyA)
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "1" ||
		res.Header.Get("RateLimit") != `"api-key";r=0;t=60` || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("61st: %d %v", res.StatusCode, res.Header)
	}
	if res := get(s.keyB); res.StatusCode != http.StatusNotFound {
		t.Errorf("B limited by A: %d", res.StatusCode)
	}
	for _, c := range []struct{ method, path string }{{"DELETE", paths.APIWorkChecks.String()}, {"GET", "/api/v1/nothing"}} {
		res := s.do(httptest.NewRequest(c.method, c.path, nil))
		if (res.StatusCode != http.StatusMethodNotAllowed && res.StatusCode != http.StatusNotFound) ||
			res.Header.Get("Content-Type") != "application/problem+json" || res.Header.Get("RateLimit") == "" {
			t.Errorf("%s %s: %d %v", c.method, c.path, res.StatusCode, res.Header)
		}
		if res.StatusCode == http.StatusMethodNotAllowed && res.Header.Get("Allow") != "POST" {
			t.Errorf("Allow: %q", res.Header.Get("Allow"))
		}
	}
}
