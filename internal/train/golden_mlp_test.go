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

// goldenMLP is testdata/golden_mlp.json, made by scripts/gen_mlp_golden.py: 4-8-8-3 MLPs
// trained by PyTorch from its own initialization, saved as the init files beside it, with
// minibatches in the file's order.
type goldenMLP struct {
	Tolerance float64 `json:"tolerance"`
	Data      string  `json:"data"`
	Runs      []struct {
		Name       string         `json:"name"`
		Init       string         `json:"init"`
		Hidden     []int          `json:"hidden"`
		Activation string         `json:"activation"`
		Optimizer  string         `json:"optimizer"`
		Hyper      map[string]any `json:"hyper"`
		Epochs     int            `json:"epochs"`
		BatchSize  int            `json:"batch_size"`
		TrainLoss  []float64      `json:"train_loss"`
		Params     map[string]struct {
			Shape []int     `json:"shape"`
			Data  []float64 `json:"data"`
		} `json:"params"`
	} `json:"runs"`
}

// optimbench trains the MLPs of golden_mlp.json from the same init files (`model.init:
// {file: …}`, F64 and F32) and ends with PyTorch's per-epoch training losses and final
// parameters, to 1e-12.
func TestGoldenMLP(t *testing.T) {
	b, err := os.ReadFile("testdata/golden_mlp.json")
	if err != nil {
		t.Fatal(err)
	}
	var g goldenMLP
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Runs) == 0 || g.Tolerance == 0 {
		t.Fatal("golden_mlp.json: no runs or no tolerance")
	}
	for _, gr := range g.Runs {
		t.Run(gr.Name, func(t *testing.T) {
			opt := map[string]any{"name": gr.Optimizer}
			for k, v := range gr.Hyper {
				opt[k] = v
			}
			hidden := make([]any, len(gr.Hidden))
			for i, h := range gr.Hidden {
				hidden[i] = h
			}
			raw := map[string]any{
				"data": map[string]any{"source": "csv", "path": filepath.Join("testdata", g.Data), "target": "label",
					"test_fraction": 0},
				"model": map[string]any{"kind": "mlp", "hidden": hidden, "activation": gr.Activation,
					"loss": "cross_entropy", "init": map[string]any{"file": filepath.Join("testdata", gr.Init)}},
				"optimizer": opt,
				"train":     map[string]any{"epochs": gr.Epochs, "batch_size": gr.BatchSize, "shuffle": false},
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
