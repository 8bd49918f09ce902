package train

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/optimbench/optimbench/internal/model"
)

// The metrics and final parameters of a run are byte-identical whatever train.threads is
// (here with products large enough to be split: 256 rows × 300 × 300).
func TestThreadsGiveIdenticalRuns(t *testing.T) {
	const doc = `
data: {source: synthetic, generator: blobs, n: 1200, features: 300, classes: 4, noise: 2}
model: {kind: mlp, hidden: [300, 200], activation: tanh}
optimizer: {name: adam, lr: 0.001}
train: {epochs: 3, batch_size: 256}
`
	var want, wantParams []byte
	for _, n := range []int{1, 2, 3} {
		r := setup(t, doc, fmt.Sprintf("train.threads=%d", n))
		if m, ok := r.data.Model.(interface{ Threads() int }); !ok || (m.Threads() != n && model.ThreadBytes() > 0) {
			t.Fatalf("the model does not run on %d threads (%T)", n, r.data.Model)
		}
		dir := t.TempDir()
		runIn(t, r, dir)
		got := []byte(stripSeconds(t, filepath.Join(dir, "metrics.csv")))
		params, err := os.ReadFile(filepath.Join(dir, "params.safetensors"))
		if err != nil {
			t.Fatal(err)
		}
		if want == nil {
			want, wantParams = got, params
			continue
		}
		if !bytes.Equal(got, want) || !bytes.Equal(params, wantParams) {
			t.Errorf("threads %d: metrics.csv or params.safetensors differ from threads 1:\n%s\nwant\n%s", n, got, want)
		}
	}
	// 0 is every core, shared among the runs at once.
	c := decodeDoc(t, doc)
	if a, b := threads(c, Limits{}), threads(c, Limits{Share: 64}); a < 1 || b != 1 {
		t.Errorf("automatic threads %d alone, %d among 64 runs", a, b)
	}
}
