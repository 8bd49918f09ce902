package optim

import (
	"math"

	"github.com/optimbench/optimbench/internal/param"
)

// adaBelief is AdaBelief (Zhuang et al. 2020, "AdaBelief Optimizer: Adapting Stepsizes by the
// Belief in Observed Gradients", NeurIPS, Algorithm 2): Adam with the second moment of the
// residual g − m instead of g. It follows the authors' PyTorch package, adabelief-pytorch
// 0.2.1 (juntang-zhuang/Adabelief-Optimizer,
// pypi_packages/adabelief_pytorch0.2.1/adabelief_pytorch/AdaBelief.py, commit
// 2855178eff6776762793f915ce2c615f776a1e4b), with its defaults (eps 1e-16, weight_decouple,
// rectify and degenerated_to_sgd on), step by step:
//
//	θ ← θ(1 − lr·λ)                  (decoupled_weight_decay, the default; fixed_decay: θ(1 − λ))
//	g ← g + λθ                       (otherwise, when λ > 0)
//	m ← β₁m + (1−β₁)g
//	s ← β₂s + (1−β₂)(g − m)²         (with the new m)
//	s ← s + ε                        (in place: ε accumulates in the state, as in the reference)
//	amsgrad: s_max ← max(s_max, s), and s_max replaces s in d
//	d = √s/√(1−β₂ᵗ) + ε              (ε a second time, outside the root)
//	rectify off: θ ← θ − (lr/(1−β₁ᵗ))·m/d
//	rectify on (RAdam's rule, Liu et al. 2020): ρ_∞ = 2/(1−β₂) − 1, ρ_t = ρ_∞ − 2tβ₂ᵗ/(1−β₂ᵗ);
//	  ρ_t ≥ 5: r = √((1−β₂ᵗ)(ρ_t−4)/(ρ_∞−4)·(ρ_t−2)/ρ_t·ρ_∞/(ρ_∞−2))/(1−β₁ᵗ),
//	           θ ← θ − (r·lr)·m/(√s + ε)  (s itself, even with amsgrad; no √(1−β₂ᵗ))
//	  ρ_t < 5: θ ← θ − (lr/(1−β₁ᵗ))·m when degenerated_to_sgd, else no update
//
// m, s and s_max start at zero. The package caches (ρ_t, r) per step; they depend only on t, so
// they are recomputed here. β₁ is read at every step (SetMomentum).
type adaBelief[T Float] struct {
	entry
	beta1, beta2, eps, wd                    float64
	decoupled, fixedDecay, rectify, sgd, ams bool
	m, s                                     []T // first moment, belief (second moment of g − m)
	smax                                     []T // running maximum of s (amsgrad only)
}

func newAdaBelief[T Float](v param.Values, l Layout) *adaBelief[T] {
	n := l.Size
	o := &adaBelief[T]{beta1: v.Float("beta1"), beta2: v.Float("beta2"), eps: v.Float("eps"), wd: v.Float("weight_decay"),
		decoupled: v.Bool("decoupled_weight_decay"), fixedDecay: v.Bool("fixed_decay"), rectify: v.Bool("rectify"),
		sgd: v.Bool("degenerated_to_sgd"), ams: v.Bool("amsgrad"), m: make([]T, n), s: make([]T, n)}
	if o.ams {
		o.smax = make([]T, n)
	}
	return o
}

// State is the first moment m, the belief s, then s_max (of length 0 without amsgrad).
func (o *adaBelief[T]) State() []any { return []any{o.m, o.s, o.smax} }

// SetMomentum sets β₁ for the next steps, as PyTorch's schedulers set group["betas"][0].
func (o *adaBelief[T]) SetMomentum(m float64) { o.beta1 = m }

func (o *adaBelief[T]) Step(params, grad []T, t int, lr float64) {
	checkStep(params, grad, len(o.m), t)
	switch {
	case o.decoupled && o.fixedDecay:
		decayWeights(params, 1, o.wd)
	case o.decoupled:
		decayWeights(params, lr, o.wd)
	default:
		addWeightDecay(grad, params, o.wd)
	}
	b1, w1, b2, w2, eps := T(o.beta1), T(1-o.beta1), T(o.beta2), T(1-o.beta2), T(o.eps)
	bc1 := biasCorrection(o.beta1, t)
	bc2Sqrt := T(math.Sqrt(biasCorrection(o.beta2, t)))
	m, s, g := o.m[:len(params)], o.s[:len(params)], grad[:len(params)]
	for i := range params {
		m[i] = m[i]*b1 + w1*g[i]
		r := g[i] - m[i]
		s[i] = s[i]*b2 + w2*r*r
		s[i] += eps
		if o.ams {
			o.smax[i] = fmax(o.smax[i], s[i])
		}
	}
	if !o.rectify {
		c := T(-(lr / bc1))
		for i := range params {
			si := s[i]
			if o.ams {
				si = o.smax[i]
			}
			params[i] += c * m[i] / (sqrt(si)/bc2Sqrt + eps)
		}
		return
	}
	o.rectified(params, t, lr, bc1)
}

// rectified is the step with the rectification on, the moments already updated.
func (o *adaBelief[T]) rectified(params []T, t int, lr, bc1 float64) {
	b2, eps := o.beta2, T(o.eps)
	m, s := o.m[:len(params)], o.s[:len(params)]
	tf := float64(t)
	b2t := math.Pow(b2, tf)
	rhoInf := 2/(1-b2) - 1
	rho := rhoInf - 2*tf*b2t/(1-b2t)
	switch {
	case rho >= 5:
		r := math.Sqrt((1-b2t)*(rho-4)/(rhoInf-4)*(rho-2)/rho*rhoInf/(rhoInf-2)) / bc1
		c := T(-r * lr)
		for i := range params {
			params[i] += c * m[i] / (sqrt(s[i]) + eps)
		}
	case o.sgd:
		c := T(-(1.0 / bc1) * lr)
		for i := range params {
			params[i] += c * m[i]
		}
	}
}
