package seal

import (
	"errors"
	"fmt"
	"strings"
)

// base45Alphabet is the alphabet of RFC 9285: the 45 characters of a QR
// code's alphanumeric mode, so that a code fills the fewest QR modules.
const base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// base45Values maps a byte to its base45 value plus one; zero means the
// byte is not in the alphabet.
var base45Values = func() (v [256]byte) {
	for i := 0; i < len(base45Alphabet); i++ {
		v[base45Alphabet[i]] = byte(i + 1)
	}
	return v
}()

// errBase45 is the cause of every base45 decoding error.
var errBase45 = errors.New("invalid base45")

// base45Encode encodes b as in RFC 9285: each pair of bytes becomes three
// characters, a last odd byte two.
func base45Encode(b []byte) string {
	var s strings.Builder
	s.Grow(len(b)/2*3 + len(b)%2*2)
	for ; len(b) >= 2; b = b[2:] {
		n := int(b[0])<<8 | int(b[1])
		s.WriteByte(base45Alphabet[n%45])
		s.WriteByte(base45Alphabet[n/45%45])
		s.WriteByte(base45Alphabet[n/2025])
	}
	if len(b) == 1 {
		s.WriteByte(base45Alphabet[b[0]%45])
		s.WriteByte(base45Alphabet[b[0]/45])
	}
	return s.String()
}

// base45Decode decodes s as in RFC 9285. It refuses characters outside
// the alphabet (lower case included), a length that leaves one character
// over, and groups whose value does not fit in their bytes, so that each
// byte string has exactly one encoding: changing a character of a valid
// string either changes the bytes or makes the string invalid.
func base45Decode(s string) ([]byte, error) {
	if len(s)%3 == 1 {
		return nil, fmt.Errorf("%w: length %d leaves one character over", errBase45, len(s))
	}
	out := make([]byte, 0, len(s)/3*2+len(s)%3/2)
	for i := 0; i < len(s); i += 3 {
		g := s[i:min(i+3, len(s))]
		n := 0
		for j := len(g) - 1; j >= 0; j-- {
			v := base45Values[g[j]]
			if v == 0 {
				return nil, fmt.Errorf("%w: character %q at %d is not in the alphabet", errBase45, g[j], i+j)
			}
			n = n*45 + int(v-1)
		}
		switch {
		case len(g) == 3 && n > 0xFFFF:
			return nil, fmt.Errorf("%w: group at %d is %d, more than two bytes hold", errBase45, i, n)
		case len(g) == 3:
			out = append(out, byte(n>>8), byte(n))
		case n > 0xFF:
			return nil, fmt.Errorf("%w: final group is %d, more than one byte holds", errBase45, n)
		default:
			out = append(out, byte(n))
		}
	}
	return out, nil
}
