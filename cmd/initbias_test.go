package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/optimbench/optimbench/internal/report"
)

// initBiasConfig is a small net on synthetic data whose biases start at model.init_bias.
const initBiasConfig = `data: {source: synthetic, generator: blobs, n: 64, features: 4, classes: 3}
model:
  kind: net
  init: he
  init_bias: 0.5
  layers: [{dense: 8}, {dense: 3}]
optimizer: {name: sgd, lr: 0.01}
train: {epochs: 1, batch_size: 16}
`

// model.init_bias reaches the run: config.yaml writes it, and the epoch-0 loss is not the
// one of zero biases. With init auto it is bad input, exit 2 and one line naming the key.
func TestTrainInitBias(t *testing.T) {
	dir := t.TempDir()
	cfg := write(t, dir, "b.yaml", initBiasConfig)
	loss0 := func(out string, sets ...string) float64 {
		t.Helper()
		args := []string{"train", "-q", "--config", cfg, "--out", out}
		for _, s := range sets {
			args = append(args, "--set", s)
		}
		if code, _, stderr := runCLI(t, args...); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		m, err := report.ReadTable(filepath.Join(out, "metrics.csv"))
		if err != nil || m.Rows == 0 {
			t.Fatalf("metrics.csv: %v", err)
		}
		return m.Cols["train_loss"][0]
	}
	with := loss0(filepath.Join(dir, "with"))
	if b, _ := os.ReadFile(filepath.Join(dir, "with", "config.yaml")); !strings.Contains(string(b), "\n  init_bias: 0.5\n") {
		t.Errorf("config.yaml lacks init_bias: 0.5:\n%s", b)
	}
	if without := loss0(filepath.Join(dir, "without"), "model.init_bias=0"); without == with {
		t.Errorf("epoch-0 train_loss %v with init_bias 0.5 and 0: the biases were not set", with)
	}
	code, _, stderr := runCLI(t, "train", "-q", "--config", cfg, "--out", filepath.Join(dir, "auto"), "--set", "model.init=auto")
	if code != 2 || !strings.Contains(stderr, "model.init_bias: only for init") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("init auto: exit %d, stderr %q; want 2 and one line naming model.init_bias", code, stderr)
	}
}
