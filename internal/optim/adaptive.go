package optim

import (
	"math"

	"github.com/optimbench/optimbench/internal/param"
)

// adagrad scales each coordinate by its accumulated squared gradients (Duchi, Hazan & Singer
// 2011), in PyTorch's form:
//
//	g ← g + λθ                        (when weight_decay λ > 0)
//	lr_t = lr / (1 + (t−1)·lr_decay)
//	s ← s + g²                        (s starts at initial_accumulator)
//	θ ← θ − lr_t·g/(√s + ε)           (ε outside the root; default 1e-10)
//
// PyTorch: torch.optim.Adagrad (initial_accumulator_value = initial_accumulator).
type adagrad struct {
	entry
	lrDecay, eps, wd float64
	s                []float64 // sum of squared gradients
}

func newAdagrad(v param.Values, n int) *adagrad {
	s := make([]float64, n)
	for i := range s {
		s[i] = v.Float("initial_accumulator")
	}
	return &adagrad{lrDecay: v.Float("lr_decay"), eps: v.Float("eps"), wd: v.Float("weight_decay"), s: s}
}

// State is the sum of squared gradients s.
func (o *adagrad) State() []any { return []any{o.s} }

func (o *adagrad) Step(params, grad []float64, t int, lr float64) {
	checkStep(params, grad, len(o.s), t)
	addWeightDecay(grad, params, o.wd)
	clr := lr / (1 + float64(t-1)*o.lrDecay)
	s, g := o.s[:len(params)], grad[:len(params)]
	for i := range params {
		s[i] += g[i] * g[i]
		params[i] -= clr * (g[i] / (math.Sqrt(s[i]) + o.eps))
	}
}

// rmsprop divides the gradient by a running root mean square of recent gradients (Hinton,
// Srivastava & Swersky, Neural Networks for Machine Learning, lecture 6e, 2012); the centered
// variant divides by an estimate of the standard deviation instead (Graves 2013, eq. 38–41).
// In PyTorch's form (ρ is PyTorch's alpha):
//
//	g ← g + λθ                       (when weight_decay λ > 0)
//	v ← ρv + (1−ρ)g²
//	centered: a ← ρa + (1−ρ)g ; d = √(v − a²) + ε,  else d = √v + ε   (ε outside the root)
//	momentum μ > 0: b ← μb + g/d ; θ ← θ − lr·b
//	otherwise:      θ ← θ − lr·g/d
//
// v, a and b start at zero (there is no bias correction). μ is read at every step, so a
// schedule may drive it (SetMomentum, as PyTorch's schedulers set group["momentum"]); a step
// with μ = 0 leaves b as it was. PyTorch: torch.optim.RMSprop.
type rmsprop struct {
	entry
	rho, eps, mu, wd float64
	centered         bool
	v                []float64 // mean square
	a                []float64 // mean gradient (centered only)
	b                []float64 // momentum buffer (allocated even for μ = 0: a schedule may raise μ)
}

func newRMSprop(v param.Values, n int) *rmsprop {
	o := &rmsprop{rho: v.Float("rho"), eps: v.Float("eps"), mu: v.Float("momentum"), wd: v.Float("weight_decay"), centered: v.Bool("centered"),
		v: make([]float64, n), b: make([]float64, n)}
	if o.centered {
		o.a = make([]float64, n)
	}
	return o
}

// State is the mean square v, the mean gradient a (of length 0 unless centered) and the
// momentum buffer b.
func (o *rmsprop) State() []any { return []any{o.v, o.a, o.b} }

// SetMomentum sets μ of the heavy-ball term for the next steps, as PyTorch's schedulers set
// group["momentum"].
func (o *rmsprop) SetMomentum(m float64) { o.mu = m }

func (o *rmsprop) Step(params, grad []float64, t int, lr float64) {
	checkStep(params, grad, len(o.v), t)
	addWeightDecay(grad, params, o.wd)
	rho, w := o.rho, 1-o.rho
	v, g := o.v[:len(params)], grad[:len(params)]
	for i := range params {
		gi := g[i]
		v[i] = rho*v[i] + w*gi*gi
		var d float64
		if o.centered {
			o.a[i] = rho*o.a[i] + w*gi
			d = math.Sqrt(v[i]-o.a[i]*o.a[i]) + o.eps
		} else {
			d = math.Sqrt(v[i]) + o.eps
		}
		if o.mu > 0 {
			o.b[i] = o.mu*o.b[i] + gi/d
			params[i] -= lr * o.b[i]
		} else {
			params[i] -= lr * (gi / d)
		}
	}
}

// adadelta scales the gradient by the ratio of running RMS of past updates and of gradients
// (Zeiler 2012, Algorithm 1), with a learning rate in front as PyTorch has it:
//
//	g ← g + λθ                      (when weight_decay λ > 0)
//	v ← ρv + (1−ρ)g²
//	Δ = √(u + ε)/√(v + ε)·g         (ε inside both roots; default 1e-6)
//	u ← ρu + (1−ρ)Δ²
//	θ ← θ − lr·Δ                    (lr default 1.0, Zeiler's method)
//
// v and u start at zero. PyTorch: torch.optim.Adadelta.
type adadelta struct {
	entry
	rho, eps, wd float64
	v            []float64 // mean squared gradient
	u            []float64 // mean squared update
}

func newAdadelta(v param.Values, n int) *adadelta {
	return &adadelta{rho: v.Float("rho"), eps: v.Float("eps"), wd: v.Float("weight_decay"),
		v: make([]float64, n), u: make([]float64, n)}
}

// State is the mean squared gradient v and the mean squared update u.
func (o *adadelta) State() []any { return []any{o.v, o.u} }

func (o *adadelta) Step(params, grad []float64, t int, lr float64) {
	checkStep(params, grad, len(o.v), t)
	addWeightDecay(grad, params, o.wd)
	rho, w := o.rho, 1-o.rho
	v, u, g := o.v[:len(params)], o.u[:len(params)], grad[:len(params)]
	for i := range params {
		gi := g[i]
		v[i] = rho*v[i] + w*gi*gi
		delta := math.Sqrt(u[i]+o.eps) / math.Sqrt(v[i]+o.eps) * gi
		u[i] = rho*u[i] + w*delta*delta
		params[i] -= lr * delta
	}
}
