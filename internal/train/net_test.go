package train

import (
	"context"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/data"
	"github.com/optimbench/optimbench/internal/model"
	"github.com/optimbench/optimbench/internal/report"
)

// A net's dropout masks come from the run's own stream (streamDropout of the seed): the same
// seed trains the same run, and a checkpoint's saved state continues the same masks.
func TestNetDropoutStream(t *testing.T) {
	spec := model.Spec{Kind: "net", Loss: "cross_entropy", Input: []int{1, 4, 4}, Layers: []model.Layer{
		{Kind: "conv", Size: 3, Kernel: 2}, {Kind: "dropout", P: 0.5}, {Kind: "dense", Size: 2}}}
	rng := rand.New(rand.NewPCG(1, 1))
	set := &data.Set{X: make([]float64, 20*16), Y: make([]float64, 20), N: 20, D: 16, Classes: 2}
	for i := range set.X {
		set.X[i] = rng.NormFloat64()
	}
	for i := range set.Y {
		set.Y[i] = float64(i % 2)
	}
	objective := func(seed uint64) (*Data, []float64) {
		m, err := model.New(spec, 16, 2, 10)
		if err != nil {
			t.Fatal(err)
		}
		d := NewData(m, set, nil, 10, true, false, seed)
		p := make([]float64, m.NumParams())
		d.Init(p)
		d.StartEpoch(10)
		d.NextBatch()
		return d, p
	}
	a, p := objective(7)
	b, _ := objective(7)
	c, _ := objective(8)
	la, lb, lc := a.LossGrad(p, nil), b.LossGrad(p, nil), c.LossGrad(p, nil)
	if la != lb || la == lc {
		t.Errorf("first losses: seed 7 %v and %v, seed 8 %v", la, lb, lc)
	}
	saved := a.SaveRNG()
	if _, ok := saved["dropout"]; !ok {
		t.Fatalf("SaveRNG has no dropout stream: %v", saved)
	}
	next := a.LossGrad(p, nil)
	if err := b.RestoreRNG(saved); err != nil {
		t.Fatal(err)
	}
	if got := b.LossGrad(p, nil); got != next {
		t.Errorf("after RestoreRNG: loss %v, the saved run's next %v", got, next)
	}
	if err := b.RestoreRNG(map[string][]byte{}); err == nil {
		t.Error("a checkpoint without the dropout stream was accepted")
	}
}

// A net trains end to end from a configuration, also with the optimizers that treat its conv
// weights as out × (in·kh·kw) matrices: params.safetensors holds them in PyTorch's 4-D shape.
func TestNetExecute(t *testing.T) {
	for _, opt := range []string{"adam", "muon", "lamb", "lars", "adafactor"} {
		t.Run(opt, func(t *testing.T) {
			raw := map[string]any{
				"data": map[string]any{"source": "csv", "path": filepath.Join("testdata", "cnn.csv"), "target": "label"},
				"model": map[string]any{"kind": "net", "input": []any{1, 8, 8}, "layers": []any{
					map[string]any{"conv": 3, "kernel": 3, "stride": 2}, map[string]any{"dropout": 0.2}, map[string]any{"dense": 3}}},
				"optimizer": map[string]any{"name": opt},
				"train":     map[string]any{"epochs": 2, "batch_size": 8},
			}
			dir := execute(t, raw)
			ts, _, err := report.ReadSafetensors(filepath.Join(dir, "params.safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			if len(ts) != 4 || ts[0].Name != "layers.0.weight" || !slices.Equal(ts[0].Shape, []int{3, 1, 3, 3}) || ts[2].Name != "layers.2.weight" {
				t.Errorf("tensors %v", ts)
			}
			s, err := report.ReadSummary(filepath.Join(dir, "summary.json"))
			if err != nil || s.Status != "done" {
				t.Errorf("summary %+v, %v", s, err)
			}
		})
	}
}

// A net too large for the memory is refused before anything is allocated, naming
// model.layers (exit 2).
func TestNetMemoryRefused(t *testing.T) {
	raw := map[string]any{
		"data": map[string]any{"source": "csv", "path": filepath.Join("testdata", "cnn.csv"), "target": "label"},
		"model": map[string]any{"kind": "net", "input": []any{1, 8, 8}, "layers": []any{
			map[string]any{"conv": 100000, "kernel": 3}, map[string]any{"conv": 100000, "kernel": 3}, map[string]any{"dense": 3}}},
		"optimizer": map[string]any{"name": "adam"},
	}
	c, err := config.Decode(raw, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Setup(context.Background(), c, Limits{Memory: 1 << 30})
	var me *MemoryError
	if !errors.As(err, &me) || me.Key != "model.layers" || !errors.Is(err, report.ErrBadInput) {
		t.Errorf("Setup: %v, want a MemoryError naming model.layers", err)
	}
}
