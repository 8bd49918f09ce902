package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/blas"
)

// DeepOBS's noisy toy problems (Schneider, Balles & Hennig 2019, fsschneider/DeepOBS) as
// models on data: the data set holds the noise, so that minibatches, epochs and the
// evaluation on the whole training and test sets work as for any other model.
//
//   - deepobs_quadratic (quadratic_deep): the loss of a row x is ½(θ − x)ᵀH(θ − x), θ starts
//     at ones (net_quadratic_deep), H is Spec.Matrix (config passes DeepOBS's Hessian);
//   - deepobs_2d (two_d_rosenbrock, two_d_beale, two_d_branin): the loss of a row (x, y) is
//     f(u, v) + u·x + v·y, θ = (u, v) starts at Spec.Start.
//
// Both are means over the rows of the minibatch, so the gradient noise is the minibatch
// mean of the data: for the 2-D problems ∇f + (x̄, ȳ), for the quadratic H(θ − x̄).

// deepobsKinds are the model kinds of this file.
var deepobsKinds = []string{"deepobs_quadratic", "deepobs_2d"}

// Noisy2DFunctions are the functions of kind deepobs_2d.
func Noisy2DFunctions() []string { return []string{"rosenbrock", "beale", "branin"} }

// Noisy2DStart is DeepOBS's starting point of function (set_up of two_d_*.py).
func Noisy2DStart(function string) []float64 {
	switch function {
	case "rosenbrock":
		return []float64{-0.5, 1.5}
	case "beale":
		return []float64{-4.5, 4.5}
	case "branin":
		return []float64{2.5, 12.5}
	}
	return nil
}

// validateDeepOBS checks a spec of a kind of this file.
func validateDeepOBS(s Spec) error {
	switch s.Kind {
	case "deepobs_quadratic":
		if d := len(s.Matrix); d == 0 || intSqrt(d)*intSqrt(d) != d {
			return specErrorf("kind", "deepobs_quadratic needs a square Hessian, got %d values", d)
		}
	case "deepobs_2d":
		if !slices.Contains(Noisy2DFunctions(), s.Function) {
			return specErrorf("function", "unknown %q (want rosenbrock, beale or branin)", s.Function)
		}
		if len(s.Start) != 2 {
			return specErrorf("start", "must have 2 values, got %d", len(s.Start))
		}
	}
	return nil
}

func intSqrt(n int) int { return int(math.Sqrt(float64(n)) + 0.5) }

// newDeepOBS builds a model of a kind of this file for in input features, in precision T (a
// float32 deepobs_2d is widened: its functions are float64's).
func newDeepOBS[T Float](s Spec, in, maxBatch int) (ModelOf[T], error) {
	if err := validateDeepOBS(s); err != nil {
		return nil, err
	}
	if s.Kind == "deepobs_2d" {
		if in != 2 {
			return nil, specErrorf("kind", "deepobs_2d needs 2 input features (x, y), got %d", in)
		}
		fn := map[string]Function{"rosenbrock": rosenbrock{}, "beale": beale{}, "branin": branin{}}[s.Function]
		var m any = &noisy2D{fn: fn, start: slices.Clone(s.Start), maxBatch: maxBatch}
		if _, f32 := any(T(0)).(float32); f32 {
			m = newWidened(m.(Model), in, maxBatch)
		}
		return m.(ModelOf[T]), nil
	}
	d := intSqrt(len(s.Matrix))
	if in != d {
		return nil, specErrorf("kind", "deepobs_quadratic needs %d input features, got %d", d, in)
	}
	return newQuadratic[T](s.Matrix, d, maxBatch), nil
}

// newQuadratic builds a deepobs_quadratic of precision T with Hessian h (d×d), rounded to T.
func newQuadratic[T Float](h []float64, d, maxBatch int) *noisyQuadraticOf[T] {
	m := &noisyQuadraticOf[T]{d: d, h: make([]T, len(h)), q: make([]T, maxBatch*d), hq: make([]T, maxBatch*d), maxBatch: maxBatch}
	for i, v := range h {
		m.h[i] = T(v)
	}
	m.buf, m.sbuf = kernelsOf[T]()
	return m
}

// noisyQuadratic is kind deepobs_quadratic: the mean over rows x of ½(θ − x)ᵀH(θ − x), with
// H symmetric (d×d, row-major). The rows' H(θ − x) are one matrix product, Q·H with Q the
// n×d rows θ − x: a quadratic_deep epoch (8 updates, then 2000 rows evaluated,
// BenchmarkQuadraticDeepEpoch) takes 7–9 ms with the packed kernel against 235–500 ms for a
// loop over rows of H per row (Zen 3 EPYC, both measured under the same load of ≈10 on its 2
// cores): about 30×. In float32 (as DeepOBS computes it) H, Q and Q·H are float32 and each
// row's ½qᵀHq is summed in float64.
type noisyQuadraticOf[T Float] struct {
	d        int
	h        []T
	q, hq    []T // Q = θ − x and Q·H, maxBatch×d
	maxBatch int
	buf      *gemmBuf  // the kernel's packing space (nil without AVX2)
	sbuf     *sgemmBuf // float32's
}

// noisyQuadratic is the float64 deepobs_quadratic.
type noisyQuadratic = noisyQuadraticOf[float64]

func (m *noisyQuadraticOf[T]) NumParams() int { return m.d }
func (m *noisyQuadraticOf[T]) Inputs() int    { return m.d }
func (m *noisyQuadraticOf[T]) Outputs() int   { return 1 }
func (m *noisyQuadraticOf[T]) Tensors() []Tensor {
	return []Tensor{{Name: "theta", Rows: m.d, Cols: 1}}
}

// Init writes DeepOBS's start: θ = ones (torch.ones in net_quadratic_deep).
func (m *noisyQuadraticOf[T]) Init(params []T, _ *rand.Rand) {
	checkLen("parameters", params, m.d)
	for i := range params {
		params[i] = 1
	}
}

func (m *noisyQuadraticOf[T]) LossGrad(params, x, _ []T, n int, grad []T) float64 {
	checkRows(params, x, n, m.d, m.d, m.maxBatch)
	if grad != nil {
		checkLen("gradient", grad, m.d)
		clear(grad)
	}
	if n == 0 {
		return 0
	}
	sum := m.losses(params, x, n)
	if grad != nil {
		colSums(n, m.d, m.hq, grad) // ∇ of ½qᵀHq is Hq for symmetric H
		inv := 1 / float64(n)
		for j := range grad {
			grad[j] = T(float64(grad[j]) * inv)
		}
	}
	return sum / float64(n)
}

// losses returns the sum over the n rows of ½qᵀHq for q = θ − x, leaving the rows q in m.q
// and Hq in m.hq.
func (m *noisyQuadraticOf[T]) losses(theta, x []T, n int) float64 {
	d := m.d
	q, hq := m.q[:n*d], m.hq[:n*d]
	for i := range n {
		for j, t := range theta {
			q[i*d+j] = t - x[i*d+j]
		}
	}
	gemmOf(m.buf, m.sbuf, blas.NoTrans, blas.NoTrans, n, d, d, q, d, m.h, d, 0, hq, d)
	var sum float64
	for i, v := range q {
		sum += float64(v * hq[i])
	}
	return sum / 2
}

func (m *noisyQuadraticOf[T]) Eval(params, x, _ []T, n int) (float64, int) {
	checkRows(params, x, n, m.d, m.d, m.maxBatch)
	if n == 0 {
		return 0, 0
	}
	return m.losses(params, x, n), 0
}

// noisy2D is kind deepobs_2d: the mean over rows (x, y) of f(u, v) + u·x + v·y.
type noisy2D struct {
	fn       Function
	start    []float64
	maxBatch int
}

func (m *noisy2D) NumParams() int    { return 2 }
func (m *noisy2D) Inputs() int       { return 2 }
func (m *noisy2D) Outputs() int      { return 1 }
func (m *noisy2D) Tensors() []Tensor { return []Tensor{{Name: "theta", Rows: 2, Cols: 1}} }

// Init writes the start (DeepOBS's, unless the configuration sets another).
func (m *noisy2D) Init(params []float64, _ *rand.Rand) {
	checkLen("parameters", params, 2)
	copy(params, m.start)
}

func (m *noisy2D) LossGrad(params, x, _ []float64, n int, grad []float64) float64 {
	checkRows(params, x, n, 2, 2, m.maxBatch)
	if grad != nil {
		checkLen("gradient", grad, 2)
	}
	if n == 0 {
		clear(grad)
		return 0
	}
	var mx, my float64
	for i := range n {
		mx += x[2*i]
		my += x[2*i+1]
	}
	mx /= float64(n)
	my /= float64(n)
	if grad != nil {
		m.fn.Grad(grad, params)
		grad[0] += mx
		grad[1] += my
	}
	return m.fn.Value(params) + params[0]*mx + params[1]*my
}

func (m *noisy2D) Eval(params, x, _ []float64, n int) (float64, int) {
	checkRows(params, x, n, 2, 2, m.maxBatch)
	f := m.fn.Value(params)
	var sum float64
	for i := range n {
		sum += f + params[0]*x[2*i] + params[1]*x[2*i+1]
	}
	return sum, 0
}

func checkLen[T Float](what string, v []T, want int) {
	if len(v) != want {
		panic(fmt.Sprintf("model: %s has %d values, want %d", what, len(v), want))
	}
}

func checkRows[T Float](params, x []T, n, np, d, maxBatch int) {
	checkLen("parameters", params, np)
	if n < 0 || n > maxBatch {
		panic(fmt.Sprintf("model: batch of %d rows, want 0..%d", n, maxBatch))
	}
	if len(x) < n*d {
		panic(fmt.Sprintf("model: x has %d values, want %d rows × %d", len(x), n, d))
	}
}

// branin is the Branin–Hoo function as DeepOBS writes it (two_d_branin.py):
// (v − b·u² + c·u − r)² + s(1 − t)·cos u + s, with b = 5.1/(4π²), c = 5/π, r = 6, s = 10,
// t = 1/(8π). Its global minimum 0.397887… is at (−π, 12.275), (π, 2.275) and
// (9.42478, 2.475).
type branin struct{}

const (
	braninB = 5.1 / (4 * math.Pi * math.Pi)
	braninC = 5 / math.Pi
	braninR = 6.0
	braninS = 10.0
	braninT = 1 / (8 * math.Pi)
)

func (branin) Dim() int { return 2 }

func (branin) Value(x []float64) float64 {
	u, v := x[0], x[1]
	a := v - braninB*u*u + braninC*u - braninR
	return a*a + braninS*(1-braninT)*math.Cos(u) + braninS
}

func (branin) Grad(grad, x []float64) {
	u, v := x[0], x[1]
	a := v - braninB*u*u + braninC*u - braninR
	grad[0] = 2*a*(braninC-2*braninB*u) - braninS*(1-braninT)*math.Sin(u)
	grad[1] = 2 * a
}

func (branin) Minima() [][]float64 {
	return [][]float64{{-math.Pi, 12.275}, {math.Pi, 2.275}, {9.42478, 2.475}}
}
