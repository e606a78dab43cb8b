package rules

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"
)

//go:embed channels.json
var embeddedChannels []byte

// BackupChannel is how to reach a prefecture when the portal cannot serve:
// its counter (guichet), the postal address a paper form goes to, and a
// telephone line. The outage page and the paper form print them; they are
// data of the binary, not of the database, because they are needed
// precisely when the database is down.
type BackupChannel struct {
	Prefecture string `json:"prefecture"` // the prefecture's code, as in the database
	Name       string `json:"name"`
	Counter    string `json:"counter"` // the counter's street address
	Post       string `json:"post"`    // where a paper form is sent
	Phone      string `json:"phone"`
	Hours      Text   `json:"hours"` // the counter's and the line's opening hours
}

type channelsFile struct {
	Note     string          `json:"note"`
	Channels []BackupChannel `json:"channels"`
}

// BackupChannels returns the backup channels of every prefecture, in the
// order of channels.json, read and checked once.
var BackupChannels = sync.OnceValues(func() ([]BackupChannel, error) {
	return ParseChannels(embeddedChannels)
})

// ParseChannels reads channels in the format of channels.json: every
// prefecture named once, with a counter, a postal address, a phone number
// and hours in French and English.
func ParseChannels(data []byte) ([]BackupChannel, error) {
	var f channelsFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("backup channels: %w", err)
	}
	seen := map[string]bool{}
	for i, c := range f.Channels {
		if c.Prefecture == "" || c.Name == "" || c.Counter == "" || c.Post == "" || c.Phone == "" ||
			c.Hours["fr"] == "" || c.Hours["en"] == "" {
			return nil, fmt.Errorf("backup channels: entry %d (%q) lacks a code, name, counter, postal address, phone or hours in French and English", i, c.Prefecture)
		}
		if seen[c.Prefecture] {
			return nil, fmt.Errorf("backup channels: prefecture %q listed twice", c.Prefecture)
		}
		seen[c.Prefecture] = true
	}
	if len(f.Channels) == 0 {
		return nil, fmt.Errorf("backup channels: none listed")
	}
	return f.Channels, nil
}
