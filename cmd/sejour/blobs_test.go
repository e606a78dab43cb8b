package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sejour/sejour/internal/blob"
	"github.com/sejour/sejour/internal/blob/blobtest"
	"github.com/sejour/sejour/internal/config"
)

// mustConfig is the configuration of vars, in a data directory of its
// own.
func mustConfig(t *testing.T, vars map[string]string) *config.Config {
	t.Helper()
	all := map[string]string{"SEJOUR_DATA_DIR": t.TempDir()}
	for k, v := range vars {
		all[k] = v
	}
	cfg, err := config.FromEnv(env(all))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// fillDir makes a directory store under a new temporary root holding n
// blobs of size bytes of random content, and returns the root (what
// --from takes) and the sums, sorted.
func fillDir(t *testing.T, n, size int) (string, []string) {
	t.Helper()
	root := t.TempDir()
	d, err := blob.New(root)
	if err != nil {
		t.Fatal(err)
	}
	sums := make([]string, n)
	for i := range sums {
		data := make([]byte, size)
		rand.Read(data)
		if sums[i], err = d.Put(context.Background(), data); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(sums)
	return root, sums
}

// s3Env returns the SEJOUR_S3_* variables of the test server and a fresh
// s3:// location on it (the test is skipped without a server, or fails
// in CI).
func s3Env(t *testing.T) (map[string]string, string) {
	o := blobtest.S3Options(t)
	scheme := "http://"
	if o.Secure {
		scheme = "https://"
	}
	return map[string]string{
		"SEJOUR_S3_ENDPOINT": scheme + o.Endpoint, "SEJOUR_S3_ACCESS_KEY": o.AccessKey, "SEJOUR_S3_SECRET_KEY": o.SecretKey,
	}, "s3://" + o.Bucket + "/" + o.Prefix
}

// blobsRun runs `sejour blobs ARGS` in the test's process.
func blobsRun(t *testing.T, vars map[string]string, args ...string) (string, error) {
	t.Helper()
	all := map[string]string{"SEJOUR_DATA_DIR": t.TempDir()}
	for k, v := range vars {
		all[k] = v
	}
	var out bytes.Buffer
	err := run(context.Background(), append([]string{"blobs"}, args...), env(all), &out)
	return out.String(), err
}

// sumsAt lists the blobs of a location.
func sumsAt(t *testing.T, vars map[string]string, loc string) []string {
	t.Helper()
	out, err := blobsRun(t, vars, "verify", "--in", loc)
	if err != nil {
		t.Fatalf("verify %s: %v\n%s", loc, err, out)
	}
	s, _, err := openLocation(mustConfig(t, vars), "--in", loc, true)
	if err != nil {
		t.Fatal(err)
	}
	return blobtest.Sums(t, s)
}

func TestBlobsMigrateBetweenDirectories(t *testing.T) {
	from, sums := fillDir(t, 40, 1000)
	to := t.TempDir()
	out, err := blobsRun(t, nil, "migrate", "--from", from, "--to", to)
	if err != nil || !strings.Contains(out, "copied 40, skipped 0, failed 0\n") {
		t.Fatalf("first run: %v\n%s", err, out)
	}
	if got := sumsAt(t, nil, to); !slices.Equal(got, sums) {
		t.Fatalf("target holds %d blobs, want the %d of the source", len(got), len(sums))
	}
	out, err = blobsRun(t, nil, "migrate", "--from", from, "--to", "file://"+to)
	if err != nil || !strings.Contains(out, "copied 0, skipped 40, failed 0\n") {
		t.Fatalf("second run: %v\n%s", err, out)
	}
}

// TestBlobsMigrateReportsDamage: a source blob whose content is not its
// name is not copied, is named in the output, and makes the run exit 1;
// the others are copied. verify finds it too.
func TestBlobsMigrateReportsDamage(t *testing.T) {
	from, sums := fillDir(t, 5, 100)
	bad := sums[2]
	if err := os.WriteFile(filepath.Join(from, "blobs", bad[0:2], bad[2:4], bad), []byte("tampered"), 0o640); err != nil {
		t.Fatal(err)
	}
	to := t.TempDir()
	out, err := blobsRun(t, nil, "migrate", "--from", from, "--to", to)
	var e *exitError
	if !errors.As(err, &e) || e.code != 1 || !strings.Contains(out, "copied 4, skipped 0, failed 1\n") || !strings.Contains(out, "failed "+bad+": source: damaged") {
		t.Fatalf("migrate with a damaged blob: %v\n%s", err, out)
	}
	out, err = blobsRun(t, nil, "verify", "--in", from)
	if !errors.As(err, &e) || e.code != 1 || !strings.Contains(out, "verified 4, failed 1\n") {
		t.Fatalf("verify with a damaged blob: %v\n%s", err, out)
	}
}

func TestBlobsUsageErrors(t *testing.T) {
	from, _ := fillDir(t, 1, 10)
	tests := []struct {
		args []string
		want string
	}{
		{nil, "usage"},
		{[]string{"frobnicate"}, "usage"},
		{[]string{"migrate", "--to", from}, "usage"},
		{[]string{"migrate", "--from", from, "--to", from}, "same store"},
		{[]string{"migrate", "--from", filepath.Join(from, "blobs"), "--to", t.TempDir()}, "no blobs/ directory"},
		{[]string{"migrate", "--from", from, "--to", "gs://bucket"}, "--to"},
		{[]string{"migrate", "--from", from, "--to", "s3://sejour-x"}, "SEJOUR_S3_ENDPOINT"},
		{[]string{"verify", "--jobs", "0"}, "usage"},
	}
	for _, tt := range tests {
		out, err := blobsRun(t, nil, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("blobs %v: %v (want %q)\n%s", tt.args, err, tt.want, out)
		}
	}
}

// TestBlobsMigrateToS3AndBack moves a site's blobs from a directory to a
// real S3-compatible server and back to another directory.
func TestBlobsMigrateToS3AndBack(t *testing.T) {
	vars, bucket := s3Env(t)
	from, sums := fillDir(t, 30, 5000)
	out, err := blobsRun(t, vars, "migrate", "--from", from, "--to", bucket)
	if err != nil || !strings.Contains(out, "copied 30, skipped 0, failed 0\n") {
		t.Fatalf("to S3: %v\n%s", err, out)
	}
	if got := sumsAt(t, vars, bucket); !slices.Equal(got, sums) {
		t.Fatalf("bucket holds %d blobs, want %d", len(got), len(sums))
	}
	back := t.TempDir()
	out, err = blobsRun(t, vars, "migrate", "--from", bucket, "--to", back)
	if err != nil || !strings.Contains(out, "copied 30, skipped 0, failed 0\n") {
		t.Fatalf("back from S3: %v\n%s", err, out)
	}
	if got := sumsAt(t, vars, back); !slices.Equal(got, sums) {
		t.Fatalf("directory holds %d blobs, want %d", len(got), len(sums))
	}
}

// TestBlobsMigrateSurvivesSIGKILL runs `sejour blobs migrate` as a real
// process, kills it with SIGKILL several times while it copies, and runs
// it again each time: the last run ends with every blob in the target,
// read back and checked, none failed. Once to a directory, once to S3.
func TestBlobsMigrateSurvivesSIGKILL(t *testing.T) {
	if os.Getenv("SEJOUR_BLOBS_CHILD") != "" {
		os.Args = append([]string{"sejour", "blobs"}, strings.Fields(os.Getenv("SEJOUR_BLOBS_CHILD"))...)
		main()
		return
	}
	t.Run("directory", func(t *testing.T) { killedMigration(t, nil, t.TempDir()) })
	t.Run("s3", func(t *testing.T) {
		vars, bucket := s3Env(t)
		killedMigration(t, vars, bucket)
	})
}

// killedMigration migrates to target, killing the process three times.
func killedMigration(t *testing.T, vars map[string]string, target string) {
	const n, kills = 400, 3
	from, sums := fillDir(t, n, 64<<10)
	cfg := mustConfig(t, vars)
	dst, _, err := openLocation(cfg, "--to", target, false)
	if err != nil {
		t.Fatal(err)
	}
	count := func() int { return len(blobtest.Sums(t, dst)) }
	child := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestBlobsMigrateSurvivesSIGKILL$")
		cmd.Env = append(os.Environ(), "SEJOUR_BLOBS_CHILD=migrate --from "+from+" --to "+target+" --jobs 2", "SEJOUR_DATA_DIR="+t.TempDir())
		for k, v := range vars {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		return cmd
	}
	for k := 1; k <= kills; k++ {
		before := count()
		cmd := child()
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		// Kill once this run has copied a share of the blobs.
		want := k * n / (kills + 1)
		deadline := time.Now().Add(60 * time.Second)
		for count() < want && time.Now().Before(deadline) {
			select {
			case err := <-exited:
				t.Fatalf("run %d ended before its kill (%v), with %d of %d blobs copied:\n%s", k, err, count(), n, out.String())
			case <-time.After(5 * time.Millisecond):
			}
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		err := <-exited
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("run %d: not killed by SIGKILL but %v:\n%s", k, err, out.String())
		}
		after := count()
		if after <= before || after >= n {
			t.Fatalf("run %d was killed with %d blobs in the target (%d before): not mid-way", k, after, before)
		}
		t.Logf("run %d killed with %d of %d blobs in the target", k, after, n)
	}
	present := count()
	cmd := child()
	outb, err := cmd.CombinedOutput()
	out := string(outb)
	if err != nil {
		t.Fatalf("last run: %v\n%s", err, out)
	}
	want := fmt.Sprintf("copied %d, skipped %d, failed 0\n", n-present, present)
	if !strings.Contains(out, want) {
		t.Fatalf("last run's summary: want %q in\n%s", want, out)
	}
	if got := sumsAt(t, vars, target); !slices.Equal(got, sums) {
		t.Fatalf("target holds %d blobs, want the %d of the source", len(got), len(sums))
	}
}
