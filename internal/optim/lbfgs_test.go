package optim

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/optimbench/optimbench/internal/param"
)

func init() {
	// Step is one iteration of a fixed step lr without evaluating again (PyTorch's max_iter = 1
	// and no line search): with lr 1 it converges on both problems of TestConvergence.
	optimizersUnderTest = append(optimizersUnderTest, []struct {
		name            string
		set             map[string]any
		quadLR, rosenLR float64
	}{
		{name: "lbfgs", quadLR: 1, rosenLR: 1},
		{name: "lbfgs", set: map[string]any{"history_size": 3}, quadLR: 1, rosenLR: 0.5},
	}...)
	// lbfgs evaluates the objective again within an update: its goldens are
	// testdata/lbfgs_golden.json, replayed by TestLBFGSGolden.
	goldenElsewhere["lbfgs"] = true
}

// testdata/lbfgs_golden.json holds torch.optim.LBFGS steps computed by PyTorch 1.13, written by
// scripts/gen_lbfgs_golden.py (see its header to regenerate).
type lbfgsGoldenFile struct {
	Problems map[string]lbfgsProblem `json:"problems"`
	Cases    []struct {
		Name    string `json:"name"`
		Problem string `json:"problem"`
		// Exact cases evaluate the objective in PyTorch with the Go test's own arithmetic
		// (plain floats, operation for operation), so the steps must agree to the last bit.
		Exact  bool           `json:"exact"`
		Hyper  map[string]any `json:"hyper"`
		LR     []float64      `json:"lr"`
		Params [][]float64    `json:"params"` // after each step
		Evals  []int          `json:"evals"`  // closure calls of each step, the first included
		Loss   []float64      `json:"loss"`   // the loss each step returned (at its start)
		NIter  []int          `json:"n_iter"` // state["n_iter"] after each step
	} `json:"cases"`
	Kernels []struct {
		N      int     `json:"n"`
		SumAbs float64 `json:"sum_abs"`
		Dot    float64 `json:"dot"`
	} `json:"kernels"`
}

// lbfgsProblem is a problem of golden.json, or the polynomial Σ cₖxᵏ (by Horner's rule) of
// one variable that lbfgs_golden.json adds.
type lbfgsProblem struct {
	goldenProblem
	Coeffs []float64 `json:"coeffs"`
}

func loadLBFGSGolden(t *testing.T) *lbfgsGoldenFile {
	t.Helper()
	b, err := os.ReadFile("testdata/lbfgs_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g lbfgsGoldenFile
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Cases) == 0 || len(g.Kernels) == 0 {
		t.Fatal("testdata/lbfgs_golden.json has no cases or no kernels")
	}
	return &g
}

// lossGrad returns the problem's loss at theta and writes its gradient into grad.
func (p *lbfgsProblem) lossGrad(t *testing.T, theta, grad []float64) float64 {
	t.Helper()
	switch p.Kind {
	case "polynomial":
		v, dv := 0.0, 0.0
		for _, c := range p.Coeffs {
			dv = dv*theta[0] + v
			v = v*theta[0] + c
		}
		grad[0] = dv
		return v
	case "rosenbrock":
		return rosenbrock(theta, grad)
	}
	p.grad(t, theta, grad)
	n := float64(len(p.X))
	loss := 0.0
	switch p.Kind {
	case "linear_mse":
		d := p.Features
		for i, x := range p.X {
			r := theta[d] - p.Y[i]
			for j := range d {
				r += theta[j] * x[j]
			}
			loss += r * r
		}
	case "softmax_ce":
		d, k := p.Features, p.Classes
		z := make([]float64, k)
		for i, x := range p.X {
			zmax := math.Inf(-1)
			for c := range k {
				z[c] = theta[k*d+c]
				for j := range d {
					z[c] += theta[c*d+j] * x[j]
				}
				zmax = math.Max(zmax, z[c])
			}
			sum := 0.0
			for c := range k {
				sum += math.Exp(z[c] - zmax)
			}
			loss += math.Log(sum) + zmax - z[int(p.Y[i])]
		}
	}
	return loss / n
}

// relErr is |got − want| relative to max(1, |want|), the measure of closeTo.
func relErr(got, want float64) float64 {
	return math.Abs(got-want) / math.Max(1, math.Abs(want))
}

// bitExact is whether Go computes the exact cases' objectives as PyTorch's script does: on amd64
// it rounds every operation (it fuses multiply-adds on arm64, ppc64le, s390x and riscv64).
const bitExact = runtime.GOARCH == "amd64"

// TestLBFGSGolden replays PyTorch's L-BFGS steps: each step evaluates the problem again through
// the closure, and the parameters after it, its number of evaluations and the iteration count
// must be PyTorch's.
func TestLBFGSGolden(t *testing.T) {
	g := loadLBFGSGolden(t)
	e, err := Lookup("lbfgs")
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	covered := map[string]bool{}
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			hyper := maps.Clone(c.Hyper)
			for _, s := range e.Params { // a JSON number is a float64; an integer key takes an int
				if f, ok := hyper[s.Key].(float64); ok && s.Type == param.Int {
					hyper[s.Key] = int(f)
				}
			}
			defaults := Defaults("lbfgs")
			defaults["lr"] = e.LR
			if got, want := slices.Sorted(maps.Keys(hyper)), slices.Sorted(maps.Keys(defaults)); !slices.Equal(got, want) {
				t.Fatalf("golden keys %v, Defaults keys %v", got, want)
			}
			if strings.Split(c.Name, "/")[2] == "default" {
				covered[c.Problem] = true
				want := maps.Clone(defaults)
				if c.Problem == "rosenbrock" {
					want["lr"] = hyper["lr"] // fixed steps of lr 1 overshoot Rosenbrock's valley
				}
				if !maps.Equal(hyper, want) {
					t.Errorf("PyTorch defaults %v, Defaults %v", hyper, want)
				}
			}
			delete(hyper, "lr")
			prob := g.Problems[c.Problem]
			params := slices.Clone(prob.Init)
			opt, err := New("lbfgs", hyper, prob.layout(len(params)))
			if err != nil {
				t.Fatal(err)
			}
			cs := opt.(ClosureStepper)
			grad := make([]float64, len(params))
			calls := 0
			f := func(p, g []float64) float64 {
				calls++
				return prob.lossGrad(t, p, g)
			}
			for k := range c.Params {
				calls = 0
				loss := f(params, grad)
				if !closeTo(loss, c.Loss[k]) {
					t.Errorf("step %d: loss %.17g, PyTorch %.17g", k+1, loss, c.Loss[k])
				}
				cs.StepClosure(params, grad, loss, k+1, c.LR[k], f)
				if c.Exact && bitExact && !slices.Equal(params, c.Params[k]) {
					t.Fatalf("step %d: params %v, PyTorch %v (to the bit)", k+1, params, c.Params[k])
				}
				checkClose(t, fmt.Sprintf("step %d params", k+1), params, c.Params[k])
				for i := range params {
					worst = math.Max(worst, relErr(params[i], c.Params[k][i]))
				}
				if calls != c.Evals[k] {
					t.Errorf("step %d: %d evaluations, PyTorch %d", k+1, calls, c.Evals[k])
				}
				if n := opt.(*lbfgs[float64]).nIter; n != c.NIter[k] {
					t.Errorf("step %d: n_iter %d, PyTorch %d", k+1, n, c.NIter[k])
				}
			}
		})
	}
	for _, p := range []string{"regression", "classification", "rosenbrock"} {
		if !covered[p] {
			t.Errorf("no default case on %s", p)
		}
	}
	t.Logf("worst relative error of the parameters: %.3g", worst)
}

// kernelVectors are scripts/gen_lbfgs_golden.py's vectors, exact in both languages.
func kernelVectors(n int) (a, b []float64) {
	a, b = make([]float64, n), make([]float64, n)
	for i := range n {
		a[i] = math.Ldexp(float64((i*7919+13)%1009+1)/1013.0, i%13-6)
		b[i] = math.Ldexp(float64((i*104729+7)%997-498)/499.0, i%7-3)
	}
	return a, b
}

// TestLBFGSKernels checks that Σ|v| and x·y are PyTorch's to the last bit (ATen's cascade sum,
// OpenBLAS's ddot on one thread), at lengths that reach every level of both.
func TestLBFGSKernels(t *testing.T) {
	for _, k := range loadLBFGSGolden(t).Kernels {
		a, b := kernelVectors(k.N)
		if got := atenSumAbs(a); got != k.SumAbs {
			t.Errorf("n = %d: Σ|a| = %.17g, PyTorch %.17g", k.N, got, k.SumAbs)
		}
		if got := ddot(a, b); got != k.Dot {
			t.Errorf("n = %d: a·b = %.17g, PyTorch %.17g", k.N, got, k.Dot)
		}
	}
}

func TestLBFGSMaxEvalDerived(t *testing.T) {
	for _, tc := range []struct {
		set  map[string]any
		want int
	}{
		{nil, 25},
		{map[string]any{"max_iter": 8}, 10},
		{map[string]any{"max_iter": 3}, 3},
		{map[string]any{"max_iter": 1}, 1},
		{map[string]any{"max_iter": 8, "max_eval": 4}, 4},
	} {
		opt := newFor(t, "lbfgs", tc.set, 2).(*lbfgs[float64])
		if opt.maxEval != tc.want {
			t.Errorf("%s: max_eval %d, want %d", testName("lbfgs", tc.set), opt.maxEval, tc.want)
		}
	}
}

func TestLBFGSInvalid(t *testing.T) {
	for _, tc := range []struct {
		set map[string]any
		key string
	}{
		{map[string]any{"max_iter": 0}, "max_iter"},
		{map[string]any{"max_eval": -1}, "max_eval"},
		{map[string]any{"history_size": 0}, "history_size"},
		{map[string]any{"tolerance_grad": -1e-7}, "tolerance_grad"},
		{map[string]any{"tolerance_change": math.NaN()}, "tolerance_change"},
		{map[string]any{"line_search": "backtracking"}, "line_search"},
		{map[string]any{"max_iter": 20.0}, "max_iter"}, // an integer key takes an int
	} {
		_, err := New("lbfgs", tc.set, Flat(2))
		if ve, ok := err.(*param.ValueError); !ok || ve.Key != tc.key {
			t.Errorf("New(%s): error %v, want a *param.ValueError for %s", testName("lbfgs", tc.set), err, tc.key)
		}
	}
}

// TestLBFGSStepIsOneIteration checks that Step is StepClosure with max_iter 1 and no line
// search, to the bit, whatever the optimizer's own settings.
func TestLBFGSStepIsOneIteration(t *testing.T) {
	step := newFor(t, "lbfgs", map[string]any{"line_search": "strong_wolfe", "history_size": 2}, 2)
	closure := newFor(t, "lbfgs", map[string]any{"max_iter": 1, "history_size": 2}, 2).(ClosureStepper)
	x, y := []float64{-1.5, 2}, []float64{-1.5, 2}
	gx, gy := make([]float64, 2), make([]float64, 2)
	never := func(_, _ []float64) float64 { panic("max_iter 1 without a line search evaluates again") }
	for k := 1; k <= 50; k++ {
		rosenbrock(x, gx)
		step.Step(x, gx, k, 0.5)
		loss := rosenbrock(y, gy)
		closure.StepClosure(y, gy, loss, k, 0.5, never)
		if !slices.Equal(x, y) {
			t.Fatalf("step %d: Step gives %v, StepClosure %v", k, x, y)
		}
	}
}

// TestLBFGSConvergence runs whole updates (StepClosure) on the quadratic and Rosenbrock.
func TestLBFGSConvergence(t *testing.T) {
	for _, tc := range []struct {
		set       map[string]any
		f         func(x, grad []float64) float64
		start, at []float64
		lr        float64
		steps     int
	}{
		{nil, quadratic, []float64{1, -2, 0.5}, []float64{0, 0, 0}, 1, 3},
		{map[string]any{"line_search": "strong_wolfe"}, quadratic, []float64{1, -2, 0.5}, []float64{0, 0, 0}, 1, 3},
		{map[string]any{"line_search": "strong_wolfe"}, rosenbrock, []float64{-1.5, 2}, []float64{1, 1}, 1, 5},
		{map[string]any{"line_search": "strong_wolfe", "history_size": 2}, rosenbrock, []float64{-1.5, 2}, []float64{1, 1}, 1, 10},
		{nil, rosenbrock, []float64{-1.5, 2}, []float64{1, 1}, 0.5, 100},
	} {
		x := slices.Clone(tc.start)
		grad := make([]float64, len(x))
		opt := newFor(t, "lbfgs", tc.set, len(x)).(ClosureStepper)
		for k := 1; k <= tc.steps; k++ {
			opt.StepClosure(x, grad, tc.f(x, grad), k, tc.lr, tc.f)
		}
		for i := range x {
			if !(math.Abs(x[i]-tc.at[i]) <= 1e-4) {
				t.Errorf("%s from %v: x = %v after %d updates at lr %g, want %v",
					testName("lbfgs", tc.set), tc.start, x, tc.steps, tc.lr, tc.at)
				break
			}
		}
	}
}

// extendedRosenbrock is Σ (1 − x₂ᵢ)² + 100(x₂ᵢ₊₁ − x₂ᵢ²)² over pairs; it writes ∇f into grad.
func extendedRosenbrock(x, grad []float64) float64 {
	f := 0.0
	for i := 0; i+1 < len(x); i += 2 {
		f += rosenbrock(x[i:i+2], grad[i:i+2])
	}
	return f
}

// TestLBFGSAllocs checks that after its first update an update allocates nothing, with either
// line search and with a history that wraps around.
func TestLBFGSAllocs(t *testing.T) {
	const n = 64
	for _, set := range []map[string]any{
		nil,
		{"line_search": "strong_wolfe"},
		{"line_search": "strong_wolfe", "history_size": 2, "max_iter": 7},
	} {
		t.Run(testName("lbfgs", set), func(t *testing.T) {
			opt := newFor(t, "lbfgs", set, n).(ClosureStepper)
			params, grad := make([]float64, n), make([]float64, n)
			f := Closure(extendedRosenbrock)
			run, evals := 0, 0
			counted := func(x, g []float64) float64 {
				evals++
				return f(x, g)
			}
			allocs := testing.AllocsPerRun(20, func() {
				run++
				for i := range params { // a new start each time, so that every update works
					params[i] = -1.2 + 0.01*float64((i+run)%7)
				}
				opt.StepClosure(params, grad, f(params, grad), run, 0.5, counted)
			})
			if allocs != 0 {
				t.Errorf("StepClosure allocates %v times per call", allocs)
			}
			if evals < 21*2 {
				t.Errorf("only %d evaluations in 21 updates", evals)
			}
			step := newFor(t, "lbfgs", set, n)
			allocs = testing.AllocsPerRun(20, func() {
				run++
				f(params, grad)
				step.Step(params, grad, run, 1e-3)
			})
			if allocs != 0 {
				t.Errorf("Step allocates %v times per call", allocs)
			}
		})
	}
}
