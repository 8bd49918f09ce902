package optim

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/optimbench/optimbench/internal/param"
)

// testdata/float32 holds the cases of the float64 golden files computed in float32: by PyTorch
// 1.13 on torch.float32 tensors (scripts/gen_optim_golden.py, gen_optim_golden_torchzoo.py and
// gen_lbfgs_golden.py with --float32) and by the NumPy transcriptions of the other references
// in np.float32 (scripts/ref_optim.py and ref_optim2.py with --float32).

// tol32 is the float32 goldens' tolerance, relative to max(1, |want|) as closeTo's 1e-9.
const tol32 = 1e-5

// golden32Case is a case of a float32 golden file: the shared schema, and the momentum (β₁)
// a schedule set before each step for the momentum cases.
type golden32Case struct {
	goldenCase
	Momenta []float64   `json:"momentum"`
	AX      [][]float64 `json:"ax"` // asgd's average after each step
}

// exact32 are the optimizers whose float32 trajectories are the reference's to the bit: their
// element-wise arithmetic is the reference's, operation for operation, in float32 (no sums, or
// sums in the same order), so an operation done in float64 instead would show.
var exact32 = map[string]bool{"rprop": true, "lion": true, "signum": true, "adabelief": true,
	"yogi": true, "adopt": true, "sgd_schedulefree": true, "adamw_schedulefree": true}

type golden32File struct {
	Dtype    string                   `json:"dtype"`
	Problems map[string]goldenProblem `json:"problems"`
	Cases    []golden32Case           `json:"cases"`
	Momentum []golden32Case           `json:"momentum_cases"`
}

// loadGolden32 reads testdata/float32/golden*.json, with the problems under file-qualified
// names as loadGolden does.
func loadGolden32(t *testing.T) (map[string]goldenProblem, []golden32Case) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", "float32", "golden*.json"))
	problems := map[string]goldenProblem{}
	var cases []golden32Case
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var g golden32File
		if err := json.Unmarshal(b, &g); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if g.Dtype != "float32" || len(g.Cases) == 0 {
			t.Fatalf("%s: dtype %q and %d cases, want float32 cases", f, g.Dtype, len(g.Cases))
		}
		prefix := strings.TrimSuffix(filepath.Base(f), ".json") + ":"
		for name, p := range g.Problems {
			problems[prefix+name] = p
		}
		for _, c := range append(g.Cases, g.Momentum...) {
			c.Problem = prefix + c.Problem
			cases = append(cases, c)
		}
	}
	if len(files) < 4 {
		t.Fatalf("%d float32 golden files, want 4", len(files))
	}
	return problems, cases
}

// goldenValues is the case's hyperparameters as New takes them: without lr, integer keys as
// ints, keys added after the file was written at their defaults.
func goldenValues(t *testing.T, c goldenCase) (param.Values, float64) {
	t.Helper()
	e, err := Lookup(c.Optimizer)
	if err != nil {
		t.Fatal(err)
	}
	v := param.Values{}
	for _, s := range e.Params {
		x, ok := c.Hyper[s.Key]
		switch {
		case !ok && s.OmitIfDefault:
			x = s.Default
		case !ok:
			t.Fatalf("the case has no %s", s.Key)
		}
		if f, ok := x.(float64); ok && s.Type == param.Int {
			x = int(f)
		}
		v[s.Key] = x
	}
	return v, c.Hyper["lr"].(float64)
}

// relErr32 is the largest |got − want|/max(1, |want|) over the elements, and fails t at the
// first beyond tol32.
func relErr32(t *testing.T, what string, got []float32, want []float64) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values, want %d", what, len(got), len(want))
	}
	worst := 0.0
	for i, g := range got {
		e := math.Abs(float64(g)-want[i]) / math.Max(1, math.Abs(want[i]))
		if !(e <= tol32) {
			t.Fatalf("%s: [%d] = %.9g, want %.9g (relative error %.3g)", what, i, g, want[i], e)
		}
		worst = max(worst, e)
	}
	return worst
}

// toFloat32 rounds x to float32: a float32 golden's numbers are float32 values, so exactly.
func toFloat32(x []float64) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(v)
	}
	return y
}

// TestGoldenFloat32 feeds PyTorch's (or the reference's) float32 gradients to each optimizer
// built by NewOf[float32] and compares the parameters after every step with the float32
// trajectory, to 1e-5; it logs the largest error of each optimizer (go test -v).
func TestGoldenFloat32(t *testing.T) {
	problems, cases := loadGolden32(t)
	worst := map[string]float64{}
	for _, c := range cases {
		worst[c.Optimizer] = max(worst[c.Optimizer], 0)
		t.Run(c.Name, func(t *testing.T) {
			v, lr0 := goldenValues(t, c.goldenCase)
			prob := problems[c.Problem]
			params := toFloat32(prob.Init)
			opt, err := NewOf[float32](c.Optimizer, v, prob.layout(len(params)))
			if err != nil {
				t.Fatal(err)
			}
			if br, ok := opt.(BaseRater); ok {
				br.SetBaseLR(lr0)
			}
			for k := range c.Grads {
				if c.Momenta != nil {
					opt.(MomentumSetter).SetMomentum(c.Momenta[k])
				}
				grad := toFloat32(c.Grads[k])
				opt.Step(params, grad, k+1, c.LR[k])
				e := relErr32(t, fmt.Sprintf("step %d params", k+1), params, c.Params[k])
				if ev, ok := opt.(EvaluatorOf[float32]); ok && c.Eval != nil {
					e = max(e, relErr32(t, fmt.Sprintf("step %d eval", k+1), ev.EvalParams(params), c.Eval[k]))
				}
				if a, ok := opt.(*asgd[float32]); ok && c.AX != nil {
					e = max(e, relErr32(t, fmt.Sprintf("step %d average", k+1), a.ax, c.AX[k]))
				}
				if exact32[c.Optimizer] && e != 0 {
					t.Fatalf("step %d: relative error %.3g, want the reference's float32 values to the bit", k+1, e)
				}
				worst[c.Optimizer] = max(worst[c.Optimizer], e)
			}
		})
	}
	for _, name := range Names() {
		e, ok := worst[name]
		if !ok && !goldenElsewhere[name] {
			t.Errorf("no float32 golden case for %s", name)
		}
		if ok {
			t.Logf("%-20s worst relative error %.2g", name, e)
		}
	}
}

// TestLBFGSGoldenFloat32 replays PyTorch's float32 L-BFGS steps (the exact cases of
// lbfgs_golden.json in float32): the closure evaluates the problem in float64 from the float32
// parameters and rounds the loss and gradient to float32, as the generator's does, so the
// steps differ from PyTorch's by the optimizer's float32 arithmetic alone. The parameters must
// agree to the bit (on amd64, as the float64 exact cases; to 1e-5 elsewhere), and the
// evaluation and iteration counts exactly: the 0-d float32 tensors of PyTorch's L-BFGS (y·s,
// ρ, H, α, β, g·d, the line search's steps and bounds), OpenBLAS's sdot and ATen's float32 sum
// are all reproduced.
func TestLBFGSGoldenFloat32(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "float32", "lbfgs_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g lbfgsGoldenFile
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Cases) == 0 {
		t.Fatal("no float32 lbfgs cases")
	}
	worst := 0.0
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			v, _ := goldenValues(t, goldenCase{Optimizer: "lbfgs", Hyper: c.Hyper})
			prob := g.Problems[c.Problem]
			n := len(prob.Init)
			params := toFloat32(prob.Init)
			opt, err := NewOf[float32]("lbfgs", v, prob.layout(n))
			if err != nil {
				t.Fatal(err)
			}
			cs := opt.(ClosureStepperOf[float32])
			p64, g64, grad := make([]float64, n), make([]float64, n), make([]float32, n)
			calls := 0
			f := func(p, g []float32) float64 {
				calls++
				for i, x := range p {
					p64[i] = float64(x)
				}
				loss := prob.lossGrad(t, p64, g64)
				for i, x := range g64 {
					g[i] = float32(x)
				}
				return float64(float32(loss))
			}
			for k := range c.Params {
				calls = 0
				loss := f(params, grad)
				cs.StepClosure(params, grad, loss, k+1, c.LR[k], f)
				worst = max(worst, relErr32(t, fmt.Sprintf("step %d params", k+1), params, c.Params[k]))
				if bitExact && !slices.Equal(params, toFloat32(c.Params[k])) {
					t.Fatalf("step %d: params %v, PyTorch %v (to the bit)", k+1, params, c.Params[k])
				}
				if calls != c.Evals[k] {
					t.Errorf("step %d: %d evaluations, PyTorch %d", k+1, calls, c.Evals[k])
				}
				if it := opt.(*lbfgs[float32]).nIter; it != c.NIter[k] {
					t.Errorf("step %d: n_iter %d, PyTorch %d", k+1, it, c.NIter[k])
				}
			}
		})
	}
	t.Logf("lbfgs worst relative error %.2g", worst)
}

// TestLBFGSKernelsFloat32 checks that float32 Σ|v| and x·y are PyTorch's float32 abs().sum()
// (ATen's cascade sum, eight lanes) and dot() (OpenBLAS's sdot) to the last bit.
func TestLBFGSKernelsFloat32(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "float32", "lbfgs_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g lbfgsGoldenFile
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Kernels) == 0 {
		t.Fatal("no float32 kernels")
	}
	for _, k := range g.Kernels {
		a, b := kernelVectors(k.N)
		a32, b32 := toFloat32(a), toFloat32(b)
		if got := atenSumAbs(a32); got != k.SumAbs {
			t.Errorf("n = %d: Σ|a| = %.9g, PyTorch %.9g", k.N, got, k.SumAbs)
		}
		if got := ddot(a32, b32); got != k.Dot {
			t.Errorf("n = %d: a·b = %.9g, PyTorch %.9g", k.N, got, k.Dot)
		}
	}
}
