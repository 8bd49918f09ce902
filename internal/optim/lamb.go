package optim

import (
	"math"

	"github.com/optimbench/optimbench/internal/param"
)

// lamb is LAMB, layer-wise adaptive moments (You et al. 2020, "Large Batch Optimization for
// Deep Learning: Training BERT in 76 minutes", ICLR, Algorithm 2 with φ the identity): the Adam
// direction plus decoupled weight decay, scaled per tensor of the Layout by a trust ratio. It
// follows tensorflow/addons (tensorflow_addons/optimizers/lamb.py, class LAMB, commit
// d208d752e98c310280938efa939117bf635a60a8), per tensor W:
//
//	m ← m·β₁ + g·(1−β₁)
//	v ← v·β₂ + g²·(1−β₂)
//	u = (m/(1−β₁ᵗ))/(√(v/(1−β₂ᵗ)) + ε) + λW     (ε outside the root of the bias-corrected v)
//	r = ‖W‖/‖u‖                                  if ‖W‖ > 0 and ‖u‖ > 0, else r = 1
//	W ← W − (r·lr)·u
//
// A tensor at zero gets r = 1: an AdamW step. TFA's default (exclude_from_weight_decay None)
// decays and adapts every tensor; exclude_bias is TFA's exclusion list matching the 1-D tensors
// (biases; a test function's point): for them u has no λW and r = 1, an Adam step, as BERT's
// LAMB excludes "bias". m and v start at zero. β₁ is read at every step (SetMomentum).
// Defaults as TFA: lr 1e-3, β 0.9/0.999, ε 1e-6.
type lamb[T Float] struct {
	entry
	beta1, beta2, eps, wd float64
	exclude               bool
	spans                 []span
	m, v                  []T // first and second moments
}

func newLAMB[T Float](v param.Values, l Layout) *lamb[T] {
	return &lamb[T]{beta1: v.Float("beta1"), beta2: v.Float("beta2"), eps: v.Float("eps"), wd: v.Float("weight_decay"),
		exclude: v.Bool("exclude_bias"), spans: spansOf(l), m: make([]T, l.Size), v: make([]T, l.Size)}
}

// State is the moments m and v (the trust ratios are recomputed at every step).
func (o *lamb[T]) State() []any { return []any{o.m, o.v} }

// SetMomentum sets β₁ for the next steps, as PyTorch's schedulers set group["betas"][0].
func (o *lamb[T]) SetMomentum(m float64) { o.beta1 = m }

func (o *lamb[T]) Step(params, grad []T, t int, lr float64) {
	checkStep(params, grad, len(o.m), t)
	bc1, bc2 := T(biasCorrection(o.beta1, t)), T(biasCorrection(o.beta2, t))
	b1, w1, b2, w2, eps, wd := T(o.beta1), T(1-o.beta1), T(o.beta2), T(1-o.beta2), T(o.eps), T(o.wd)
	for _, s := range o.spans {
		p, g, m, v := params[s.lo:s.hi], grad[s.lo:s.hi], o.m[s.lo:s.hi], o.v[s.lo:s.hi]
		adapt := !o.exclude || s.matrix
		for i := range g { // g becomes the update u
			m[i] = m[i]*b1 + g[i]*w1
			v[i] = v[i]*b2 + g[i]*g[i]*w2
			g[i] = m[i] / bc1 / (sqrt(v[i]/bc2) + eps)
			if adapt {
				g[i] += wd * p[i]
			}
		}
		r := 1.0
		if adapt {
			if pn, un := math.Sqrt(float64(sumSquares(p))), math.Sqrt(float64(sumSquares(g))); pn > 0 && un > 0 {
				r = pn / un
			}
		}
		c := T(r * lr)
		for i := range p {
			p[i] -= c * g[i]
		}
	}
}
