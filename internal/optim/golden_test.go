package optim

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/optimbench/optimbench/internal/param"
)

// testdata/golden.json holds optimizer trajectories computed by PyTorch. It is written by
// scripts/gen_optim_golden.py (see its header to regenerate); these tests never need PyTorch.

type goldenFile struct {
	Steps    int                      `json:"steps"`
	Problems map[string]goldenProblem `json:"problems"`
	Cases    []goldenCase             `json:"cases"`
}

// goldenProblem is one of the problems the trajectories were run on.
type goldenProblem struct {
	Kind     string      `json:"kind"` // linear_mse, softmax_ce or rosenbrock
	Features int         `json:"features"`
	Classes  int         `json:"classes"`
	X        [][]float64 `json:"x"`
	Y        []float64   `json:"y"` // targets, or class indices for softmax_ce
	Init     []float64   `json:"init"`
}

// goldenCase is one trajectory: for step k+1, LR[k] was used, Grads[k] was the raw gradient
// handed to the optimizer and Params[k] the parameters after the step.
type goldenCase struct {
	Name      string         `json:"name"`
	Optimizer string         `json:"optimizer"`
	Problem   string         `json:"problem"`
	Hyper     map[string]any `json:"hyper"`
	LR        []float64      `json:"lr"`
	Grads     [][]float64    `json:"grads"`
	Params    [][]float64    `json:"params"`
	// Eval, for an optimizer with its own evaluation point (Evaluator), is that point after
	// each step.
	Eval [][]float64 `json:"eval"`
}

// loadGolden reads every testdata/golden*.json: golden.json from PyTorch
// (scripts/gen_optim_golden.py) and the files of the other generators, each naming its
// reference in its script. Their problems are merged under file-qualified names.
func loadGolden(t *testing.T) *goldenFile {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", "golden*.json"))
	all := &goldenFile{Problems: map[string]goldenProblem{}}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var g goldenFile
		if err := json.Unmarshal(b, &g); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(g.Cases) == 0 {
			t.Fatalf("%s has no cases", f)
		}
		prefix := strings.TrimSuffix(filepath.Base(f), ".json") + ":"
		for name, p := range g.Problems {
			all.Problems[prefix+name] = p
		}
		for _, c := range g.Cases {
			c.Problem = prefix + c.Problem
			all.Cases = append(all.Cases, c)
		}
	}
	if len(all.Cases) == 0 {
		t.Fatal("no golden cases in testdata")
	}
	return all
}

// layout is the tensor layout of a golden problem's flat parameters, as a model lays them out:
// the weight matrix (outputs × features), then the bias.
func (p *goldenProblem) layout(n int) Layout {
	switch p.Kind {
	case "linear_mse", "softmax_ce":
		out := 1
		if p.Kind == "softmax_ce" {
			out = p.Classes
		}
		d := p.Features
		return Layout{Size: n, Tensors: []Tensor{
			{Name: "layers.0.weight", Rows: out, Cols: d, Matrix: true},
			{Name: "layers.0.bias", Offset: out * d, Rows: out, Cols: 1},
		}}
	}
	return Flat(n)
}

// closeTo reports whether got is within 1e-9 of want, relative to max(1, |want|).
func closeTo(got, want float64) bool {
	return math.Abs(got-want) <= 1e-9*math.Max(1, math.Abs(want))
}

// checkClose fails t at the first element of got not closeTo want.
func checkClose(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !closeTo(got[i], want[i]) {
			t.Fatalf("%s: [%d] = %.17g, want %.17g (all: got %v, want %v)",
				what, i, got[i], want[i], got, want)
		}
	}
}

// goldenElsewhere names the optimizers whose PyTorch goldens another test replays, in a file
// of its own: one that evaluates the objective again within an update (a ClosureStepper, such
// as lbfgs in lbfgs_test.go) cannot be fed recorded gradients. Those tests add to it.
var goldenElsewhere = map[string]bool{}

// TestGolden feeds PyTorch's gradients to each optimizer and compares the parameters after
// every step with PyTorch's.
func TestGolden(t *testing.T) {
	g := loadGolden(t)
	covered := map[string]bool{}
	for _, c := range g.Cases {
		covered[c.Optimizer] = true
		t.Run(c.Name, func(t *testing.T) {
			e, err := Lookup(c.Optimizer)
			if err != nil {
				t.Fatal(err)
			}
			// The golden hyperparameters hold lr, PyTorch's optimizer argument; here it is
			// the entry's default, and every update takes the rate of its step.
			defaults := Defaults(c.Optimizer)
			defaults["lr"] = e.LR
			for _, s := range e.Params { // a JSON number is a float64; an integer key takes an int
				if f, ok := c.Hyper[s.Key].(float64); ok && s.Type == param.Int {
					c.Hyper[s.Key] = int(f)
				}
			}
			// A key added to an optimizer after a golden file was written (OmitIfDefault) is
			// absent from its cases, which ran at that key's default.
			for _, s := range e.Params {
				if _, ok := c.Hyper[s.Key]; !ok && s.OmitIfDefault {
					c.Hyper[s.Key] = s.Default
				}
			}
			if got, want := slices.Sorted(maps.Keys(c.Hyper)), slices.Sorted(maps.Keys(defaults)); !slices.Equal(got, want) {
				t.Fatalf("golden keys %v, Defaults keys %v", got, want)
			}
			if strings.Contains(c.Name, "/default/") && !maps.Equal(c.Hyper, defaults) {
				t.Errorf("PyTorch defaults %v, Defaults %v", c.Hyper, defaults)
			}
			hyper := maps.Clone(c.Hyper)
			delete(hyper, "lr")
			prob := g.Problems[c.Problem]
			params := slices.Clone(prob.Init)
			opt, err := New(c.Optimizer, hyper, prob.layout(len(params)))
			if err != nil {
				t.Fatalf("New(%q): %v", c.Optimizer, err)
			}
			if br, ok := opt.(BaseRater); ok { // a second rate follows the first: lr₀ is the case's lr
				br.SetBaseLR(c.Hyper["lr"].(float64))
			}
			grad := make([]float64, len(params))
			for k := range c.Grads {
				copy(grad, c.Grads[k])
				opt.Step(params, grad, k+1, c.LR[k])
				checkClose(t, fmt.Sprintf("step %d params", k+1), params, c.Params[k])
				if ev, ok := opt.(Evaluator); ok && c.Eval != nil {
					checkClose(t, fmt.Sprintf("step %d eval", k+1), ev.EvalParams(params), c.Eval[k])
				}
			}
		})
	}
	for _, name := range Names() {
		if !covered[name] && !goldenElsewhere[name] {
			t.Errorf("no golden case for %s", name)
		}
	}
}

// TestGoldenGradients recomputes the recorded gradients from the problems stored in the golden
// file, so the file is known to describe the losses of SPEC.md §7 and optimbench's flat layout.
func TestGoldenGradients(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Cases {
		p := g.Problems[c.Problem]
		theta := p.Init
		grad := make([]float64, len(theta))
		for k, want := range c.Grads {
			p.grad(t, theta, grad)
			checkClose(t, fmt.Sprintf("%s step %d gradient", c.Name, k+1), grad, want)
			theta = c.Params[k]
		}
	}
}

// grad writes the gradient of the problem's loss at theta into grad.
func (p *goldenProblem) grad(t *testing.T, theta, grad []float64) {
	t.Helper()
	clear(grad)
	n := float64(len(p.X))
	switch p.Kind {
	case "linear_mse": // theta = [w, b]; loss = mean (w·x + b − y)²
		d := p.Features
		for i, x := range p.X {
			r := theta[d] - p.Y[i]
			for j := range d {
				r += theta[j] * x[j]
			}
			for j := range d {
				grad[j] += 2 * r * x[j] / n
			}
			grad[d] += 2 * r / n
		}
	case "softmax_ce": // theta = [W (classes × features), b]; loss = mean −log softmax(Wx + b)_y
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
				z[c] = math.Exp(z[c] - zmax)
				sum += z[c]
			}
			for c := range k {
				r := z[c] / sum
				if c == int(p.Y[i]) {
					r--
				}
				for j := range d {
					grad[c*d+j] += r * x[j] / n
				}
				grad[k*d+c] += r / n
			}
		}
	case "rosenbrock":
		rosenbrock(theta, grad)
	default:
		t.Fatalf("unknown problem kind %q", p.Kind)
	}
}
