package train

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/report"
)

// stopAfter cancels a run's context once it records the row of epoch n.
type stopAfter struct {
	n      int
	cancel context.CancelFunc
}

func (s *stopAfter) Start(int)              {}
func (s *stopAfter) Finish(*report.Summary) {}
func (s *stopAfter) Row(r report.Row, _ bool) {
	if r.Epoch >= s.n {
		s.cancel()
	}
}

// withoutSeconds is a csv file with its seconds column blanked.
func withoutSeconds(t *testing.T, path string) string {
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
		cells := strings.Split(lines[i], ",")
		if len(cells) > col {
			cells[col] = "S"
		}
		lines[i] = strings.Join(cells, ",")
	}
	return strings.Join(lines, "\n")
}

func decodeRun(t *testing.T, doc string) *Run {
	t.Helper()
	c, err := config.Decode(parse(t, doc), "")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Setup(context.Background(), c, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// A run stopped after any epoch and resumed from its last checkpoint ends with the same
// metrics.csv (and trajectory.csv, params.safetensors) as a run never stopped, whatever the
// optimizer's state, the schedule's (plateau), the averaged weights and the random streams.
func TestResumeIsIdentical(t *testing.T) {
	for name, doc := range map[string]string{
		"mlp adam plateau ema": `
data: {source: synthetic, generator: blobs, n: 120, features: 2, classes: 3}
model: {kind: mlp, hidden: [6], activation: tanh}
optimizer: {name: adam, lr: 0.05}
schedule: {name: plateau, patience: 1, factor: 0.5}
train: {epochs: 9, batch_size: 16, checkpoint_every: 2, average: {kind: ema, decay: 0.9}, eval_every: 1}
`,
		"linear nadam swa onecycle": `
data: {source: synthetic, generator: blobs, n: 90, features: 2, classes: 2}
model: {kind: linear}
optimizer: {name: nadam, lr: 0.05}
schedule: {name: onecycle}
train: {epochs: 8, batch_size: 20, checkpoint_every: 3, average: {kind: swa, start: 2}}
`,
		"schedule-free mlp": `
data: {source: synthetic, generator: spirals, n: 100, features: 2, classes: 2}
model: {kind: mlp, hidden: [5]}
optimizer: {name: adamw_schedulefree, lr: 0.01}
train: {epochs: 7, batch_size: 10, checkpoint_every: 1}
`,
		"net dropout": `
data: {source: synthetic, generator: blobs, n: 60, features: 4, classes: 3}
model: {kind: net, input: [1, 2, 2], layers: [{conv: 4, kernel: 2}, {dropout: 0.5}, {dense: 6}, {dropout: 0.3}, {dense: 3}]}
optimizer: {name: adam, lr: 0.05}
train: {epochs: 6, batch_size: 8, checkpoint_every: 2}
`,
		"noisy rosenbrock lbfgs": `
problem: {function: rosenbrock, noise: 0.1}
optimizer: {name: lbfgs, lr: 0.5, history_size: 3, max_iter: 3}
train: {epochs: 12, checkpoint_every: 4}
`,
		"noisy quadratic muon": `
problem: {function: quadratic, scales: [1, 10, 3], noise: 0.05}
optimizer: {name: muon, lr: 0.02}
train: {epochs: 15, checkpoint_every: 5, eval_every: 2}
`,
	} {
		t.Run(name, func(t *testing.T) { checkResume(t, doc) })
	}
}

// checkResume stops the run of doc after every other epoch, resumes it and compares its files
// with an uninterrupted run's.
func checkResume(t *testing.T, doc string) {
	t.Helper()
	whole := t.TempDir()
	if _, err := decodeRun(t, doc).Execute(context.Background(), whole, nil); err != nil {
		t.Fatal(err)
	}
	epochs := decodeRun(t, doc).Plan.Epochs
	for stop := 1; stop < epochs; stop += 2 {
		dir := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		_, err := decodeRun(t, doc).Execute(ctx, dir, &stopAfter{n: stop, cancel: cancel})
		cancel()
		if err == nil {
			t.Fatalf("stopped after epoch %d: no error", stop)
		}
		if _, err := decodeRun(t, doc).Resume(context.Background(), dir, nil); err != nil {
			t.Fatalf("resume after epoch %d: %v", stop, err)
		}
		for _, f := range []string{"metrics.csv", "trajectory.csv"} {
			want := filepath.Join(whole, f)
			if _, err := os.Stat(want); err != nil {
				continue
			}
			if got := withoutSeconds(t, filepath.Join(dir, f)); got != withoutSeconds(t, want) {
				t.Fatalf("stopped after epoch %d: %s differs:\n%s\n--- uninterrupted:\n%s", stop, f, got, withoutSeconds(t, want))
			}
		}
		a, _ := os.ReadFile(filepath.Join(whole, "params.safetensors"))
		b, _ := os.ReadFile(filepath.Join(dir, "params.safetensors"))
		if string(a) != string(b) {
			t.Fatalf("stopped after epoch %d: params.safetensors differs", stop)
		}
		if _, err := decodeRun(t, doc).Resume(context.Background(), dir, nil); !errors.Is(err, ErrNothingToResume) {
			t.Errorf("resuming a finished run: %v, want ErrNothingToResume", err)
		}
	}
}
