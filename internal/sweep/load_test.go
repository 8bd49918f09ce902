package sweep

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/optimbench/optimbench/internal/optim"
)

const bigSweep = `
base:
  data: {source: synthetic, generator: linear, n: 100, features: 2}
  model: {kind: linear, loss: mse}
  optimizer: {name: sgd}
  train: {epochs: 2}
grid:
  optimizer.lr: [0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009, 0.01]
  train.batch_size: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]
seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]
`

// Validating a large sweep honours cancellation at once and reports progress while it goes.
func TestLoadCancelAndProgress(t *testing.T) {
	path := writeFile(t, t.TempDir(), "big.yaml", bigSweep)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	_, err := Load(ctx, path, LoadOptions{})
	if !errors.Is(err, context.Canceled) || time.Since(start) > time.Second {
		t.Errorf("Load with a cancelled context: %v after %v, want context.Canceled at once", err, time.Since(start))
	}

	ctx, cancel = context.WithCancel(context.Background())
	var calls atomic.Int32
	go func() { time.Sleep(1500 * time.Millisecond); cancel() }()
	start = time.Now()
	s, err := Load(ctx, path, LoadOptions{Progress: func(done, total int) {
		calls.Add(1)
		if total != 4000 || done < 0 || done > total {
			t.Errorf("progress(%d, %d)", done, total)
		}
	}})
	switch {
	case err == nil && len(s.Points) == 4000: // finished before the cancellation
	case errors.Is(err, context.Canceled) && time.Since(start) < 2500*time.Millisecond:
		if !strings.Contains(err.Error(), "interrupted") {
			t.Errorf("error %q does not say it was interrupted", err)
		}
	default:
		t.Errorf("Load: %v after %v", err, time.Since(start))
	}
	if err != nil && calls.Load() == 0 {
		t.Error("no progress reported in over a second")
	}
}

// Points hold no decoded configuration; each decodes again to the configuration it was
// validated as, named by its run id.
func TestPointConfig(t *testing.T) {
	s := loadSweep(t, sweep18)
	for _, p := range s.Points[:3] {
		c, err := p.Config()
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != p.ID || c.Seed != p.Seed {
			t.Errorf("point %d: config named %s seed %d, want %s %d", p.Index, c.Name, c.Seed, p.ID, p.Seed)
		}
	}
}

// A sweep over every optimizer name expands and validates; a key that applies to only some
// of them is refused at the first point where it does not, naming the point and the key.
func TestSweepEveryOptimizer(t *testing.T) {
	names := optim.Names()
	body := "base:\n  data: {source: synthetic, generator: blobs, n: 60, features: 2, classes: 3}\n  model: {kind: linear}\n  optimizer: {name: sgd}\n  train: {epochs: 1}\ngrid:\n  optimizer.name: [" + strings.Join(names, ", ") + "]\n"
	s := loadSweep(t, body)
	if len(s.Points) != len(names) {
		t.Fatalf("%d points for %d optimizers", len(s.Points), len(names))
	}
	_, err := Load(context.Background(), writeFile(t, t.TempDir(), "s.yaml", body+"  optimizer.momentum: [0.5]\n"), LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "point 0 (optimizer.name=sgd optimizer.momentum=0.5)") ||
		!strings.Contains(err.Error(), "optimizer.momentum: does not apply to optimizer sgd") {
		t.Errorf("error %v: want point 0 and optimizer.momentum named", err)
	}
}
