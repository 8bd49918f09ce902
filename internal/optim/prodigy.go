package optim

import (
	"math"

	"github.com/optimbench/optimbench/internal/param"
)

// prodigyNoGrowth is growth_rate's default, the stand-in for the reference's inf: d·MaxFloat64
// is +Inf or above d_max, so min(d_max, d·growth_rate) = d_max, as with inf (a config value
// must be finite).
const prodigyNoGrowth = math.MaxFloat64

// prodigy is Prodigy, Adam with a step size D learned on the fly (Mishchenko & Defazio 2024,
// "Prodigy: an expeditiously adaptive parameter-free learner"), as the authors' Prodigy class
// (konstmish/prodigy, prodigyopt/prodigy.py, commit 3efb213ee8af5a6bf76f28726398433a847b38e9,
// prodigyopt 1.1.2) with one parameter group and slice_p 1. lr (1 by default) multiplies the
// learned D. With k the number of updates made before (from 0), λ = weight_decay, β₃ = beta3
// (0 means √β₂, the reference's None), θ₀ the parameters at the first Step:
//
//	γ = √(1−β₂^(k+1))/(1−β₁^(k+1)) if use_bias_correction, else 1 ;  dlr = d·lr·γ
//	g ← g + λθ                                      (decouple false, when λ ≠ 0)
//	if lr > 0:
//	    r ← β₃r + (d/d₀)·dlr·⟨g, θ₀ − θ⟩            (r starts at 0: the reference's d_numerator)
//	    m ← β₁m + d(1−β₁)g  (when β₁ > 0) ;  v ← β₂v + d²(1−β₂)g²
//	    s ← β₃s + (d/d₀)·dlr·g  (safeguard_warmup: (d/d₀)·d·g) ;  σ = Σ|s|
//	if σ = 0: stop here (no update; the reference returns, and the decay of r is not kept)
//	d̂ = d_coef·r/σ ;  d ← max(d, d̂) while d = d₀ ;  d_max ← max(d_max, d̂) ;  d ← min(d_max, d·growth_rate)
//	θ ← θ − λ·dlr·θ                                  (decouple true, when λ ≠ 0; dlr of the old d)
//	θ ← θ − dlr·m/(√v + d·ε)  if β₁ > 0, else θ ← θ − dlr·d·g/(√v + d·ε)   (the new d in d·ε)
//
// ε is added outside the root, scaled by d. d and d_max start at d0; m, v, s at zero. The sums
// run over all parameters (one group), so the layout does not matter. growth_rate's default,
// MaxFloat64, stands for the reference's inf. Schedules: the lr of each step is the scheduled
// one; it multiplies D both in the step and in the estimate's weights (the reference's group
// lr, which its authors keep at 1 or warm up).
type prodigy[T Float] struct {
	entry
	beta1, beta2, beta3, eps, wd   float64
	d0, dCoef, growth              float64
	decouple, biasCorrection, safe bool
	d, dMax, dNumerator            float64
	k                              int  // updates made (the reference's group["k"])
	started                        bool // p0 holds the first parameters
	p0, s, m, v                    []T
}

func newProdigy[T Float](v param.Values, l Layout) *prodigy[T] {
	n := l.Size
	o := &prodigy[T]{beta1: v.Float("beta1"), beta2: v.Float("beta2"), beta3: v.Float("beta3"),
		eps: v.Float("eps"), wd: v.Float("weight_decay"), d0: v.Float("d0"), dCoef: v.Float("d_coef"),
		growth: v.Float("growth_rate"), decouple: v.Bool("decouple"),
		biasCorrection: v.Bool("use_bias_correction"), safe: v.Bool("safeguard_warmup"),
		p0: make([]T, n), s: make([]T, n), m: make([]T, n), v: make([]T, n)}
	if o.beta3 == 0 {
		o.beta3 = math.Sqrt(o.beta2)
	}
	o.d, o.dMax = o.d0, o.d0
	return o
}

// State is d, d_max, the numerator r of the estimate, the update count k, whether θ₀ has been
// taken, then θ₀, s, m and v.
func (o *prodigy[T]) State() []any {
	return []any{&o.d, &o.dMax, &o.dNumerator, &o.k, &o.started, o.p0, o.s, o.m, o.v}
}

func (o *prodigy[T]) Step(params, grad []T, t int, lr float64) {
	checkStep(params, grad, len(o.v), t)
	beta1, beta2 := o.beta1, o.beta2
	d, dMax, d0 := o.d, o.dMax, o.d0
	bc := 1.0
	if o.biasCorrection {
		bc = math.Sqrt(1-math.Pow(beta2, float64(o.k+1))) / (1 - math.Pow(beta1, float64(o.k+1)))
	}
	dlr := d * lr * bc
	dNumerator := o.dNumerator * o.beta3
	if !o.decouple {
		addWeightDecay(grad, params, o.wd)
	}
	if !o.started {
		copy(o.p0, params)
		o.started = true
	}
	g, m, v := grad[:len(params)], o.m[:len(params)], o.v[:len(params)]
	dDenom := 0.0
	if lr > 0 {
		var delta float64
		delta, dDenom = o.accumulate(params, g, dlr)
		dNumerator += delta
	}
	if dDenom == 0 {
		return
	}
	dHat := o.dCoef * dNumerator / dDenom
	if d == d0 {
		d = math.Max(d, dHat)
	}
	dMax = math.Max(dMax, dHat)
	d = math.Min(dMax, d*o.growth)
	o.dNumerator, o.d, o.dMax = dNumerator, d, dMax
	deps := T(d * o.eps)
	if o.wd != 0 && o.decouple {
		c := T(-o.wd * dlr)
		for i, p := range params {
			params[i] += c * p
		}
	}
	if beta1 > 0 {
		ndlr := T(-dlr)
		for i := range params {
			params[i] += ndlr * (m[i] / (sqrt(v[i]) + deps))
		}
	} else {
		c := T(-dlr * d)
		for i := range params {
			params[i] += c * (g[i] / (sqrt(v[i]) + deps))
		}
	}
	o.k++
}

// accumulate updates m, v and s from g and returns the increment of D's numerator and D's
// denominator Σ|s|. The dot product and the sum are taken in T and read as float64, as the
// reference's torch.dot(...).item() and s.abs().sum().item().
func (o *prodigy[T]) accumulate(params, g []T, dlr float64) (delta, denom float64) {
	beta1, beta2, beta3, d, d0 := o.beta1, o.beta2, o.beta3, o.d, o.d0
	m, v, s, p0 := o.m[:len(params)], o.v[:len(params)], o.s[:len(params)], o.p0[:len(params)]
	var dot T
	for i, p := range params {
		dot += g[i] * (p0[i] - p)
	}
	delta = (d / d0) * dlr * float64(dot)
	cm, cv := T(d*(1-beta1)), T(d*d*(1-beta2))
	cs := (d / d0) * dlr
	if o.safe {
		cs = (d / d0) * d
	}
	b1, b2, b3, csT := T(beta1), T(beta2), T(beta3), T(cs)
	var sum T
	for i := range params {
		gi := g[i]
		if beta1 > 0 {
			m[i] = m[i]*b1 + cm*gi
		}
		v[i] = v[i]*b2 + cv*gi*gi
		s[i] = s[i]*b3 + csT*gi
		sum += abs(s[i])
	}
	return delta, float64(sum)
}
