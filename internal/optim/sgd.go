package optim

import "github.com/optimbench/optimbench/internal/param"

// sgd is plain stochastic gradient descent (Robbins & Monro 1951):
//
//	g ← g + λθ   (when weight_decay λ > 0)
//	θ ← θ − lr·g
//
// With a full batch it is gradient descent. It has no state. PyTorch: torch.optim.SGD with
// momentum 0.
type sgd struct {
	n  int
	wd float64
}

func newSGD(v param.Values, n int) *sgd {
	return &sgd{n: n, wd: v.Float("weight_decay")}
}

func (o *sgd) Step(params, grad []float64, t int, lr float64) {
	checkStep(params, grad, o.n, t)
	addWeightDecay(grad, params, o.wd)
	grad = grad[:len(params)]
	for i := range params {
		params[i] -= lr * grad[i]
	}
}

// heavyBall is SGD with momentum in PyTorch's form (dampening 0), the "momentum" and
// "nesterov" optimizers:
//
//	g ← g + λθ            (when weight_decay λ > 0)
//	b ← μb + g            (b starts at zero, so b₁ = g₁ as in PyTorch)
//	θ ← θ − lr·b          momentum: Polyak's heavy ball (Polyak 1964)
//	θ ← θ − lr·(g + μb)   nesterov: Nesterov's accelerated gradient in the form of
//	                      Sutskever, Martens, Dahl & Hinton 2013 (Nesterov 1983)
//
// The learning rate multiplies the buffer, not the gradient inside it, so a change of lr takes
// effect at once; with a constant lr this is the same trajectory as m ← μm + lr·g, θ ← θ − m.
// PyTorch: torch.optim.SGD(momentum=μ, nesterov=...).
type heavyBall struct {
	mu, wd   float64
	nesterov bool
	b        []float64 // momentum buffer
}

func newHeavyBall(v param.Values, n int, nesterov bool) *heavyBall {
	return &heavyBall{mu: v.Float("momentum"), wd: v.Float("weight_decay"), nesterov: nesterov, b: make([]float64, n)}
}

func (o *heavyBall) Step(params, grad []float64, t int, lr float64) {
	checkStep(params, grad, len(o.b), t)
	addWeightDecay(grad, params, o.wd)
	b, g := o.b[:len(params)], grad[:len(params)]
	if o.nesterov {
		for i := range params {
			b[i] = o.mu*b[i] + g[i]
			params[i] -= lr * (g[i] + o.mu*b[i])
		}
		return
	}
	for i := range params {
		b[i] = o.mu*b[i] + g[i]
		params[i] -= lr * b[i]
	}
}
