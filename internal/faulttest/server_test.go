package faulttest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary is the real sejour program, built once for the package's tests.
var binary struct {
	once sync.Once
	path string
	err  error
	dir  string
}

// TestMain removes the built binary when the tests are done.
func TestMain(m *testing.M) {
	code := m.Run()
	if binary.dir != "" {
		os.RemoveAll(binary.dir)
	}
	os.Exit(code)
}

// build compiles ./cmd/sejour once, as a release would, and returns its
// path.
func build(t *testing.T) string {
	t.Helper()
	binary.once.Do(func() {
		if binary.dir, binary.err = os.MkdirTemp("", "sejour-faulttest-"); binary.err != nil {
			return
		}
		binary.path = filepath.Join(binary.dir, "sejour")
		started := time.Now()
		cmd := exec.Command("go", "build", "-o", binary.path, "github.com/sejour/sejour/cmd/sejour")
		out, err := cmd.CombinedOutput()
		if err != nil {
			binary.err = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		t.Logf("built the sejour binary in %s", time.Since(started).Round(100*time.Millisecond))
	})
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
}

// freePort returns a port of the loopback nobody listens on. The server
// keeps it across restarts, so that links in mails and the clients'
// address stay the same, as behind a proxy.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// server is `sejour serve` running as a child process, started again
// after each kill on the same database and data directory.
type server struct {
	bin  string
	env  []string
	base string   // where it answers: SEJOUR_ADDR, which /readyz is asked on
	log  *os.File // standard error of every run, appended

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{} // closed when the current run's process has exited
	starts int
}

// newServer prepares a server with the given SEJOUR_* variables; the
// caller's own SEJOUR_* variables are left out, so that the child reads
// only what the test sets.
func newServer(t *testing.T, bin string, vars map[string]string) *server {
	t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SEJOUR_") {
			env = append(env, kv)
		}
	}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	log, err := os.Create(filepath.Join(t.TempDir(), "sejour.log"))
	if err != nil {
		t.Fatal(err)
	}
	s := &server{bin: bin, env: env, base: "http://" + vars["SEJOUR_ADDR"], log: log}
	t.Cleanup(func() {
		s.kill()
		log.Close()
		if t.Failed() {
			t.Logf("server log (last lines):\n%s", s.tail(40))
		}
	})
	return s
}

// run runs one subcommand to its end (migrate).
func (s *server) run(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command(s.bin, args...)
	cmd.Env = s.env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sejour %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// start starts `sejour serve` and returns at once.
func (s *server) start(t *testing.T) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	cmd := exec.Command(s.bin, "serve")
	cmd.Env = s.env
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	s.cmd, s.exited = cmd, exited
	s.starts++
}

// ready waits until the current run answers /readyz, and fails the test
// if it exits first or takes longer than timeout.
func (s *server) ready(t *testing.T, timeout time.Duration) {
	t.Helper()
	s.mu.Lock()
	exited := s.exited
	s.mu.Unlock()
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			t.Fatalf("the server exited on its own; log:\n%s", s.tail(40))
		default:
		}
		if res, err := client.Get(s.base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the server was not ready within %s; log:\n%s", timeout, s.tail(40))
}

// kill sends SIGKILL to the current run and waits for it to be gone: no
// handler, no deferred function, no flush runs.
func (s *server) kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.exited
	s.cmd = nil
}

// stop ends the current run with SIGTERM, as an operator does, and
// reports whether it exited cleanly within 20 seconds.
func (s *server) stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return nil
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	select {
	case <-s.exited:
	case <-ctx.Done():
		s.cmd.Process.Signal(syscall.SIGKILL)
		<-s.exited
		return errors.New("still running 20 s after SIGTERM")
	}
	cmd := s.cmd
	s.cmd = nil
	if !cmd.ProcessState.Success() {
		return fmt.Errorf("exit after SIGTERM: %s", cmd.ProcessState)
	}
	return nil
}

// tail returns the last n lines of the server's log.
func (s *server) tail(n int) string {
	b, err := os.ReadFile(s.log.Name())
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
