package password

import (
	"bytes"
	"compress/gzip"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sejour/sejour/internal/permit"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		pw      string
		context []string
		wantKey string // "" for no error
	}{
		{"11 characters", "vjq8mrtzk2p", nil, KeyTooShort},
		{"12 characters", "vjq8mrtzk2pw", nil, ""},
		{"empty", "", nil, KeyTooShort},
		{"11 runes in 22 bytes", "éèàçôûîïëüœ", nil, KeyTooShort},
		{"12 runes in 24 bytes", "éèàçôûîïëüœæ", nil, ""},
		{"12 runes of CJK", "我的密码很长而且不常见了", nil, ""},
		{"MaxBytes", strings.Repeat("ab", MaxBytes/2), nil, ""},
		{"MaxBytes+1", strings.Repeat("ab", MaxBytes/2) + "c", nil, KeyTooLong},
		{"long runes but few bytes over", strings.Repeat("é", MaxBytes/2+1), nil, KeyTooLong},
		{"in the breached list", "123qweasdzxc", nil, KeyCommon},
		{"in the list, other case", "123QWEasdZXC", nil, KeyCommon},
		{"list entry with a suffix", "123qweasdzxc!", nil, ""},
		{"one repeated character", "aaaaaaaaaaaaaaaa", nil, KeyCommon},
		{"one repeated accented character", "éÉéÉéÉéÉéÉéÉ", nil, KeyCommon},
		{"contains local part", "marie.dupont-2026!", []string{"marie.dupont"}, KeyContainsEmail},
		{"contains local part of address", "marie.dupont-2026!", []string{"Marie.Dupont@example.fr"}, KeyContainsEmail},
		{"contains address, other case", "MARIE.DUPONT@EXAMPLE.FR!", []string{"marie.dupont@example.fr"}, KeyContainsEmail},
		{"contains a name", "vjq8-Dupont-k2pw", []string{"marie", "dupont"}, KeyContainsEmail},
		{"short context ignored", "jo-vjq8mrtzk2pw", []string{"jo"}, ""},
		{"3-rune context ignored", "léa-vjq8mrtzk2pw", []string{"léa"}, ""},
		{"4-rune context counts", "noël-vjq8mrtzk2pw", []string{"Noël"}, KeyContainsEmail},
		{"empty context ignored", "vjq8mrtzk2pw", []string{"", "   "}, ""},
		{"unrelated context", "vjq8mrtzk2pw", []string{"marie.dupont@example.fr"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.pw, tt.context...)
			if tt.wantKey == "" {
				if err != nil {
					t.Fatalf("Check(%q, %q) = %v; want nil", tt.pw, tt.context, err)
				}
				return
			}
			var e *permit.Error
			if !errors.As(err, &e) {
				t.Fatalf("Check(%q, %q) = %v; want *permit.Error %s", tt.pw, tt.context, err, tt.wantKey)
			}
			if e.Code != permit.EINVALID || e.Message != tt.wantKey {
				t.Errorf("Check(%q, %q) = %s %s; want %s %s", tt.pw, tt.context, e.Code, e.Message, permit.EINVALID, tt.wantKey)
			}
		})
	}
}

func TestCheckArgs(t *testing.T) {
	tests := []struct {
		pw   string
		want any
	}{
		{"short", MinLength},
		{strings.Repeat("x", MaxBytes+1), MaxBytes},
	}
	for _, tt := range tests {
		_, args := permit.ErrorMessage(Check(tt.pw))
		if len(args) != 1 || args[0] != tt.want {
			t.Errorf("Check(%.20q...) args = %v; want [%v]", tt.pw, args, tt.want)
		}
	}
}

// TestBreachedList checks the embedded list against what Check assumes of
// it, so that a regenerated list cannot silently break the lookups.
func TestBreachedList(t *testing.T) {
	list, err := breached()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) < 40000 {
		t.Errorf("list has %d entries; want the ~44,000 of breached.NOTICE", len(list))
	}
	for i, pw := range list {
		if utf8.RuneCountInString(pw) < MinLength || len(pw) > MaxBytes {
			t.Errorf("entry %d %q: length out of [%d runes, %d bytes]", i, pw, MinLength, MaxBytes)
		}
		if strings.ToLower(pw) != pw {
			t.Errorf("entry %d %q is not lower-case", i, pw)
		}
		if i > 0 && list[i-1] >= pw {
			t.Errorf("entries %d and %d (%q, %q) are not strictly increasing", i-1, i, list[i-1], pw)
		}
	}
	for _, pw := range []string{"123qweasdzxc", "qwertyuiopasdfghjkl"} {
		if _, found := slices.BinarySearch(list, pw); !found {
			t.Errorf("%q not in the list", pw)
		}
	}
}

func TestReadListRejects(t *testing.T) {
	gz := func(s string) []byte {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write([]byte(s))
		w.Close()
		return buf.Bytes()
	}
	truncated := gz("aaaaaaaaaaaa\nbbbbbbbbbbbb\n")
	tests := map[string][]byte{
		"not gzip":  []byte("aaaaaaaaaaaa\n"),
		"unsorted":  gz("bbbbbbbbbbbb\naaaaaaaaaaaa\n"),
		"truncated": truncated[:len(truncated)-4],
	}
	for name, data := range tests {
		if list, err := readList(data); err == nil {
			t.Errorf("%s: readList = %q; want an error", name, list)
		}
	}
	if _, err := readList(gz("aaaaaaaaaaaa\nbbbbbbbbbbbb\n")); err != nil {
		t.Errorf("control: %v", err)
	}
}
