package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Genesis is the prev_hash of the first entry of the trail.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// TimeLayout is how an entry's time enters its hash: UTC, microseconds,
// always six digits. Microseconds are what PostgreSQL keeps, and SQLite
// keeps them exactly, so a time read back hashes as it was written.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// encodingTag opens every hashed encoding; a new encoding gets a new tag.
const encodingTag = "sejour.audit.v1"

// Record is one stored line of the trail: an entry, where it sits in the
// chain, and its hash.
type Record struct {
	Entry
	ID       int64
	At       time.Time
	PrevHash string
	Hash     string
}

// Normalize puts a record's time and text into the form the databases
// return: the time in UTC to the microsecond, the detail as valid UTF-8
// without NUL characters (PostgreSQL refuses them).
func (r *Record) Normalize() {
	r.At = r.At.UTC().Truncate(time.Microsecond)
	r.Detail = strings.ReplaceAll(strings.ToValidUTF8(r.Detail, "\uFFFD"), "\x00", "\uFFFD")
}

// Sum returns the hash a record must carry: the hexadecimal SHA-256 of
// its canonical encoding, which is, in this order, the tag
// "sejour.audit.v1", the id, the time (TimeLayout), the actor's account
// id, the action, the prefecture, person, application and document ids,
// the detail and the previous entry's hash; each as a UTF-8 string
// (integers in decimal, 0 for none) preceded by its length in bytes as a
// 4-byte big-endian integer. The length prefixes make the encoding
// unambiguous: no two different records encode alike.
func (r *Record) Sum() string {
	h := sha256.New()
	var n [4]byte
	for _, f := range []string{
		encodingTag,
		strconv.FormatInt(r.ID, 10),
		r.At.UTC().Format(TimeLayout),
		strconv.FormatInt(r.ActorAccountID, 10),
		r.Action,
		strconv.FormatInt(r.PrefectureID, 10),
		strconv.FormatInt(r.PersonID, 10),
		strconv.FormatInt(r.ApplicationID, 10),
		strconv.FormatInt(r.DocumentID, 10),
		r.Detail,
		r.PrevHash,
	} {
		binary.BigEndian.PutUint32(n[:], uint32(len(f)))
		h.Write(n[:])
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Problem says what is wrong at a broken link of the chain.
type Problem string

// The ways a chain breaks.
const (
	// HashMismatch: the entry's content does not give its hash; the row
	// was altered.
	HashMismatch Problem = "hash mismatch"
	// PrevMismatch: the entry does not point at the hash of the entry
	// before it; that one was replaced, or the entry was moved.
	PrevMismatch Problem = "prev mismatch"
	// MissingID: ids jump; the entries in between were deleted.
	MissingID Problem = "missing id"
)

// Break is the first broken link of the chain.
type Break struct {
	ID      int64 // the entry where the chain breaks (for MissingID, the first missing id)
	Problem Problem
	Want    string // what the chain expects there
	Got     string // what the row holds
}

func (b *Break) String() string {
	return "entry " + strconv.FormatInt(b.ID, 10) + ": " + string(b.Problem) + " (expected " + b.Want + ", found " + b.Got + ")"
}

// Verifier checks records fed to it in id order, one at a time, so that
// a trail of any length is checked in constant memory.
type Verifier struct {
	n    int64
	last Record
}

// Check checks the next record and returns the first problem it finds,
// or nil.
func (v *Verifier) Check(r *Record) *Break {
	wantID, wantPrev := int64(1), Genesis
	if v.n > 0 {
		wantID, wantPrev = v.last.ID+1, v.last.Hash
	}
	switch {
	case r.ID != wantID:
		return &Break{ID: wantID, Problem: MissingID, Want: "id " + strconv.FormatInt(wantID, 10), Got: "id " + strconv.FormatInt(r.ID, 10)}
	case r.PrevHash != wantPrev:
		return &Break{ID: r.ID, Problem: PrevMismatch, Want: wantPrev, Got: r.PrevHash}
	}
	if sum := r.Sum(); sum != r.Hash {
		return &Break{ID: r.ID, Problem: HashMismatch, Want: sum, Got: r.Hash}
	}
	v.n++
	v.last = *r
	return nil
}

// Count is how many records checked out.
func (v *Verifier) Count() int64 { return v.n }

// Head is the hash of the last record that checked out (Genesis if none).
func (v *Verifier) Head() string {
	if v.n == 0 {
		return Genesis
	}
	return v.last.Hash
}
