package train

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/optimbench/optimbench/internal/optim"
	"github.com/optimbench/optimbench/internal/report"
)

// fixedGrad is an objective whose gradient is a fixed vector.
type fixedGrad struct {
	Function
	g []float64
}

func (f *fixedGrad) LossGrad(params, grad []float64) float64 { copy(grad, f.g); return 1 }

func TestClipGrad(t *testing.T) {
	layout := optim.Layout{Size: 4, Tensors: []optim.Tensor{{Offset: 0, Rows: 3, Cols: 1}, {Offset: 3, Rows: 1, Cols: 1}}}
	g := []float64{3, 0, 0, 4} // global norm 5
	for _, tc := range []struct {
		norm, value float64
		want        []float64
	}{
		{0, 0, []float64{3, 0, 0, 4}},
		{10, 0, []float64{3, 0, 0, 4}}, // below the norm: unchanged
		{1, 0, []float64{3 * 1 / (5 + 1e-6), 0, 0, 4 * 1 / (5 + 1e-6)}},
		{0, 2, []float64{2, 0, 0, 2}},
		{2.5, 1, []float64{1, 0, 0, 1}}, // norm first (→ 1.5, 2), then value
	} {
		c := &clipped[float64]{ObjectiveOf: &fixedGrad{g: g}, layout: layout, maxNorm: tc.norm, maxValue: tc.value}
		got := make([]float64, 4)
		c.LossGrad(nil, got)
		for i := range got {
			if math.Abs(got[i]-tc.want[i]) > 1e-15 {
				t.Errorf("norm %v value %v: %v, want %v", tc.norm, tc.value, got, tc.want)
				break
			}
		}
	}
}

func TestAverager(t *testing.T) {
	ema := &averager[float64]{ema: true, decay: 0.75, avg: []float64{0}}
	for _, p := range []float64{4, 8, 0} {
		ema.update([]float64{p})
	}
	// copy 4, then 4 + 0.25·(8 − 4) = 5, then lerp(5, 0, 0.25) = 3.75
	if ema.avg[0] != 3.75 || !ema.has() {
		t.Errorf("ema %v, want 3.75", ema.avg[0])
	}
	swa := &averager[float64]{start: 2, avg: []float64{0}}
	if swa.has() {
		t.Error("swa holds a value before its first update")
	}
	for _, p := range []float64{1, 2, 6} {
		swa.update([]float64{p})
	}
	if swa.avg[0] != 3 {
		t.Errorf("swa %v, want the mean 3", swa.avg[0])
	}
}

// A run with train.average writes the avg_* columns: ema from row 0, swa from its start.
func TestAverageColumns(t *testing.T) {
	for _, tc := range []struct {
		avg       map[string]any
		emptyRows int // rows whose avg cells are empty
	}{
		{map[string]any{"kind": "ema", "decay": 0.9}, 0},
		{map[string]any{"kind": "swa", "start": 3}, 3},
	} {
		raw := parse(t, base)
		raw["train"] = map[string]any{"epochs": 5, "batch_size": 16, "average": tc.avg}
		dir := execute(t, raw)
		m, err := report.ReadTable(filepath.Join(dir, "metrics.csv"))
		if err != nil {
			t.Fatal(err)
		}
		col := m.Cols["avg_train_loss"]
		if len(col) != m.Rows || len(m.Cols["avg_test_acc"]) != m.Rows {
			t.Fatalf("%v: no avg columns in %v", tc.avg, m.Header)
		}
		for i, v := range col {
			if empty := math.IsNaN(v); empty != (i < tc.emptyRows) {
				t.Errorf("%v: row %d avg_train_loss %v", tc.avg, i, v)
			}
		}
		if last := m.Rows - 1; col[last] == m.Cols["train_loss"][last] {
			t.Errorf("%v: the averaged loss equals the iterate's", tc.avg)
		}
	}
}
