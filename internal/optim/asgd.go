package optim

import (
	"math"

	"github.com/optimbench/optimbench/internal/param"
)

// asgd is averaged stochastic gradient descent (Polyak & Juditsky 1992) with the decaying rate
// and the shrinking term of Bottou's SGD code (Xu 2011; Bottou 2012, "Stochastic Gradient Descent
// Tricks"), in PyTorch's form (_single_tensor_asgd):
//
//	g ← g + λ_wd·θ                      (when weight_decay λ_wd > 0)
//	θ ← θ(1 − λη_t)                     (λ = lambd)
//	θ ← θ − η_t·g
//	a ← θ when μ_t = 1, else a ← a + (θ − a)·μ_t
//	η_{t+1} = lr_t/(1 + λ·lr_t·t)^α,  μ_{t+1} = 1/max(1, t − t0)
//
// η₁ = lr₁ and μ₁ = 1; a (PyTorch's ax) starts at zero. As in PyTorch, the rate of update t
// is formed at the end of update t−1 from that update's lr, so a schedule reaches ASGD one
// update late (with a constant rate the two readings agree). a is the Polyak average: the iterate
// itself until update t0 + 2, then the mean of the iterates from that update on (t0 an integer);
// it is kept as PyTorch keeps it, as state beside the iterate, and the run's metrics are taken
// at the iterate θ. PyTorch: torch.optim.ASGD.
// PyTorch 2.x's single-tensor update is the same arithmetic as 1.13's (2.x forms η with ** in
// place of math.pow, and adds the capturable and foreach paths; its foreach path folds the
// shrinking into the step, θ − η(g + λθ), and some 2.x releases computed η there as
// lr/(1 + λ·lr·t^α)); this follows the single-tensor path.
type asgd[T Float] struct {
	entry
	lambd, alpha, t0, wd float64
	eta, mu              float64 // η and μ of the next update: values of T (PyTorch's 0-d tensors)
	started              bool    // η has been set from the first rate
	ax                   []T     // the average
}

func newASGD[T Float](v param.Values, l Layout) *asgd[T] {
	return &asgd[T]{lambd: v.Float("lambd"), alpha: v.Float("alpha"), t0: v.Float("t0"), wd: v.Float("weight_decay"),
		mu: 1, ax: make([]T, l.Size)}
}

// State is η and μ of the next update, whether η has been set from the first rate, and the
// average a (PyTorch's eta, mu and ax; its step count is the t of Step).
func (o *asgd[T]) State() []any { return []any{&o.eta, &o.mu, &o.started, o.ax} }

func (o *asgd[T]) Step(params, grad []T, t int, lr float64) {
	checkStep(params, grad, len(o.ax), t)
	if !o.started {
		o.eta, o.started = float64(T(lr)), true // torch.tensor(lr), of the default dtype
	}
	addWeightDecay(grad, params, o.wd)
	decay, eta, mu := T(1-o.lambd*o.eta), T(o.eta), T(o.mu)
	ax, g := o.ax[:len(params)], grad[:len(params)]
	for i := range params {
		params[i] *= decay
		params[i] -= eta * g[i]
	}
	if o.mu != 1 {
		for i, p := range params {
			ax[i] += (p - ax[i]) * mu
		}
	} else {
		copy(ax, params)
	}
	tf := float64(t)
	o.eta = float64(T(lr / math.Pow(1+o.lambd*lr*tf, o.alpha))) // 0-d tensors of T in PyTorch
	o.mu = float64(T(1 / math.Max(1, tf-o.t0)))
}
