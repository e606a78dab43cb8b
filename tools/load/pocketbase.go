package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"debug/buildinfo"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// pocketBase is a PocketBase server (its examples/base program), run
// from the binary given to -pocketbase on a loopback port with a data
// directory of its own, holding one collection anyone may view and one
// record in it.
type pocketBase struct {
	version   string
	recordURL string // the record view of the one record
	pid       int
	stop      func()
}

// Build the binary once with
//
//	GOBIN=/tmp/pb go install github.com/pocketbase/pocketbase/examples/base@v0.36.8
//
// and pass -pocketbase /tmp/pb/base.
func startPocketBase(ctx context.Context, bin string) (*pocketBase, error) {
	dir, err := os.MkdirTemp("", "sejour-load-pb-")
	if err != nil {
		return nil, err
	}
	cleanups := undo{func() { os.RemoveAll(dir) }}
	stop := func() { cleanups.run() }
	version, err := pocketBaseVersion(bin)
	if err != nil {
		stop()
		return nil, err
	}
	pass := make([]byte, 12)
	rand.Read(pass)
	email, password := "load@example.org", hex.EncodeToString(pass)
	// Everything it reads or writes stays in dir: its data, and the
	// migrations, hooks and public files it would otherwise look for
	// beside the data directory (with automigrate off, creating the
	// collection writes no migration file).
	flags := []string{"--dir", filepath.Join(dir, "pb_data"), "--migrationsDir", filepath.Join(dir, "pb_migrations"),
		"--hooksDir", filepath.Join(dir, "pb_hooks"), "--automigrate=false"}
	if _, err := pocketBaseCommand(ctx, bin, append([]string{"superuser", "upsert", email, password}, flags...)...); err != nil {
		stop()
		return nil, err
	}
	addr, err := freePort()
	if err != nil {
		stop()
		return nil, err
	}
	cmd := exec.Command(bin, append([]string{"serve", "--dev=false", "--http", addr, "--publicDir", filepath.Join(dir, "pb_public")}, flags...)...)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		stop()
		return nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	cleanups.push(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	base := "http://" + addr
	if err := loopbackURL(base); err != nil {
		stop()
		return nil, err
	}
	if err := waitHealthy(ctx, base+"/api/health", exited); err != nil {
		stop()
		return nil, fmt.Errorf("%w; its output: %.500s", err, logs.String())
	}
	id, err := pocketBaseRecord(ctx, base, email, password)
	if err != nil {
		stop()
		return nil, err
	}
	return &pocketBase{version: version, pid: cmd.Process.Pid, recordURL: base + "/api/collections/attestations/records/" + id, stop: stop}, nil
}

// pocketBaseVersion is the version of the PocketBase module the binary
// was built with, as the Go toolchain recorded it.
func pocketBaseVersion(bin string) (string, error) {
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		return "", fmt.Errorf("pocketbase: %w", err)
	}
	for _, d := range info.Deps {
		if d.Path == "github.com/pocketbase/pocketbase" {
			return d.Version, nil
		}
	}
	if info.Main.Path == "github.com/pocketbase/pocketbase" {
		return info.Main.Version, nil
	}
	return "", fmt.Errorf("pocketbase: %s was not built from github.com/pocketbase/pocketbase", bin)
}

// pocketBaseCommand runs one command of the binary to its end, within a
// minute, and returns what it printed.
func pocketBaseCommand(ctx context.Context, bin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w: %.500s", bin, args[0], err, out)
	}
	return string(out), nil
}

// freePort returns a loopback address with a port free a moment ago.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waitHealthy polls url until it answers 200, for 30 s at most, or the
// process exits.
func waitHealthy(ctx context.Context, url string, exited <-chan error) error {
	client := newClient(1)
	defer client.CloseIdleConnections()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("it exited: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
		if err != nil {
			return err
		}
		if res, err := client.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return errors.New("not healthy after 30 s")
}

// pocketBaseRecord logs in as the superuser, creates the collection
// attestations (a number, unique, and a status; anyone may view a record
// by id) and one record, and returns the record's id.
func pocketBaseRecord(ctx context.Context, base, email, password string) (string, error) {
	var auth struct {
		Token string `json:"token"`
	}
	if err := pocketBasePost(ctx, base+"/api/collections/_superusers/auth-with-password", "",
		map[string]any{"identity": email, "password": password}, &auth); err != nil {
		return "", err
	}
	collection := map[string]any{
		"name": "attestations", "type": "base", "viewRule": "",
		"fields": []map[string]any{
			{"name": "number", "type": "text", "required": true},
			{"name": "status", "type": "text"},
		},
		"indexes": []string{"CREATE UNIQUE INDEX idx_attestations_number ON attestations (number)"},
	}
	if err := pocketBasePost(ctx, base+"/api/collections", auth.Token, collection, nil); err != nil {
		return "", err
	}
	var rec struct {
		ID string `json:"id"`
	}
	if err := pocketBasePost(ctx, base+"/api/collections/attestations/records", auth.Token,
		map[string]any{"number": "AP-2026-0000077", "status": "valid"}, &rec); err != nil {
		return "", err
	}
	if rec.ID == "" {
		return "", errors.New("pocketbase: the record was created without an id")
	}
	return rec.ID, nil
}

// pocketBasePost posts in as JSON with token (if any) and decodes the
// answer into out (if not nil).
func pocketBasePost(ctx context.Context, url, token string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	client := newClient(1)
	defer client.CloseIdleConnections()
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("pocketbase: POST %s: status %d: %.300s", url, res.StatusCode, b)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}
