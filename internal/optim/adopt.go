package optim

import (
	"math"

	"github.com/optimbench/optimbench/internal/param"
)

// adopt is ADOPT (Taniguchi et al. 2024, "ADOPT: Modified Adam Can Converge with Any β₂ with
// the Optimal Rate", NeurIPS, Algorithm 1 with the clipping of its Section 5): Adam with the
// gradient normalized by the second moment of the earlier steps, before the momentum. It
// follows the authors' code, iShohei220/adopt, src/adopt/adopt.py (_single_tensor_adopt),
// commit 6468572b4b3688a2f056b796b071da540568520e:
//
//	g ← g + λθ                       (when λ > 0 and not decoupled_weight_decay)
//	t = 1:  v ← g², and θ does not move (the reference's step 0 only initializes v)
//	t ≥ 2:  θ ← θ + (−lr·λ)·θ        (decoupled_weight_decay, the reference's decouple)
//	        n = g/max(√v, ε)         (ε is a floor under √v, not a term added to it)
//	        n ← clamp(n, −c, c) with c = (t−1)^clip_exponent (clip; the reference's
//	                                  clip_lambda(step) = step**0.25 at its step t−1)
//	        m ← m + (1−β₁)(n − m)    (PyTorch's lerp)
//	        θ ← θ − lr·m
//	        v ← β₂v + (1−β₂)g²       (last: v is the second moment up to the previous step)
//
// There is no bias correction. m and v start at zero. β₁ is read at every step (SetMomentum).
// Defaults as the reference: lr 1e-3, β 0.9/0.9999, ε 1e-6.
type adopt[T Float] struct {
	entry
	beta1, beta2, eps, wd float64
	decoupled, clip       bool
	clipExp               float64
	m, v                  []T // first moment (of the normalized gradient), second moment
}

func newADOPT[T Float](v param.Values, l Layout) *adopt[T] {
	n := l.Size
	return &adopt[T]{beta1: v.Float("beta1"), beta2: v.Float("beta2"), eps: v.Float("eps"), wd: v.Float("weight_decay"),
		decoupled: v.Bool("decoupled_weight_decay"), clip: v.Bool("clip"), clipExp: v.Float("clip_exponent"),
		m: make([]T, n), v: make([]T, n)}
}

// State is the first moment m (of the normalized gradient) and the second moment v.
func (o *adopt[T]) State() []any { return []any{o.m, o.v} }

// SetMomentum sets β₁ for the next steps, as PyTorch's schedulers set group["betas"][0].
func (o *adopt[T]) SetMomentum(m float64) { o.beta1 = m }

func (o *adopt[T]) Step(params, grad []T, t int, lr float64) {
	checkStep(params, grad, len(o.m), t)
	if !o.decoupled {
		addWeightDecay(grad, params, o.wd)
	}
	m, v, g := o.m[:len(params)], o.v[:len(params)], grad[:len(params)]
	if t == 1 {
		for i, gi := range g {
			v[i] += gi * gi
		}
		return
	}
	if o.decoupled && o.wd != 0 {
		c := T(-lr * o.wd)
		for i := range params {
			params[i] += c * params[i]
		}
	}
	c := T(math.Inf(1))
	if o.clip {
		c = T(math.Pow(float64(t-1), o.clipExp))
	}
	w1, b2, w2, eps, nlr := T(1-o.beta1), T(o.beta2), T(1-o.beta2), T(o.eps), T(-lr)
	for i := range params {
		gi := g[i]
		n := gi / fmax(sqrt(v[i]), eps)
		n = fmax(-c, fmin(n, c))
		m[i] = lerp(m[i], n, w1)
		params[i] += nlr * m[i]
		v[i] = v[i]*b2 + w2*gi*gi
	}
}
