package train

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/optimbench/optimbench/internal/report"
)

// goldenCNN is testdata/golden_cnn.json, made by scripts/gen_cnn_golden.py: a small CNN on
// 8×8 images (conv 3×3 same, maxpool, conv 2×2 same, flatten, dense, dense) trained by
// PyTorch from its own initialization, saved as the init file beside it, with minibatches in
// the file's order.
type goldenCNN struct {
	Tolerance float64 `json:"tolerance"`
	Data      string  `json:"data"`
	Init      string  `json:"init"`
	Input     []any   `json:"input"`
	Layers    []any   `json:"layers"`
	Runs      []struct {
		Name      string         `json:"name"`
		Optimizer string         `json:"optimizer"`
		Hyper     map[string]any `json:"hyper"`
		Epochs    int            `json:"epochs"`
		BatchSize int            `json:"batch_size"`
		TrainLoss []float64      `json:"train_loss"`
		Params    map[string]struct {
			Shape []int     `json:"shape"`
			Data  []float64 `json:"data"`
		} `json:"params"`
	} `json:"runs"`
}

// optimbench trains the CNN of golden_cnn.json from the same init file (4-D conv weights)
// with SGD momentum and Adam and ends with PyTorch's per-epoch training losses and final
// parameters, to 1e-12; and in train.dtype float32, PyTorch's float32 ones
// (golden_cnn_f32.json, scripts/gen_cnn_golden_f32.py) to 1e-5.
func TestGoldenCNN(t *testing.T) {
	t.Run("float64", func(t *testing.T) { goldenCNNFile(t, "testdata/golden_cnn.json", "float64") })
	t.Run("float32", func(t *testing.T) { goldenCNNFile(t, "testdata/golden_cnn_f32.json", "float32") })
}

func goldenCNNFile(t *testing.T, file, dtype string) {
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var g goldenCNN
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Runs) == 0 || g.Tolerance == 0 {
		t.Fatal("golden_cnn.json: no runs or no tolerance")
	}
	for i, v := range g.Input {
		g.Input[i] = int(v.(float64))
	}
	for _, l := range g.Layers {
		if m, ok := l.(map[string]any); ok {
			for k, v := range m {
				if f, ok := v.(float64); ok {
					m[k] = int(f)
				}
			}
		}
	}
	for _, gr := range g.Runs {
		t.Run(gr.Name, func(t *testing.T) {
			opt := map[string]any{"name": gr.Optimizer}
			for k, v := range gr.Hyper {
				opt[k] = v
			}
			raw := map[string]any{
				"data": map[string]any{"source": "csv", "path": filepath.Join("testdata", g.Data), "target": "label",
					"test_fraction": 0},
				"model": map[string]any{"kind": "net", "input": g.Input, "layers": g.Layers,
					"loss": "cross_entropy", "init": map[string]any{"file": filepath.Join("testdata", g.Init)}},
				"optimizer": opt,
				"train":     map[string]any{"epochs": gr.Epochs, "batch_size": gr.BatchSize, "shuffle": false, "dtype": dtype},
			}
			dir := execute(t, raw)
			m, err := report.ReadTable(filepath.Join(dir, "metrics.csv"))
			if err != nil {
				t.Fatal(err)
			}
			if m.Rows != len(gr.TrainLoss) {
				t.Fatalf("metrics.csv has %d rows, want %d", m.Rows, len(gr.TrainLoss))
			}
			worst := 0.0
			dev := func(got, want float64) {
				worst = max(worst, math.Abs(got-want)/math.Max(1, math.Abs(want)))
			}
			for i, want := range gr.TrainLoss {
				got := m.Cols["train_loss"][i]
				dev(got, want)
				if !closeRel(got, want, g.Tolerance) {
					t.Errorf("epoch %d: train_loss %.17g, PyTorch %.17g", i, got, want)
				}
			}
			ts, _, err := report.ReadSafetensors(filepath.Join(dir, "params.safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			if len(ts) != len(gr.Params) {
				t.Fatalf("params.safetensors has %d tensors, PyTorch %d", len(ts), len(gr.Params))
			}
			for _, p := range ts {
				want, ok := gr.Params[p.Name]
				if !ok || !slices.Equal(p.Shape, want.Shape) {
					t.Fatalf("tensor %s %v: PyTorch has %v", p.Name, p.Shape, want.Shape)
				}
				for i := range want.Data {
					dev(p.Data[i], want.Data[i])
					if !closeRel(p.Data[i], want.Data[i], g.Tolerance) {
						t.Errorf("%s[%d] = %.17g, PyTorch %.17g", p.Name, i, p.Data[i], want.Data[i])
					}
				}
			}
			t.Logf("largest difference from PyTorch %.2g (relative, absolute below 1)", worst)
		})
	}
}
