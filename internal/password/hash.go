package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id cost parameters. They are stored inside every
// hash, so changing DefaultParams never locks anyone out: old hashes still
// verify, and Verify reports that they should be rehashed.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over the memory
	Threads uint8  // lanes; the work runs on this many goroutines
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams are the parameters of new hashes: 64 MiB, 2 passes, 1 lane.
// They exceed the OWASP minimum (19 MiB, 2 passes) and were chosen by
// measurement on a 2-CPU machine, for about 100 ms per login; see the
// package comment for the figures and BenchmarkHash to measure again. A single lane keeps
// throughput up when several logins arrive together on two cores. Do not
// modify it at run time.
var DefaultParams = Params{
	Memory:  64 * 1024,
	Time:    2,
	Threads: 1,
	SaltLen: 16,
	KeyLen:  32,
}

// Bounds on the parameters that Hash accepts and that Verify will read
// from a stored hash. The upper bounds stop a forged or corrupted hash from
// making a login allocate gigabytes or run for minutes; the lower bounds are
// those of the argon2 specification (RFC 9106).
const (
	maxMemory  = 256 * 1024 // KiB, four times DefaultParams
	maxTime    = 8
	maxThreads = 16
	minSaltLen = 8
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 64
	maxEncoded = 256 // bytes; generous for the bounds above
)

// ErrMalformedHash is wrapped by the errors Verify returns when a stored
// hash cannot be parsed or carries parameters out of bounds. Such a hash is
// a fault of ours (or an attack on the database), never of the user.
var ErrMalformedHash = errors.New("password: malformed hash")

// Hash derives an argon2id key from pw with a fresh random salt and returns
// it as a PHC string, $argon2id$v=19$m=65536,t=2,p=1$salt$key, with salt
// and key in unpadded standard base64.
func Hash(pw string, p Params) (string, error) {
	if err := p.validate(); err != nil {
		return "", fmt.Errorf("password: hash: %w", err)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: hash: read salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return encode(p, salt, key), nil
}

// Verify reports whether pw matches the encoded hash. needsRehash is true
// when the password matched but the hash was made with parameters other
// than DefaultParams: the caller should then store Hash(pw, DefaultParams).
// A wrong password is not an error; err is non-nil only when encoded is
// malformed or out of bounds, and then wraps ErrMalformedHash.
func Verify(pw, encoded string) (ok, needsRehash bool, err error) {
	p, salt, key, err := decode(encoded)
	if err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	ok = subtle.ConstantTimeCompare(got, key) == 1
	return ok, ok && p != DefaultParams, nil
}

// DummyVerify does the work of a Verify against a DefaultParams hash and
// always fails. Login code calls it when no account has the given e-mail
// address, so that the response time does not reveal which addresses have
// an account. (Accounts whose hash still awaits a rehash to DefaultParams
// cost a little more or less; that difference fades as users log in.)
func DummyVerify(pw string) {
	p := DefaultParams
	dummy := encode(p, make([]byte, p.SaltLen), make([]byte, p.KeyLen))
	_, _, _ = Verify(pw, dummy)
}

// validate checks p against the bounds above.
func (p Params) validate() error {
	switch {
	case p.Threads < 1 || p.Threads > maxThreads:
		return fmt.Errorf("threads %d not in [1, %d]", p.Threads, maxThreads)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return fmt.Errorf("memory %d KiB not in [%d, %d]", p.Memory, 8*uint32(p.Threads), maxMemory)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("time %d not in [1, %d]", p.Time, maxTime)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("salt length %d not in [%d, %d]", p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("key length %d not in [%d, %d]", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// b64 is the PHC encoding: standard alphabet, no padding, and no stray bits
// in the last character, so that each hash has exactly one spelling.
var b64 = base64.RawStdEncoding.Strict()

func encode(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// decode parses a PHC string written by encode. It is strict: the fields
// must come in encode's order, and the parameters must pass validate before
// any memory is allocated for them.
func decode(encoded string) (p Params, salt, key []byte, err error) {
	if len(encoded) > maxEncoded {
		return p, nil, nil, fmt.Errorf("%w: longer than %d bytes", ErrMalformedHash, maxEncoded)
	}
	fields := strings.Split(encoded, "$")
	if len(fields) != 6 || fields[0] != "" {
		return p, nil, nil, fmt.Errorf("%w: want 5 fields after a leading $", ErrMalformedHash)
	}
	if fields[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("%w: algorithm %q is not argon2id", ErrMalformedHash, fields[1])
	}
	if fields[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, fmt.Errorf("%w: version %q is not v=%d", ErrMalformedHash, fields[2], argon2.Version)
	}
	if p, err = parseParams(fields[3]); err != nil {
		return p, nil, nil, fmt.Errorf("%w: %w", ErrMalformedHash, err)
	}
	if salt, err = b64.DecodeString(fields[4]); err != nil {
		return p, nil, nil, fmt.Errorf("%w: salt: %w", ErrMalformedHash, err)
	}
	if key, err = b64.DecodeString(fields[5]); err != nil {
		return p, nil, nil, fmt.Errorf("%w: key: %w", ErrMalformedHash, err)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if err := p.validate(); err != nil {
		return p, nil, nil, fmt.Errorf("%w: %w", ErrMalformedHash, err)
	}
	return p, salt, key, nil
}

// parseParams parses "m=65536,t=2,p=1", in that order.
func parseParams(s string) (Params, error) {
	var p Params
	parts := strings.Split(s, ",")
	names := []string{"m", "t", "p"}
	bits := []int{32, 32, 8}
	if len(parts) != len(names) {
		return p, fmt.Errorf("parameters %q: want m=,t=,p=", s)
	}
	vals := make([]uint64, len(names))
	for i, part := range parts {
		name, val, found := strings.Cut(part, "=")
		if !found || name != names[i] {
			return p, fmt.Errorf("parameters %q: want %s= in position %d", s, names[i], i+1)
		}
		if len(val) > 1 && val[0] == '0' {
			return p, fmt.Errorf("parameter %s: leading zero in %q", names[i], val)
		}
		n, err := strconv.ParseUint(val, 10, bits[i])
		if err != nil {
			return p, fmt.Errorf("parameter %s: %w", names[i], err)
		}
		vals[i] = n
	}
	p.Memory, p.Time, p.Threads = uint32(vals[0]), uint32(vals[1]), uint8(vals[2])
	return p, nil
}
