package optim

import "github.com/optimbench/optimbench/internal/param"

// signum is Signum, sign of an averaged momentum, and with μ = 0 signSGD (Bernstein, Wang,
// Azizzadenesheli & Anandkumar 2018, "signSGD: Compressed Optimisation for Non-Convex
// Problems", Algorithms 3 and 1). The authors' experiments (jxbz/signSGD, commit
// cf57e9272f99d7ceb3c5f824d4790beb970e35e2) train with MXNet's Signum, which they contributed
// (apache/mxnet #9220, commit 5251b861693402a3e6394da990a5af183b6f7247, in MXNet 1.1.0);
// this follows its kernels (src/operator/optimizer_op-inl.h, SignumKernel and SignSGDKernel,
// with rescale_grad 1, no clipping, wd_lh 0):
//
//	μ > 0:   m ← μm + (1−μ)λ·θ + (1−μ)·g    (an average, not PyTorch's m ← μm + g)
//	         θ ← θ − lr·sign(m)
//	μ = 0:   θ ← (1 − lr·λ)θ − lr·sign(g)    (signSGD: the decay multiplies θ, outside the sign)
//
// sign(0) = 0. MXNet stores −m (its update is θ + lr·sign(−m)); negation is exact, so the
// rounding is the same. m starts at zero and is allocated even for μ = 0, so a schedule may
// drive μ (SetMomentum); a step with μ = 0 leaves m as it was. MXNet's defaults: lr 0.01,
// momentum 0.9.
type signum[T Float] struct {
	entry
	mu, wd float64
	m      []T // averaged momentum
}

func newSignum[T Float](v param.Values, l Layout) *signum[T] {
	return &signum[T]{mu: v.Float("momentum"), wd: v.Float("weight_decay"), m: make([]T, l.Size)}
}

// State is the averaged momentum m.
func (o *signum[T]) State() []any { return []any{o.m} }

// SetMomentum sets μ for the next steps, as PyTorch's schedulers set group["momentum"].
func (o *signum[T]) SetMomentum(m float64) { o.mu = m }

func (o *signum[T]) Step(params, grad []T, t int, lr float64) {
	checkStep(params, grad, len(o.m), t)
	g := grad[:len(params)]
	l := T(lr)
	if o.mu == 0 {
		decay := T(1 - lr*o.wd)
		for i := range params {
			params[i] = decay*params[i] - l*sign(g[i])
		}
		return
	}
	mu, w, wwd := T(o.mu), T(1-o.mu), T((1-o.mu)*o.wd)
	m := o.m[:len(params)]
	for i := range params {
		m[i] = mu*m[i] + wwd*params[i] + w*g[i]
		params[i] -= l * sign(m[i])
	}
}
