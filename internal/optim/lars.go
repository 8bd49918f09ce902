package optim

import (
	"math"

	"github.com/optimbench/optimbench/internal/param"
)

// lars is LARS, layer-wise adaptive rate scaling (You, Gitman & Ginsburg 2017, "Large Batch
// Training of Convolutional Networks", Algorithm 1): momentum SGD whose gradient is scaled, per
// tensor of the Layout, by a trust ratio. It follows kakaobrain/torchlars (commit
// 3b3d7e9c7bd35a31b2c2fa6f213beb0bf6881892: torchlars/lars.py, LARS wrapping torch.optim.SGD
// with momentum μ, dampening 0, and torchlars/adaptive_lr.cc), per tensor W with the norms of
// W and of its raw gradient G:
//
//	r = ‖W‖/(‖G‖ + λ‖W‖ + ε)·η        if ‖W‖ > 0 and ‖G‖ > 0, else r = 1 (η = trust_coefficient)
//	G ← (G + λW)·r                    (torchlars applies the weight decay, not SGD)
//	b ← μb + G ; W ← W − lr·b         (torch.optim.SGD; b starts at zero, so b₁ = G₁)
//
// A tensor at zero (biases, a zero initialization) gets r = 1: a plain SGD step of rate lr.
// torchlars treats every tensor alike. exclude_bias leaves the 1-D tensors (biases; a test
// function's point, which is one 1-D tensor) with neither weight decay nor trust ratio,
// G ← G, as facebookresearch/barlowtwins main.py's LARS (commit 8e8d284ca0bc) with
// weight_decay_filter and lars_adaptation_filter, exclude_bias_and_norm = p.ndim == 1;
// SimCLR, BYOL and Barlow Twins train so. Defaults: η 0.001 (the paper's), ε 1e-8, μ 0.9,
// lr 0.1 (torchlars' example SGD). μ is read at every step (SetMomentum).
type lars[T Float] struct {
	entry
	mu, wd, eta, eps float64
	exclude          bool
	spans            []span
	b                []T // momentum buffer
}

func newLARS[T Float](v param.Values, l Layout) *lars[T] {
	return &lars[T]{mu: v.Float("momentum"), wd: v.Float("weight_decay"), eta: v.Float("trust_coefficient"),
		eps: v.Float("eps"), exclude: v.Bool("exclude_bias"), spans: spansOf(l), b: make([]T, l.Size)}
}

// State is the momentum buffer b (the trust ratios are recomputed at every step).
func (o *lars[T]) State() []any { return []any{o.b} }

// SetMomentum sets μ for the next steps, as PyTorch's schedulers set group["momentum"].
func (o *lars[T]) SetMomentum(m float64) { o.mu = m }

func (o *lars[T]) Step(params, grad []T, t int, lr float64) {
	checkStep(params, grad, len(o.b), t)
	wd, mu, nlr := T(o.wd), T(o.mu), T(-lr)
	for _, s := range o.spans {
		p, g, b := params[s.lo:s.hi], grad[s.lo:s.hi], o.b[s.lo:s.hi]
		if !o.exclude || s.matrix {
			r := 1.0
			pn, gn := math.Sqrt(float64(sumSquares(p))), math.Sqrt(float64(sumSquares(g)))
			if pn > 0 && gn > 0 {
				r = pn / (gn + o.wd*pn + o.eps) * o.eta
			}
			rT := T(r)
			for i := range g {
				g[i] = (g[i] + wd*p[i]) * rT
			}
		}
		for i := range p {
			b[i] = mu*b[i] + g[i]
			p[i] += nlr * b[i]
		}
	}
}
