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
  quad_one:
    testproblem: quadratic_deep
    train: {epochs: 1}
  lin:
    data: {source: synthetic, generator: linear, n: 100, features: 2}
    model: {kind: linear, loss: mse}
baselines: {optimizers: [sgd, momentum], search: {method: halving, eta: 3, min_epochs: 1, lr: {min: 1.0e-3, max: 1.0, num: 4}}}
optimizers:
  adamw: {search: {method: halving, eta: 2, min_epochs: 4, lr: {min: 1.0e-5, max: 100, num: 36}}}
`
	f := filepath.Join(t.TempDir(), "bench.yaml")
	if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	got := readBench(t, f).deviations()
	want := []string{
		"reruns on 3 seeds (DeepOBS: 10)",
		"sgd, momentum: lr grid of 4 values from 0.001 to 1 (DeepOBS: 36 values from 1e-05 to 100)",
		"sgd, momentum: successive halving (eta 3, first rung 1 epoch): candidates dropped on shorter runs (DeepOBS: every candidate runs the full length)",
		"adamw: successive halving (eta 2, first rung 4 epochs): candidates dropped on shorter runs (DeepOBS: every candidate runs the full length)",
		"computed in float64 on every problem (DeepOBS: float32)",
		"quad_short: trains on the first 500 training examples only (data.limit; the preset: the whole training set)",
		"quad_short: 7 epochs (DeepOBS: 100)",
		"quad_batch: train.batch_size 64 (DeepOBS: 128)",
		"quad_one: 1 epoch (DeepOBS: 100)",
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

// In DeepOBS's float32 a problem departs in nothing but what else it changes: train.dtype
// float32 is neither a dtype deviation nor a key departing from the (float64) preset, and a
// problem left in float64 is named.
func TestDTypeFloat32NoDeviation(t *testing.T) {
	body := `name: d
problems:
  quad: {testproblem: quadratic_deep, train: {dtype: float32}}
  quad64: {testproblem: quadratic_deep, train: {dtype: float64, epochs: 3}}
baselines: {optimizers: [sgd]}
`
	f := filepath.Join(t.TempDir(), "bench.yaml")
	if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	got := readBench(t, f).deviations()
	want := []string{"computed in float64 on quad64 (DeepOBS: float32)", "quad64: 3 epochs (DeepOBS: 100)"}
	if !slices.Equal(got, want) {
		t.Errorf("deviations:\n got %q\nwant %q", got, want)
	}
}

// A departure every optimizer shares is said once, for every optimizer.
func TestSearchDeviationsGrouped(t *testing.T) {
	body := `name: d
seeds: 10
problems:
  quad: {testproblem: quadratic_deep}
baselines: {search: {lr: [0.01, 0.1]}}
`
	f := filepath.Join(t.TempDir(), "bench.yaml")
	if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	got := readBench(t, f).searchDeviations()
	want := []string{"every optimizer: lr grid of 2 values from 0.01 to 0.1 (DeepOBS: 36 values from 1e-05 to 100)"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
