package password

import (
	"errors"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// cheap keeps the tests fast; DefaultParams is exercised where it matters.
var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashVerify(t *testing.T) {
	tests := []struct {
		name       string
		params     Params
		pw, try    string
		wantOK     bool
		wantRehash bool
	}{
		{"default params", DefaultParams, "correct horse battery", "correct horse battery", true, false},
		{"other params need rehash", cheap, "correct horse battery", "correct horse battery", true, true},
		{"wrong password", cheap, "correct horse battery", "correct horse batterY", false, false},
		{"empty try", cheap, "correct horse battery", "", false, false},
		{"unicode", cheap, "mot de passe à Noël ❄", "mot de passe à Noël ❄", true, true},
		{"longer key and salt", Params{Memory: 64, Time: 2, Threads: 2, SaltLen: 32, KeyLen: 64}, "x", "x", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			encoded, err := Hash(tt.pw, tt.params)
			if err != nil {
				t.Fatalf("Hash: %v", err)
			}
			ok, rehash, err := Verify(tt.try, encoded)
			if err != nil {
				t.Fatalf("Verify(%q): %v", encoded, err)
			}
			if ok != tt.wantOK || rehash != tt.wantRehash {
				t.Errorf("Verify = ok %v, needsRehash %v; want %v, %v", ok, rehash, tt.wantOK, tt.wantRehash)
			}
		})
	}
}

var phc = regexp.MustCompile(`^\$argon2id\$v=19\$m=65536,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHashFormat(t *testing.T) {
	a, err := Hash("same password", DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Hash("same password", DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	if !phc.MatchString(a) {
		t.Errorf("Hash = %q; want it to match %s", a, phc)
	}
	if a == b {
		t.Errorf("two hashes of the same password are equal (%q): the salt is not random", a)
	}
}

func TestHashRejectsBadParams(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Params)
	}{
		{"no threads", func(p *Params) { p.Threads = 0 }},
		{"too many threads", func(p *Params) { p.Threads = maxThreads + 1 }},
		{"no time", func(p *Params) { p.Time = 0 }},
		{"memory below 8 KiB per thread", func(p *Params) { p.Threads, p.Memory = 2, 15 }},
		{"memory too large", func(p *Params) { p.Memory = maxMemory + 1 }},
		{"short salt", func(p *Params) { p.SaltLen = 4 }},
		{"short key", func(p *Params) { p.KeyLen = 8 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := cheap
			tt.edit(&p)
			if s, err := Hash("pw", p); err == nil {
				t.Errorf("Hash with %+v = %q; want an error", p, s)
			}
		})
	}
}

// TestDefaultParamsInBounds guards DummyVerify: if DefaultParams fell out
// of bounds, Verify would refuse the dummy hash at once and the timing of
// unknown e-mail addresses would stand out.
func TestDefaultParamsInBounds(t *testing.T) {
	if err := DefaultParams.validate(); err != nil {
		t.Fatal(err)
	}
	if DefaultParams.Memory < 19*1024 {
		t.Errorf("DefaultParams.Memory = %d KiB; OWASP asks for at least 19 MiB", DefaultParams.Memory)
	}
}

func TestVerifyTampered(t *testing.T) {
	encoded, err := Hash("correct horse battery", cheap)
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Split(encoded, "$") // "", alg, v, params, salt, key
	flip := func(s string, i int) string {
		c := byte('A')
		if s[i] == 'A' {
			c = 'B'
		}
		return s[:i] + string(c) + s[i+1:]
	}
	tests := map[string]string{
		"key":    strings.Join(append(fields[:5:5], flip(fields[5], 0)), "$"),
		"salt":   strings.Join(append(fields[:4:4], flip(fields[4], 3), fields[5]), "$"),
		"memory": strings.Replace(encoded, "m=64,", "m=72,", 1),
		"time":   strings.Replace(encoded, "t=1,", "t=2,", 1),
	}
	for name, tampered := range tests {
		t.Run(name, func(t *testing.T) {
			if tampered == encoded {
				t.Fatalf("tampering with the %s changed nothing", name)
			}
			ok, _, err := Verify("correct horse battery", tampered)
			if err != nil {
				t.Fatalf("Verify(%q): %v", tampered, err)
			}
			if ok {
				t.Errorf("Verify(%q) = true; want false", tampered)
			}
		})
	}
}

func TestVerifyMalformed(t *testing.T) {
	const salt, key = "c2FsdHNhbHRzYWx0c2FsdA", "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"
	tests := map[string]string{
		"empty":               "",
		"not phc":             "hunter2",
		"no leading dollar":   "argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"argon2i":             "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"bcrypt":              "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"old version":         "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key,
		"no version":          "$argon2id$m=64,t=1,p=1$" + salt + "$" + key,
		"params out of order": "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key,
		"missing param":       "$argon2id$v=19$m=64,t=1$" + salt + "$" + key,
		"extra param":         "$argon2id$v=19$m=64,t=1,p=1,k=2$" + salt + "$" + key,
		"negative":            "$argon2id$v=19$m=-64,t=1,p=1$" + salt + "$" + key,
		"plus sign":           "$argon2id$v=19$m=+64,t=1,p=1$" + salt + "$" + key,
		"leading zero":        "$argon2id$v=19$m=064,t=1,p=1$" + salt + "$" + key,
		"not a number":        "$argon2id$v=19$m=lots,t=1,p=1$" + salt + "$" + key,
		"padded salt":         "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key,
		"url base64":          "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key[:len(key)-2] + "_-",
		"stray bits":          "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key[:len(key)-1] + "f",
		"missing key":         "$argon2id$v=19$m=64,t=1,p=1$" + salt,
		"trailing field":      "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key + "$",
		"too long":            "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + strings.Repeat("A", 300),
	}
	for name, encoded := range tests {
		t.Run(name, func(t *testing.T) {
			ok, rehash, err := Verify("pw", encoded)
			if !errors.Is(err, ErrMalformedHash) {
				t.Errorf("Verify(%q) error = %v; want ErrMalformedHash", encoded, err)
			}
			if ok || rehash {
				t.Errorf("Verify(%q) = %v, %v; want false, false", encoded, ok, rehash)
			}
		})
	}
	// The fixtures themselves must be valid, or the cases above prove nothing.
	if _, _, err := Verify("pw", "$argon2id$v=19$m=64,t=1,p=1$"+salt+"$"+key); err != nil {
		t.Fatalf("control hash: %v", err)
	}
}

// TestVerifyOversized checks that a forged hash cannot make Verify spend
// gigabytes or minutes: each of these would, if it were computed.
func TestVerifyOversized(t *testing.T) {
	const salt, key = "c2FsdHNhbHRzYWx0c2FsdA", "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"
	tests := map[string]string{
		"4 GiB":          "$argon2id$v=19$m=4194303,t=1,p=1$" + salt + "$" + key,
		"above maximum":  "$argon2id$v=19$m=262145,t=1,p=1$" + salt + "$" + key,
		"overflow":       "$argon2id$v=19$m=4294967296,t=1,p=1$" + salt + "$" + key,
		"1000 passes":    "$argon2id$v=19$m=64,t=1000,p=1$" + salt + "$" + key,
		"255 threads":    "$argon2id$v=19$m=65536,t=1,p=255$" + salt + "$" + key,
		"zero threads":   "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key,
		"zero passes":    "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key,
		"tiny memory":    "$argon2id$v=19$m=7,t=1,p=1$" + salt + "$" + key,
		"tiny key":       "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$a2V5a2V5",
		"long key":       "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + strings.Repeat("a2V5", 24),
		"tiny salt":      "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$" + key,
		"empty salt/key": "$argon2id$v=19$m=64,t=1,p=1$$",
	}
	for name, encoded := range tests {
		t.Run(name, func(t *testing.T) {
			if _, _, err := Verify("pw", encoded); !errors.Is(err, ErrMalformedHash) {
				t.Errorf("Verify(%q) error = %v; want ErrMalformedHash", encoded, err)
			}
		})
	}
}

func TestDummyVerify(t *testing.T) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	DummyVerify("no such account")
	runtime.ReadMemStats(&after)
	// The dummy must really run argon2 with DefaultParams, which allocates
	// Memory KiB; a dummy that returned early would allocate next to nothing.
	if got, want := after.TotalAlloc-before.TotalAlloc, uint64(DefaultParams.Memory)*1024; got < want {
		t.Errorf("DummyVerify allocated %d bytes; want at least %d", got, want)
	}
}

// BenchmarkHash measures Hash with DefaultParams, alone ("serial") and with
// as many logins in parallel as there are CPUs ("parallel"). For the latter
// it also reports ms/hash, the time one login waits for its hash.
func BenchmarkHash(b *testing.B) {
	b.Run("serial", func(b *testing.B) {
		for b.Loop() {
			if _, err := Hash("correct horse battery", DefaultParams); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := Hash("correct horse battery", DefaultParams); err != nil {
					b.Error(err)
					return
				}
			}
		})
		perHash := float64(b.Elapsed().Milliseconds()) * float64(runtime.GOMAXPROCS(0)) / float64(b.N)
		b.ReportMetric(perHash, "ms/hash")
	})
}
