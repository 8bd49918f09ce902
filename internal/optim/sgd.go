package optim

import "github.com/optimbench/optimbench/internal/param"

// sgd is plain stochastic gradient descent (Robbins & Monro 1951):
//
//	g ← g + λθ   (when weight_decay λ > 0)
//	θ ← θ − lr·g
//
// With a full batch it is gradient descent. It has no state. PyTorch: torch.optim.SGD with
// momentum 0.
type sgd[T Float] struct {
	entry
	n  int
	wd float64
	lr T // the rate of the current update (begin)
}

func newSGD[T Float](v param.Values, l Layout) *sgd[T] {
	return &sgd[T]{n: l.Size, wd: v.Float("weight_decay")}
}

// State is empty: sgd keeps nothing between steps.
func (o *sgd[T]) State() []any { return nil }

func (o *sgd[T]) Step(params, grad []T, t int, lr float64) {
	o.begin(params, grad, t, lr)
	o.part(params, grad, 0, len(params))
}

func (o *sgd[T]) size() int { return o.n }

func (o *sgd[T]) begin(params, grad []T, t int, lr float64) {
	checkStep(params, grad, o.n, t)
	o.lr = T(lr)
}

func (o *sgd[T]) part(params, grad []T, lo, hi int) {
	sgdStep(params[lo:hi], grad[lo:hi], o.wd, o.lr)
}

// The flags of the assembly loops (vec_amd64.s).
const (
	vecDecay     = 1 // g ← g + λθ first
	vecNesterov  = 2 // heavyBall: θ ← θ − lr·(g + μb)
	vecDecoupled = 2 // adam: θ ← θ(1 − lr·λ) first
	vecLerpLow   = 4 // adam: lerp from m (|w₁| < ½)
)

// sgdStep is g ← g + λθ (when λ ≠ 0), then θ ← θ − lr·g: in the assembly loop where there is
// one (sgdVec), then in Go for the values it leaves.
func sgdStep[T Float](params, grad []T, wd float64, lr T) {
	g := grad[:len(params)]
	c, flags := [2]T{lr, T(wd)}, 0
	if wd != 0 {
		flags = vecDecay
	}
	k := sgdVec(params, g, &c, flags)
	addWeightDecay(g[k:], params[k:], wd)
	step(params[k:], g[k:], lr)
}

// step is θ ← θ − lr·g.
func step[T Float](params, grad []T, lr T) {
	grad = grad[:len(params)]
	for i := range params {
		params[i] -= lr * grad[i]
	}
}

// heavyBall is SGD with momentum in PyTorch's form, the "momentum" and "nesterov" optimizers:
//
//	g ← g + λθ            (when weight_decay λ > 0)
//	b ← g                 at the first step (PyTorch clones g into the buffer: no dampening)
//	b ← μb + (1−τ)g       afterwards (τ = dampening; with τ = 0 the weight is exactly 1)
//	θ ← θ − lr·b          momentum: Polyak's heavy ball (Polyak 1964)
//	θ ← θ − lr·(g + μb)   nesterov: Nesterov's accelerated gradient in the form of
//	                      Sutskever, Martens, Dahl & Hinton 2013 (Nesterov 1983); PyTorch
//	                      refuses nesterov with τ ≠ 0, and so does the entry's Check
//
// The first step is computed as μ·0 + g, which is g. A step with μ = 0 (a schedule may drive μ
// through SetMomentum) is θ ← θ − lr·g and leaves b as it was, as PyTorch skips its momentum
// branch when group["momentum"] is 0. The learning rate multiplies the buffer, not the
// gradient inside it, so a change of lr takes effect at once; with a constant lr and τ = 0 this
// is the same trajectory as m ← μm + lr·g, θ ← θ − m. PyTorch: torch.optim.SGD(momentum=μ,
// dampening=τ, nesterov=...), identical in 1.13 and 2.x.
type heavyBall[T Float] struct {
	entry
	mu, wd   float64
	w        float64 // 1 − τ, the weight of g in the buffer after the first step
	nesterov bool
	started  bool // the buffer holds a gradient (PyTorch's buffer is not None)
	b        []T  // momentum buffer
	c        [4]T // the scalars of the current update, as heavyBallVec reads them: lr, λ, μ, w (begin)
	flags    int  // its flags for heavyBallVec, or plainStep
}

// plainStep is heavyBall's flags for a step with μ = 0: an sgd step.
const plainStep = -1

func newMomentum[T Float](v param.Values, l Layout) *heavyBall[T] {
	return newHeavyBall[T](v, l.Size, false)
}

func newNesterov[T Float](v param.Values, l Layout) *heavyBall[T] {
	return newHeavyBall[T](v, l.Size, true)
}

func newHeavyBall[T Float](v param.Values, n int, nesterov bool) *heavyBall[T] {
	return &heavyBall[T]{mu: v.Float("momentum"), wd: v.Float("weight_decay"), w: 1 - v.Float("dampening"),
		nesterov: nesterov, b: make([]T, n)}
}

// State is whether the buffer has started, then the buffer b.
func (o *heavyBall[T]) State() []any { return []any{&o.started, o.b} }

// SetMomentum sets μ for the next steps, as PyTorch's schedulers set group["momentum"].
func (o *heavyBall[T]) SetMomentum(m float64) { o.mu = m }

func (o *heavyBall[T]) Step(params, grad []T, t int, lr float64) {
	o.begin(params, grad, t, lr)
	o.part(params, grad, 0, len(params))
}

func (o *heavyBall[T]) size() int { return len(o.b) }

func (o *heavyBall[T]) begin(params, grad []T, t int, lr float64) {
	checkStep(params, grad, len(o.b), t)
	l := T(lr)
	if o.mu == 0 {
		o.c, o.flags = [4]T{l}, plainStep
		return
	}
	mu, w := T(o.mu), T(o.w)
	if !o.started {
		w, o.started = 1, true
	}
	o.c, o.flags = [4]T{l, T(o.wd), mu, w}, 0
	if o.wd != 0 {
		o.flags |= vecDecay
	}
	if o.nesterov {
		o.flags |= vecNesterov
	}
}

func (o *heavyBall[T]) part(params, grad []T, lo, hi int) {
	p, g := params[lo:hi], grad[lo:hi]
	if o.flags == plainStep {
		sgdStep(p, g, o.wd, o.c[0])
		return
	}
	b := o.b[lo:hi]
	k := heavyBallVec(p, g, b, &o.c, o.flags)
	addWeightDecay(g[k:], p[k:], o.wd)
	heavyBallLoop(p[k:], g[k:], b[k:], o.c[0], o.c[2], o.c[3], o.nesterov)
}

// heavyBallLoop is the update of heavyBall.Step after the weight decay, in Go.
func heavyBallLoop[T Float](params, g, b []T, l, mu, w T, nesterov bool) {
	b, g = b[:len(params)], g[:len(params)]
	if nesterov {
		for i := range params {
			b[i] = mu*b[i] + w*g[i]
			params[i] -= l * (g[i] + mu*b[i])
		}
		return
	}
	for i := range params {
		b[i] = mu*b[i] + w*g[i]
		params[i] -= l * b[i]
	}
}
