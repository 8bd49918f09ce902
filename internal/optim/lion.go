package optim

import "github.com/optimbench/optimbench/internal/param"

// lion is Lion, EvoLved Sign Momentum (Chen et al. 2023, "Symbolic Discovery of Optimization
// Algorithms", Algorithm 2), in the order of operations of the authors' PyTorch code:
//
//	θ ← θ(1 − lr·λ)                 (decoupled weight decay, first; g stays raw)
//	c = m·β₁ + g·(1−β₁)
//	θ ← θ − lr·sign(c)              (sign(0) = 0, as torch.sign)
//	m ← m·β₂ + (1−β₂)·g
//
// Every coordinate moves by exactly lr (or 0) per step, so Lion's lr is 3–10 times smaller than
// AdamW's. There is no ε and no second moment. m starts at zero. β₁ is read at every step
// (SetMomentum). Reference: google/automl, lion/lion_pytorch.py (class Lion), commit
// 6a54c8741e7c3265d4547c4f35f47a0391122dc5 (the file as of b21d6ced9bc9); defaults lr 1e-4,
// betas (0.9, 0.99), weight_decay 0.
type lion[T Float] struct {
	entry
	beta1, beta2, wd float64
	m                []T // momentum
}

func newLion[T Float](v param.Values, l Layout) *lion[T] {
	return &lion[T]{beta1: v.Float("beta1"), beta2: v.Float("beta2"), wd: v.Float("weight_decay"), m: make([]T, l.Size)}
}

// State is the momentum m.
func (o *lion[T]) State() []any { return []any{o.m} }

// SetMomentum sets β₁ for the next steps, as PyTorch's schedulers set group["betas"][0].
func (o *lion[T]) SetMomentum(m float64) { o.beta1 = m }

func (o *lion[T]) Step(params, grad []T, t int, lr float64) {
	checkStep(params, grad, len(o.m), t)
	decayWeights(params, lr, o.wd)
	b1, w1, b2, w2, nlr := T(o.beta1), T(1-o.beta1), T(o.beta2), T(1-o.beta2), T(-lr)
	m, g := o.m[:len(params)], grad[:len(params)]
	for i := range params {
		c := m[i]*b1 + g[i]*w1
		params[i] += nlr * sign(c)
		m[i] = m[i]*b2 + w2*g[i]
	}
}
