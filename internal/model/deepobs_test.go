package model

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// testHessian is a random symmetric positive semi-definite d×d matrix, AᵀA.
func testHessian(d int, rng *rand.Rand) []float64 {
	a := make([]float64, d*d)
	for i := range a {
		a[i] = rng.NormFloat64()
	}
	h := make([]float64, d*d)
	for i := range d {
		for j := range d {
			for k := range d {
				h[i*d+j] += a[k*d+i] * a[k*d+j]
			}
		}
	}
	return h
}

func deepobsCases(rng *rand.Rand) []struct {
	name string
	spec Spec
	in   int
} {
	return []struct {
		name string
		spec Spec
		in   int
	}{
		{"quadratic", Spec{Kind: "deepobs_quadratic", Matrix: testHessian(5, rng)}, 5},
		{"rosenbrock", Spec{Kind: "deepobs_2d", Function: "rosenbrock", Start: Noisy2DStart("rosenbrock")}, 2},
		{"beale", Spec{Kind: "deepobs_2d", Function: "beale", Start: Noisy2DStart("beale")}, 2},
		{"branin", Spec{Kind: "deepobs_2d", Function: "branin", Start: Noisy2DStart("branin")}, 2},
	}
}

// TestDeepOBSModels checks the gradient of each noisy problem against central finite
// differences, Eval against LossGrad, and that neither allocates.
func TestDeepOBSModels(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range deepobsCases(rng) {
		t.Run(tc.name, func(t *testing.T) {
			const n = 7
			m, err := New(tc.spec, tc.in, 0, n)
			if err != nil {
				t.Fatal(err)
			}
			x := make([]float64, n*tc.in)
			for i := range x {
				x[i] = rng.NormFloat64()
			}
			y := make([]float64, n)
			p := make([]float64, m.NumParams())
			m.Init(p, nil)
			for i := range p {
				p[i] += 0.3 * rng.NormFloat64()
			}
			grad := make([]float64, len(p))
			loss := m.LossGrad(p, x, y, n, grad)
			checkGradient(t, func(q []float64) float64 { return m.LossGrad(q, x, y, n, nil) }, grad, p)
			sum, correct := m.Eval(p, x, y, n)
			if !closeRel(sum/n, loss, 1e-13, 0) || correct != 0 {
				t.Errorf("Eval = %v/%d = %v, %d; LossGrad = %v, 0", sum, n, sum/n, correct, loss)
			}
			if a := testing.AllocsPerRun(20, func() { m.LossGrad(p, x, y, n, grad); m.Eval(p, x, y, n) }); a != 0 {
				t.Errorf("%v allocations per LossGrad and Eval, want 0", a)
			}
		})
	}
}

// TestDeepOBSNoise checks the noise model: on rows x the 2-D loss is f(θ) + θ·x̄, and the
// quadratic's is ½(θ − x)ᵀH(θ − x) averaged, both exactly as DeepOBS writes them.
func TestDeepOBSNoise(t *testing.T) {
	m, _ := New(Spec{Kind: "deepobs_2d", Function: "branin", Start: Noisy2DStart("branin")}, 2, 0, 2)
	p := []float64{1, 2}
	x := []float64{0.5, -1, 1.5, 3} // x̄ = (1, 1)
	want := branin{}.Value(p) + 1*1 + 2*1
	if got := m.LossGrad(p, x, nil, 2, nil); !closeRel(got, want, 1e-15, 0) {
		t.Errorf("2-D loss = %v, want f + u·x̄ + v·ȳ = %v", got, want)
	}
	h := []float64{2, 1, 1, 3}
	q, _ := New(Spec{Kind: "deepobs_quadratic", Matrix: h}, 2, 0, 2)
	theta := make([]float64, 2)
	q.Init(theta, nil)
	if theta[0] != 1 || theta[1] != 1 {
		t.Fatalf("quadratic starts at %v, want DeepOBS's ones", theta)
	}
	// rows (0, 0) and (1, 2): q = (1, 1) → ½·7 = 3.5; q = (0, −1) → ½·3 = 1.5
	if got := q.LossGrad(theta, []float64{0, 0, 1, 2}, nil, 2, nil); got != 2.5 {
		t.Errorf("quadratic loss = %v, want 2.5", got)
	}
}

func TestBranin(t *testing.T) {
	var f branin
	for _, m := range f.Minima() {
		if v := f.Value(m); math.Abs(v-0.397887357729738) > 1e-5 {
			t.Errorf("branin%v = %v, want 0.397887", m, v)
		}
	}
	if v := f.Value([]float64{2.5, 12.5}); math.Abs(v-(math.Pow(12.5-braninB*6.25+braninC*2.5-6, 2)+10*(1-braninT)*math.Cos(2.5)+10)) > 1e-12 {
		t.Errorf("branin at DeepOBS's start = %v", v)
	}
}

func TestDeepOBSModelErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec Spec
		in   int
		key  string
	}{
		{"function", Spec{Kind: "deepobs_2d", Function: "himmelblau", Start: []float64{0, 0}}, 2, "function"},
		{"start", Spec{Kind: "deepobs_2d", Function: "beale", Start: []float64{0}}, 2, "start"},
		{"2-D inputs", Spec{Kind: "deepobs_2d", Function: "beale", Start: []float64{0, 0}}, 3, "kind"},
		{"hessian", Spec{Kind: "deepobs_quadratic", Matrix: []float64{1, 2, 3}}, 3, "kind"},
		{"quadratic inputs", Spec{Kind: "deepobs_quadratic", Matrix: []float64{1, 0, 0, 1}}, 3, "kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.spec, tc.in, 0, 4)
			var se *SpecError
			if !errors.As(err, &se) || se.Key != tc.key {
				t.Fatalf("New: %v, want a SpecError on %s", err, tc.key)
			}
		})
	}
}

// TestTruncatedNormalInit checks init truncated_normal: every weight within 2σ, the std of a
// normal truncated at ±2 (0.8796σ), biases zero.
func TestTruncatedNormalInit(t *testing.T) {
	s := Spec{Kind: "mlp", Hidden: []int{300}, Loss: "cross_entropy", Init: "truncated_normal", InitStd: 0.03}
	m, err := New(s, 200, 10, 1)
	if err != nil {
		t.Fatal(err)
	}
	p := make([]float64, m.NumParams())
	m.Init(p, rand.New(rand.NewPCG(3, 4)))
	var sum, sq float64
	var nw int
	for _, tn := range m.Tensors() {
		v := p[tn.Offset : tn.Offset+tn.Rows*tn.Cols]
		for _, w := range v {
			if !tn.Weight {
				if w != 0 {
					t.Fatalf("%s: %v, want 0", tn.Name, w)
				}
				continue
			}
			if math.Abs(w) > 2*0.03 {
				t.Fatalf("%s: weight %v beyond 2σ", tn.Name, w)
			}
			sum, sq, nw = sum+w, sq+w*w, nw+1
		}
	}
	std := math.Sqrt(sq/float64(nw) - (sum/float64(nw))*(sum/float64(nw)))
	if want := 0.03 * 0.87962566; math.Abs(std-want) > 0.01*want {
		t.Errorf("std of the weights = %v, want %v", std, want)
	}
	if err := (Spec{Kind: "mlp", Hidden: []int{3}, Loss: "mse", Init: "normal", InitStd: -1}).Validate(); err == nil {
		t.Error("init_std -1: no error")
	}
}

// BenchmarkQuadraticDeepEpoch is one epoch of quadratic_deep: 8 updates on 128 rows (the
// last on 104), then the loss on 2 × 1000 rows in chunks of 1024, as train evaluates.
func BenchmarkQuadraticDeepEpoch(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	const d = 100
	m, err := New(Spec{Kind: "deepobs_quadratic", Matrix: testHessian(d, rng)}, d, 0, 1024)
	if err != nil {
		b.Fatal(err)
	}
	x := make([]float64, 1000*d)
	for i := range x {
		x[i] = 0.6 * rng.NormFloat64()
	}
	p, grad := make([]float64, d), make([]float64, d)
	m.Init(p, nil)
	b.ReportAllocs()
	for b.Loop() {
		for i := 0; i < 1000; i += 128 {
			n := min(128, 1000-i)
			m.LossGrad(p, x[i*d:], nil, n, grad)
		}
		for range 2 {
			m.Eval(p, x, nil, 1000)
		}
	}
}
