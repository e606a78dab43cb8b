package password

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/sejour/sejour/internal/permit"
)

// Length limits. MinLength counts characters (runes), so that an accented
// or non-Latin password is not held to a higher standard than an ASCII one.
// MaxBytes bounds the work of hashing and of the checks below; forms can
// use both for their hints and maxlength attributes.
const (
	MinLength = 12
	MaxBytes  = 1024
)

// Translation keys of the errors Check returns, for the web layer's
// catalogue. KeyTooShort carries MinLength as its argument and KeyTooLong
// carries MaxBytes.
const (
	KeyTooShort      = "password.too_short"
	KeyTooLong       = "password.too_long"
	KeyCommon        = "password.common"
	KeyContainsEmail = "password.contains_email"
)

// minContextLen is the shortest context string Check looks for: shorter
// ones ("jo", "ali") would refuse too many good passwords by accident.
const minContextLen = 4

// Check applies a password policy in the spirit of NIST SP 800-63B: a
// minimum length, a generous maximum, no composition rules, and a refusal
// of passwords that attackers try first. context holds strings an attacker
// would try first for this account, such as the e-mail address or its
// local part and the person's names; a password containing any of them
// (ignoring case) is refused when the string has at least 4 characters. An
// e-mail address in context also counts by its local part.
//
// Errors are *permit.Error with code permit.EINVALID and one of the Key
// constants as message, except for an internal error if the embedded list
// cannot be read.
func Check(pw string, context ...string) error {
	if len(pw) > MaxBytes {
		return permit.Errorf(permit.EINVALID, KeyTooLong, MaxBytes)
	}
	if utf8.RuneCountInString(pw) < MinLength {
		return permit.Errorf(permit.EINVALID, KeyTooShort, MinLength)
	}
	lower := strings.ToLower(pw)
	if repeated(lower) {
		return permit.Errorf(permit.EINVALID, KeyCommon)
	}
	if containsContext(lower, context) {
		return permit.Errorf(permit.EINVALID, KeyContainsEmail)
	}
	list, err := breached()
	if err != nil {
		return err
	}
	if _, found := slices.BinarySearch(list, lower); found {
		return permit.Errorf(permit.EINVALID, KeyCommon)
	}
	return nil
}

// repeated reports whether s is one character repeated.
func repeated(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	return strings.Trim(s, string(first)) == ""
}

// containsContext reports whether lower contains one of the context
// strings, or the local part of one that is an e-mail address.
func containsContext(lower string, context []string) bool {
	for _, c := range context {
		c = strings.ToLower(strings.TrimSpace(c))
		candidates := []string{c}
		if local, _, found := strings.Cut(c, "@"); found {
			candidates = append(candidates, local)
		}
		for _, s := range candidates {
			if utf8.RuneCountInString(s) >= minContextLen && strings.Contains(lower, s) {
				return true
			}
		}
	}
	return false
}

// breachedGz is the list of common and breached passwords of MinLength
// characters or more: lower-cased, one per line, sorted and deduplicated.
// Its source, licence and generator are in breached.NOTICE.
//
//go:embed breached.txt.gz
var breachedGz []byte

// breached returns the embedded list, decompressed on first use (about
// 44,000 entries, under 1 MB in memory) so that programs which never check
// a password do not pay for it.
var breached = sync.OnceValues(func() ([]string, error) {
	list, err := readList(breachedGz)
	if err != nil {
		return nil, fmt.Errorf("password: breached list: %w", err)
	}
	return list, nil
})

// readList decompresses a gzipped, sorted list of lines.
func readList(gz []byte) ([]string, error) {
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var list []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		list = append(list, sc.Text())
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !slices.IsSorted(list) {
		return nil, errors.New("not sorted; regenerate it as breached.NOTICE says")
	}
	return list, nil
}
