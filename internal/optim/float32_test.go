package optim

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// The float32 optimizers (NewOf[float32]) against the same table as the float64 ones: they
// converge, allocate nothing per Step, and their checkpoints round-trip. Their trajectories are
// checked against PyTorch's and the references' in golden32_test.go.

// quadratic32 writes the gradient of ½ Σ (1 + i mod 10) xᵢ² into grad (quadraticN in float32).
func quadratic32(x, grad []float32) float64 {
	f := 0.0
	for i, xi := range x {
		a := float32(1 + i%10)
		grad[i] = a * xi
		f += 0.5 * float64(a*xi*xi)
	}
	return f
}

// layout32 is a 3×3 weight matrix and its bias: a layout for the per-tensor methods too.
var layout32 = Layout{Size: 12, Tensors: []Tensor{
	{Name: "layers.0.weight", Rows: 3, Cols: 3, Matrix: true},
	{Name: "layers.0.bias", Offset: 9, Rows: 3, Cols: 1},
}}

// step32 makes update t of opt on quadratic32: StepClosure for a ClosureStepperOf.
func step32(opt OptimizerOf[float32], params, grad []float32, t int, lr float64) {
	loss := quadratic32(params, grad)
	if cs, ok := opt.(ClosureStepperOf[float32]); ok {
		cs.StepClosure(params, grad, loss, t, lr, quadratic32)
		return
	}
	opt.Step(params, grad, t, lr)
}

func new32(t *testing.T, name string, set map[string]any, l Layout) OptimizerOf[float32] {
	t.Helper()
	opt, err := NewOf[float32](name, set, l)
	if err != nil {
		t.Fatalf("NewOf[float32](%q): %v", name, err)
	}
	if br, ok := opt.(BaseRater); ok {
		e, _ := Lookup(name)
		br.SetBaseLR(e.LR)
	}
	return opt
}

func start32(n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(i%7-3) / 2
	}
	return x
}

// quadLR32 are the rows of the shared table that need another rate in float32: prodigy
// without momentum divides g by √v + d·ε, and near the minimum v underflows float32 (below
// 1e-45, where float64 goes on to 1e-290), so its steps stop shrinking: at the table's lr 0.1
// it hovers 0.04 from the minimum.
var quadLR32 = map[string]float64{"prodigy/beta1=0": 0.01}

// TestConvergenceFloat32 runs every optimizer of the shared table in float32 on the quadratic
// of TestConvergence, to the same tolerance.
func TestConvergenceFloat32(t *testing.T) {
	for _, o := range optimizersUnderTest {
		name := testName(o.name, o.set)
		lr := o.quadLR
		if r, ok := quadLR32[name]; ok {
			lr = r
		}
		t.Run(name, func(t *testing.T) {
			opt := new32(t, o.name, o.set, Flat(3))
			x, grad := []float32{1, -2, 0.5}, make([]float32, 3)
			for step := 1; step <= 5000; step++ {
				quadratic32(x, grad)
				opt.Step(x, grad, step, lr)
			}
			for i, xi := range x {
				if !(math.Abs(float64(xi)) <= 1e-2) {
					t.Fatalf("after 5000 steps at lr %g: x[%d] = %v, want 0", lr, i, xi)
				}
			}
		})
	}
}

// TestStepAllocsFloat32 checks that a float32 Step (and lbfgs's StepClosure after its first
// update) allocates nothing, for every optimizer of the shared table and the matrix methods.
func TestStepAllocsFloat32(t *testing.T) {
	for _, o := range optimizersUnderTest {
		for _, l := range []Layout{Flat(64), layout32} {
			t.Run(testName(o.name, o.set), func(t *testing.T) {
				opt := new32(t, o.name, o.set, l)
				params, grad := start32(l.Size), make([]float32, l.Size)
				step := 0
				allocs := testing.AllocsPerRun(100, func() {
					step++
					step32(opt, params, grad, step, 1e-3)
				})
				if allocs != 0 {
					t.Errorf("Step allocates %v times per call", allocs)
				}
			})
		}
	}
}

// TestStateRoundTripFloat32 saves the state of every float32 optimizer after some steps,
// restores it into a new one, and requires both to take the same next steps to the bit.
func TestStateRoundTripFloat32(t *testing.T) {
	for _, o := range optimizersUnderTest {
		t.Run(testName(o.name, o.set), func(t *testing.T) {
			a := new32(t, o.name, o.set, layout32)
			pa, ga := start32(layout32.Size), make([]float32, layout32.Size)
			for k := 1; k <= 7; k++ {
				step32(a, pa, ga, k, 1e-2)
			}
			saved, err := SaveState(a)
			if err != nil {
				t.Fatal(err)
			}
			b := new32(t, o.name, o.set, layout32)
			if err := RestoreState(b, saved); err != nil {
				t.Fatal(err)
			}
			pb, gb := slices.Clone(pa), make([]float32, layout32.Size)
			for k := 8; k <= 12; k++ {
				step32(a, pa, ga, k, 1e-2*float64(k))
				step32(b, pb, gb, k, 1e-2*float64(k))
				if !slices.Equal(pa, pb) {
					t.Fatalf("step %d after the restore: %v, the original run %v", k, pb, pa)
				}
			}
			if ea, ok := a.(EvaluatorOf[float32]); ok {
				if !slices.Equal(ea.EvalParams(pa), b.(EvaluatorOf[float32]).EvalParams(pb)) {
					t.Fatal("the evaluation points differ after the restore")
				}
			}
		})
	}
}

// TestStatePrecisionMismatch checks that a checkpoint restores only into an optimizer of its
// precision, and that a float32 state takes only float32 values.
func TestStatePrecisionMismatch(t *testing.T) {
	o32 := new32(t, "adam", nil, Flat(3))
	o64, err := New("adam", nil, Flat(3))
	if err != nil {
		t.Fatal(err)
	}
	p32, g32 := []float32{1, 2, 3}, []float32{0.1, 0.2, 0.3}
	o32.Step(p32, g32, 1, 1e-3)
	s32, err := SaveState(o32)
	if err != nil {
		t.Fatal(err)
	}
	s64, err := SaveState(o64)
	if err != nil {
		t.Fatal(err)
	}
	if err := RestoreState(o64, s32); err == nil || !strings.Contains(err.Error(), "adam (float32), not of adam") {
		t.Errorf("float32 checkpoint into float64 adam: error %v", err)
	}
	if err := RestoreState(o32, s64); err == nil || !strings.Contains(err.Error(), "of adam, not of adam (float32)") {
		t.Errorf("float64 checkpoint into float32 adam: error %v", err)
	}
	before := slices.Clone(o32.(*adam[float32]).m)
	bad := slices.Clone(s32)
	bad[1] = []float64{0.1, 0.2, 0.3} // m: not float32 values
	if err := RestoreState(o32, bad); err == nil || !strings.Contains(err.Error(), "float32") {
		t.Errorf("a float64 value in a float32 state: error %v", err)
	}
	if !slices.Equal(o32.(*adam[float32]).m, before) {
		t.Error("a failed RestoreState changed the state")
	}
	fresh := new32(t, "adam", nil, Flat(3))
	if err := RestoreState(fresh, s32); err != nil {
		t.Fatal(err)
	}
	if got, want := fresh.(*adam[float32]).v, o32.(*adam[float32]).v; !slices.Equal(got, want) {
		t.Errorf("restored v %v, want %v", got, want)
	}
}

// TestBytes is the size of one value of each precision.
func TestBytes(t *testing.T) {
	if Bytes[float64]() != 8 || Bytes[float32]() != 4 {
		t.Errorf("Bytes: float64 %d, float32 %d", Bytes[float64](), Bytes[float32]())
	}
}

// BenchmarkStepPrecision is a Step of adam and momentum on 10⁶ parameters in both precisions:
// memory-bound, so float32 should take about half the time.
func BenchmarkStepPrecision(b *testing.B) {
	const n = 1_000_000
	for _, name := range []string{"adam", "momentum"} {
		b.Run(name+"/float64", func(b *testing.B) { benchStep[float64](b, name, n) })
		b.Run(name+"/float32", func(b *testing.B) { benchStep[float32](b, name, n) })
	}
}

func benchStep[T Float](b *testing.B, name string, n int) {
	opt, err := NewOf[T](name, nil, Flat(n))
	if err != nil {
		b.Fatal(err)
	}
	params, grad := make([]T, n), make([]T, n)
	for i := range params {
		params[i] = T(i%7) - 3
		grad[i] = T(1e-3) * T(i%5-2)
	}
	b.SetBytes(int64(n) * Bytes[T]())
	b.ReportAllocs()
	step := 0
	for b.Loop() {
		step++
		opt.Step(params, grad, step, 1e-3)
	}
}
