package seal

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/clock"
)

func TestPublicKeySet(t *testing.T) {
	s := openShared(t, &memKeys{}, clock.NewFixed(t0.Add(time.Hour)), "")
	k, err := s.Rotate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.PublicKeySet()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Keys) != 2 {
		t.Fatalf("%d keys published, want 2:\n%s", len(doc.Keys), b)
	}
	for i, key := range doc.Keys {
		want := map[string]string{"kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": k.Keys()[i].ID,
			"created": k.Keys()[i].Created.Format(time.RFC3339)}
		for name, v := range want {
			if key[name] != v {
				t.Errorf("key %d: %s = %q, want %q", i, name, key[name], v)
			}
		}
		if len(key["x"]) != 43 || len(key["y"]) != 43 {
			t.Errorf("key %d: x %q, y %q are not 32 bytes in unpadded base64url", i, key["x"], key["y"])
		}
		if _, ok := key["d"]; ok || len(key) != 8 {
			t.Errorf("key %d has members %v; want exactly the public ones", i, key)
		}
	}
}

func TestParseKeySetRefuses(t *testing.T) {
	k := testKeyring(t)
	b, _ := k.PublicKeySet()
	good := string(b)
	var doc struct {
		Keys []map[string]any `json:"keys"`
	}
	json.Unmarshal(b, &doc)
	key := doc.Keys[0]
	with := func(name string, v any) string {
		m := map[string]any{}
		for n, x := range key {
			m[n] = x
		}
		if v == nil {
			delete(m, name)
		} else {
			m[name] = v
		}
		out, _ := json.Marshal(map[string]any{"keys": []any{m}})
		return string(out)
	}
	other := testKeyring(t)
	otherSet, _ := other.PublicKeySet()
	var otherDoc struct {
		Keys []map[string]any `json:"keys"`
	}
	json.Unmarshal(otherSet, &otherDoc)
	dup, _ := json.Marshal(map[string]any{"keys": []any{key, key}})

	tests := []struct {
		name, in, want string
	}{
		{"empty file", "", "not a JSON key set"},
		{"HTML error page", "<html>502 Bad Gateway</html>", "not a JSON key set"},
		{"a bare key", string(mustJSON(key)), `no "keys"`},
		{"no keys", `{"keys": []}`, `no "keys"`},
		{"keys not a list", `{"keys": {}}`, "not a JSON key set"},
		{"two documents", good + good, "data after"},
		{"RSA key", with("kty", "RSA"), "want EC P-256"},
		{"P-384", with("crv", "P-384"), "want EC P-256"},
		{"another algorithm", with("alg", "ES384"), "want ES256"},
		{"encryption key", with("use", "enc"), "want sig"},
		{"no x", with("x", nil), "32 bytes each"},
		{"padded x", with("x", key["x"].(string)+"="), "32 bytes each"},
		{"standard base64", with("x", strings.NewReplacer("-", "+", "_", "/").Replace(key["x"].(string))+"+"), "32 bytes each"},
		{"point off the curve", with("y", otherDoc.Keys[0]["y"]), "not a point of P-256"},
		{"another key's kid", with("kid", otherDoc.Keys[0]["kid"]), "not the key's own"},
		{"no kid", with("kid", nil), "not the key's own"},
		{"duplicate kid", string(dup), "appears twice"},
		{"private key", with("d", "AAAA"), "private key"},
		{"bad created", with("created", "yesterday"), "RFC 3339"},
		{"too large", `{"keys": [` + strings.Repeat(" ", maxKeySetBytes) + `]}`, "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := ParseKeySet([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "key set: ") {
				t.Errorf("got %v, %v; want an error saying %q", set, err, tt.want)
			}
		})
	}
	if _, err := ParseKeySet(b); err != nil {
		t.Errorf("the published key set does not parse: %v", err)
	}
	if _, err := ParseKeySet([]byte(with("extra", "member"))); err != nil {
		t.Errorf("a member the parser does not know is refused: %v", err)
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
