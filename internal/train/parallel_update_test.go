package train

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/optimbench/optimbench/internal/optim"
)

// parallelDoc trains an MLP of 256·2048 + 2048 + 2048·4 + 4 = 534 532 parameters (at least
// optim.MinParallel, so that its update is split), with a momentum a schedule drives.
const parallelDoc = `
data: {source: synthetic, generator: blobs, n: 300, features: 256, classes: 4, noise: 8}
model: {kind: mlp, hidden: [2048], activation: tanh}
optimizer: {name: momentum, lr: 0.01}
schedule: {name: onecycle, cycle_momentum: true}
train: {epochs: 4, batch_size: 64, checkpoint_every: 1, eval_every: 1}
`

// With train.threads 2 the update runs on two goroutines (optim.Parallel); a run on 3 threads,
// and one on 2 stopped after an epoch and resumed, end with the files of the run on one
// thread, in both precisions.
func TestParallelUpdateResume(t *testing.T) {
	for _, dt := range []string{"float64", "float32"} {
		t.Run(dt, func(t *testing.T) {
			r := setup(t, parallelDoc, "train.threads=2", "train.dtype="+dt)
			before := runtime.NumGoroutine()
			var stop func()
			var err error
			if dt == "float32" {
				_, stop, err = newOptimizer[float32](r.Config, runLayout(r), r.threads)
			} else {
				_, stop, err = newOptimizer[float64](r.Config, runLayout(r), r.threads)
			}
			if err != nil {
				t.Fatal(err)
			}
			if runtime.NumGoroutine() <= before {
				t.Errorf("train.threads 2: the update of %d parameters starts no goroutine", runLayout(r).Size)
			}
			stop()
			whole, three := t.TempDir(), t.TempDir()
			runIn(t, setup(t, parallelDoc, "train.threads=1", "train.dtype="+dt), whole)
			runIn(t, setup(t, parallelDoc, "train.threads=3", "train.dtype="+dt), three)
			for _, f := range []string{"metrics.csv", "params.safetensors"} {
				if got, want := withoutSeconds(t, filepath.Join(three, f)), withoutSeconds(t, filepath.Join(whole, f)); got != want {
					t.Fatalf("threads 3: %s differs from threads 1", f)
				}
			}
			for _, stopAt := range []int{1, 2} {
				dir := t.TempDir()
				ctx, cancel := context.WithCancel(context.Background())
				_, err := setup(t, parallelDoc, "train.threads=2", "train.dtype="+dt).Execute(ctx, dir, &stopAfter{n: stopAt, cancel: cancel})
				cancel()
				if err == nil {
					t.Fatalf("stopped after epoch %d: no error", stopAt)
				}
				if _, err := setup(t, parallelDoc, "train.threads=2", "train.dtype="+dt).Resume(context.Background(), dir, nil); err != nil {
					t.Fatalf("resume after epoch %d: %v", stopAt, err)
				}
				if got, want := withoutSeconds(t, filepath.Join(dir, "metrics.csv")), withoutSeconds(t, filepath.Join(whole, "metrics.csv")); got != want {
					t.Fatalf("threads 2, stopped after epoch %d: metrics.csv differs from threads 1:\n%s\nwant\n%s", stopAt, got, want)
				}
				if got, want := readFile(t, filepath.Join(dir, "params.safetensors")), readFile(t, filepath.Join(whole, "params.safetensors")); !bytes.Equal(got, want) {
					t.Fatalf("threads 2, stopped after epoch %d: params.safetensors differs from threads 1", stopAt)
				}
			}
		})
	}
}

// runLayout is the parameter layout of run r.
func runLayout(r *Run) optim.Layout {
	if r.obj32 != nil {
		return r.obj32.Layout()
	}
	return r.obj.Layout()
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Runs one after another (as a sweep's worker executes them) leave no goroutine of their
// updates behind.
func TestParallelUpdateStops(t *testing.T) {
	doc := parallelDoc + "\n"
	runIn(t, setup(t, doc, "train.threads=2", "train.epochs=1"), t.TempDir()) // the model's shared helpers start
	before := runtime.NumGoroutine()
	for range 5 {
		runIn(t, setup(t, doc, "train.threads=2", "train.epochs=1"), t.TempDir())
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if now := runtime.NumGoroutine(); now > before {
		t.Errorf("%d goroutines after 5 runs on 2 threads, %d before", now, before)
	}
}
