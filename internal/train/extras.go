package train

import (
	"math"

	"github.com/optimbench/optimbench/internal/optim"
)

// clipped is an objective whose gradients are clipped before the update: to the global L2
// norm maxNorm when above it, as torch.nn.utils.clip_grad_norm_ does (the norm of the
// tensors' norms; the factor maxNorm/(norm + 1e-6), applied when below 1), then each
// component to [−maxValue, maxValue] (clip_grad_value_). 0 turns either off. The clipping
// applies to every evaluation of the minibatch, closures included.
//
// In float32 each tensor's sum of squares, its norm, the total and the factor are float32, as
// PyTorch computes them on float32 gradients, and so is the clipping value.
type clipped[T optim.Float] struct {
	ObjectiveOf[T]
	layout            optim.Layout
	maxNorm, maxValue float64
}

func (c *clipped[T]) LossGrad(params, grad []T) float64 {
	loss := c.ObjectiveOf.LossGrad(params, grad)
	if c.maxNorm > 0 {
		var total T
		for _, t := range c.layout.Tensors {
			var sq T
			for _, g := range grad[t.Offset : t.Offset+t.Rows*t.Cols] {
				sq += g * g
			}
			n := T(math.Sqrt(float64(sq)))
			total += n * n
		}
		if coef := T(c.maxNorm) / (T(math.Sqrt(float64(total))) + 1e-6); coef < 1 {
			for i := range grad {
				grad[i] *= coef
			}
		}
	}
	if v := T(c.maxValue); v > 0 {
		for i, g := range grad {
			grad[i] = min(max(g, -v), v)
		}
	}
	return loss
}

// averager keeps the weights averaged beside the iterate (train.average), as
// torch.optim.swa_utils.AveragedModel does: it starts as a copy of the initial weights, its
// first update copies the weights, and each later one moves it toward them — by 1 − decay
// (ema, after every update) or to the running mean (swa, at the end of each epoch from start
// on). Evaluating it fills the avg_* columns.
//
// In float32 the average is float32 and each update rounds to it, its weights (1 − decay,
// 1/(n+1)) rounded once to float32, as PyTorch's float32 buffers do.
type averager[T optim.Float] struct {
	ema   bool
	decay float64
	start int // swa: the first epoch averaged
	avg   []T
	n     int // updates of the average
}

// update folds params into the average.
func (a *averager[T]) update(params []T) {
	switch {
	case a.n == 0:
		copy(a.avg, params)
	case a.ema: // PyTorch ≥ 2.0's get_ema_multi_avg_fn: lerp(avg, θ, 1 − decay)
		w := T(1 - a.decay)
		for i, p := range params {
			if w < 0.5 { // as ATen's lerp
				a.avg[i] += w * (p - a.avg[i])
			} else {
				a.avg[i] = p - (p-a.avg[i])*(1-w)
			}
		}
	default:
		k := T(a.n + 1)
		for i, p := range params {
			a.avg[i] += (p - a.avg[i]) / k
		}
	}
	a.n++
}

// has reports whether the average holds a value to evaluate: an ema from the start, an swa
// once its first epoch is averaged.
func (a *averager[T]) has() bool { return a.ema || a.n > 0 }
