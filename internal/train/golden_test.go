package train

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/report"
)

// golden is one testdata/golden_train*.json: golden_train.json, made by
// scripts/gen_train_golden.py from PyTorch (full-batch linear and softmax
// regression from zero initialization on the csv files beside it, and paths on
// Rosenbrock), and the files of the other generators, each naming its source.
// Tolerance is the relative tolerance of the file's comparisons (default
// 1e-9; the held-out cases of a file may ask for less).
type golden struct {
	Tolerance float64 `json:"tolerance"`
	Runs      []struct {
		Name      string         `json:"name"`
		Data      string         `json:"data"`
		Optimizer string         `json:"optimizer"`
		Hyper     map[string]any `json:"hyper"`
		Schedule  map[string]any `json:"schedule"`
		Epochs    int            `json:"epochs"`
		// Train holds train keys beyond epochs (batch_size, clip_grad_norm, …);
		// absent, the run is full-batch without shuffling.
		Train     map[string]any `json:"train"`
		TrainLoss []float64      `json:"train_loss"`
		LR        []float64      `json:"lr"`
		Momentum  []float64      `json:"momentum"` // the momentum column, when a schedule drives it
	} `json:"runs"`
	Rosenbrock []struct {
		Name      string         `json:"name"`
		Optimizer string         `json:"optimizer"`
		Hyper     map[string]any `json:"hyper"`
		Schedule  map[string]any `json:"schedule"`
		Steps     int            `json:"steps"`
		Path      [][]float64    `json:"path"`
	} `json:"rosenbrock"`
}

// readGoldens reads every testdata/golden_train*.json, by file name.
func readGoldens(t *testing.T) map[string]*golden {
	t.Helper()
	files, _ := filepath.Glob("testdata/golden_train*.json")
	if len(files) == 0 {
		t.Fatal("no testdata/golden_train*.json")
	}
	out := map[string]*golden{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		g := &golden{Tolerance: 1e-9}
		if err := json.Unmarshal(b, g); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[filepath.Base(f)] = g
	}
	return out
}

// closeRel reports whether got is within tol of want, relative to |want|
// (absolute below 1).
func closeRel(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

func execute(t *testing.T, raw map[string]any) string {
	t.Helper()
	c, err := config.Decode(raw, "")
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	r, err := Setup(context.Background(), c, Limits{})
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}
	dir := t.TempDir()
	s, err := r.Execute(context.Background(), dir, nil)
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	if s.Status != report.StatusDone {
		t.Fatalf("status %s (%s), want done", s.Status, s.Reason)
	}
	return dir
}

func TestGoldenTrainPyTorch(t *testing.T) {
	for file, g := range readGoldens(t) {
		if len(g.Runs) == 0 && len(g.Rosenbrock) == 0 {
			t.Fatalf("%s: no golden runs", file)
		}
		t.Run(file, func(t *testing.T) { goldenRuns(t, g) })
	}
}

func goldenRuns(t *testing.T, g *golden) {
	tol := g.Tolerance
	for _, gr := range g.Runs {
		t.Run(gr.Name, func(t *testing.T) {
			opt := map[string]any{"name": gr.Optimizer}
			for k, v := range gr.Hyper {
				opt[k] = v
			}
			d := map[string]any{"source": "csv", "path": "testdata/regression.csv", "target": "y",
				"test_fraction": 0, "standardize": false}
			loss := "mse"
			if gr.Data == "classification" {
				d["path"], d["target"], loss = "testdata/classification.csv", "label", "cross_entropy"
			}
			tr := map[string]any{"epochs": gr.Epochs, "batch_size": "full", "shuffle": false}
			for k, v := range gr.Train {
				tr[k] = v
			}
			raw := map[string]any{
				"data":      d,
				"model":     map[string]any{"kind": "linear", "loss": loss},
				"optimizer": opt,
				"schedule":  gr.Schedule,
				"train":     tr,
			}
			dir := execute(t, raw)
			m, err := report.ReadTable(filepath.Join(dir, "metrics.csv"))
			if err != nil {
				t.Fatal(err)
			}
			if m.Rows != len(gr.TrainLoss) {
				t.Fatalf("metrics.csv has %d rows, want %d", m.Rows, len(gr.TrainLoss))
			}
			if gr.Momentum != nil && len(m.Cols["momentum"]) != m.Rows {
				t.Fatalf("metrics.csv has no momentum column (header %v)", m.Header)
			}
			for i := range gr.TrainLoss {
				if got, want := m.Cols["train_loss"][i], gr.TrainLoss[i]; !closeRel(got, want, tol) {
					t.Errorf("epoch %d: train_loss %.17g, PyTorch %.17g", i, got, want)
				}
				if got, want := m.Cols["lr"][i], gr.LR[i]; !closeRel(got, want, tol) {
					t.Errorf("epoch %d: lr %.17g, PyTorch %.17g", i, got, want)
				}
				if gr.Momentum != nil {
					if got, want := m.Cols["momentum"][i], gr.Momentum[i]; !closeRel(got, want, tol) {
						t.Errorf("epoch %d: momentum %.17g, PyTorch %.17g", i, got, want)
					}
				}
			}
		})
	}
	goldenPaths(t, g)
}

// goldenPaths replays the Rosenbrock paths of g.
func goldenPaths(t *testing.T, g *golden) {
	for _, gp := range g.Rosenbrock {
		t.Run(gp.Name, func(t *testing.T) {
			opt := map[string]any{"name": gp.Optimizer}
			for k, v := range gp.Hyper {
				opt[k] = v
			}
			raw := map[string]any{
				"problem":   map[string]any{"function": "rosenbrock", "start": []any{-1.5, 2.0}},
				"optimizer": opt,
				"schedule":  gp.Schedule,
				"train":     map[string]any{"epochs": gp.Steps},
			}
			dir := execute(t, raw)
			tr, err := report.ReadTable(filepath.Join(dir, "trajectory.csv"))
			if err != nil {
				t.Fatal(err)
			}
			if tr.Rows != len(gp.Path) {
				t.Fatalf("trajectory.csv has %d rows, want %d", tr.Rows, len(gp.Path))
			}
			for i, p := range gp.Path {
				x1, x2 := tr.Cols["x1"][i], tr.Cols["x2"][i]
				if !closeRel(x1, p[0], g.Tolerance) || !closeRel(x2, p[1], g.Tolerance) {
					t.Fatalf("step %d: (%.17g, %.17g), PyTorch (%.17g, %.17g)", i, x1, x2, p[0], p[1])
				}
			}
		})
	}
}
