package optim

import (
	"math"

	"github.com/optimbench/optimbench/internal/param"
)

// yogi is Yogi (Zaheer, Reddi, Sachan, Kale & Kumar 2018, "Adaptive Methods for Nonconvex
// Optimization", NeurIPS, Algorithm 2): Adam whose second moment moves additively, by at most
// (1−β₂)g² per step, towards g². The authors released no code; this follows the implementation
// of tensorflow/addons (tensorflow_addons/optimizers/yogi.py, class Yogi, activation "sign",
// commit d208d752e98c310280938efa939117bf635a60a8), with its bias correction folded into the
// rate:
//
//	g ← g + λθ                          (when weight_decay λ > 0: optimbench's L2; TFA has a
//	                                     proximal l1/l2 instead, not offered here)
//	lr_t = lr·√(1−β₂ᵗ)/(1−β₁ᵗ)
//	m ← m·β₁ + g·(1−β₁)
//	v ← v + (1−β₂)·sign(g² − v)·g²       (= v − (1−β₂)·sign(v − g²)·g², the paper's form)
//	θ ← θ − (lr_t/(√v + ε))·m
//
// ε is outside the root and not bias-corrected (Adam's ε̂ form; default 1e-3, as the paper and
// TFA). v starts at initial_accumulator (TFA's initial_accumulator_value, default 1e-6, the
// paper's v₀); m starts at zero (optax.yogi starts m at 1e-6 too). TFA's β₁ = 0 branch, which
// uses g for m, gives the same numbers. β₁ is read at every step (SetMomentum).
type yogi[T Float] struct {
	entry
	beta1, beta2, eps, wd float64
	m, v                  []T // first and second moments
}

func newYogi[T Float](v param.Values, l Layout) *yogi[T] {
	o := &yogi[T]{beta1: v.Float("beta1"), beta2: v.Float("beta2"), eps: v.Float("eps"), wd: v.Float("weight_decay"),
		m: make([]T, l.Size), v: make([]T, l.Size)}
	for i := range o.v {
		o.v[i] = T(v.Float("initial_accumulator"))
	}
	return o
}

// State is the moments m and v.
func (o *yogi[T]) State() []any { return []any{o.m, o.v} }

// SetMomentum sets β₁ for the next steps, as PyTorch's schedulers set group["betas"][0].
func (o *yogi[T]) SetMomentum(m float64) { o.beta1 = m }

func (o *yogi[T]) Step(params, grad []T, t int, lr float64) {
	checkStep(params, grad, len(o.m), t)
	addWeightDecay(grad, params, o.wd)
	lrT := T(lr * math.Sqrt(biasCorrection(o.beta2, t)) / biasCorrection(o.beta1, t))
	b1, w1, w2, eps := T(o.beta1), T(1-o.beta1), T(1-o.beta2), T(o.eps)
	m, v, g := o.m[:len(params)], o.v[:len(params)], grad[:len(params)]
	for i := range params {
		gi := g[i]
		m[i] = m[i]*b1 + gi*w1
		g2 := gi * gi
		v[i] += w2 * sign(g2-v[i]) * g2
		params[i] -= lrT / (sqrt(v[i]) + eps) * m[i]
	}
}
