package data

import (
	"fmt"
	"math"
)

// DeepOBS's toy data sets (Schneider, Balles & Hennig 2019, fsschneider/DeepOBS), drawn as
// DeepOBS draws them, from numpy's RandomState with DeepOBS's fixed seeds (NumpyRandom), and
// rounded to float32 as DeepOBS does: the same numbers whatever the run's seed, since they
// are part of the problem's definition, not of its randomness.

// QuadraticDim is the dimension of DeepOBS's noisy quadratic, quadratic_deep.
const QuadraticDim = 100

// DeepOBSQuadratic is the data set of DeepOBS's noisy quadratic
// (deepobs/pytorch/datasets/quadratic.py): n points x ~ N(0, noise²·I) in 100 dimensions,
// row by row, the training set from RandomState(42) and the test set from RandomState(43)
// (numpy's normal(0, noise, (n, 100)), then float32). DeepOBS's defaults are n = 1000 and
// noise = 0.6. The targets are zero: the loss ½(θ − x)ᵀH(θ − x) needs none.
func DeepOBSQuadratic(n int, noise float64) (train, test *Set, err error) {
	if err := checkNoise(n, noise); err != nil {
		return nil, nil, err
	}
	draw := func(seed uint32) *Set {
		s := toySet(n, QuadraticDim)
		r := NewNumpyRandom(seed)
		for i := range s.X {
			s.X[i] = float64(float32(r.Normal(0, noise)))
		}
		return s
	}
	return draw(42), draw(43), nil
}

// DeepOBS2D is the data set of DeepOBS's noisy 2-D problems (two_d_rosenbrock, two_d_beale,
// two_d_branin; deepobs/tensorflow/datasets/two_d.py): n pairs (x, y), the n values of x
// and then the n values of y drawn from RandomState(42) (normal(0, noise, n) twice, then
// float32); the test set is n pairs of zeros, on which the loss is the noiseless function.
// DeepOBS's defaults are n = 10000 and noise = 1.
func DeepOBS2D(n int, noise float64) (train, test *Set, err error) {
	if err := checkNoise(n, noise); err != nil {
		return nil, nil, err
	}
	train = toySet(n, 2)
	r := NewNumpyRandom(42)
	for j := range 2 {
		for i := range n {
			train.X[2*i+j] = float64(float32(r.Normal(0, noise)))
		}
	}
	return train, toySet(n, 2), nil
}

func checkNoise(n int, noise float64) error {
	if n < 1 {
		return fmt.Errorf("n: must be >= 1, got %d", n)
	}
	if !(noise >= 0) || math.IsInf(noise, 0) {
		return fmt.Errorf("noise: must be finite and >= 0, got %v", noise)
	}
	return nil
}

// toySet is an n×d set of zeros with zero targets (no classes).
func toySet(n, d int) *Set {
	return &Set{X: make([]float64, n*d), Y: make([]float64, n), N: n, D: d, Features: defaultFeatures(d)}
}

// DeepOBSEigenvalues is the spectrum of the Hessian of DeepOBS's quadratic_deep
// (deepobs/pytorch/testproblems/quadratic_deep.py, set_up): from a fresh RandomState(42),
// 90 values uniform in [0, 1) and then 10 uniform in [30, 60), the "deep learning" spectrum
// of Chaudhari et al. 2017 (arXiv:1611.01838) — a bulk near zero and a few large outliers.
func DeepOBSEigenvalues() []float64 {
	r := NewNumpyRandom(42)
	lam := make([]float64, QuadraticDim)
	for i := range lam {
		if i < 90 {
			lam[i] = r.Uniform(0, 1)
		} else {
			lam[i] = r.Uniform(30, 60)
		}
	}
	return lam
}

// DeepOBSRotation is the rotation of quadratic_deep's Hessian, d×d row-major: DeepOBS's
// random_rotation(d), Diaconis & Shahshahani's subgroup algorithm, drawn from its own fresh
// RandomState(42) (the module-level generator of quadratic_deep.py, which a first problem
// instance finds fresh): R₂ = [[cos t, sin t], [−sin t, cos t]] with t = 2π·uniform(); then
// for k = 2 … d−1: v = normal(k+1) / ‖v‖, x = (e₁ − v)/‖e₁ − v‖, Dₖ = diag(1, Rₖ),
// Rₖ₊₁ = Dₖ − 2x(xᵀDₖ); the result is −R_d.
func DeepOBSRotation(d int) []float64 {
	r := NewNumpyRandom(42)
	t := 2 * math.Pi * r.Uniform(0, 1)
	rot := []float64{math.Cos(t), math.Sin(t), -math.Sin(t), math.Cos(t)}
	v := make([]float64, d)
	w := make([]float64, d)
	for k := 2; k < d; k++ {
		n := k + 1
		v := v[:n]
		for i := range v {
			v[i] = r.Normal(0, 1)
		}
		scale(v, math.Sqrt(dot(v, v)))
		v[0] = 1 - v[0] // e₁ − v
		for i := 1; i < n; i++ {
			v[i] = -v[i]
		}
		scale(v, math.Sqrt(dot(v, v)))
		rot = reflect(rot, k, v, w[:n])
	}
	for i := range rot {
		rot[i] = -rot[i]
	}
	return rot
}

// reflect returns Dₖ − 2x(xᵀDₖ), (k+1)×(k+1), for Dₖ = diag(1, rot) with rot k×k; w is
// scratch of k+1 values.
func reflect(rot []float64, k int, x, w []float64) []float64 {
	n := k + 1
	dk := make([]float64, n*n)
	dk[0] = 1
	for i := range k {
		copy(dk[(i+1)*n+1:(i+2)*n], rot[i*k:(i+1)*k])
	}
	clear(w)
	for i := range n { // w = xᵀDₖ
		for j := range n {
			w[j] += float64(x[i] * dk[i*n+j])
		}
	}
	for i := range n {
		for j := range n {
			dk[i*n+j] -= float64(2 * float64(x[i]*w[j]))
		}
	}
	return dk
}

// DeepOBSHessian is quadratic_deep's Hessian H = Rᵀ·diag(λ)·R (DeepOBSRotation,
// DeepOBSEigenvalues), 100×100 row-major, rounded to float32 as DeepOBS hands it to PyTorch
// and TensorFlow, then made exactly symmetric (H + Hᵀ)/2: the floating-point product is
// symmetric only to rounding, and the gradient of ½qᵀHq is ½(H + Hᵀ)q, as autograd
// computes it.
func DeepOBSHessian() []float64 {
	const d = QuadraticDim
	h := hessian32()
	for i := range d {
		for j := range i {
			m := (h[i*d+j] + h[j*d+i]) / 2
			h[i*d+j], h[j*d+i] = m, m
		}
	}
	return h
}

// hessian32 is float32(Rᵀ·diag(λ)·R), before it is made symmetric.
func hessian32() []float64 {
	const d = QuadraticDim
	lam, rot := DeepOBSEigenvalues(), DeepOBSRotation(d)
	h := make([]float64, d*d)
	for i := range d {
		for j := range d {
			var s float64
			for k := range d {
				s += float64(rot[k*d+i] * float64(lam[k]*rot[k*d+j]))
			}
			h[i*d+j] = float64(float32(s))
		}
	}
	return h
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += float64(a[i] * b[i])
	}
	return s
}

func scale(v []float64, div float64) {
	for i := range v {
		v[i] /= div
	}
}
