package optim

import (
	"math"

	"github.com/optimbench/optimbench/internal/param"
)

// radam is Rectified Adam (Liu, Jiang, He, Chen, Liu, Gao & Han 2020, "On the Variance of the
// Adaptive Learning Rate and Beyond", ICLR, Algorithm 2), in the form of PyTorch ≥ 2.0's
// _single_tensor_radam (torch/optim/radam.py):
//
//	θ ← θ(1 − lr·λ)                 (decoupled_weight_decay, 2.x's RAdamW, when λ > 0; g stays raw)
//	g ← g + λθ                      (otherwise, when weight_decay λ > 0)
//	m ← β₁m + (1−β₁)g               (as m + (1−β₁)(g − m), PyTorch ≥ 2.0's lerp)
//	v ← β₂v + (1−β₂)g²
//	ρ∞ = 2/(1−β₂) − 1,  ρ_t = ρ∞ − 2t·β₂ᵗ/(1−β₂ᵗ)
//	ρ_t > 5:  r = √((ρ_t−4)(ρ_t−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρ_t)),  l = √(1−β₂ᵗ)/(√v + ε)
//	          θ ← θ − ((m/(1−β₁ᵗ))·lr·l)·r
//	else:     θ ← θ − (m/(1−β₁ᵗ))·lr    (momentum SGD without adaptation)
//
// ε is added to the root of the uncorrected v, √v + ε, and √(1−β₂ᵗ) multiplies afterwards
// (PyTorch's order; Adam's ε sits after the correction). With β₂ = 0.999 the first five steps
// are not rectified (ρ₅ ≈ 4.99, ρ₆ ≈ 5.99); with ρ∞ ≤ 5 (β₂ ≤ ⅔) none is. m and v start at zero.
// β₁ is read at every step, so a schedule may drive it (SetMomentum). PyTorch 1.13's
// torch.optim.RAdam is the same update computed as β₁m + (1−β₁)g and without
// decoupled_weight_decay, which 2.0 added. PyTorch: torch.optim.RAdam.
type radam[T Float] struct {
	entry
	beta1, beta2, eps, wd float64
	decoupled             bool
	m, v                  []T // first and second moments
}

func newRAdam[T Float](v param.Values, l Layout) *radam[T] {
	return &radam[T]{beta1: v.Float("beta1"), beta2: v.Float("beta2"), eps: v.Float("eps"), wd: v.Float("weight_decay"),
		decoupled: v.Bool("decoupled_weight_decay"), m: make([]T, l.Size), v: make([]T, l.Size)}
}

// State is the moments m and v.
func (o *radam[T]) State() []any { return []any{o.m, o.v} }

// SetMomentum sets β₁ for the next steps, as PyTorch's schedulers set group["betas"][0].
func (o *radam[T]) SetMomentum(m float64) { o.beta1 = m }

func (o *radam[T]) Step(params, grad []T, t int, lr float64) {
	checkStep(params, grad, len(o.m), t)
	applyDecay(params, grad, lr, o.wd, o.decoupled)
	tf := float64(t)
	bc1, bc2 := biasCorrection(o.beta1, t), biasCorrection(o.beta2, t)
	rhoInf := 2/(1-o.beta2) - 1
	rhoT := rhoInf - 2*tf*math.Pow(o.beta2, tf)/bc2
	w1, beta2, w2 := T(1-o.beta1), T(o.beta2), T(1-o.beta2)
	bc1T, l, eps := T(bc1), T(lr), T(o.eps)
	m, v, g := o.m[:len(params)], o.v[:len(params)], grad[:len(params)]
	if rhoT > 5 {
		rect := T(math.Sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)))
		bc2Sqrt := T(math.Sqrt(bc2))
		for i := range params {
			gi := g[i]
			m[i] = lerp(m[i], gi, w1)
			v[i] = beta2*v[i] + w2*gi*gi
			params[i] -= m[i] / bc1T * l * (bc2Sqrt / (sqrt(v[i]) + eps)) * rect
		}
		return
	}
	for i := range params {
		gi := g[i]
		m[i] = lerp(m[i], gi, w1)
		v[i] = beta2*v[i] + w2*gi*gi
		params[i] -= m[i] / bc1T * l
	}
}
