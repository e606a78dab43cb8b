package main

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestVersionAndHelp(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, env(nil), &out); err != nil || !strings.HasPrefix(out.String(), "sejour ") {
		t.Fatalf("version: %q, %v", out.String(), err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"help"}, env(nil), &out); err != nil || !strings.Contains(out.String(), "migrate") {
		t.Fatalf("help: %q, %v", out.String(), err)
	}
	if err := run(context.Background(), []string{"frobnicate"}, env(map[string]string{"SEJOUR_DATA_DIR": t.TempDir()}), &out); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Fatalf("unknown command: %v", err)
	}
}

func TestConfigErrorsAreClean(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"serve"}, env(map[string]string{"SEJOUR_ADDR": "nope", "SEJOUR_SMTP_PORT": "x"}), &out)
	if err == nil || !strings.Contains(err.Error(), "SEJOUR_ADDR") || !strings.Contains(err.Error(), "SEJOUR_SMTP_PORT") {
		t.Fatalf("err = %v", err)
	}
}

func TestConfigPrintsMasked(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"config"}, env(map[string]string{"SEJOUR_SMTP_PASSWORD": "s3cret-smtp"}), &out)
	if err != nil || strings.Contains(out.String(), "s3cret-smtp") || !strings.Contains(out.String(), "SEJOUR_SMTP_PASSWORD=********") {
		t.Fatalf("config: %v\n%s", err, out.String())
	}
}

func TestUnreachableDatabaseIsACleanError(t *testing.T) {
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := run(ctx, []string{"migrate"}, env(map[string]string{"SEJOUR_DATABASE_URL": "postgres://u:topsecret@127.0.0.1:1/db?connect_timeout=2"}), &out)
	if err == nil || !strings.Contains(err.Error(), "cannot reach PostgreSQL") || strings.Contains(err.Error(), "topsecret") {
		t.Fatalf("err = %v", err)
	}
}

// TestServeStopsOnSIGTERM runs the real program, waits until it answers,
// sends SIGTERM and expects a clean exit.
func TestServeStopsOnSIGTERM(t *testing.T) {
	if os.Getenv("SEJOUR_MAIN_CHILD") != "" {
		os.Args = []string{"sejour", "serve"}
		main()
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeStopsOnSIGTERM$")
	cmd.Env = append(os.Environ(), "SEJOUR_MAIN_CHILD=1", "SEJOUR_ADDR=127.0.0.1:0", "SEJOUR_DATA_DIR="+dir)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	addr := make(chan string, 1)
	logs := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			logs <- line
			if _, a, ok := strings.Cut(line, "addr="); ok {
				addr <- strings.Fields(a)[0]
			}
		}
		close(logs)
	}()
	var a string
	select {
	case a = <-addr:
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not start")
	}
	res, err := http.Get("http://" + a + "/readyz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("readyz: %v %v", res, err)
	}
	res.Body.Close()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("still running 15 s after SIGTERM")
	}
	var all []string
	for l := range logs {
		all = append(all, l)
	}
	if !strings.Contains(strings.Join(all, "\n"), "sejour stopped") {
		t.Fatalf("no clean stop in the log:\n%s", strings.Join(all, "\n"))
	}
	if _, err := os.Stat(filepath.Join(dir, "sejour.db")); err != nil {
		t.Fatal(err)
	}
}
