package optim

import (
	"math"

	"github.com/optimbench/optimbench/internal/param"
)

// adam is Adam (Kingma & Ba 2015, Algorithm 1) with the "adam", "amsgrad" and "adamw" variants,
// in PyTorch's form:
//
//	g ← g + λθ                      (adam, amsgrad: L2 weight decay, when λ > 0)
//	θ ← θ(1 − lr·λ)                 (adamw: decoupled weight decay, first; g stays raw)
//	m ← β₁m + (1−β₁)g               (as m + (1−β₁)(g − m), PyTorch ≥ 2.0's lerp)
//	v ← β₂v + (1−β₂)g²
//	amsgrad: v_max ← max(v_max, v), and v_max replaces v below (Reddi, Kale & Kumar 2018)
//	θ ← θ − (lr/(1−β₁ᵗ))·m/(√v/√(1−β₂ᵗ) + ε)
//
// ε is added outside the root of the bias-corrected v (the paper's ε̂ convention). m, v and v_max
// start at zero. adamw is Loshchilov & Hutter 2019's AdamW (default λ = 0.01), with amsgrad as
// an option (torch.optim.AdamW(amsgrad=True), the same update with the decoupled decay). β₁ is
// read at every step (the bias correction 1−β₁ᵗ takes the β₁ of step t), so a schedule may drive
// it through SetMomentum. PyTorch: torch.optim.Adam, Adam(amsgrad=True), AdamW.
type adam[T Float] struct {
	entry
	beta1, beta2, eps, wd float64
	amsgrad, decoupled    bool
	m, v                  []T          // first and second moments
	vmax                  []T          // running maximum of v (amsgrad only)
	c                     adamCoefs[T] // the scalars of the current update (begin)
	lr                    float64      // its rate
	flags                 int          // its flags for adamVec
}

func newAdam[T Float](v param.Values, l Layout) *adam[T] {
	return newAdamOf[T](v, l.Size, false, false)
}

func newAMSGrad[T Float](v param.Values, l Layout) *adam[T] {
	return newAdamOf[T](v, l.Size, true, false)
}

func newAdamW[T Float](v param.Values, l Layout) *adam[T] {
	return newAdamOf[T](v, l.Size, v.Bool("amsgrad"), true)
}

func newAdamOf[T Float](v param.Values, n int, amsgrad, decoupled bool) *adam[T] {
	o := &adam[T]{beta1: v.Float("beta1"), beta2: v.Float("beta2"), eps: v.Float("eps"), wd: v.Float("weight_decay"),
		amsgrad: amsgrad, decoupled: decoupled, m: make([]T, n), v: make([]T, n)}
	if amsgrad {
		o.vmax = make([]T, n)
	}
	return o
}

// State is the moments m and v, then v_max (of length 0 without amsgrad).
func (o *adam[T]) State() []any { return []any{o.m, o.v, o.vmax} }

// SetMomentum sets β₁ for the next steps, as PyTorch's schedulers set group["betas"][0].
func (o *adam[T]) SetMomentum(m float64) { o.beta1 = m }

func (o *adam[T]) Step(params, grad []T, t int, lr float64) {
	o.begin(params, grad, t, lr)
	o.part(params, grad, 0, len(params))
}

func (o *adam[T]) size() int { return len(o.m) }

func (o *adam[T]) begin(params, grad []T, t int, lr float64) {
	checkStep(params, grad, len(o.m), t)
	o.c, o.lr, o.flags = o.coefs(t, lr), lr, 0
	switch {
	case o.decoupled && o.wd != 0:
		o.flags = vecDecoupled
	case !o.decoupled && o.wd != 0:
		o.flags = vecDecay
	}
	if o.c.w1 < 0.5 && o.c.w1 > -0.5 {
		o.flags |= vecLerpLow
	}
}

func (o *adam[T]) part(params, grad []T, lo, hi int) {
	p, g, m, v := params[lo:hi], grad[lo:hi], o.m[lo:hi], o.v[lo:hi]
	c := o.c
	if o.amsgrad {
		o.decay(p, g, o.lr)
		vmax := o.vmax[lo:hi]
		for i := range p {
			gi := g[i]
			m[i] = lerp(m[i], gi, c.w1)
			v[i] = c.beta2*v[i] + c.w2*gi*gi
			vmax[i] = fmax(vmax[i], v[i])
			p[i] -= c.stepSize * (m[i] / (sqrt(vmax[i])/c.bc2Sqrt + c.eps))
		}
		return
	}
	k := adamVec(p, g, m, v, &c, o.flags)
	o.decay(p[k:], g[k:], o.lr)
	for i := k; i < len(p); i++ {
		gi := g[i]
		m[i] = lerp(m[i], gi, c.w1)
		v[i] = c.beta2*v[i] + c.w2*gi*gi
		p[i] -= c.stepSize * (m[i] / (sqrt(v[i])/c.bc2Sqrt + c.eps))
	}
}

// adamCoefs are the scalars of one adam step in T, in the order the assembly reads them
// (vec_amd64.s): the step size lr/(1−β₁ᵗ), λ, the decoupled decay 1 − lr·λ, 1−β₁ and its
// complement 1 − (1−β₁) as lerp forms it, β₂, 1−β₂, √(1−β₂ᵗ) and ε.
type adamCoefs[T Float] struct {
	stepSize, lambda, decay, w1, omw1, beta2, w2, bc2Sqrt, eps T
}

func (o *adam[T]) coefs(t int, lr float64) adamCoefs[T] {
	w1 := T(1 - o.beta1)
	return adamCoefs[T]{stepSize: T(lr / biasCorrection(o.beta1, t)), lambda: T(o.wd), decay: T(1 - lr*o.wd),
		w1: w1, omw1: 1 - w1, beta2: T(o.beta2), w2: T(1 - o.beta2),
		bc2Sqrt: T(math.Sqrt(biasCorrection(o.beta2, t))), eps: T(o.eps)}
}

// decay applies adam's weight decay to params and g: decoupled (adamw) or L2.
func (o *adam[T]) decay(params, g []T, lr float64) { applyDecay(params, g, lr, o.wd, o.decoupled) }

// applyDecay applies weight decay λ = wd to params and g: decoupled, θ ← θ(1 − lr·λ)
// (decayWeights), or L2, g ← g + λθ (addWeightDecay) — the two forms of the Adam family.
func applyDecay[T Float](params, g []T, lr, wd float64, decoupled bool) {
	if decoupled {
		decayWeights(params, lr, wd)
	} else {
		addWeightDecay(g, params, wd)
	}
}

// decayWeights applies decoupled weight decay, θ ← θ(1 − lr·λ) (Loshchilov & Hutter 2019; PyTorch's
// param.mul_(1 - lr * weight_decay)). λ = 0 leaves θ untouched.
func decayWeights[T Float](params []T, lr, lambda float64) {
	if lambda == 0 {
		return
	}
	decay := T(1 - lr*lambda)
	for i := range params {
		params[i] *= decay
	}
}

// adamax is AdaMax, Adam with the infinity norm (Kingma & Ba 2015, Algorithm 2), in PyTorch's
// form:
//
//	g ← g + λθ                      (when weight_decay λ > 0)
//	m ← β₁m + (1−β₁)g               (as m + (1−β₁)(g − m), PyTorch ≥ 2.0's lerp)
//	u ← max(β₂u, |g| + ε)           (ε inside the max, so u > 0)
//	θ ← θ − (lr/(1−β₁ᵗ))·m/u
//
// m and u start at zero; β₁ is read at every step (SetMomentum). PyTorch: torch.optim.Adamax.
type adamax[T Float] struct {
	entry
	beta1, beta2, eps, wd float64
	m, u                  []T // first moment, exponentially weighted infinity norm
	clr                   T   // the step size lr/(1−β₁ᵗ) of the current update (begin)
}

func newAdamax[T Float](v param.Values, l Layout) *adamax[T] {
	return &adamax[T]{beta1: v.Float("beta1"), beta2: v.Float("beta2"), eps: v.Float("eps"), wd: v.Float("weight_decay"),
		m: make([]T, l.Size), u: make([]T, l.Size)}
}

// State is the first moment m and the infinity norm u.
func (o *adamax[T]) State() []any { return []any{o.m, o.u} }

// SetMomentum sets β₁ for the next steps, as PyTorch's schedulers set group["betas"][0].
func (o *adamax[T]) SetMomentum(m float64) { o.beta1 = m }

func (o *adamax[T]) Step(params, grad []T, t int, lr float64) {
	o.begin(params, grad, t, lr)
	o.part(params, grad, 0, len(params))
}

func (o *adamax[T]) size() int { return len(o.m) }

func (o *adamax[T]) begin(params, grad []T, t int, lr float64) {
	checkStep(params, grad, len(o.m), t)
	o.clr = T(lr / biasCorrection(o.beta1, t))
}

func (o *adamax[T]) part(params, grad []T, lo, hi int) {
	p, g, m, u := params[lo:hi], grad[lo:hi], o.m[lo:hi], o.u[lo:hi]
	addWeightDecay(g, p, o.wd)
	clr, w1, beta2, eps := o.clr, T(1-o.beta1), T(o.beta2), T(o.eps)
	for i := range p {
		gi := g[i]
		m[i] = lerp(m[i], gi, w1)
		u[i] = fmax(beta2*u[i], abs(gi)+eps)
		p[i] -= clr * (m[i] / u[i])
	}
}

// nadam is Adam with Nesterov momentum (Dozat 2016) and its momentum schedule, in the form of
// PyTorch ≥ 2.0 (1.13 and earlier multiplied μ_t into the product twice when forming P_{t+1}):
//
//	g ← g + λθ                      (when weight_decay λ > 0 and not decoupled_weight_decay)
//	θ ← θ(1 − lr·λ)                 (decoupled_weight_decay, PyTorch ≥ 2.x's NAdamW; g stays raw)
//	μ_t = β₁(1 − ½·0.96^(tψ))       (ψ = momentum_decay)
//	P_t = P_{t−1}·μ_t               (P₀ = 1, kept as state across steps)
//	m ← β₁m + (1−β₁)g               (as m + (1−β₁)(g − m), PyTorch's lerp)
//	v ← β₂v + (1−β₂)g²
//	d = √(v/(1−β₂ᵗ)) + ε            (ε outside the root)
//	θ ← θ − (lr(1−μ_t)/(1−P_t))·g/d
//	θ ← θ − (lr·μ_{t+1}/(1−P_t·μ_{t+1}))·m/d
//
// m and v start at zero. Because P_t is a running product, Step must be called with
// t = 1, 2, 3, … in order. A schedule may drive β₁ (SetMomentum, as PyTorch's schedulers set
// group["betas"][0]); PyTorch then uses the β₁ of step t in μ_t, in the predicted μ_{t+1} and
// in the lerp, while P_t keeps the product of the earlier μ_i, each formed with the β₁ of its
// own step, and so does this. PyTorch: torch.optim.NAdam (2.x's decoupled_weight_decay).
type nadam[T Float] struct {
	entry
	beta1, beta2, eps, psi, wd float64
	decoupled                  bool
	muProd                     float64 // P_t (a Python float in PyTorch: float64 in both precisions)
	m, v                       []T     // first and second moments
	lr, bc2                    float64 // the rate of the current update and 1 − β₂ᵗ (begin)
	cg, cm                     T       // its coefficients of g/d and m/d
}

func newNAdam[T Float](v param.Values, l Layout) *nadam[T] {
	n := l.Size
	return &nadam[T]{beta1: v.Float("beta1"), beta2: v.Float("beta2"), eps: v.Float("eps"), psi: v.Float("momentum_decay"),
		wd: v.Float("weight_decay"), decoupled: v.Bool("decoupled_weight_decay"), muProd: 1,
		m: make([]T, n), v: make([]T, n)}
}

// State is the running product P_t of the momenta μ_t, then the moments m and v.
func (o *nadam[T]) State() []any { return []any{&o.muProd, o.m, o.v} }

// SetMomentum sets β₁ for the next steps, as PyTorch's schedulers set group["betas"][0].
func (o *nadam[T]) SetMomentum(m float64) { o.beta1 = m }

func (o *nadam[T]) Step(params, grad []T, t int, lr float64) {
	o.begin(params, grad, t, lr)
	o.part(params, grad, 0, len(params))
}

func (o *nadam[T]) size() int { return len(o.m) }

func (o *nadam[T]) begin(params, grad []T, t int, lr float64) {
	checkStep(params, grad, len(o.m), t)
	tf := float64(t)
	mu := o.beta1 * (1 - 0.5*math.Pow(0.96, tf*o.psi))
	muNext := o.beta1 * (1 - 0.5*math.Pow(0.96, (tf+1)*o.psi))
	o.muProd *= mu
	muProdNext := o.muProd * muNext
	o.lr, o.bc2 = lr, biasCorrection(o.beta2, t)
	o.cg = T(-lr * (1 - mu) / (1 - o.muProd))
	o.cm = T(-lr * muNext / (1 - muProdNext))
}

func (o *nadam[T]) part(params, grad []T, lo, hi int) {
	p, g, m, v := params[lo:hi], grad[lo:hi], o.m[lo:hi], o.v[lo:hi]
	applyDecay(p, g, o.lr, o.wd, o.decoupled)
	cg, cm := o.cg, o.cm
	w1, beta2, w2, bc2T, eps := T(1-o.beta1), T(o.beta2), T(1-o.beta2), T(o.bc2), T(o.eps)
	for i := range p {
		gi := g[i]
		m[i] = lerp(m[i], gi, w1)
		v[i] = beta2*v[i] + w2*gi*gi
		d := sqrt(v[i]/bc2T) + eps
		p[i] += cg * (gi / d)
		p[i] += cm * (m[i] / d)
	}
}
