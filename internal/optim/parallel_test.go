package optim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"
)

// parallelUnderTest are the element-wise optimizers with values that take every branch of
// their updates (weight decay of both kinds, amsgrad, centered, momentum).
var parallelUnderTest = []struct {
	name string
	set  map[string]any
}{
	{"sgd", nil},
	{"sgd", map[string]any{"weight_decay": 0.1}},
	{"momentum", map[string]any{"weight_decay": 0.1, "dampening": 0.3}},
	{"nesterov", nil},
	{"adagrad", map[string]any{"weight_decay": 0.1, "lr_decay": 0.01, "initial_accumulator": 0.1}},
	{"rmsprop", nil},
	{"rmsprop", map[string]any{"centered": true, "momentum": 0.5, "weight_decay": 0.1}},
	{"adadelta", map[string]any{"weight_decay": 0.1}},
	{"adam", nil},
	{"adam", map[string]any{"weight_decay": 0.1}},
	{"amsgrad", map[string]any{"weight_decay": 0.1}},
	{"adamw", nil},
	{"adamw", map[string]any{"amsgrad": true}},
	{"adamax", map[string]any{"weight_decay": 0.1}},
	{"nadam", nil},
	{"nadam", map[string]any{"weight_decay": 0.1, "decoupled_weight_decay": true}},
}

// Every element-wise optimizer takes the same steps, to the bit, split into 1 to 4 parts as on
// one goroutine, for vectors of every length (some shorter than the parts), in both
// precisions, its momentum driven by a schedule (with steps at μ = 0).
func TestParallelIdentical(t *testing.T) {
	for _, c := range parallelUnderTest {
		for _, n := range []int{0, 1, 7, 8, 100, 70000 + 3} {
			t.Run(fmt.Sprintf("%s/n=%d/float64", testName(c.name, c.set), n), func(t *testing.T) {
				checkParallel[float64](t, c.name, c.set, n)
			})
			t.Run(fmt.Sprintf("%s/n=%d/float32", testName(c.name, c.set), n), func(t *testing.T) {
				checkParallel[float32](t, c.name, c.set, n)
			})
		}
	}
}

func checkParallel[T Float](t *testing.T, name string, set map[string]any, n int) {
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	start := make([]T, n)
	for i := range start {
		start[i] = T(rng.NormFloat64())
	}
	for threads := 1; threads <= 4; threads++ {
		o := newRanged[T](t, name, set, n)
		p := newParallel(o, threads)
		checkCuts(t, p.cuts, n, threads)
		want, got := slices.Clone(start), slices.Clone(start)
		rng := rand.New(rand.NewPCG(3, 4))
		serial := newRanged[T](t, name, set, n)
		for step := 1; step <= 6; step++ {
			g := make([]T, n)
			for i := range g {
				g[i] = T(rng.NormFloat64())
			}
			if m, ok := o.(MomentumSetter); ok {
				mu := []float64{0.9, 0.9, 0, 0.5, 0.8, 0}[step-1]
				m.SetMomentum(mu)
				serial.(MomentumSetter).SetMomentum(mu)
			}
			lr := 0.01 / float64(step)
			serial.Step(want, slices.Clone(g), step, lr)
			p.Step(got, g, step, lr)
		}
		p.stop()
		if i := firstDiff(got, want); i >= 0 {
			t.Fatalf("threads %d: params[%d] = %v, want %v", threads, i, got[i], want[i])
		}
		gs, err := SaveState[T](p)
		if err != nil {
			t.Fatal(err)
		}
		ws, _ := SaveState(serial)
		for r := range ws {
			if i := firstDiff(gs[r], ws[r]); i >= 0 || len(gs[r]) != len(ws[r]) {
				t.Fatalf("threads %d: state row %d differs at %d", threads, r, i)
			}
		}
	}
}

func newRanged[T Float](t *testing.T, name string, set map[string]any, n int) rangedOf[T] {
	t.Helper()
	o, err := NewOf[T](name, set, Flat(n))
	if err != nil {
		t.Fatal(err)
	}
	r, ok := o.(rangedOf[T])
	if !ok {
		t.Fatalf("%s is not element-wise (%T)", name, o)
	}
	return r
}

// checkCuts checks that the parts cover [0, n) in order, each but the last a multiple of 8.
func checkCuts(t *testing.T, cuts []int, n, threads int) {
	t.Helper()
	if len(cuts) != threads+1 || cuts[0] != 0 || cuts[threads] != n {
		t.Fatalf("cuts %v for %d values on %d threads", cuts, n, threads)
	}
	for i := 1; i < threads; i++ {
		if cuts[i]%8 != 0 || cuts[i] < cuts[i-1] || cuts[i] > n {
			t.Fatalf("cuts %v for %d values on %d threads", cuts, n, threads)
		}
	}
}

// firstDiff is the first index where a and b differ in their bits, or −1.
func firstDiff[T Float](a, b []T) int {
	for i := range min(len(a), len(b)) {
		if math.Float64bits(float64(a[i])) != math.Float64bits(float64(b[i])) {
			return i
		}
	}
	return -1
}

// Parallel splits exactly the element-wise optimizers, of MinParallel values and more, when
// asked for 2 threads or more, and the result implements the interfaces o implements.
func TestParallelWraps(t *testing.T) {
	elementWise := []string{"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta",
		"adam", "amsgrad", "adamw", "adamax", "nadam"}
	for _, name := range Names() {
		l := Layout{Size: 512, Tensors: []Tensor{{Name: "w", Rows: 16, Cols: 32, Matrix: true}}}
		o, err := NewOf[float32](name, nil, l)
		if err != nil {
			t.Fatal(err)
		}
		p, stop := parallelFrom(o, 2, 0)
		_, split := p.(*parallel[float32])
		_, splitM := p.(*parallelMomentum[float32])
		if want := slices.Contains(elementWise, name); (split || splitM) != want {
			t.Errorf("%s: Parallel gives %T, want it split: %v", name, p, want)
		}
		if !split && !splitM && p != o {
			t.Errorf("%s: Parallel gives %T, want the optimizer itself", name, p)
		}
		if got, want := interfacesOf(p), interfacesOf(o); got != want {
			t.Errorf("%s: Parallel's %T implements %v (MomentumSetter, Stateful, ClosureStepper, Evaluator, BaseRater), want %v", name, p, got, want)
		}
		if h, _ := SaveState(p); !slices.Equal(h[0], headerOf(o)) {
			t.Errorf("%s: the checkpoint of Parallel's %T has header %v, want %v", name, p, h[0], headerOf(o))
		}
		stop()
	}
	for _, c := range []struct{ n, threads int }{{MinParallel - 1, 2}, {MinParallel, 1}} {
		o := newFor(t, "adam", nil, c.n)
		if p, stop := Parallel(o, c.threads); p != o {
			t.Errorf("%d values on %d threads: Parallel gives %T, want the optimizer itself", c.n, c.threads, p)
		} else {
			stop()
		}
	}
}

// interfacesOf says which of the interfaces the training loop and the checkpoints look for o
// implements.
func interfacesOf(o OptimizerOf[float32]) [5]bool {
	_, m := o.(MomentumSetter)
	_, s := o.(Stateful)
	_, c := o.(ClosureStepperOf[float32])
	_, e := o.(EvaluatorOf[float32])
	_, b := o.(BaseRater)
	return [5]bool{m, s, c, e, b}
}

// A split Step allocates nothing.
func TestParallelAllocs(t *testing.T) {
	for _, name := range []string{"momentum", "adam"} {
		const n = MinParallel + 3
		o, stop := Parallel(newFor(t, name, nil, n), 2)
		params, grad := make([]float64, n), make([]float64, n)
		step := 0
		if a := testing.AllocsPerRun(20, func() { step++; o.Step(params, grad, step, 1e-3) }); a != 0 {
			t.Errorf("%s: %v allocations per split Step, want 0", name, a)
		}
		stop()
	}
}

// stop ends the goroutines Parallel starts: after many optimizers (as a sweep builds) the
// goroutine count is back where it started; steps after stop still run.
func TestParallelStops(t *testing.T) {
	before := runtime.NumGoroutine()
	const n = 1000
	params, grad := make([]float32, n), make([]float32, n)
	for range 50 {
		o, _ := NewOf[float32]("adam", nil, Flat(n))
		p, stop := parallelFrom(o, 4, 0)
		p.Step(params, grad, 1, 1e-3)
		stop()
		stop()
		p.Step(params, grad, 2, 1e-3)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if now := runtime.NumGoroutine(); now > before {
		t.Errorf("%d goroutines after 50 stopped optimizers, %d before", now, before)
	}
}

// BenchmarkParallelStep times the update of momentum and adam on 1 and 2 threads, alternately,
// split at any size (Parallel splits from MinParallel values): below and at MinParallel and at
// the 1.8M of the 784-1000-1000-10 MLP, in float32.
func BenchmarkParallelStep(b *testing.B) {
	for _, n := range []int{1 << 17, 1 << 18, 1 << 19, 1_796_010} {
		for _, name := range []string{"momentum", "adam"} {
			for _, threads := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/n=%d/threads=%d", name, n, threads), func(b *testing.B) {
					o, err := NewOf[float32](name, nil, Flat(n))
					if err != nil {
						b.Fatal(err)
					}
					p := newParallel(o.(rangedOf[float32]), threads)
					defer p.stop()
					params, grad := make([]float32, n), make([]float32, n)
					for i := range params {
						params[i], grad[i] = float32(i%7)-3, 1e-3*float32(i%5-2)
					}
					b.SetBytes(int64(n) * Bytes[float32]())
					b.ReportAllocs()
					step := 0
					for b.Loop() {
						step++
						p.Step(params, grad, step, 1e-3)
					}
				})
			}
		}
	}
}
