package optim

import (
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
type adagrad[T Float] struct {
	entry
	lrDecay, eps, wd float64
	s                []T // sum of squared gradients
	clr              T   // the rate lr_t of the current update (begin)
}

func newAdagrad[T Float](v param.Values, l Layout) *adagrad[T] {
	s := make([]T, l.Size)
	for i := range s {
		s[i] = T(v.Float("initial_accumulator"))
	}
	return &adagrad[T]{lrDecay: v.Float("lr_decay"), eps: v.Float("eps"), wd: v.Float("weight_decay"), s: s}
}

// State is the sum of squared gradients s.
func (o *adagrad[T]) State() []any { return []any{o.s} }

func (o *adagrad[T]) Step(params, grad []T, t int, lr float64) {
	o.begin(params, grad, t, lr)
	o.part(params, grad, 0, len(params))
}

func (o *adagrad[T]) size() int { return len(o.s) }

func (o *adagrad[T]) begin(params, grad []T, t int, lr float64) {
	checkStep(params, grad, len(o.s), t)
	o.clr = T(lr / (1 + float64(t-1)*o.lrDecay))
}

func (o *adagrad[T]) part(params, grad []T, lo, hi int) {
	p, g, s := params[lo:hi], grad[lo:hi], o.s[lo:hi]
	addWeightDecay(g, p, o.wd)
	clr, eps := o.clr, T(o.eps)
	for i := range p {
		s[i] += g[i] * g[i]
		p[i] -= clr * (g[i] / (sqrt(s[i]) + eps))
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
type rmsprop[T Float] struct {
	entry
	rho, eps, mu, wd float64
	centered         bool
	v                []T // mean square
	a                []T // mean gradient (centered only)
	b                []T // momentum buffer (allocated even for μ = 0: a schedule may raise μ)
	lr               T   // the rate of the current update (begin)
}

func newRMSprop[T Float](v param.Values, l Layout) *rmsprop[T] {
	n := l.Size
	o := &rmsprop[T]{rho: v.Float("rho"), eps: v.Float("eps"), mu: v.Float("momentum"), wd: v.Float("weight_decay"), centered: v.Bool("centered"),
		v: make([]T, n), b: make([]T, n)}
	if o.centered {
		o.a = make([]T, n)
	}
	return o
}

// State is the mean square v, the mean gradient a (of length 0 unless centered) and the
// momentum buffer b.
func (o *rmsprop[T]) State() []any { return []any{o.v, o.a, o.b} }

// SetMomentum sets μ of the heavy-ball term for the next steps, as PyTorch's schedulers set
// group["momentum"].
func (o *rmsprop[T]) SetMomentum(m float64) { o.mu = m }

func (o *rmsprop[T]) Step(params, grad []T, t int, lr float64) {
	o.begin(params, grad, t, lr)
	o.part(params, grad, 0, len(params))
}

func (o *rmsprop[T]) size() int { return len(o.v) }

func (o *rmsprop[T]) begin(params, grad []T, t int, lr float64) {
	checkStep(params, grad, len(o.v), t)
	o.lr = T(lr)
}

func (o *rmsprop[T]) part(params, grad []T, lo, hi int) {
	p, g, v, b := params[lo:hi], grad[lo:hi], o.v[lo:hi], o.b[lo:hi]
	var a []T
	if o.centered {
		a = o.a[lo:hi]
	}
	addWeightDecay(g, p, o.wd)
	rho, w, eps, mu, l := T(o.rho), T(1-o.rho), T(o.eps), T(o.mu), o.lr
	for i := range p {
		gi := g[i]
		v[i] = rho*v[i] + w*gi*gi
		var d T
		if o.centered {
			a[i] = rho*a[i] + w*gi
			d = sqrt(v[i]-a[i]*a[i]) + eps
		} else {
			d = sqrt(v[i]) + eps
		}
		if o.mu > 0 {
			b[i] = mu*b[i] + gi/d
			p[i] -= l * b[i]
		} else {
			p[i] -= l * (gi / d)
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
type adadelta[T Float] struct {
	entry
	rho, eps, wd float64
	v            []T // mean squared gradient
	u            []T // mean squared update
	lr           T   // the rate of the current update (begin)
}

func newAdadelta[T Float](v param.Values, l Layout) *adadelta[T] {
	return &adadelta[T]{rho: v.Float("rho"), eps: v.Float("eps"), wd: v.Float("weight_decay"),
		v: make([]T, l.Size), u: make([]T, l.Size)}
}

// State is the mean squared gradient v and the mean squared update u.
func (o *adadelta[T]) State() []any { return []any{o.v, o.u} }

func (o *adadelta[T]) Step(params, grad []T, t int, lr float64) {
	o.begin(params, grad, t, lr)
	o.part(params, grad, 0, len(params))
}

func (o *adadelta[T]) size() int { return len(o.v) }

func (o *adadelta[T]) begin(params, grad []T, t int, lr float64) {
	checkStep(params, grad, len(o.v), t)
	o.lr = T(lr)
}

func (o *adadelta[T]) part(params, grad []T, lo, hi int) {
	p, g, v, u := params[lo:hi], grad[lo:hi], o.v[lo:hi], o.u[lo:hi]
	addWeightDecay(g, p, o.wd)
	rho, w, eps, l := T(o.rho), T(1-o.rho), T(o.eps), o.lr
	for i := range p {
		gi := g[i]
		v[i] = rho*v[i] + w*gi*gi
		delta := sqrt(u[i]+eps) / sqrt(v[i]+eps) * gi
		u[i] = rho*u[i] + w*delta*delta
		p[i] -= l * delta
	}
}
