package optim

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/optimbench/optimbench/internal/param"
)

func init() {
	optimizersUnderTest = append(optimizersUnderTest, []struct {
		name            string
		set             map[string]any
		quadLR, rosenLR float64
	}{
		{name: "sgd_schedulefree", quadLR: 0.1, rosenLR: 0.003},
		{name: "sgd_schedulefree", set: map[string]any{"warmup_steps": 100, "r": 1.0, "weight_lr_power": 1.0},
			quadLR: 0.1, rosenLR: 0.003},
		{name: "adamw_schedulefree", quadLR: 0.01, rosenLR: 0.01},
		{name: "muon", quadLR: 0.1, rosenLR: 0.1}, // a test function's point is AdamW's, at aux_lr·lr/0.001
		{name: "adafactor", quadLR: 0.01, rosenLR: 0.002},
		{name: "prodigy", quadLR: 1.0, rosenLR: 1.0},
		{name: "prodigy", set: map[string]any{"beta1": 0.0}, quadLR: 0.1, rosenLR: 0.002},
		{name: "prodigy", set: map[string]any{"decouple": false, "use_bias_correction": true,
			"safeguard_warmup": true}, quadLR: 0.1, rosenLR: 0.1},
	}...)
}

// The schedule-free methods converge at their evaluation point x too, which the shared
// convergence test (it checks params, y) does not look at; before the first step x is params.
func TestScheduleFreeEvaluationPoint(t *testing.T) {
	for _, o := range optimizersUnderTest {
		if !strings.HasSuffix(o.name, "_schedulefree") {
			continue
		}
		t.Run(testName(o.name, o.set), func(t *testing.T) {
			x := []float64{-1.5, 2}
			opt := newFor(t, o.name, o.set, len(x))
			ev := opt.(Evaluator)
			if got := ev.EvalParams(x); &got[0] != &x[0] {
				t.Errorf("EvalParams before the first step is not params")
			}
			grad := make([]float64, 2)
			for step := 1; step <= 20000; step++ {
				rosenbrock(x, grad)
				opt.Step(x, grad, step, o.rosenLR)
			}
			at := ev.EvalParams(x)
			for i := range at {
				if !(math.Abs(at[i]-1) <= 2e-2) {
					t.Fatalf("x = %v, y = %v after 20000 steps, want (1, 1)", at, x)
				}
			}
		})
	}
}

// The golden cases of the schedule-free methods record their evaluation point.
func TestScheduleFreeGoldenHasEval(t *testing.T) {
	n := 0
	for _, c := range loadGolden(t).Cases {
		if strings.HasSuffix(c.Optimizer, "_schedulefree") {
			n++
			if len(c.Eval) != len(c.Params) {
				t.Errorf("%s: %d eval points for %d steps", c.Name, len(c.Eval), len(c.Params))
			}
		}
	}
	if n == 0 {
		t.Error("no schedule-free golden cases")
	}
}

// matrixLayout is a small model's layout: a tall and a wide weight matrix and their biases.
func matrixLayout() Layout {
	return Layout{Size: 5*3 + 5 + 2*5 + 2, Tensors: []Tensor{
		{Name: "layers.0.weight", Offset: 0, Rows: 5, Cols: 3, Matrix: true},
		{Name: "layers.0.bias", Offset: 15, Rows: 5, Cols: 1},
		{Name: "layers.1.weight", Offset: 20, Rows: 2, Cols: 5, Matrix: true},
		{Name: "layers.1.bias", Offset: 30, Rows: 2, Cols: 1},
	}}
}

// Muon and Adafactor treat weight matrices apart, and allocate nothing there either.
func TestMatrixStepAllocs(t *testing.T) {
	l := matrixLayout()
	for _, tc := range []struct {
		name string
		set  map[string]any
	}{
		{"muon", nil},
		{"muon", map[string]any{"nesterov": false, "adjust_lr_fn": "match_rms_adamw", "aux_weight_decay": 0.1}},
		{"adafactor", nil},
		{"adafactor", map[string]any{"weight_decay": 0.1}},
	} {
		t.Run(testName(tc.name, tc.set), func(t *testing.T) {
			opt, err := New(tc.name, tc.set, l)
			if err != nil {
				t.Fatal(err)
			}
			params, grad := make([]float64, l.Size), make([]float64, l.Size)
			for i := range params {
				params[i] = float64(i%7) - 3
			}
			step := 0
			allocs := testing.AllocsPerRun(100, func() {
				step++
				quadraticN(params, grad)
				opt.Step(params, grad, step, 1e-3)
			})
			if allocs != 0 {
				t.Errorf("Step allocates %v times per call", allocs)
			}
			for _, p := range params {
				if math.IsNaN(p) || math.IsInf(p, 0) {
					t.Fatalf("params %v", params)
				}
			}
		})
	}
}

// Muon's update of a weight matrix is orthogonal-ish: after one step from zero momentum with
// nesterov off, lr 1 and no decay, W − W₀ = −O, and the singular values of O lie near 1 (the
// quintic of Keller Jordan's coefficients maps them into about [0.7, 1.2]).
func TestMuonOrthogonalizes(t *testing.T) {
	l := Layout{Size: 6, Tensors: []Tensor{{Name: "w", Rows: 3, Cols: 2, Matrix: true}}}
	opt, err := New("muon", map[string]any{"nesterov": false, "weight_decay": 0.0}, l)
	if err != nil {
		t.Fatal(err)
	}
	params := make([]float64, 6)
	grad := []float64{3, 1, -2, 0.5, 0.1, 4}
	opt.Step(params, grad, 1, 1)
	// OᵀO (2×2) of O = −params/√(3/2), the shape scaling removed.
	s := math.Sqrt(1.5)
	var a, b, c float64
	for i := range 3 {
		u, v := -params[2*i]/s, -params[2*i+1]/s
		a, b, c = a+u*u, b+u*v, c+v*v
	}
	tr, det := a+c, a*c-b*b
	hi := tr/2 + math.Sqrt(tr*tr/4-det)
	lo := tr/2 - math.Sqrt(tr*tr/4-det)
	if !(math.Sqrt(lo) > 0.6 && math.Sqrt(hi) < 1.3) {
		t.Errorf("singular values %.3g, %.3g of the update, want about 1", math.Sqrt(lo), math.Sqrt(hi))
	}
}

// aux_lr is the rate of the other tensors at lr₀ whatever lr₀ is, and follows lr/lr₀.
func TestMuonBaseRate(t *testing.T) {
	run := func(lr0 float64, lrs ...float64) []float64 {
		opt := newFor(t, "muon", nil, 3)
		opt.(BaseRater).SetBaseLR(lr0)
		x := []float64{1, -2, 0.5}
		grad := make([]float64, 3)
		for k, lr := range lrs {
			quadratic(x, grad)
			opt.Step(x, grad, k+1, lr)
		}
		return x
	}
	if a, b := run(0.01, 0.01, 0.01), run(0.5, 0.5, 0.5); !slices.Equal(a, b) {
		t.Errorf("at lr = lr₀: %v with lr₀ 0.01, %v with lr₀ 0.5", a, b)
	}
	if a, b := run(0.01, 0.01, 0.005), run(0.5, 0.5, 0.25); !slices.Equal(a, b) {
		t.Errorf("at lr = lr₀, then lr₀/2: %v with lr₀ 0.01, %v with lr₀ 0.5", a, b)
	}
	if a, b := run(0.01, 0.01, 0.01), run(0.01, 0.01, 0.005); slices.Equal(a, b) {
		t.Error("the other tensors' rate does not follow lr")
	}
	defer func() {
		if recover() == nil {
			t.Error("SetBaseLR(0) did not panic")
		}
	}()
	newFor(t, "muon", nil, 3).(BaseRater).SetBaseLR(0)
}

// Prodigy learns its step: from d0 = 1e-6 it reaches the quadratic's scale within a few
// hundred steps (d grows to about the distance to the optimum).
func TestProdigyLearnsD(t *testing.T) {
	opt := newFor(t, "prodigy", nil, 3).(*prodigy[float64])
	x := []float64{1, -2, 0.5}
	grad := make([]float64, 3)
	for step := 1; step <= 300; step++ {
		quadratic(x, grad)
		opt.Step(x, grad, step, 1)
	}
	if !(opt.d > 0.1 && opt.d < 10) {
		t.Errorf("d = %g after 300 steps, want about the distance to the optimum (2.3)", opt.d)
	}
}

func TestScheduleFreeInvalid(t *testing.T) {
	tests := []struct {
		name string
		set  map[string]any
		key  string
	}{
		{"sgd_schedulefree", map[string]any{"momentum": 1.0}, "momentum"},
		{"sgd_schedulefree", map[string]any{"momentum": 0.0}, "momentum"},
		{"sgd_schedulefree", map[string]any{"warmup_steps": -1}, "warmup_steps"},
		{"adamw_schedulefree", map[string]any{"weight_lr_power": -1.0}, "weight_lr_power"},
		{"adamw_schedulefree", map[string]any{"r": -0.5}, "r"},
		{"muon", map[string]any{"ns_steps": 100}, "ns_steps"},
		{"muon", map[string]any{"adjust_lr_fn": "spectral"}, "adjust_lr_fn"},
		{"muon", map[string]any{"aux_beta2": 1.0}, "aux_beta2"},
		{"adafactor", map[string]any{"beta2_decay": 0.5}, "beta2_decay"},
		{"adafactor", map[string]any{"d": 0.5}, "d"},
		{"adafactor", map[string]any{"eps1": -1e-30}, "eps1"},
		{"prodigy", map[string]any{"eps": 0.0}, "eps"},
		{"prodigy", map[string]any{"d0": 0.0}, "d0"},
		{"prodigy", map[string]any{"growth_rate": 0.5}, "growth_rate"},
		{"prodigy", map[string]any{"beta3": 1.0}, "beta3"},
	}
	for _, tc := range tests {
		t.Run(testName(tc.name, tc.set), func(t *testing.T) {
			_, err := New(tc.name, tc.set, Flat(3))
			var ve *param.ValueError
			if !errors.As(err, &ve) || ve.Key != tc.key {
				t.Fatalf("New: error %v, want a *param.ValueError for %s", err, tc.key)
			}
		})
	}
}

func BenchmarkMatrixStep(b *testing.B) {
	l := Layout{Size: 64*128 + 64, Tensors: []Tensor{
		{Name: "w", Rows: 64, Cols: 128, Matrix: true}, {Name: "b", Offset: 64 * 128, Rows: 64, Cols: 1}}}
	for _, name := range []string{"muon", "adafactor"} {
		b.Run(name, func(b *testing.B) {
			opt, err := New(name, nil, l)
			if err != nil {
				b.Fatal(err)
			}
			params, grad := make([]float64, l.Size), make([]float64, l.Size)
			for i := range params {
				params[i] = float64(i%7) - 3
				grad[i] = 1e-3 * float64(i%5-2)
			}
			b.ReportAllocs()
			step := 0
			for b.Loop() {
				step++
				opt.Step(params, grad, step, 1e-3)
			}
		})
	}
}
