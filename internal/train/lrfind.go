package train

import (
	"context"
	"fmt"
	"github.com/optimbench/optimbench/internal/optim"
	"math"

	"github.com/optimbench/optimbench/internal/report"
	"github.com/optimbench/optimbench/internal/version"
)

// LRFindOptions are the range of the learning-rate range test.
type LRFindOptions struct {
	Min, Max float64 // first and last learning rate of the ramp
	Steps    int     // number of minibatch updates (points of the ramp)
}

// Smoothing and stopping constants of the range test (as fastai's LRFinder).
const (
	lrFindBeta    = 0.98 // exponential smoothing of the loss, with bias correction
	lrFindDiverge = 4.0  // stop once the smoothed loss exceeds this × the best so far
)

// Validate checks the options; a bad value is a *report.OptionError naming the field (Min,
// Max or Steps), bad input (exit status 2).
func (o LRFindOptions) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &report.OptionError{Scope: "lrfind", Option: field, Msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case !(o.Min > 0) || math.IsInf(o.Min, 0):
		return bad("Min", "must be a finite number > 0, got %v", o.Min)
	case !(o.Max > o.Min) || math.IsInf(o.Max, 0):
		return bad("Max", "must be finite and greater than the first rate %v, got %v", o.Min, o.Max)
	case o.Steps < 5:
		return bad("Steps", "must be >= 5, got %d", o.Steps)
	case o.Steps > MaxLRFindSteps:
		return bad("Steps", "must be at most %d (a range test needs a few hundred), got %d", MaxLRFindSteps, o.Steps)
	}
	return nil
}

// MaxLRFindSteps bounds a range test's updates: its points are kept in memory (and written to
// lrfind.csv), 24 bytes each.
const MaxLRFindSteps = 1_000_000

// LRFindResult is the outcome of a range test.
type LRFindResult struct {
	Points  []report.LRFindPoint
	Summary report.LRFindSummary
}

// LRFind runs Smith's learning-rate range test (Smith 2017, "Cyclical
// learning rates", §3.3; as fastai's lr_find): starting from the
// configuration's initial parameters, it makes o.Steps updates with the
// configured optimizer while the learning rate grows exponentially from
// o.Min to o.Max, lr_i = Min·(Max/Min)^(i/(Steps−1)). The minibatches are
// those of the first epoch (batch size train.batch_size, the run's shuffle
// stream), cycling through further epochs if Steps exceeds the batches of one
// pass. The configuration's schedules are not used: the ramp replaces them.
// It is the training loop with the ramp as its rate and no evaluations.
//
// Each update records the minibatch loss before it and its exponential
// moving average with β = 0.98 and bias correction, avg/(1−β^(i+1)). The test
// stops when the loss is not finite or the smoothed loss exceeds 4 × its
// best value. For a test-function problem each update is a gradient step on
// the function and the loss is its value.
//
// The result depends only on the configuration and o: the same seed gives
// the same points. Nothing is written; see report.WriteLRFind.
func (r *Run) LRFind(ctx context.Context, o LRFindOptions) (*LRFindResult, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if r.obj32 != nil {
		return lrFind(ctx, r, r.obj32, o)
	}
	return lrFind(ctx, r, r.obj, o)
}

// lrFind is LRFind on the run's objective base, in its precision.
func lrFind[T optim.Float](ctx context.Context, r *Run, base ObjectiveOf[T], o LRFindOptions) (*LRFindResult, error) {
	c := r.Config
	obj := clippedOf(c, base)
	layout := obj.Layout()
	opt, stop, err := newOptimizer[T](c, layout, r.threads)
	if err != nil {
		return nil, err
	}
	defer stop()
	size, _ := r.Plan.Batch(0)
	res := &LRFindResult{Summary: report.LRFindSummary{
		Name: c.Name, Seed: c.Seed, Optimizer: c.Optimizer.Name, BatchSize: size,
		Min: o.Min, Max: o.Max, Steps: o.Steps, Version: version.String(),
	}}
	ratio := math.Log(o.Max) - math.Log(o.Min) // o.Max/o.Min may overflow
	ramp := func(_, i int) float64 {
		if i == o.Steps-1 {
			return o.Max
		}
		return o.Min * math.Exp(ratio*float64(i)/float64(o.Steps-1))
	}
	params := make([]T, layout.Size)
	grad := make([]T, layout.Size)
	obj.Init(params)
	h := &lrFindHooks[T]{res: res, best: math.Inf(1)}
	l := &LoopOf[T]{Objective: obj, Optimizer: opt, Epochs: math.MaxInt, LR: ramp, MaxSteps: o.Steps, Hooks: h,
		Batch: func(int) (int, float64) { return size, 1 }}
	if _, err := l.Run(ctx, params, grad); err != nil {
		return nil, fmt.Errorf("lrfind: %w", err)
	}
	if len(res.Points) == 0 {
		return nil, fmt.Errorf("lrfind: the loss is not finite at the initial parameters (%s)", res.Summary.Stopped)
	}
	res.Summary.Points = len(res.Points)
	res.Summary.Suggested, res.Summary.Method, res.Summary.MinLossLR = suggestLR(res.Points)
	return res, nil
}

// lrFindHooks record the points of the ramp and end it when the loss is not finite or the
// smoothed loss exceeds lrFindDiverge × its best.
type lrFindHooks[T optim.Float] struct {
	res       *LRFindResult
	avg, best float64
}

func (h *lrFindHooks[T]) Update(u Update) bool {
	if math.IsNaN(u.Loss) || math.IsInf(u.Loss, 0) {
		h.res.Summary.Stopped = fmt.Sprintf("loss became %v at lr %.3g", u.Loss, u.LR)
		return false
	}
	i := u.Step
	h.avg = lrFindBeta*h.avg + (1-lrFindBeta)*u.Loss
	smoothed := h.avg / (1 - math.Pow(lrFindBeta, float64(i+1)))
	h.res.Points = append(h.res.Points, report.LRFindPoint{LR: u.LR, Loss: u.Loss, Smoothed: smoothed})
	if i > 0 && h.best > 0 && smoothed > lrFindDiverge*h.best {
		h.res.Summary.Stopped = fmt.Sprintf("smoothed loss %.4g exceeded %g × the best %.4g at lr %.3g", smoothed, lrFindDiverge, h.best, u.LR)
		return false
	}
	h.best = min(h.best, smoothed)
	return true
}

func (h *lrFindHooks[T]) EpochEnd(ProgressOf[T]) (bool, error) { return true, nil }

// suggestLR picks a learning rate from the smoothed curve: where the
// smoothed loss falls fastest against log lr, the slope taken across half a
// decade (±0.25) to rise above minibatch noise, searched between the first
// tenth of the points (where the average still rests on few minibatches)
// and the minimum. When the loss falls by less than 10% before its minimum
// (there is no clear descent), or fewer than three points lie before it,
// the suggestion is a tenth of the lr at the minimum.
func suggestLR(pts []report.LRFindPoint) (lr float64, method string, minLossLR float64) {
	imin := 0
	for i, p := range pts {
		if p.Smoothed < pts[imin].Smoothed {
			imin = i
		}
	}
	minLossLR = pts[imin].LR
	fallback := func() (float64, string, float64) { return minLossLR / 10, "minimum/10", minLossLR }
	lo := max(1, len(pts)/10)
	hi := min(imin, len(pts)-2)
	if hi-lo+1 < 3 {
		return fallback()
	}
	top := math.Inf(-1)
	for _, p := range pts[lo : imin+1] {
		top = max(top, p.Smoothed)
	}
	if top-pts[imin].Smoothed < 0.1*math.Abs(top) {
		return fallback()
	}
	const half = 0.25 * math.Ln10 // half a window, in log lr
	best, steep := math.Inf(1), -1
	j0, j1 := 0, 0
	for i := lo; i <= hi; i++ {
		l := math.Log(pts[i].LR)
		for j0 < i && math.Log(pts[j0].LR) < l-half {
			j0++
		}
		j1 = max(j1, i)
		for j1+1 < len(pts) && math.Log(pts[j1+1].LR) <= l+half {
			j1++
		}
		a, b := min(j0, i-1), max(j1, i+1)
		slope := (pts[b].Smoothed - pts[a].Smoothed) / (math.Log(pts[b].LR) - math.Log(pts[a].LR))
		if slope < best {
			best, steep = slope, i
		}
	}
	if steep < 0 || best >= 0 {
		return fallback()
	}
	return pts[steep].LR, "steepest", minLossLR
}
