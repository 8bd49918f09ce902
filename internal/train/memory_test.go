package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/optim"
	"github.com/optimbench/optimbench/internal/report"
)

// allocated returns the bytes f allocates.
func allocated(f func()) int64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return int64(after.TotalAlloc - before.TotalAlloc)
}

// memoryCase is a configuration with large-ish numbers drawn from rng: hidden widths, batch
// size, optimizer (with its history), averaging and checkpoints.
func memoryCase(rng *rand.Rand) string {
	names := optim.Names()
	name := names[rng.IntN(len(names))]
	hidden := make([]string, rng.IntN(3))
	for i := range hidden {
		hidden[i] = fmt.Sprint(1 + rng.IntN(600))
	}
	opt := "{name: " + name + "}"
	if name == "lbfgs" {
		opt = fmt.Sprintf("{name: lbfgs, history_size: %d, max_iter: 2}", 1+rng.IntN(60))
	}
	train := fmt.Sprintf("epochs: 1, batch_size: %d", 1+rng.IntN(3000))
	if rng.IntN(2) == 0 {
		train += ", average: {kind: ema}"
	}
	if rng.IntN(2) == 0 {
		train += ", checkpoint_every: 1"
	}
	model := "{kind: linear}"
	if len(hidden) > 0 {
		model = "{kind: mlp, hidden: [" + strings.Join(hidden, ", ") + "]}"
	}
	return fmt.Sprintf("data: {source: synthetic, generator: blobs, n: %d, features: %d, classes: %d}\n"+
		"model: %s\noptimizer: %s\ntrain: {%s}\n",
		200+rng.IntN(3000), 1+rng.IntN(300), 2+rng.IntN(20), model, opt, train)
}

// No run allocates more than its estimate: for configurations drawn with large numbers, the
// bytes Setup and a one-epoch run allocate, less the data's, stay within the estimate (plus
// 2 MiB for files, formatting and the runtime), and the estimate is not far above them.
func TestMemoryEstimateBoundsRuns(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	n := 40
	if testing.Short() {
		n = 8
	}
	for range n {
		if got, est, doc := estimateAndRun(t, memoryCase(rng)); est > 4*got+4<<20 {
			t.Errorf("the estimate %s is far above the %s allocated:\n%s", Bytes(est), Bytes(got), doc)
		}
	}
}

// estimateAndRun sets up and runs doc, failing when it allocates more than its estimate beyond
// its data; it returns the bytes allocated and the estimate.
func estimateAndRun(t *testing.T, doc string) (got, est int64, _ string) {
	t.Helper()
	c, err := config.Decode(parse(t, doc), "test.yaml")
	if err != nil {
		t.Skipf("%s: %v", doc, err)
	}
	data := allocated(func() {
		if _, _, err := LoadData(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	})
	got = allocated(func() {
		r, err := Setup(context.Background(), c, Limits{Memory: -1})
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		trainSet, testSet := r.Data()
		for _, p := range estimateMemory(c, trainSet, testSet, trainSet.Classes, r.Plan.MaxBatch, Limits{Memory: -1}) {
			est += p.bytes
		}
		if _, err := r.Execute(context.Background(), t.TempDir(), nil); err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
	}) - data
	if got > est+2<<20 {
		t.Errorf("allocated %s beyond its data, the estimate is %s:\n%s", Bytes(got), Bytes(est), doc)
	}
	return got, est, doc
}

// A run whose estimate exceeds the limit is refused before anything large is allocated, naming
// the key that asks for the most; sharing the limit among runs divides it.
func TestMemoryLimit(t *testing.T) {
	for _, tc := range []struct {
		doc, key string
		lim      Limits
	}{
		{"model: {kind: mlp, hidden: [100000000]}\n", "model.hidden", Limits{}},
		{"model: {kind: mlp, hidden: [4000, 4000]}\n", "model.hidden", Limits{Memory: 64 << 20}},
		{"model: {kind: mlp, hidden: [1000]}\noptimizer: {name: lbfgs, history_size: 1000}\n", "optimizer.history_size", Limits{Memory: 64 << 20}},
		{"model: {kind: mlp, hidden: [1000]}\ntrain: {batch_size: 100000}\n", "train.batch_size", Limits{Memory: 256 << 20}},
		{"model: {kind: mlp, hidden: [1000]}\n", "model.hidden", Limits{Memory: 64 << 20, Share: 8}},
	} {
		doc := "data: {source: synthetic, n: 200000, features: 20}\noptimizer: {name: adam}\n" + tc.doc
		if !strings.Contains(tc.doc, "optimizer") {
			doc = strings.Replace(doc, "optimizer: {name: adam}\n", "", 1) + "optimizer: {name: adam}\n"
		} else {
			doc = strings.Replace(doc, "optimizer: {name: adam}\n", "", 1)
		}
		c, err := config.Decode(parse(t, doc), "big.yaml")
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		var merr *MemoryError
		_, err = Setup(context.Background(), c, tc.lim)
		if !errors.As(err, &merr) || !errors.Is(err, report.ErrBadInput) || merr.Key != tc.key ||
			!strings.Contains(err.Error(), "big.yaml: "+tc.key+": the run needs about") {
			t.Errorf("%s%+v: %v; want a MemoryError naming %s", doc, tc.lim, err, tc.key)
		}
		// The same run within a limit its estimate fits in is set up (all but the huge one).
		if tc.lim.Memory > 0 && tc.lim.Share == 0 {
			if _, err := Setup(context.Background(), c, Limits{Memory: merr.Need}); err != nil {
				t.Errorf("%s with the limit at its estimate %s: %v", doc, Bytes(merr.Need), err)
			}
		}
	}
	if _, err := Setup(context.Background(), decodeDoc(t, "data: {source: synthetic}\nmodel: {kind: linear}\noptimizer: {name: sgd}\n"), Limits{Memory: 16 << 20, Share: 2}); err != nil {
		t.Errorf("a small run under half of 16 MiB: %v", err)
	}
}

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1 KiB", 3 << 29: "1.5 GiB", 1 << 62: "4 EiB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}

// FuzzMemoryEstimate (make fuzz) draws configurations with large numbers from the fuzzer's
// seeds: no run allocates more than its estimate beyond its data. Sizes are capped so that
// each run takes well under a second; the estimate itself is checked against any size by
// TestMemoryLimit.
func FuzzMemoryEstimate(f *testing.F) {
	for i := range uint64(8) {
		f.Add(i)
	}
	f.Fuzz(func(t *testing.T, seed uint64) {
		estimateAndRun(t, memoryCase(rand.New(rand.NewPCG(seed, 3))))
	})
}

// A saturated estimate reads "needs more than 8 EiB", not "needs about more than 8 EiB".
func TestMemoryErrorSaturated(t *testing.T) {
	e := &MemoryError{File: "big.yaml", Key: "model.layers", Need: math.MaxInt64, Max: 16 << 30, Available: true, Parts: "parameters"}
	if msg := e.Error(); !strings.Contains(msg, "model.layers: the run needs more than 8 EiB (parameters), more than the 16 GiB of memory available") {
		t.Errorf("message %q", msg)
	}
}

// Labels a classifier cannot use are refused naming the config, the key and the source, also
// for a generated source that has no path (DeepOBS's quadratic has no labels).
func TestClassesErrorNamesSource(t *testing.T) {
	c := decodeDoc(t, "data: {source: deepobs-quadratic}\nmodel: {kind: mlp, hidden: [4], loss: cross_entropy}\noptimizer: {name: sgd}\n")
	_, err := Setup(context.Background(), c, Limits{})
	if !errors.Is(err, report.ErrBadInput) || !strings.Contains(err.Error(), "model.loss: cross_entropy needs at least 2 classes, data.source deepobs-quadratic has 0") {
		t.Errorf("err %v", err)
	}
}
