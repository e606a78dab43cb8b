package rules

import (
	"strings"
	"testing"
)

func TestBackupChannels(t *testing.T) {
	chans, err := BackupChannels()
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]bool{}
	for _, c := range chans {
		codes[c.Prefecture] = true
	}
	for _, code := range []string{"75", "69", "93"} { // the demonstration's prefectures (package demo)
		if !codes[code] {
			t.Errorf("no backup channel for prefecture %s", code)
		}
	}
	for _, bad := range []string{
		`{"channels": []}`,
		`{"channels": [{"prefecture": "75", "name": "P", "counter": "c", "post": "p", "phone": "1", "hours": {"fr": "h"}}]}`,
		`{"channels": [{"prefecture": "75", "name": "P", "counter": "c", "post": "p", "phone": "1", "hours": {"fr": "h", "en": "h"}},
		               {"prefecture": "75", "name": "P", "counter": "c", "post": "p", "phone": "1", "hours": {"fr": "h", "en": "h"}}]}`,
		`{"channels": [], "fax": "1"}`,
	} {
		if _, err := ParseChannels([]byte(bad)); err == nil || !strings.Contains(err.Error(), "backup channels") {
			t.Errorf("ParseChannels(%s) = %v, want an error", bad, err)
		}
	}
}
