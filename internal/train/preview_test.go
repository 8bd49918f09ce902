package train

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/report"
)

// TestPreviewMatchesTraining checks that the schedule preview gives the lr,
// batch_size, step and examples columns a real training writes.
func TestPreviewMatchesTraining(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  string
	}{
		{"warmup cosine by epoch", `
data: {source: synthetic, generator: blobs, n: 210, features: 2, classes: 2}
model: {kind: linear}
optimizer: {name: sgd, lr: 0.1}
schedule: {name: cosine, warmup: 3}
train: {epochs: 10, batch_size: 32}
`},
		{"triangular by step with batch growth", `
data: {source: synthetic, generator: blobs, n: 200, features: 2, classes: 2}
model: {kind: linear}
optimizer: {name: momentum, lr: 0.05}
schedule: {name: triangular, unit: step, half_cycle: 7}
train: {epochs: 9, batch_size: 16, batch_schedule: {name: step, factor: 2, every: 2, max: 64}}
`},
		{"full batch step decay", `
data: {source: synthetic, generator: linear, n: 50, features: 3}
model: {kind: linear}
optimizer: {name: sgd, lr: 0.01}
schedule: {name: step, every: 2}
train: {epochs: 6, batch_size: full, eval_every: 2}
`},
		{"problem", `
problem: {function: quadratic, start: [1, 1]}
optimizer: {name: sgd, lr: 0.1}
schedule: {name: exponential, k: 0.1}
train: {epochs: 12, eval_every: 3}
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			r := setup(t, tc.doc)
			// The preview finds the number of training examples without the data.
			n, err := TrainExamples(r.Config)
			if err != nil {
				t.Fatal(err)
			}
			if n != r.Plan.N {
				t.Fatalf("TrainExamples %d, the loaded training set has %d", n, r.Plan.N)
			}
			pv, err := Preview(context.Background(), r.Config, n)
			if err != nil {
				t.Fatal(err)
			}
			s := runIn(t, r, dir)
			m, err := report.ReadTable(filepath.Join(dir, "metrics.csv"))
			if err != nil {
				t.Fatal(err)
			}
			if len(pv.Steps) != s.Steps {
				t.Errorf("preview has %d updates, the run made %d", len(pv.Steps), s.Steps)
			}
			if epochs := r.Config.Train.Values.Int("epochs"); len(pv.Epochs) != epochs {
				t.Fatalf("preview has %d epochs, want %d", len(pv.Epochs), epochs)
			}
			for i := 1; i < m.Rows; i++ { // row 0 is before any update
				e := int(m.Cols["epoch"][i])
				p := pv.Epochs[e-1]
				if p.Epoch != e || p.LR != m.Cols["lr"][i] || float64(p.Step) != m.Cols["step"][i] {
					t.Errorf("epoch %d: preview lr %v step %d, metrics.csv lr %v step %v", e, p.LR, p.Step, m.Cols["lr"][i], m.Cols["step"][i])
				}
				if pv.Problem {
					continue
				}
				if float64(p.BatchSize) != m.Cols["batch_size"][i] || float64(p.Examples) != m.Cols["examples"][i] {
					t.Errorf("epoch %d: preview batch %d examples %d, metrics.csv %v %v", e, p.BatchSize, p.Examples, m.Cols["batch_size"][i], m.Cols["examples"][i])
				}
			}
			if pv.Steps[0].LR != m.Cols["lr"][0] {
				t.Errorf("first update lr %v, metrics.csv row 0 says %v", pv.Steps[0].LR, m.Cols["lr"][0])
			}
		})
	}
}

func TestPreviewScheduleLoadsConfig(t *testing.T) {
	c := decodeDoc(t, `
data: {source: synthetic, generator: blobs, n: 100, features: 2, classes: 2}
model: {kind: linear}
optimizer: {name: sgd, lr: 0.1}
train: {epochs: 3, batch_size: 30}
`)
	n, err := TrainExamples(c)
	if err != nil {
		t.Fatal(err)
	}
	pv, err := Preview(context.Background(), c, n)
	if err != nil {
		t.Fatal(err)
	}
	// 80 training samples (test_fraction 0.2): batches of 30, 30, 20.
	if len(pv.Steps) != 9 || pv.Steps[2].BatchSize != 20 || pv.Epochs[0].BatchSize != 30 || pv.Epochs[2].Examples != 240 {
		t.Errorf("steps %+v epochs %+v", pv.Steps, pv.Epochs)
	}
}

func decodeDoc(t *testing.T, doc string) *config.Config {
	t.Helper()
	c, err := config.Decode(parse(t, doc), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The schedule preview does not load the data: it works for a configuration whose data are
// absent, even one whose setup would compute a reference optimum from them.
func TestPreviewWithoutData(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-folder")
	c := decodeDoc(t, `
data: {source: mnist, path: `+missing+`}
model: {kind: linear}
optimizer: {name: sgd, lr: 0.1}
schedule: {name: cosine, unit: step}
train: {epochs: 2, batch_size: 128, reference_optimum: true}
`)
	if _, err := Setup(context.Background(), c, Limits{}); !errors.Is(err, report.ErrBadInput) {
		t.Fatalf("Setup without the data: %v, want bad input", err)
	}
	n, err := TrainExamples(c)
	if err != nil {
		t.Fatal(err)
	}
	if n != 60000 {
		t.Fatalf("TrainExamples %d, want the 60000 MNIST training images", n)
	}
	pv, err := Preview(context.Background(), c, n)
	if err != nil {
		t.Fatal(err)
	}
	// ceil(60000/128) = 469 updates an epoch, the last of 60000 − 468·128 = 96 samples.
	if len(pv.Steps) != 2*469 || len(pv.Epochs) != 2 || pv.Problem {
		t.Fatalf("%d updates over %d epochs (problem %v), want 938 over 2", len(pv.Steps), len(pv.Epochs), pv.Problem)
	}
	if pv.Steps[0].BatchSize != 128 || pv.Steps[468].BatchSize != 96 || pv.Epochs[1].Step != 938 || pv.Epochs[1].Examples != 120000 {
		t.Errorf("first batch %d, last of epoch 1 %d, epoch 2 at step %d examples %d",
			pv.Steps[0].BatchSize, pv.Steps[468].BatchSize, pv.Epochs[1].Step, pv.Epochs[1].Examples)
	}
	// unit step: the cosine's period is the run's 938 updates, so the rate falls to ~0 at the end.
	if pv.Steps[0].LR != 0.1 || !(pv.Steps[937].LR < 1e-5) {
		t.Errorf("lr %v at the first update, %v at the last", pv.Steps[0].LR, pv.Steps[937].LR)
	}
	// data.limit is applied without the data too.
	c = decodeDoc(t, "data: {source: mnist, path: "+missing+", limit: 1000}\nmodel: {kind: linear}\noptimizer: {name: sgd}\ntrain: {epochs: 1, batch_size: 100}\n")
	if n, err := TrainExamples(c); err != nil || n != 1000 {
		t.Errorf("TrainExamples with limit 1000: %d, %v", n, err)
	}
}
