package cmd

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The learning rate belongs to the schedule and schedule keys are checked against it: a base
// rate of 5 with a cyclical schedule between 2 and 5 trains (PyTorch's CyclicLR cases).
func TestScheduleAgainstTheRealLR(t *testing.T) {
	dir := t.TempDir()
	cfg := write(t, dir, "cyclic.yaml", `
problem: {function: quadratic, scales: [1, 1], start: [1, 1]}
optimizer: {name: sgd, lr: 5}
schedule: {name: triangular, min_lr: 2, half_cycle: 2}
train: {epochs: 6, on_diverge: continue}
`)
	run := filepath.Join(dir, "run")
	if code, _, stderr := runCLI(t, "train", "-q", "--config", cfg, "--out", run); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, _ := os.ReadFile(filepath.Join(run, "metrics.csv"))
	if !strings.Contains(string(b), ",3.5,") || !strings.Contains(string(b), ",5,") {
		t.Errorf("metrics.csv does not cycle between 2 and 5:\n%s", b)
	}

	// A sweep point whose min_lr exceeds its lr is refused before anything runs.
	sw := write(t, dir, "sweep.yaml", `
base:
  data: {source: synthetic, generator: linear, n: 100, features: 2}
  model: {kind: linear, loss: mse}
  optimizer: {name: sgd}
  schedule: {name: cosine, min_lr: 0.0005}
  train: {epochs: 2}
grid:
  optimizer.lr: [0.001, 0.0001]
`)
	out := filepath.Join(dir, "sw")
	code, stdout, stderr := runCLI(t, "sweep", "-q", "--config", sw, "--out", out)
	if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 ||
		!strings.Contains(stderr, "point 1 (optimizer.lr=0.0001)") || !strings.Contains(stderr, "schedule.min_lr") {
		t.Errorf("exit %d, stderr %q: want exit 2 naming point 1 and schedule.min_lr", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("the refused sweep wrote %s", out)
	}
}

// plot --kind schedule needs no data: a config on MNIST that is not downloaded, with a
// reference optimum that would need the whole training set, is previewed at once.
func TestSchedulePreviewReadsNoData(t *testing.T) {
	dir := t.TempDir()
	cfg := write(t, dir, "mnist.yaml", `
data: {source: mnist, path: `+filepath.Join(dir, "not-downloaded")+`}
model: {kind: linear}
optimizer: {name: sgd, lr: 0.1}
schedule: {name: cosine, unit: step, warmup: 100}
train: {epochs: 3, batch_size: 128, reference_optimum: true}
`)
	if code, _, stderr := runCLI(t, "train", "-q", "--config", cfg, "--out", filepath.Join(dir, "r")); code != 2 || !strings.Contains(stderr, "not found") {
		t.Fatalf("train: exit %d %q, want exit 2 for the missing data", code, stderr)
	}
	out := filepath.Join(dir, "sched.png")
	code, stdout, stderr := runCLI(t, "plot", cfg, "--kind", "schedule", "--out", out)
	if code != 0 || strings.TrimSpace(stdout) != out {
		t.Fatalf("plot: exit %d %q %q", code, stdout, stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("%s: %v", out, err)
	}
}
