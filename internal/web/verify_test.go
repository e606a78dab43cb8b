package web_test

import (
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/qr"
	"github.com/sejour/sejour/internal/seal"
)

// receiptCode files an application and returns its filing receipt's
// attestation, with its signed code.
func receiptCode(t *testing.T, s *site) *permit.Attestation {
	t.Helper()
	id := s.applicantWithFiling("holder@example.org")
	as, err := s.db.Attestations(t.Context(), id)
	if err != nil || len(as) != 1 || !strings.HasPrefix(as[0].Code, "SJ1:") {
		t.Fatalf("filing receipt attestation: %+v, %v", as, err)
	}
	return as[0]
}

func (s *site) verifyCode(code string) (*http.Response, string) {
	s.t.Helper()
	return s.postMultipart(paths.Verify.String(), map[string]string{"code": code}, "photo", "", nil)
}

func TestVerifierPage(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.prefecture("75", "75")
		a := receiptCode(t, s)
		s.cookie = map[string]string{} // anyone may verify
		_, page := s.get(paths.Verify.String())
		mustContain(t, page, "Vérifier une attestation", `name="code"`, `name="photo"`)

		_, page = s.verifyCode(a.Code)
		mustContain(t, page, "Attestation de dépôt authentique\u00a0: elle ne prouve pas le séjour régulier", "Zoë N&#39;Diaye", "3 février 1999", a.Number,
			"ne prouve pas, à lui seul, que le séjour est régulier")

		// Any changed character is forged or malformed, and shows nothing.
		for _, i := range []int{5, len(a.Code) / 2, len(a.Code) - 2} {
			c := []byte(a.Code)
			if c[i] == 'A' {
				c[i] = 'B'
			} else {
				c[i] = 'A'
			}
			_, page = s.verifyCode(string(c))
			if !strings.Contains(page, "non authentique") && !strings.Contains(page, "pas un code d&#39;attestation") {
				t.Errorf("code changed at %d was not refused", i)
			}
			mustNotContain(t, page, "Zoë")
		}

		// A photo of the QR code works like the code itself.
		png, err := qr.Encode(a.Code, 600)
		if err != nil {
			t.Fatal(err)
		}
		_, page = s.postMultipart(paths.Verify.String(), nil, "photo", "photo.png", png)
		mustContain(t, page, "Attestation de dépôt authentique", "Zoë N&#39;Diaye")
		res, page := s.postMultipart(paths.Verify.String(), nil, "photo", "photo.txt", []byte("neither a PDF nor an image"))
		if res.StatusCode != 422 || !strings.Contains(page, "JPEG ou PNG") {
			t.Fatalf("a file neither PDF nor image: %d", res.StatusCode)
		}

		// Online, a revoked attestation is said to be so.
		if err := s.db.Issuance().Revoke(t.Context(), a.ID, "test"); err != nil {
			t.Fatal(err)
		}
		_, page = s.verifyCode(a.Code)
		mustContain(t, page, "Attestation retirée par la préfecture")
	})
}

// TestVerifierRefusesCostlyPhotos posts what issue 13 found the
// anonymous verifier decoding at 370 MB each: a PNG of 40 megapixels of
// 16-bit colour. Its header alone (all a decoder reads before allocating)
// is refused as too large, rather than decoded.
func TestVerifierRefusesCostlyPhotos(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		ihdr := binary.BigEndian.AppendUint32([]byte("IHDR"), 8000)
		ihdr = binary.BigEndian.AppendUint32(ihdr, 5000)
		ihdr = append(ihdr, 16, 6, 0, 0, 0) // 16-bit colour with alpha
		data := binary.BigEndian.AppendUint32([]byte("\x89PNG\r\n\x1a\n"), 13)
		data = binary.BigEndian.AppendUint32(append(data, ihdr...), crc32.ChecksumIEEE(ihdr))
		res, page := s.postMultipart(paths.Verify.String(), nil, "photo", "photo.png", data)
		if res.StatusCode != 422 {
			t.Fatalf("POST %s with a 40-megapixel 16-bit PNG: %d", paths.Verify, res.StatusCode)
		}
		mustContain(t, page, "Cette image est trop grande")
	})
}

func TestVerifierSupersededVersion(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.prefecture("75", "75")
		a := receiptCode(t, s)
		next := &permit.Attestation{ValidFrom: a.ValidFrom, ValidUntil: a.ValidUntil, AvailableFrom: a.AvailableFrom}
		if err := s.db.Issuance().Supersede(t.Context(), a, next, nil); err != nil {
			t.Fatal(err)
		}
		if next.Version != 2 || next.Number != a.Number {
			t.Fatalf("new version %+v", next)
		}
		// Until the new version is signed, the holder has only the old
		// one: it still verifies.
		_, page := s.verifyCode(a.Code)
		mustNotContain(t, page, "Attestation remplacée par une version plus récente")
		if err := s.db.Issuance().SetAttestationCode(t.Context(), next.ID, "SJ1:signed-elsewhere"); err != nil {
			t.Fatal(err)
		}
		_, page = s.verifyCode(a.Code)
		mustContain(t, page, "Attestation remplacée par une version plus récente")
	})
}

func TestVerifyAPIAndKeySet(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.prefecture("75", "75")
		a := receiptCode(t, s)
		post := func(body string) (*http.Response, map[string]any) {
			req := httptest.NewRequest("POST", paths.APIVerify.String(), strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Origin", "https://employer.example") // other sites' code may call it
			res := s.do(req)
			var out map[string]any
			json.NewDecoder(res.Body).Decode(&out)
			return res, out
		}
		res, out := post(`{"code": "` + a.Code + `"}`)
		if res.StatusCode != 200 || out["status"] != "valid" || out["number"] != a.Number {
			t.Fatalf("API: %d %v", res.StatusCode, out)
		}
		if h, _ := out["holder"].(map[string]any); h["surname"] != "N'Diaye" || h["birth_date"] != "1999-02-03" {
			t.Fatalf("holder: %v", out["holder"])
		}
		bad := []byte(a.Code)
		bad[len(bad)/2] ^= 1
		if _, out := post(`{"code": "` + string(bad) + `"}`); out["status"] != "forged" && out["error"] != "malformed" || out["holder"] != nil {
			t.Fatalf("changed code: %v", out)
		}
		if res, out := post(`{"code": "hello"}`); res.StatusCode != 400 || out["error"] != "malformed" ||
			res.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("not a code: %d %v", res.StatusCode, out)
		}
		if res, _ := post(`not json`); res.StatusCode != 400 {
			t.Fatalf("not JSON: %d", res.StatusCode)
		}

		res, body := s.get(paths.KeySet.String())
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/jwk-set+json" {
			t.Fatalf("keys.json: %d %v", res.StatusCode, res.Header)
		}
		set, err := seal.ParseKeySet([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		// Offline, with the published key set alone, the code verifies.
		if r, err := seal.Verify(a.Code, set, s.clk.Now()); err != nil || r.Claims.Number != a.Number {
			t.Fatalf("offline verification: %v, %v", r, err)
		}
	})
}

func TestVerifierIsRateLimited(t *testing.T) {
	s := sqliteSite(t)
	var last *http.Response
	for i := 0; i < 31; i++ {
		last, _ = s.verifyCode("SJ1:NOTACODE")
	}
	if last.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("31st check from one address in a moment: %d", last.StatusCode)
	}
	req := httptest.NewRequest("POST", paths.APIVerify.String(), strings.NewReader(`{"code": "x"}`))
	res := s.do(req)
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "2" {
		t.Fatalf("the API shares the limit: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	// Other sites' scripts read the refusal too, as a problem, with the
	// limit it hit.
	if res.Header.Get("Access-Control-Allow-Origin") != "*" || res.Header.Get("Content-Type") != "application/problem+json" ||
		res.Header.Get("RateLimit-Policy") != `"verify-ip";q=30;w=60` || res.Header.Get("RateLimit") != `"verify-ip";r=0;t=60` {
		t.Errorf("the API's 429: %v", res.Header)
	}
}
