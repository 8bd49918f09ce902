package train

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/report"
)

const leastSquaresDoc = `
name: ls
data: {source: synthetic, generator: linear, n: 60, features: 3, noise: 0.5}
model: {kind: linear}
optimizer: {name: sgd, lr: 0.05}
train: {epochs: 5, batch_size: 8, reference_optimum: true}
`

const softmaxDoc = `
name: sm
data: {source: synthetic, generator: blobs, n: 200, features: 3, classes: 3, noise: 2.0, standardize: true}
model: {kind: linear}
optimizer: {name: sgd, lr: 0.5}
train: {epochs: 5, batch_size: full, reference_optimum: true}
`

// TestLeastSquaresOptimum checks f* against an independent QR solve of the
// same training set by gonum/mat.
func TestLeastSquaresOptimum(t *testing.T) {
	r := setup(t, leastSquaresDoc)
	fstar, on := r.ReferenceOptimum()
	if !on {
		t.Fatal("reference optimum off")
	}
	train, _ := r.Data()
	n, d := train.N, train.D
	a := mat.NewDense(n, d+1, nil)
	for i := range n {
		for j := range d {
			a.Set(i, j, train.X[i*d+j])
		}
		a.Set(i, d, 1)
	}
	var w mat.VecDense
	if err := w.SolveVec(a, mat.NewVecDense(n, slices.Clone(train.Y))); err != nil {
		t.Fatal(err)
	}
	var res mat.VecDense
	res.MulVec(a, &w)
	res.SubVec(&res, mat.NewVecDense(n, train.Y))
	want := mat.Dot(&res, &res) / float64(n)
	if math.Abs(fstar-want) > 1e-12*want {
		t.Errorf("f* = %.17g, want %.17g (QR)", fstar, want)
	}
}

// TestSoftmaxOptimum checks that the L-BFGS minimizer has a zero gradient
// and that f* is the loss there.
func TestSoftmaxOptimum(t *testing.T) {
	r := setup(t, softmaxDoc)
	params, err := refData{r.data}.softmaxMinimizer(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	train, _ := r.Data()
	grad := make([]float64, r.Params())
	loss := r.data.Model.LossGrad(params, train.X, train.Y, train.N, grad)
	if g := floats.Norm(grad, math.Inf(1)); g > refGradStall {
		t.Errorf("gradient norm at the minimizer %g, want <= %g", g, refGradStall)
	}
	fstar, _ := r.ReferenceOptimum()
	if math.Abs(fstar-loss) > 1e-12 {
		t.Errorf("f* = %.17g, loss at the minimizer %.17g", fstar, loss)
	}
	// Any other point is worse.
	for i := range params {
		p := slices.Clone(params)
		p[i] += 1e-3
		if l, _ := r.data.evaluate(p, train); l < fstar {
			t.Errorf("moving parameter %d lowers the loss to %.17g below f* = %.17g", i, l, fstar)
		}
	}
}

// TestSuboptColumn checks that train_subopt and summary.json's
// reference_optimum appear exactly when asked for.
func TestSuboptColumn(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  string
		sets []string
		on   bool
	}{
		{"least squares", leastSquaresDoc, nil, true},
		{"softmax", softmaxDoc, nil, true},
		{"off", leastSquaresDoc, []string{"train.reference_optimum=false"}, false},
		{"quadratic", "problem: {function: quadratic, scales: [1, 10]}\noptimizer: {name: sgd, lr: 0.05}\ntrain: {epochs: 20, reference_optimum: true}\n", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := setup(t, tc.doc, tc.sets...)
			dir := t.TempDir()
			s := runIn(t, r, dir)
			tab, err := report.ReadTable(filepath.Join(dir, "metrics.csv"))
			if err != nil {
				t.Fatal(err)
			}
			sub, has := tab.Cols["train_subopt"]
			if has != tc.on || (s.ReferenceOptimum != nil) != tc.on {
				t.Fatalf("train_subopt column %v, summary reference_optimum %v; want both %v", has, s.ReferenceOptimum, tc.on)
			}
			if !tc.on {
				return
			}
			if tab.Header[len(tab.Header)-1] != "train_subopt" {
				t.Errorf("train_subopt is not the last column: %v", tab.Header)
			}
			fstar := *s.ReferenceOptimum
			for i, v := range sub {
				if want := tab.Cols["train_loss"][i] - fstar; v != want {
					t.Errorf("row %d: train_subopt %g, want train_loss − f* = %g", i, v, want)
				}
				if v < -1e-12 {
					t.Errorf("row %d: train_subopt %g < 0: f* is not the minimum", i, v)
				}
			}
			if tc.name == "quadratic" && fstar != 0 {
				t.Errorf("quadratic f* = %g, want 0", fstar)
			}
			if !(sub[len(sub)-1] < sub[0]) {
				t.Errorf("suboptimality did not decrease: %v", sub)
			}
		})
	}
}

func TestReferenceOptimumInvalid(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  string
		sets []string
	}{
		{"mlp", base, []string{"train.reference_optimum=true"}},
		{"saddle", "problem: {function: saddle}\noptimizer: {name: sgd}\ntrain: {reference_optimum: true}\n", nil},
		{"not a bool", leastSquaresDoc, []string{"train.reference_optimum=sometimes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Decode(withSets(t, parse(t, tc.doc), tc.sets...), "test.yaml")
			var ce *config.ConfigError
			if !errors.As(err, &ce) || ce.Key != "train.reference_optimum" {
				t.Fatalf("got %v, want a ConfigError for train.reference_optimum", err)
			}
		})
	}
}

// TestReferenceOptimumYAML checks that config.yaml keeps the key when it is
// on (and so reruns the same experiment) and leaves it out when off.
func TestReferenceOptimumYAML(t *testing.T) {
	c, err := config.Decode(parse(t, leastSquaresDoc), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Setup(context.Background(), c, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	y := c.YAML(r.Plan.Length)
	back, err := config.Decode(parse(t, string(y)), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !back.Train.Values.Bool("reference_optimum") {
		t.Errorf("config.yaml lost reference_optimum:\n%s", y)
	}
	c.Train.Values["reference_optimum"] = false
	y = c.YAML(r.Plan.Length)
	if _, ok := parse(t, string(y))["train"].(map[string]any)["reference_optimum"]; ok {
		t.Errorf("reference_optimum written while off:\n%s", y)
	}
}
