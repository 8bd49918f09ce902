package cmd

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain runs the command line in a child process when asked to (the SIGKILL and SIGINT
// tests), with Main's signal handling.
func TestMain(m *testing.M) {
	if args := os.Getenv("OPTIMBENCH_TEST_CLI"); args != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := run(ctx, strings.Split(args, "\x1f"), os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// child runs optimbench with args in a child process and kills it with SIGKILL after kill
// (0: lets it finish). It reports whether the process finished by itself.
func child(t *testing.T, kill time.Duration, args ...string) bool {
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
	if kill > 0 {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("%v: %v %s", args, err, stderr.String())
			}
			return true
		case <-time.After(kill):
			c.Process.Signal(syscall.SIGKILL)
			<-done
			return false
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("%v: %v %s", args, err, stderr.String())
	}
	return true
}

// csvWithoutSeconds reads a csv file with its seconds column blanked.
func csvWithoutSeconds(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	col := -1
	for i, h := range strings.Split(lines[0], ",") {
		if h == "seconds" {
			col = i
		}
	}
	for i := 1; i < len(lines) && col >= 0; i++ {
		if cells := strings.Split(lines[i], ","); len(cells) > col {
			cells[col] = "S"
			lines[i] = strings.Join(cells, ",")
		}
	}
	return strings.Join(lines, "\n")
}

// Kill −9 of train at random moments, each followed by train --resume, ends with the
// metrics.csv of a run never killed (apart from seconds).
func TestTrainSIGKILLResume(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	cfg := write(t, dir, "long.yaml", `
data: {source: synthetic, generator: spirals, n: 2000, features: 2, classes: 3}
model: {kind: mlp, hidden: [32, 32], activation: tanh}
optimizer: {name: adam, lr: 0.01}
schedule: {name: plateau, patience: 2}
train: {epochs: 150, batch_size: 32, checkpoint_every: 1, average: {kind: ema, decay: 0.99}}
`)
	ref := filepath.Join(dir, "ref")
	start := time.Now()
	child(t, 0, "train", "-q", "--config", cfg, "--out", ref)
	took := time.Since(start)
	want := csvWithoutSeconds(t, filepath.Join(ref, "metrics.csv"))

	run := filepath.Join(dir, "run")
	rng := rand.New(rand.NewPCG(11, 11))
	kill := func() time.Duration { return time.Duration(float64(took) * (0.05 + 0.1*rng.Float64())) }
	finished := child(t, kill(), "train", "-q", "--config", cfg, "--out", run)
	kills := 0
	for !finished && kills < 5 {
		kills++
		finished = child(t, kill(), "train", "-q", "--resume", run)
	}
	if !finished {
		child(t, 0, "train", "-q", "--resume", run)
	}
	if got := csvWithoutSeconds(t, filepath.Join(run, "metrics.csv")); got != want {
		t.Fatalf("after %d kills, metrics.csv differs from the uninterrupted run's:\n%s\n---\n%s", kills, got, want)
	}
	a, _ := os.ReadFile(filepath.Join(ref, "params.safetensors"))
	b, _ := os.ReadFile(filepath.Join(run, "params.safetensors"))
	if !bytes.Equal(a, b) {
		t.Error("params.safetensors differs from the uninterrupted run's")
	}
	if kills < 5 {
		t.Errorf("only %d kills before the run finished (a run of %v)", kills, took)
	}
	if code, _, stderr := runCLI(t, "train", "--resume", run); code != 2 || !strings.Contains(stderr, "nothing to resume") {
		t.Errorf("resuming a finished run: exit %d %q", code, stderr)
	}
}
