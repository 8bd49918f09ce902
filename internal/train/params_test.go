package train

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/optimbench/optimbench/internal/report"
)

// Every run ends with params.safetensors: the final parameters as PyTorch names and shapes
// them (layers.i.weight [out, in], layers.i.bias [out]; a test function's point x).
func TestParamsFile(t *testing.T) {
	raw := parse(t, base) // an MLP on 2 features, 3 classes, hidden [8]
	dir := execute(t, raw)
	ts, meta, err := report.ReadSafetensors(filepath.Join(dir, "params.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name  string
		shape []int
	}{{"layers.0.weight", []int{8, 2}}, {"layers.0.bias", []int{8}}, {"layers.1.weight", []int{3, 8}}, {"layers.1.bias", []int{3}}}
	if len(ts) != len(want) || meta["format"] != "pt" {
		t.Fatalf("%d tensors, metadata %v", len(ts), meta)
	}
	for i, w := range want {
		if ts[i].Name != w.name || !slices.Equal(ts[i].Shape, w.shape) {
			t.Errorf("tensor %d: %s %v, want %s %v", i, ts[i].Name, ts[i].Shape, w.name, w.shape)
		}
	}

	prob := parse(t, "problem: {function: rosenbrock}\noptimizer: {name: adam, lr: 0.05}\ntrain: {epochs: 7}\n")
	dir = execute(t, prob)
	ts, _, err = report.ReadSafetensors(filepath.Join(dir, "params.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	path, err := report.ReadTable(filepath.Join(dir, "trajectory.csv"))
	if err != nil {
		t.Fatal(err)
	}
	last := path.Rows - 1
	if len(ts) != 1 || ts[0].Name != "x" || !slices.Equal(ts[0].Data, []float64{path.Cols["x1"][last], path.Cols["x2"][last]}) {
		t.Errorf("params %+v, want x = the last point of trajectory.csv", ts)
	}
}
