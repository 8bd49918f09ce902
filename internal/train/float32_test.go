package train

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/optimbench/optimbench/internal/report"
)

// In float32 too the metrics and final parameters are byte-identical for 1, 2 and 3 threads,
// and the run is a float32 one: its parameters are written as F32.
func TestFloat32ThreadsGiveIdenticalRuns(t *testing.T) {
	const doc = `
data: {source: synthetic, generator: blobs, n: 1200, features: 300, classes: 4, noise: 2}
model: {kind: mlp, hidden: [300, 200], activation: tanh}
optimizer: {name: adam, lr: 0.001}
train: {epochs: 3, batch_size: 256, dtype: float32}
`
	var want, wantParams []byte
	for _, n := range []int{1, 2, 3} {
		r := setup(t, doc, fmt.Sprintf("train.threads=%d", n))
		if r.data32 == nil || r.obj != nil {
			t.Fatal("train.dtype float32 did not set up a float32 run")
		}
		if m, ok := r.data32.Model.(interface{ Threads() int }); !ok || m.Threads() != n {
			t.Fatalf("the model does not run on %d threads (%T)", n, r.data32.Model)
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
			ts, _, err := report.ReadSafetensors(filepath.Join(dir, "params.safetensors"))
			if err != nil || len(ts) == 0 || ts[0].DType != "F32" {
				t.Fatalf("params.safetensors: %v, dtype of %v not F32", err, ts)
			}
			continue
		}
		if !bytes.Equal(got, want) || !bytes.Equal(params, wantParams) {
			t.Errorf("threads %d: metrics.csv or params.safetensors differ from threads 1:\n%s\nwant\n%s", n, got, want)
		}
	}
}

// A float32 run stopped and resumed from its checkpoints ends as one never stopped, for the
// network of every kind and precision path: a float32 MLP with averaging and a plateau, a
// float32 net with dropout, a test function with L-BFGS, a linear model with swa.
func TestFloat32ResumeIsIdentical(t *testing.T) {
	for name, doc := range map[string]string{
		"mlp adam plateau ema clip": `
data: {source: synthetic, generator: blobs, n: 120, features: 2, classes: 3}
model: {kind: mlp, hidden: [6], activation: tanh}
optimizer: {name: adam, lr: 0.05}
schedule: {name: plateau, patience: 1, factor: 0.5}
train: {epochs: 7, batch_size: 16, checkpoint_every: 2, average: {kind: ema, decay: 0.9}, clip_grad_norm: 0.5, dtype: float32}
`,
		"linear nadam swa": `
data: {source: synthetic, generator: blobs, n: 90, features: 2, classes: 2}
model: {kind: linear}
optimizer: {name: nadam, lr: 0.05}
train: {epochs: 6, batch_size: 20, checkpoint_every: 3, average: {kind: swa, start: 2}, dtype: float32}
`,
		"net dropout": `
data: {source: synthetic, generator: blobs, n: 60, features: 4, classes: 3}
model: {kind: net, input: [1, 2, 2], layers: [{conv: 4, kernel: 2}, {dropout: 0.5}, {dense: 3}]}
optimizer: {name: adam, lr: 0.05}
train: {epochs: 5, batch_size: 8, checkpoint_every: 2, dtype: float32}
`,
		"noisy rosenbrock lbfgs": `
problem: {function: rosenbrock, noise: 0.1}
optimizer: {name: lbfgs, lr: 0.5, history_size: 3, max_iter: 3}
train: {epochs: 9, checkpoint_every: 4, dtype: float32}
`,
	} {
		t.Run(name, func(t *testing.T) { checkResume(t, doc) })
	}
}

// float32 runs of every model kind train, and end close to the float64 run of the same
// configuration (float32 rounding, amplified a little by training).
func TestFloat32EveryKind(t *testing.T) {
	for name, doc := range map[string]string{
		"mlp relu": `
data: {source: synthetic, generator: blobs, n: 200, features: 20, classes: 3}
model: {kind: mlp, hidden: [32]}
optimizer: {name: momentum, lr: 0.05}
train: {epochs: 3, batch_size: 32}
`,
		"linear mse": `
data: {source: synthetic, generator: linear, n: 100, features: 3}
model: {kind: linear, loss: mse}
optimizer: {name: rmsprop, lr: 0.01}
train: {epochs: 3, batch_size: 10}
`,
		"net": `
data: {source: synthetic, generator: blobs, n: 60, features: 16, classes: 3}
model: {kind: net, input: [1, 4, 4], layers: [{conv: 3, kernel: 3}, {maxpool: 2}, {dense: 3}]}
optimizer: {name: adam, lr: 0.01}
train: {epochs: 3, batch_size: 8}
`,
		"deepobs quadratic": `
testproblem: quadratic_deep
optimizer: {name: sgd, lr: 0.01}
train: {epochs: 2}
`,
		"problem": `
problem: {function: beale}
optimizer: {name: adam, lr: 0.01}
train: {epochs: 20}
`,
	} {
		t.Run(name, func(t *testing.T) {
			loss := map[string]float64{}
			for _, dt := range []string{"float64", "float32"} {
				r := setup(t, doc, "train.dtype="+dt)
				s := runIn(t, r, t.TempDir())
				loss[dt] = *s.Final.TrainLoss
			}
			if d := math.Abs(loss["float32"]-loss["float64"]) / math.Max(1, math.Abs(loss["float64"])); !(d < 1e-4) || loss["float32"] == loss["float64"] {
				t.Errorf("final train loss %v in float32, %v in float64: want close, not equal", loss["float32"], loss["float64"])
			}
		})
	}
}

// The float32 loop allocates nothing per step either, with clipping and averaging on.
func TestFloat32TrainingLoopAllocations(t *testing.T) {
	const doc = `
data: {source: synthetic, generator: spirals, n: 400}
model: {kind: mlp, hidden: [16, 300]}
optimizer: {name: nadam}
train: {epochs: 2, batch_size: 16, eval_every: 1000, dtype: float32, clip_grad_norm: 1, average: {kind: ema}}
`
	allocs := func(epochs string) uint64 {
		r := setup(t, doc, "train.epochs="+epochs)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		runIn(t, r, t.TempDir())
		runtime.ReadMemStats(&after)
		return after.Mallocs - before.Mallocs
	}
	short, long := allocs("2"), allocs("30")
	t.Logf("allocs: %d vs %d", short, long)
	if long > short+20 {
		t.Errorf("30 epochs made %d allocations, 2 epochs %d: the float32 loop allocates per step or epoch", long, short)
	}
}

// lrfind runs in float32, and its ramp follows the float64 one closely.
func TestFloat32LRFind(t *testing.T) {
	const doc = `
data: {source: synthetic, generator: blobs, n: 300, features: 5, classes: 3}
model: {kind: mlp, hidden: [8]}
optimizer: {name: sgd}
train: {batch_size: 30}
`
	o := LRFindOptions{Min: 1e-4, Max: 10, Steps: 40}
	var pts [2][]report.LRFindPoint
	for i, dt := range []string{"float64", "float32"} {
		res, err := setup(t, doc, "train.dtype="+dt).LRFind(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		pts[i] = res.Points
	}
	if len(pts[1]) < 10 {
		t.Fatalf("float32 lrfind has %d points", len(pts[1]))
	}
	for i := range 10 {
		if a, b := pts[0][i].Loss, pts[1][i].Loss; math.Abs(a-b) > 1e-5*math.Abs(a) || a == b {
			t.Errorf("point %d: loss %v in float32, %v in float64", i, b, a)
		}
	}
}

// The memory estimate counts 4 bytes a value in float32.
func TestFloat32Memory(t *testing.T) {
	const doc = `
data: {source: synthetic, generator: blobs, n: 100, features: 500, classes: 10}
model: {kind: mlp, hidden: [1000]}
optimizer: {name: adam}
`
	total := func(dt string) int64 {
		c := decodeDoc(t, doc+"train: {dtype: "+dt+", threads: 1}\n")
		train, test, err := LoadData(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		for _, p := range estimateMemory(c, train, test, 10, 128, Limits{}) {
			if p.what != "checkpoint copies" {
				n += p.bytes
			}
		}
		return n
	}
	f64, f32 := total("float64"), total("float32")
	if r := float64(f32) / float64(f64); r < 0.45 || r > 0.6 {
		t.Errorf("float32 estimate %d bytes, float64 %d: want about half", f32, f64)
	}
}

// An init file of F64 or BF16 tensors starts a float32 run from its values rounded to
// float32 (BF16 values are float32 values: exact).
func TestFloat32InitFile(t *testing.T) {
	ts := baseTensors()
	dir := t.TempDir()
	f64 := filepath.Join(dir, "f64.safetensors")
	if err := report.WriteSafetensors(f64, ts, nil); err != nil {
		t.Fatal(err)
	}
	var header strings.Builder
	var data []byte
	header.WriteString(`{`)
	for i, x := range ts {
		lo := len(data)
		for _, v := range x.Data {
			data = binary.LittleEndian.AppendUint16(data, uint16(math.Float32bits(float32(v))>>16))
		}
		if i > 0 {
			header.WriteString(",")
		}
		shape := strings.Trim(strings.Join(strings.Fields(fmt.Sprint(x.Shape)), ","), "[]")
		fmt.Fprintf(&header, `"%s":{"dtype":"BF16","shape":[%s],"data_offsets":[%d,%d]}`, x.Name, shape, lo, len(data))
	}
	header.WriteString("}")
	bf16 := filepath.Join(dir, "bf16.safetensors")
	stRaw(t, bf16, header.String(), data)
	for name, path := range map[string]string{"F64": f64, "BF16": bf16} {
		r, err := Setup(context.Background(), withInit(t, path, "train.dtype=float32"), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		params := make([]float32, r.obj32.NumParams())
		r.obj32.Init(params)
		k := 0
		for _, x := range ts {
			for _, v := range x.Data {
				want := float32(v)
				if name == "BF16" {
					want = math.Float32frombits(math.Float32bits(want) &^ 0xffff)
				}
				if params[k] != want {
					t.Fatalf("%s: parameter %d = %v, want %v", name, k, params[k], want)
				}
				k++
			}
		}
	}
}
