package seal

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"
)

func TestBase45RFCExamples(t *testing.T) {
	tests := []struct {
		in, out string
	}{
		{"AB", "BB8"},
		{"Hello!!", "%69 VD92EX0"},
		{"base-45", "UJCLQE7W581"},
		{"ietf!", "QED8WEX0"},
		{"", ""},
		{"\x00", "00"},
		{"\xff", "U5"},
		{"\xff\xff", "FGW"},
	}
	for _, tt := range tests {
		if got := base45Encode([]byte(tt.in)); got != tt.out {
			t.Errorf("base45Encode(%q) = %q, want %q", tt.in, got, tt.out)
		}
		got, err := base45Decode(tt.out)
		if err != nil || string(got) != tt.in {
			t.Errorf("base45Decode(%q) = %q, %v; want %q", tt.out, got, err, tt.in)
		}
	}
}

func TestBase45Invalid(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"one character over", "BB8A"},
		{"single character", "A"},
		{"lower case", "bb8"},
		{"outside the alphabet", "BB#"},
		{"non-ASCII", "BBé"},
		{"triple above 65535", "GGW"},
		{"largest triple plus one", ":::"},
		{"pair above 255", "V5"},
		{"largest pair", "::"},
		{"NUL byte", "BB\x00"},
		{"newline", "BB8\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := base45Decode(tt.in); !errors.Is(err, errBase45) {
				t.Errorf("base45Decode(%q) = %q, %v; want an invalid base45 error", tt.in, got, err)
			}
		})
	}
}

func TestBase45RoundTripRandom(t *testing.T) {
	for n := range 64 {
		b := make([]byte, n)
		rand.Read(b)
		got, err := base45Decode(base45Encode(b))
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("round trip of %x gave %x, %v", b, got, err)
		}
	}
}

// TestBase45Canonical checks that every valid two- and three-character
// string decodes to bytes that encode back to the same string: no two
// strings mean the same bytes, which is what makes a changed character
// of a code visible to the signature.
//
// It also checks that no valid string ends with a space, which makes it
// safe to trim whitespace around a pasted code.
func TestBase45Canonical(t *testing.T) {
	valid := 0
	for _, a := range []byte(base45Alphabet) {
		for _, b := range []byte(base45Alphabet) {
			try := []string{string([]byte{a, b})}
			for _, c := range []byte(base45Alphabet) {
				try = append(try, string([]byte{a, b, c}))
			}
			for _, s := range try {
				got, err := base45Decode(s)
				if err != nil {
					continue
				}
				valid++
				if back := base45Encode(got); back != s {
					t.Fatalf("%q decodes to %x, which encodes as %q", s, got, back)
				}
				if s[len(s)-1] == ' ' {
					t.Fatalf("%q is valid and ends with a space", s)
				}
			}
		}
	}
	if valid != 1<<16+1<<8 {
		t.Fatalf("%d valid strings of two or three characters, want one per value: %d", valid, 1<<16+1<<8)
	}
}
