package experiment

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/optimbench/optimbench/internal/data"
	"github.com/optimbench/optimbench/internal/optim"
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

// Validate checks the options (bad values are bad input, exit status 2).
func (o LRFindOptions) Validate() error {
	switch {
	case !(o.Min > 0) || math.IsInf(o.Min, 0):
		return BadInput(fmt.Errorf("lrfind: --min must be a finite number > 0, got %v", o.Min))
	case !(o.Max > o.Min) || math.IsInf(o.Max, 0):
		return BadInput(fmt.Errorf("lrfind: --max must be finite and greater than --min %v, got %v", o.Min, o.Max))
	case o.Steps < 5:
		return BadInput(fmt.Errorf("lrfind: --steps must be >= 5, got %d", o.Steps))
	}
	return nil
}

// LRFindPoint is one update of the range test: the learning rate it used,
// the minibatch loss just before it, and the smoothed loss.
type LRFindPoint struct {
	LR, Loss, Smoothed float64
}

// LRFindSummary is lrfind.json, the result of a range test beside lrfind.csv.
type LRFindSummary struct {
	Name      string  `json:"name"`
	Seed      uint64  `json:"seed"`
	Optimizer string  `json:"optimizer"`
	BatchSize int     `json:"batch_size"` // -1 for a test function
	Min       float64 `json:"min_lr"`
	Max       float64 `json:"max_lr"`
	Steps     int     `json:"steps"`  // updates requested
	Points    int     `json:"points"` // rows of lrfind.csv
	// Stopped is why the ramp ended early ("" when it ran to --max).
	Stopped string `json:"stopped"`
	// Suggested is the suggested learning rate; Method says how it was
	// chosen: "steepest" (where the smoothed loss falls fastest against
	// log lr, before its minimum) or "minimum/10" (a tenth of the lr at the
	// smoothed minimum, when the loss falls by less than 10% before it).
	Suggested float64 `json:"suggested_lr"`
	Method    string  `json:"method"`
	// MinLossLR is the learning rate at the minimum of the smoothed loss.
	MinLossLR float64 `json:"min_loss_lr"`
	Version   string  `json:"optimbench_version"`
}

// LRFindResult is the outcome of a range test.
type LRFindResult struct {
	Points  []LRFindPoint
	Summary LRFindSummary
}

// LRFind runs Smith's learning-rate range test (Smith 2017, "Cyclical
// learning rates", §3.3; as fastai's lr_find): starting from the
// configuration's initial parameters, it makes o.Steps updates with the
// configured optimizer while the learning rate grows exponentially from
// o.Min to o.Max, lr_i = Min·(Max/Min)^(i/(Steps−1)). The minibatches are
// those of the first epoch (batch size train.batch_size, the run's shuffle
// stream), cycling through further epochs if Steps exceeds the batches of one
// pass. The configuration's schedules are not used: the ramp replaces them.
//
// Each update records the minibatch loss before it and its exponential
// moving average with β = 0.98 and bias correction, avg/(1−β^(i+1)). The test
// stops when the loss is not finite or the smoothed loss exceeds 4 × its
// best value. For a test-function problem each update is a gradient step on
// the function and the loss is its value.
//
// The result depends only on the configuration and o: the same seed gives
// the same points. Nothing is written; see WriteLRFind.
func (r *Run) LRFind(ctx context.Context, o LRFindOptions) (*LRFindResult, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	c := r.Config
	opt, err := optim.New(c.Optimizer.Name, c.Optimizer.Hyper, r.nparams)
	if err != nil {
		return nil, err
	}
	res := &LRFindResult{Summary: LRFindSummary{
		Name: c.Name, Seed: c.Seed, Optimizer: c.Optimizer.Name, BatchSize: -1,
		Min: o.Min, Max: o.Max, Steps: o.Steps, Version: version.String(),
	}}
	var params []float64
	var next func(params, grad []float64) float64
	if r.fn != nil {
		params, next = r.lrFindProblem()
	} else {
		params, next, res.Summary.BatchSize = r.lrFindData()
	}
	grad := make([]float64, len(params))
	ratio := math.Log(o.Max) - math.Log(o.Min) // o.Max/o.Min may overflow
	var avg float64
	best := math.Inf(1)
	for i := 0; i < o.Steps; i++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("lrfind: interrupted at step %d: %w", i, err)
		}
		lr := o.Min * math.Exp(ratio*float64(i)/float64(o.Steps-1))
		if i == o.Steps-1 {
			lr = o.Max
		}
		loss := next(params, grad)
		if !finite(loss) {
			res.Summary.Stopped = fmt.Sprintf("loss became %v at lr %.3g", loss, lr)
			break
		}
		avg = lrFindBeta*avg + (1-lrFindBeta)*loss
		smoothed := avg / (1 - math.Pow(lrFindBeta, float64(i+1)))
		res.Points = append(res.Points, LRFindPoint{LR: lr, Loss: loss, Smoothed: smoothed})
		if i > 0 && best > 0 && smoothed > lrFindDiverge*best {
			res.Summary.Stopped = fmt.Sprintf("smoothed loss %.4g exceeded %g × the best %.4g at lr %.3g", smoothed, lrFindDiverge, best, lr)
			break
		}
		best = min(best, smoothed)
		opt.Step(params, grad, i+1, lr)
	}
	if len(res.Points) == 0 {
		return nil, fmt.Errorf("lrfind: the loss is not finite at the initial parameters (%s)", res.Summary.Stopped)
	}
	res.Summary.Points = len(res.Points)
	res.Summary.Suggested, res.Summary.Method, res.Summary.MinLossLR = suggestLR(res.Points)
	return res, nil
}

// lrFindProblem returns the start point of a test function and a step that
// writes the (noisy) gradient and returns the value.
func (r *Run) lrFindProblem() ([]float64, func(x, grad []float64) float64) {
	p := r.Config.Problem
	noise := r.rng(streamNoise)
	return append([]float64(nil), p.Start...), func(x, grad []float64) float64 {
		f := r.fn.Value(x)
		r.fn.Grad(grad, x)
		if p.Noise > 0 {
			for i := range grad {
				grad[i] += p.Noise * noise.NormFloat64()
			}
		}
		return f
	}
}

// lrFindData returns the initial parameters of the model and a step that
// takes the next minibatch (cycling through epochs), writes the gradient and
// returns the minibatch loss, as the training loop does.
func (r *Run) lrFindData() ([]float64, func(params, grad []float64) float64, int) {
	t := r.Config.Train
	train := r.train
	d := train.D
	params := make([]float64, r.nparams)
	r.mdl.Init(params, r.rng(streamInit))
	size, _ := r.batch(0)
	size = min(size, train.N)
	xb := make([]float64, size*d)
	yb := make([]float64, size)
	batcher := data.NewBatcher(train.N, t.Shuffle, r.rng(streamShuffle))
	batcher.Epoch(size)
	return params, func(params, grad []float64) float64 {
		idx, ok := batcher.Next()
		if !ok {
			batcher.Epoch(size)
			idx, _ = batcher.Next()
		}
		n := len(idx)
		x, y := xb[:n*d], yb[:n]
		train.Gather(idx, x, y)
		return r.mdl.LossGrad(params, x, y, n, grad)
	}, size
}

// suggestLR picks a learning rate from the smoothed curve: where the
// smoothed loss falls fastest against log lr, the slope taken across half a
// decade (±0.25) to rise above minibatch noise, searched between the first
// tenth of the points (where the average still rests on few minibatches)
// and the minimum. When the loss falls by less than 10% before its minimum
// (there is no clear descent), or fewer than three points lie before it,
// the suggestion is a tenth of the lr at the minimum.
func suggestLR(pts []LRFindPoint) (lr float64, method string, minLossLR float64) {
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

// LRFindFiles are the files a range test writes into its folder.
var LRFindFiles = []string{"lrfind.csv", "lrfind.json"}

// CheckLRFindOut refuses to overwrite a folder that already holds a range test.
func CheckLRFindOut(dir string) error {
	for _, f := range LRFindFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return BadInput(fmt.Errorf("output folder %s already holds a range test (%s); choose another --out", dir, f))
		}
	}
	return nil
}

// WriteLRFind writes lrfind.csv (lr,loss,smoothed_loss; full float64
// precision) and lrfind.json into dir, each atomically.
func WriteLRFind(dir string, res *LRFindResult) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b bytes.Buffer
	b.WriteString("lr,loss,smoothed_loss\n")
	for _, p := range res.Points {
		for j, v := range []float64{p.LR, p.Loss, p.Smoothed} {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		}
		b.WriteByte('\n')
	}
	// The summary first: a folder holding lrfind.csv counts as a finished
	// range test, so the csv must not land when the summary cannot.
	if err := report.WriteJSON(filepath.Join(dir, "lrfind.json"), res.Summary); err != nil {
		return err
	}
	return report.WriteFileAtomic(filepath.Join(dir, "lrfind.csv"), b.Bytes())
}

// ReadLRFindSummary reads an lrfind.json.
func ReadLRFindSummary(path string) (*LRFindSummary, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s LRFindSummary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &s, nil
}
