package experiment

import (
	"path/filepath"
	"testing"

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
			pv := r.PreviewSchedule()
			s := runIn(t, r, dir)
			m, err := report.ReadTable(filepath.Join(dir, "metrics.csv"))
			if err != nil {
				t.Fatal(err)
			}
			if len(pv.Steps) != s.Steps {
				t.Errorf("preview has %d updates, the run made %d", len(pv.Steps), s.Steps)
			}
			if len(pv.Epochs) != r.Config.Train.Epochs {
				t.Fatalf("preview has %d epochs, want %d", len(pv.Epochs), r.Config.Train.Epochs)
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
	pv, err := PreviewSchedule(c)
	if err != nil {
		t.Fatal(err)
	}
	// 80 training samples (test_fraction 0.2): batches of 30, 30, 20.
	if len(pv.Steps) != 9 || pv.Steps[2].BatchSize != 20 || pv.Epochs[0].BatchSize != 30 || pv.Epochs[2].Examples != 240 {
		t.Errorf("steps %+v epochs %+v", pv.Steps, pv.Epochs)
	}
}

func decodeDoc(t *testing.T, doc string) *Config {
	t.Helper()
	c, err := Decode(parse(t, doc), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return c
}
