// Package attempts is the local journal of filings attempted while the
// database could not take them (issue 12): an append-only file, fsynced
// before the applicant is answered, kept in a directory apart from the
// database (SEJOUR_ATTEMPTS_DIR, which can be another volume). Each
// record is framed with its length and a CRC-32C checksum, so that a
// record torn by a kill in the middle of a write is recognised and
// ignored, and the next append starts after the last whole record. The
// database, once it answers again, records each replayed attempt by its
// id; only then is the record compacted away.
package attempts

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Record is one attempted filing, as the applicant's page posted it.
type Record struct {
	ID            string            `json:"id"` // 16 hexadecimal digits, random
	At            time.Time         `json:"at"` // the attempt: the filing's date once replayed
	AccountID     int64             `json:"account"`
	PersonID      int64             `json:"person"`
	ApplicationID int64             `json:"application"`
	Posted        map[string]string `json:"posted,omitempty"` // the form as posted, for the record
	Docs          []Doc             `json:"documents"`        // what the page showed as filed
	FeeStamp      string            `json:"fee_stamp"`
	Number        string            `json:"number"` // of the attestation of attempt
	Code          string            `json:"code"`   // its signed code
	Lang          string            `json:"lang"`   // the language the person used
}

// Doc is one document of the application as the page showed it.
type Doc struct {
	Slot   string `json:"slot"`
	SHA256 string `json:"sha256"`
}

// NewID returns a new record id: 8 random bytes in hexadecimal.
func NewID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// FileName is the journal's file in its directory.
const FileName = "attempts.journal"

// frame: 4 bytes of length, 4 bytes of CRC-32C of the payload, payload.
const (
	headerSize = 8
	maxRecord  = 1 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Journal is the open journal of one directory. Safe for concurrent use
// within a process; one process at a time may open a directory (each
// instance of the portal has its own).
type Journal struct {
	dir  string
	mu   sync.Mutex
	f    *os.File
	recs []Record
	// Torn counts the bytes cut off the end at opening: a record torn by
	// a kill while it was written (never acknowledged).
	Torn int64
	// Damaged counts whole records whose checksum failed, skipped.
	Damaged int
	// syncDir makes a new or renamed file's entry durable; tests record
	// the order of writes and syncs through it and syncFile.
	syncDir  func(dir string) error
	syncFile func(f *os.File) error
}

// Open opens (creating it if needed) the journal of dir, reads every
// whole record and cuts a torn last record off, durably, so that the next
// append follows the last whole record.
func Open(dir string) (*Journal, error) {
	j := &Journal{dir: dir, syncDir: syncDir, syncFile: (*os.File).Sync}
	return j, j.open()
}

func (j *Journal) open() error {
	if err := os.MkdirAll(j.dir, 0o700); err != nil {
		return fmt.Errorf("attempts journal: %w", err)
	}
	path := filepath.Join(j.dir, FileName)
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("attempts journal: %w", err)
	}
	if errors.Is(statErr, os.ErrNotExist) {
		if err := j.syncDir(j.dir); err != nil {
			f.Close()
			return fmt.Errorf("attempts journal: %w", err)
		}
	}
	data, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return fmt.Errorf("attempts journal: %w", err)
	}
	recs, good, damaged := decode(data)
	if good < int64(len(data)) {
		if err := f.Truncate(good); err != nil {
			f.Close()
			return fmt.Errorf("attempts journal: cut the torn record: %w", err)
		}
		if err := j.syncFile(f); err != nil {
			f.Close()
			return fmt.Errorf("attempts journal: %w", err)
		}
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return fmt.Errorf("attempts journal: %w", err)
	}
	j.f, j.recs, j.Torn, j.Damaged = f, recs, int64(len(data))-good, damaged
	return nil
}

// decode reads the records of data, returning them, the length of the
// part made of whole frames, and how many whole frames failed their
// checksum. A frame that runs past the end is a torn write: it and
// anything after it are not part of the journal.
func decode(data []byte) ([]Record, int64, int) {
	var recs []Record
	var off int64
	damaged := 0
	for {
		rest := data[off:]
		if len(rest) < headerSize {
			return recs, off, damaged
		}
		n := int64(binary.BigEndian.Uint32(rest[0:4]))
		if n == 0 || n > maxRecord || int64(len(rest)) < headerSize+n {
			return recs, off, damaged
		}
		payload := rest[headerSize : headerSize+n]
		var r Record
		if crc32.Checksum(payload, castagnoli) != binary.BigEndian.Uint32(rest[4:8]) || json.Unmarshal(payload, &r) != nil {
			if int64(len(rest)) == headerSize+n {
				return recs, off, damaged // the last frame: torn in place
			}
			damaged++
		} else {
			recs = append(recs, r)
		}
		off += headerSize + n
	}
}

// encode frames one record.
func encode(r *Record) ([]byte, error) {
	payload, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	if len(payload) > maxRecord {
		return nil, fmt.Errorf("attempts journal: a record of %d bytes is too large", len(payload))
	}
	var b bytes.Buffer
	var h [headerSize]byte
	binary.BigEndian.PutUint32(h[0:4], uint32(len(payload)))
	binary.BigEndian.PutUint32(h[4:8], crc32.Checksum(payload, castagnoli))
	b.Write(h[:])
	b.Write(payload)
	return b.Bytes(), nil
}

// Append writes r at the end of the journal and returns once it is on
// disk (fsync): only then may the applicant be told it was recorded. A
// failed write is cut off again, so that it does not stay as a torn
// record in the middle of later ones.
func (j *Journal) Append(r *Record) error {
	frame, err := encode(r)
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return errors.New("attempts journal: closed")
	}
	end, err := j.f.Seek(0, io.SeekEnd)
	if err != nil {
		return fmt.Errorf("attempts journal: %w", err)
	}
	if _, err := j.f.Write(frame); err != nil {
		j.f.Truncate(end)
		return fmt.Errorf("attempts journal: %w", err)
	}
	if err := j.syncFile(j.f); err != nil {
		j.f.Truncate(end)
		return fmt.Errorf("attempts journal: %w", err)
	}
	j.recs = append(j.recs, *r)
	return nil
}

// Records returns the records in the journal, oldest first.
func (j *Journal) Records() []Record {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]Record(nil), j.recs...)
}

// Find returns the record that matches, newest first, if any.
func (j *Journal) Find(match func(*Record) bool) (Record, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for i := len(j.recs) - 1; i >= 0; i-- {
		if match(&j.recs[i]) {
			return j.recs[i], true
		}
	}
	return Record{}, false
}

// Compact removes the records for which recorded says true: those the
// database has recorded as replayed. The journal is written anew beside
// the old one, synced, and renamed over it (then the directory synced),
// so that a kill at any point leaves either the old or the new journal,
// whole. Records appended meanwhile are kept: the lock is held
// throughout.
func (j *Journal) Compact(recorded func(id string) bool) (int, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	var keep []Record
	var buf bytes.Buffer
	for i := range j.recs {
		if recorded(j.recs[i].ID) {
			continue
		}
		frame, err := encode(&j.recs[i])
		if err != nil {
			return 0, err
		}
		buf.Write(frame)
		keep = append(keep, j.recs[i])
	}
	removed := len(j.recs) - len(keep)
	if removed == 0 {
		return 0, nil
	}
	path := filepath.Join(j.dir, FileName)
	tmp := path + ".new"
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return 0, fmt.Errorf("attempts journal: %w", err)
	}
	if _, err = f.Write(buf.Bytes()); err == nil {
		err = j.syncFile(f)
	}
	if err != nil {
		f.Close()
		os.Remove(tmp)
		return 0, fmt.Errorf("attempts journal: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		f.Close()
		os.Remove(tmp)
		return 0, fmt.Errorf("attempts journal: %w", err)
	}
	if err := j.syncDir(j.dir); err != nil {
		f.Close()
		return 0, fmt.Errorf("attempts journal: %w", err)
	}
	j.f.Close()
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		f.Close()
		j.f = nil
		return 0, fmt.Errorf("attempts journal: %w", err)
	}
	j.f, j.recs = f, keep
	return removed, nil
}

// Close closes the journal's file.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	return err
}

// syncDir makes the entries of dir durable: a new or renamed file.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
