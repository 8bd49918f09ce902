package benchmark

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The deviations from DeepOBS's defaults name the seeds, each search and, for a problem
// that names a preset, every key it changes (epochs and a data subset in words); the element
// type is float64 unless train.dtype says DeepOBS's float32. A bare preset and a problem
// that names none add nothing.
func TestDeviations(t *testing.T) {
	body := `name: d
seeds: 3
problems:
  quad_short:
    testproblem: quadratic_deep
    data: {limit: 500}
    train: {epochs: 7, checkpoint_every: 2, threads: 1}
  quad_batch:
    testproblem: quadratic_deep
    train: {batch_size: 64}
  quad:
    testproblem: quadratic_deep
    train: {threads: 1}
  lin:
    data: {source: synthetic, generator: linear, n: 100, features: 2}
    model: {kind: linear, loss: mse}
baselines: {optimizers: [sgd], search: {method: halving, eta: 3, min_epochs: 1, lr: {min: 1.0e-3, max: 1.0, num: 4}}}
`
	f := filepath.Join(t.TempDir(), "bench.yaml")
	if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	got := readBench(t, f).deviations()
	want := []string{
		"reruns on 3 seeds (DeepOBS: 10)",
		"sgd: lr grid of 4 values from 0.001 to 1 (DeepOBS: 36 values from 1e-05 to 100)",
		"sgd: successive halving (eta 3, first rung 1 epochs): candidates dropped on shorter runs (DeepOBS: every candidate runs the full length)",
		"computed in float64 on every problem (DeepOBS: float32)",
		"quad_short: trains on the first 500 training examples (data.limit; DeepOBS's preset: all of them)",
		"quad_short: 7 epochs (DeepOBS: 100)",
		"quad_batch: train.batch_size 64 (DeepOBS: 128)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("deviations:\n got %q\nwant %q", got, want)
	}
}

// A bare preset departs from DeepOBS only in the element type (float64, the engine's default).
func TestDTypeDeviations(t *testing.T) {
	body := `name: d
problems:
  quad: {testproblem: quadratic_deep}
baselines: {optimizers: [sgd]}
`
	f := filepath.Join(t.TempDir(), "bench.yaml")
	if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	got := readBench(t, f).deviations()
	if len(got) != 1 || got[0] != "computed in float64 on every problem (DeepOBS: float32)" {
		t.Errorf("deviations of a bare preset in float64: %q", got)
	}
}
