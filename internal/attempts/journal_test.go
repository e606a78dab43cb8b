package attempts

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func record(i int) *Record {
	return &Record{ID: NewID(), At: time.Date(2026, 12, 7, 10, i, 0, 0, time.UTC), AccountID: int64(i), PersonID: int64(10 + i),
		ApplicationID: int64(100 + i), Docs: []Doc{{Slot: "passport", SHA256: "ab"}}, FeeStamp: "1234567890123456", Number: "TEN-X", Code: "SJ1:X"}
}

func open(t *testing.T, dir string) *Journal {
	t.Helper()
	j, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

func ids(rs []Record) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func TestAppendThenReopenReadsEveryRecord(t *testing.T) {
	dir := t.TempDir()
	j := open(t, dir)
	var want []string
	for i := range 3 {
		r := record(i)
		if err := j.Append(r); err != nil {
			t.Fatal(err)
		}
		want = append(want, r.ID)
	}
	j.Close()
	got := open(t, dir).Records()
	if len(got) != 3 || got[0].ID != want[0] || got[2].ID != want[2] || got[1].ApplicationID != 101 || !got[1].At.Equal(record(1).At) {
		t.Errorf("records %v, want %v", ids(got), want)
	}
}

// A kill in the middle of a write leaves part of a frame at the end: it is
// ignored, cut off at the next opening, and the next record follows the
// last whole one.
func TestTornLastRecordIsIgnoredAndCut(t *testing.T) {
	for _, cut := range []int{1, 4, 7, 8, 20, -1} {
		dir := t.TempDir()
		j := open(t, dir)
		a, b := record(1), record(2)
		if err := j.Append(a); err != nil {
			t.Fatal(err)
		}
		j.Close()
		frame, _ := encode(b)
		if cut < 0 {
			cut = len(frame) - 1
		}
		f, _ := os.OpenFile(filepath.Join(dir, FileName), os.O_WRONLY|os.O_APPEND, 0)
		f.Write(frame[:cut])
		f.Close()

		j = open(t, dir)
		if got := j.Records(); len(got) != 1 || got[0].ID != a.ID {
			t.Fatalf("cut at %d: records %v, want only %s", cut, ids(got), a.ID)
		}
		if j.Torn != int64(cut) {
			t.Errorf("cut at %d: %d bytes torn", cut, j.Torn)
		}
		c := record(3)
		if err := j.Append(c); err != nil {
			t.Fatal(err)
		}
		j.Close()
		if got := open(t, dir).Records(); len(got) != 2 || got[1].ID != c.ID {
			t.Errorf("cut at %d: after a new append, records %v", cut, ids(got))
		}
	}
}

// A whole frame whose bytes changed in the middle of the journal is
// skipped and counted; the records after it are kept.
func TestDamagedRecordInTheMiddleIsSkipped(t *testing.T) {
	dir := t.TempDir()
	j := open(t, dir)
	rs := []*Record{record(1), record(2), record(3)}
	for _, r := range rs {
		j.Append(r)
	}
	j.Close()
	path := filepath.Join(dir, FileName)
	data, _ := os.ReadFile(path)
	first, _ := encode(rs[0])
	data[len(first)+headerSize+5] ^= 0x20
	os.WriteFile(path, data, 0o600)
	j = open(t, dir)
	if got := j.Records(); len(got) != 2 || got[0].ID != rs[0].ID || got[1].ID != rs[2].ID || j.Damaged != 1 {
		t.Errorf("records %v, damaged %d; want the first and last, one damaged", ids(got), j.Damaged)
	}
}

// Append returns only after the record is on disk: the file is synced
// with the record written, and a new journal's directory entry is synced
// before anything is acknowledged.
func TestAppendSyncsBeforeReturning(t *testing.T) {
	dir := t.TempDir()
	var order []string
	j := &Journal{dir: dir,
		syncDir: func(string) error { order = append(order, "dir"); return nil },
		syncFile: func(f *os.File) error {
			data, _ := os.ReadFile(f.Name())
			order = append(order, "file:"+string(rune('0'+bytes.Count(data, []byte(`"id"`)))))
			return nil
		}}
	if err := j.open(); err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if len(order) != 1 || order[0] != "dir" {
		t.Fatalf("creating the journal: %v, want the directory synced", order)
	}
	j.Append(record(1))
	j.Append(record(2))
	if want := []string{"dir", "file:1", "file:2"}; len(order) != 3 || order[1] != want[1] || order[2] != want[2] {
		t.Errorf("syncs %v, want %v (each append synced with its record written)", order, want)
	}
}

// A failed sync is not acknowledged and leaves no record behind.
func TestAppendFailingToSyncLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	j := &Journal{dir: dir, syncDir: syncDir, syncFile: func(*os.File) error { return os.ErrPermission }}
	if err := j.open(); err != nil {
		t.Fatal(err)
	}
	if err := j.Append(record(1)); err == nil {
		t.Fatal("append with a failing fsync succeeded")
	}
	j.Close()
	if got := open(t, dir).Records(); len(got) != 0 {
		t.Errorf("records %v after a failed append", ids(got))
	}
}

// Compaction removes only what the database recorded; a kill during it
// (a half-written new file left beside the journal) loses nothing.
func TestCompactRemovesOnlyRecorded(t *testing.T) {
	dir := t.TempDir()
	j := open(t, dir)
	rs := []*Record{record(1), record(2), record(3)}
	for _, r := range rs {
		j.Append(r)
	}
	n, err := j.Compact(func(id string) bool { return id == rs[1].ID })
	if err != nil || n != 1 {
		t.Fatalf("compact: %d, %v", n, err)
	}
	extra := record(4)
	if err := j.Append(extra); err != nil {
		t.Fatal(err)
	}
	j.Close()
	os.WriteFile(filepath.Join(dir, FileName+".new"), []byte("half"), 0o600)
	got := open(t, dir).Records()
	if len(got) != 3 || got[0].ID != rs[0].ID || got[1].ID != rs[2].ID || got[2].ID != extra.ID {
		t.Errorf("after compaction, records %v", ids(got))
	}
}

func TestFindReturnsNewestMatch(t *testing.T) {
	j := open(t, t.TempDir())
	a, b := record(1), record(1)
	j.Append(a)
	j.Append(b)
	if r, ok := j.Find(func(r *Record) bool { return r.ApplicationID == 101 }); !ok || r.ID != b.ID {
		t.Errorf("found %v %v, want %s", r.ID, ok, b.ID)
	}
	if _, ok := j.Find(func(r *Record) bool { return r.ApplicationID == 7 }); ok {
		t.Error("found a record that is not there")
	}
}

// A compaction whose new file cannot be synced keeps the journal as it
// was: nothing is removed that the disk may not have.
func TestCompactFailingToSyncKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	j := open(t, dir)
	rs := []*Record{record(1), record(2)}
	for _, r := range rs {
		j.Append(r)
	}
	j.syncFile = func(*os.File) error { return os.ErrPermission }
	if n, err := j.Compact(func(string) bool { return true }); err == nil || n != 0 {
		t.Fatalf("compaction with a failing fsync: %d, %v", n, err)
	}
	if len(j.Records()) != 2 {
		t.Errorf("%d records in memory after a failed compaction", len(j.Records()))
	}
	j.Close()
	if got := open(t, dir).Records(); len(got) != 2 {
		t.Errorf("records %v on disk after a failed compaction", ids(got))
	}
}
