package optim

import "github.com/optimbench/optimbench/internal/param"

// rprop is resilient backpropagation (Riedmiller & Braun 1993) in the variant without weight
// backtracking that Igel & Hüsken 2000 call iRprop−, as PyTorch has it (_single_tensor_rprop,
// the same in 1.13 and 2.x). Each coordinate keeps its own step size s and the gradient of
// the previous step p:
//
//	g ← g + λθ   (when weight_decay λ > 0: optimbench's L2 term, which PyTorch's Rprop lacks)
//	g·p > 0:  s ← clamp(s·η₊, step_min, step_max)
//	g·p < 0:  s ← clamp(s·η₋, step_min, step_max);  g ← 0   (no move, and p = 0 next step)
//	g·p = 0:  s ← clamp(s, step_min, step_max)
//	θ ← θ − sign(g)·(s·lr/lr₀)
//	p ← g
//
// (η₋ = eta_minus, η₊ = eta_plus.) s starts at lr₀ and p at zero, so the first step moves every
// coordinate by lr₀ (clamped) against the sign of its gradient. Only the sign of the gradient
// is used, so Rprop is a full-batch method. PyTorch's Rprop has no weight decay; here the L2
// term is added to the gradient as for every other optimizer (λ = 0, the default, is PyTorch's
// Rprop).
//
// The rate: PyTorch reads lr once, to fill s at the first step, and never again, so its
// schedulers do nothing to Rprop, and lr = 0 still moves by step_min. Here the step sizes evolve
// exactly as PyTorch's from s = lr₀ (the base rate, optimizer.lr, told by SetBaseLR; without it,
// the first Step's rate), and the schedule's factor lr/lr₀ scales each move: with a constant
// rate this is PyTorch's trajectory (the factor is exactly 1), a schedule shapes the moves as
// it does for every other optimizer, and lr = 0 moves nothing. PyTorch: torch.optim.Rprop
// (etas = (eta_minus, eta_plus), step_sizes = (step_min, step_max)).
type rprop[T Float] struct {
	entry
	etaMinus, etaPlus, stepMin, stepMax float64
	wd                                  float64
	lr0                                 float64 // the base rate: the start of s and the unit of lr
	started                             bool    // s has been filled with lr₀
	prev, s                             []T     // previous gradient (0 after a sign change), step sizes
}

func newRprop[T Float](v param.Values, l Layout) *rprop[T] {
	n := l.Size
	return &rprop[T]{etaMinus: v.Float("eta_minus"), etaPlus: v.Float("eta_plus"),
		stepMin: v.Float("step_min"), stepMax: v.Float("step_max"), wd: v.Float("weight_decay"),
		prev: make([]T, n), s: make([]T, n)}
}

// State is lr₀ (which the first Step sets when SetBaseLR has not), whether s has been filled
// with it, the previous gradients and the step sizes s.
func (o *rprop[T]) State() []any { return []any{&o.lr0, &o.started, o.prev, o.s} }

// SetBaseLR sets lr₀, the rate the step sizes start from and the unit of the schedule's factor.
func (o *rprop[T]) SetBaseLR(lr0 float64) { o.lr0 = lr0 }

func (o *rprop[T]) Step(params, grad []T, t int, lr float64) {
	checkStep(params, grad, len(o.s), t)
	addWeightDecay(grad, params, o.wd)
	if o.lr0 == 0 {
		o.lr0 = lr
	}
	if !o.started {
		for i := range o.s {
			o.s[i] = T(o.lr0)
		}
		o.started = true
	}
	scale := T(0)
	if lr != 0 {
		scale = T(lr / o.lr0)
	}
	lo, hi, etaPlus, etaMinus := T(o.stepMin), T(o.stepMax), T(o.etaPlus), T(o.etaMinus)
	prev, s, g := o.prev[:len(params)], o.s[:len(params)], grad[:len(params)]
	for i := range params {
		gi := g[i]
		switch p := gi * prev[i]; {
		case p > 0:
			s[i] = min(max(s[i]*etaPlus, lo), hi)
		case p < 0:
			s[i] = min(max(s[i]*etaMinus, lo), hi)
			gi = 0
		default:
			s[i] = min(max(s[i], lo), hi)
		}
		params[i] -= rpropSign(gi) * (s[i] * scale)
		prev[i] = gi
	}
}

// rpropSign returns −1, 0 or 1 as x is negative, zero or positive (torch.sign; NaN stays NaN).
func rpropSign[T Float](x T) T {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return x
}

// checkRprop refuses step sizes whose clamp is empty.
func checkRprop(v param.Values) error {
	if lo, hi := v.Float("step_min"), v.Float("step_max"); lo > hi {
		return &param.ValueError{Key: "step_max", Want: ">= step_min (" + param.Format(lo) + ")", Got: hi}
	}
	return nil
}
