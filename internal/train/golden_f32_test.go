package train

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/optimbench/optimbench/internal/report"
)

// goldenF32 is testdata/golden_f32.json, made by scripts/gen_train_golden_f32.py: PyTorch
// 1.13 in torch.float32 throughout, on the csv problems of the float64 goldens.
type goldenF32 struct {
	Tolerance float64 `json:"tolerance"`
	Linear    []struct {
		Name      string         `json:"name"`
		Data      string         `json:"data"`
		Optimizer string         `json:"optimizer"`
		Hyper     map[string]any `json:"hyper"`
		Epochs    int            `json:"epochs"`
		TrainLoss []float64      `json:"train_loss"`
	} `json:"linear"`
	MLP []struct {
		Name       string         `json:"name"`
		Init       string         `json:"init"`
		Activation string         `json:"activation"`
		Optimizer  string         `json:"optimizer"`
		Hyper      map[string]any `json:"hyper"`
		Epochs     int            `json:"epochs"`
		BatchSize  int            `json:"batch_size"`
		TrainLoss  []float64      `json:"train_loss"`
		Params     map[string]struct {
			Data []float64 `json:"data"`
		} `json:"params"`
	} `json:"mlp"`
	Rosenbrock []struct {
		Name      string         `json:"name"`
		Optimizer string         `json:"optimizer"`
		Hyper     map[string]any `json:"hyper"`
		Steps     int            `json:"steps"`
		Path      [][]float64    `json:"path"`
	} `json:"rosenbrock"`
}

func readGoldenF32(t *testing.T) *goldenF32 {
	t.Helper()
	b, err := os.ReadFile("testdata/golden_f32.json")
	if err != nil {
		t.Fatal(err)
	}
	var g goldenF32
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Linear) == 0 || len(g.MLP) == 0 || len(g.Rosenbrock) == 0 || g.Tolerance != 1e-5 {
		t.Fatal("golden_f32.json: runs missing or tolerance not 1e-5")
	}
	return &g
}

func withName(name string, hyper map[string]any) map[string]any {
	opt := map[string]any{"name": name}
	for k, v := range hyper {
		opt[k] = v
	}
	return opt
}

// checkLosses compares metrics.csv's train_loss column in dir with want.
func checkLosses(t *testing.T, dir string, want []float64, tol float64) {
	t.Helper()
	m, err := report.ReadTable(filepath.Join(dir, "metrics.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Rows != len(want) {
		t.Fatalf("metrics.csv has %d rows, want %d", m.Rows, len(want))
	}
	for i, w := range want {
		if got := m.Cols["train_loss"][i]; !closeRel(got, w, tol) {
			t.Errorf("epoch %d: train_loss %.9g, PyTorch float32 %.9g", i, got, w)
		}
	}
}

// optimbench in train.dtype float32 follows PyTorch's float32 linear models, MLPs (losses and
// final parameters, read back as F32 from params.safetensors) and Rosenbrock paths to 1e-5.
func TestGoldenFloat32(t *testing.T) {
	g := readGoldenF32(t)
	for _, gr := range g.Linear {
		t.Run("linear/"+gr.Name, func(t *testing.T) {
			d := map[string]any{"source": "csv", "path": "testdata/regression.csv", "target": "y", "test_fraction": 0}
			loss := "mse"
			if gr.Data == "classification" {
				d["path"], d["target"], loss = "testdata/classification.csv", "label", "cross_entropy"
			}
			dir := execute(t, map[string]any{"data": d, "model": map[string]any{"kind": "linear", "loss": loss},
				"optimizer": withName(gr.Optimizer, gr.Hyper),
				"train":     map[string]any{"epochs": gr.Epochs, "batch_size": "full", "shuffle": false, "dtype": "float32"}})
			checkLosses(t, dir, gr.TrainLoss, g.Tolerance)
		})
	}
	for _, gr := range g.MLP {
		t.Run("mlp/"+gr.Name, func(t *testing.T) {
			dir := execute(t, map[string]any{
				"data": map[string]any{"source": "csv", "path": "testdata/mlp.csv", "target": "label", "test_fraction": 0},
				"model": map[string]any{"kind": "mlp", "hidden": []any{8, 8}, "activation": gr.Activation,
					"loss": "cross_entropy", "init": map[string]any{"file": filepath.Join("testdata", gr.Init)}},
				"optimizer": withName(gr.Optimizer, gr.Hyper),
				"train":     map[string]any{"epochs": gr.Epochs, "batch_size": gr.BatchSize, "shuffle": false, "dtype": "float32"}})
			checkLosses(t, dir, gr.TrainLoss, g.Tolerance)
			ts, _, err := report.ReadSafetensors(filepath.Join(dir, "params.safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ts {
				if p.DType != "F32" {
					t.Errorf("%s is %s, want F32", p.Name, p.DType)
				}
				want := gr.Params[p.Name].Data
				if len(want) != len(p.Data) {
					t.Fatalf("%s has %d values, PyTorch %d", p.Name, len(p.Data), len(want))
				}
				for i, w := range want {
					if !closeRel(p.Data[i], w, g.Tolerance) {
						t.Errorf("%s[%d] = %.9g, PyTorch float32 %.9g", p.Name, i, p.Data[i], w)
					}
				}
			}
		})
	}
	for _, gp := range g.Rosenbrock {
		t.Run(gp.Name, func(t *testing.T) {
			dir := execute(t, map[string]any{
				"problem":   map[string]any{"function": "rosenbrock", "start": []any{-1.5, 2.0}},
				"optimizer": withName(gp.Optimizer, gp.Hyper),
				"train":     map[string]any{"epochs": gp.Steps, "dtype": "float32"}})
			tr, err := report.ReadTable(filepath.Join(dir, "trajectory.csv"))
			if err != nil {
				t.Fatal(err)
			}
			if tr.Rows != len(gp.Path) {
				t.Fatalf("trajectory.csv has %d rows, want %d", tr.Rows, len(gp.Path))
			}
			worst := 0.0
			for i, p := range gp.Path {
				for j, x := range []float64{tr.Cols["x1"][i], tr.Cols["x2"][i]} {
					worst = max(worst, math.Abs(x-p[j])/math.Max(1, math.Abs(p[j])))
					if !closeRel(x, p[j], g.Tolerance) {
						t.Fatalf("step %d: x%d = %.9g, PyTorch float32 %.9g", i, j+1, x, p[j])
					}
				}
			}
			t.Logf("largest difference %.2g", worst)
		})
	}
}
