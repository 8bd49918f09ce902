package cmd

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// interrupt starts optimbench with args in a child process, waits until ready() holds (at most
// 20 s), sends sig, and returns how long the child took to exit after it, its exit code and
// its stderr.
func interrupt(t *testing.T, sig syscall.Signal, ready func() bool, args ...string) (time.Duration, int, string) {
	t.Helper()
	c := exec.Command(os.Args[0], "-test.run=^$")
	c.Env = append(os.Environ(), "OPTIMBENCH_TEST_CLI="+strings.Join(args, "\x1f"))
	var stderr bytes.Buffer
	c.Stderr = &stderr
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	for deadline := time.Now().Add(20 * time.Second); !ready(); time.Sleep(20 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("%v ended before it was interrupted: %v %s", args, err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			c.Process.Kill()
			t.Fatalf("%v: not ready after 20 s: %s", args, stderr.String())
		}
	}
	sent := time.Now()
	c.Process.Signal(sig)
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		c.Process.Kill()
		<-done
		t.Fatalf("%v ignored %v for 10 s", args, sig)
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	}
	return time.Since(sent), code, stderr.String()
}

// rows is the number of lines of a file (0 when it is not there).
func rows(path string) int {
	b, _ := os.ReadFile(path)
	return bytes.Count(b, []byte("\n"))
}

// A run of 10¹² epochs starts at once (nothing loops over the epochs before training) and stops
// within a second of Ctrl-C or SIGTERM, keeping the rows written.
func TestTrainHugeEpochsInterruptible(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	cfg := write(t, t.TempDir(), "huge.yaml", "data: {source: synthetic, n: 200}\nmodel: {kind: linear}\noptimizer: {name: sgd, lr: 0.1}\n"+
		"schedule: {name: cosine}\ntrain: {epochs: 1000000000000, batch_size: 16}\n")
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		out := filepath.Join(t.TempDir(), "run")
		start := time.Now()
		took, code, stderr := interrupt(t, sig, func() bool { return rows(filepath.Join(out, "metrics.csv")) >= 3 },
			"train", "-c", cfg, "--out", out, "--quiet")
		t.Logf("%v: first rows after %v; exit %d %v after the signal: %s", sig, time.Since(start)-took, code, took, stderr)
		if took > 1500*time.Millisecond {
			t.Errorf("%v: exit took %v after the signal", sig, took)
		}
		if code != exitFailure || !strings.Contains(stderr, "interrupted") {
			t.Errorf("%v: exit %d, stderr %q; want %d and interrupted", sig, code, stderr, exitFailure)
		}
		if b, err := os.ReadFile(filepath.Join(out, "summary.json")); err != nil || !strings.Contains(string(b), "interrupted") {
			t.Errorf("%v: summary.json %q (%v) does not say interrupted", sig, b, err)
		}
	}
}

// A long setup (here f* of a large softmax regression by L-BFGS) says what it is doing after a
// second and stops within a second of Ctrl-C, writing nothing.
func TestTrainSetupInterruptible(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	cfg := write(t, t.TempDir(), "fstar.yaml", "data: {source: synthetic, generator: blobs, n: 200000, features: 40, classes: 10, noise: 2}\n"+
		"model: {kind: linear}\noptimizer: {name: sgd, lr: 0.1}\ntrain: {epochs: 1, reference_optimum: true}\n")
	out := filepath.Join(t.TempDir(), "run")
	start := time.Now()
	took, code, stderr := interrupt(t, syscall.SIGINT, func() bool { return time.Since(start) > 2500*time.Millisecond },
		"train", "-c", cfg, "--out", out)
	t.Logf("exit %d %v after the signal: %s", code, took, stderr)
	if took > 1500*time.Millisecond {
		t.Errorf("exit took %v after the signal", took)
	}
	if code != exitFailure || !strings.Contains(stderr, "setting up the run… (Ctrl-C stops)") || !strings.Contains(stderr, "interrupted while setting up") {
		t.Errorf("exit %d, stderr %q; want %d, the setup notice and interrupted", code, stderr, exitFailure)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("an interrupted setup wrote %s (%v)", out, err)
	}
}
