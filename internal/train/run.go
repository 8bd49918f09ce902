package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/data"
	"github.com/optimbench/optimbench/internal/model"
	"github.com/optimbench/optimbench/internal/optim"
	"github.com/optimbench/optimbench/internal/report"
	"github.com/optimbench/optimbench/internal/version"
)

// Stream numbers of the random streams derived from the seed (SPEC §8).
const (
	streamInit    = 1 // parameter initialization
	streamData    = 2 // synthetic data and the train/test split
	streamShuffle = 3 // per-epoch shuffling
	streamNoise   = 4 // gradient noise of test functions
	streamDropout = 5 // the dropout masks of a net's training steps
)

// Run is an experiment ready to train: configuration validated, data loaded, objective and
// plan built. Nothing has been written yet.
type Run struct {
	Config *config.Config
	Plan   *Plan
	obj    Objective // the objective of a float64 run, nil in float32
	data   *Data     // the objective of a float64 data run, nil for a test function
	obj32  ObjectiveOf[float32]
	data32 *DataOf[float32] // train.dtype float32: obj32 and data32 instead of obj and data
	fstar  float64

	threads int // the goroutines of the model's products and of the optimizer's update
}

// Float32 reports whether the run trains in float32 (train.dtype).
func Float32(c *config.Config) bool {
	dt, _ := c.Train.Values["dtype"].(string)
	return dt == "float32"
}

// Recorder receives a run's evaluations as they happen (the progress bar of `train`).
type Recorder interface {
	Start(epochs int)
	Row(r report.Row, hasTest bool)
	Finish(s *report.Summary)
}

func rng(seed, stream uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, stream)) }

// Setup loads the data and builds everything a run needs, so that every input error is
// reported before training starts or anything is written. It stops soon after ctx is done
// (reading data, computing f*), returning ctx's error. Before it builds the model it
// estimates the run's memory and refuses a run that would need more than lim allows (a
// *MemoryError).
func Setup(ctx context.Context, c *config.Config, lim Limits) (*Run, error) {
	r := &Run{Config: c, fstar: math.NaN(), threads: threads(c, lim)}
	if c.IsProblem() {
		v := c.Problem.Values
		scales, _ := v["scales"].([]float64)
		fn, err := model.NewFunction(c.Problem.Name, len(v.Floats("start")), scales)
		if err != nil {
			return nil, &config.ConfigError{File: c.File, Msg: "problem." + err.Error()}
		}
		if Float32(c) {
			r.obj32 = NewFunctionOf[float32](fn, v.Floats("start"), v.Float("noise"), c.Seed)
		} else {
			r.obj = NewFunction(fn, v.Floats("start"), v.Float("noise"), c.Seed)
		}
		if c.Train.Values.Bool("reference_optimum") {
			r.fstar = 0 // the known global minimum value (Decode refuses the saddle)
		}
		var err2 error
		r.Plan, err2 = NewPlan(c, 0)
		return r, err2
	}
	train, test, err := LoadData(ctx, c)
	if err != nil {
		return nil, err
	}
	if r.Plan, err = NewPlan(c, train.N); err != nil {
		return nil, err
	}
	classes := train.Classes
	if !c.Classify() {
		classes = 0
	}
	if err := checkMemory(c, estimateMemory(c, train, test, classes, r.Plan.MaxBatch, lim), lim); err != nil {
		return nil, err
	}
	ref := r.data
	if Float32(c) {
		if r.data32, err = newData[float32](c, train, test, classes, r.Plan.MaxBatch, r.threads); err != nil {
			return nil, err
		}
		if r.obj32, err = startFrom[float32](c, r.data32); err != nil {
			return nil, err
		}
		if c.Train.Values.Bool("reference_optimum") { // f* in float64, on a float64 copy
			ref, err = newData[float64](c, train, test, classes, r.Plan.MaxBatch, r.threads)
		}
	} else {
		if r.data, err = newData[float64](c, train, test, classes, r.Plan.MaxBatch, r.threads); err != nil {
			return nil, err
		}
		r.obj, err = startFrom[float64](c, r.data)
		ref = r.data
	}
	if err != nil {
		return nil, err
	}
	if c.Train.Values.Bool("reference_optimum") {
		if r.fstar, err = (refData{ref}).referenceOptimum(ctx, c.Model.Values.String("loss")); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// newData builds the model of data run c in precision T on threads threads, and its data
// objective (startFrom sets where it starts).
func newData[T optim.Float](c *config.Config, train, test *data.Set, classes, maxBatch, threads int) (*DataOf[T], error) {
	mdl, err := model.NewOf[T](c.ModelSpec(), train.D, classes, max(maxBatch, evalRows))
	if err != nil {
		return nil, &config.ConfigError{File: c.File, Msg: "model." + err.Error()}
	}
	if th, ok := mdl.(model.Threaded); ok {
		if err := th.SetThreads(threads); err != nil {
			return nil, err
		}
	}
	return NewDataOf(mdl, train, test, maxBatch, c.Classify(), c.Train.Values.Bool("shuffle"), c.Seed), nil
}

// LoadData reads c's data: the source's training set, limited to data.limit samples and
// split by data.test_fraction, or with the source's own test set; standardized when asked.
func LoadData(ctx context.Context, c *config.Config) (train, test *data.Set, err error) {
	v := c.Data.Values
	src := config.LookupSource(c.Data.Name)
	set, own, err := src.Load(ctx, v, c.Classify(), rng(c.Seed, streamData))
	if err != nil && ctx.Err() != nil {
		return nil, nil, fmt.Errorf("reading data: %w", ctx.Err())
	}
	if err != nil {
		if ce, ok := err.(*config.ConfigError); ok && ce.File == "" {
			ce.File = c.File
		}
		return nil, nil, err
	}
	if c.Classify() && set.Classes < 2 {
		what, _ := v["path"].(string)
		if what == "" { // a generated source (DeepOBS's toy data have no labels)
			what = "data.source " + c.Data.Name
		}
		return nil, nil, report.BadInput(fmt.Errorf("config %s: model.loss: cross_entropy needs at least 2 classes, %s has %d", c.File, what, set.Classes))
	}
	set = data.Limit(set, v.Int("limit"))
	frac, _ := v["test_fraction"].(float64)
	train, test = data.Split(set, frac, rng(c.Seed, streamData))
	if own != nil {
		test = own
	}
	if train.N == 0 {
		return nil, nil, report.BadInput(fmt.Errorf("data: no training samples left after the test split"))
	}
	if test != nil && test.N == 0 {
		test = nil
	}
	if std, _ := v["standardize"].(bool); std {
		data.Standardize(train, test)
	}
	return train, test, nil
}

// CheckData finds, cheaply, what loading c's data would refuse: the files are there and their
// headers and first rows parse (config.Source.Check). A test function has no data.
func CheckData(ctx context.Context, c *config.Config) error {
	if c.IsProblem() {
		return nil
	}
	src := config.LookupSource(c.Data.Name)
	if src.Check == nil {
		return nil
	}
	err := src.Check(ctx, c.Data.Values, c.Classify())
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("checking data: %w", ctx.Err())
	}
	return err
}

// TrainExamples is the number of training examples of c, found without loading the data
// (a schedule preview); 0 for a test function.
func TrainExamples(c *config.Config) (int, error) {
	if c.IsProblem() {
		return 0, nil
	}
	v := c.Data.Values
	n, err := config.LookupSource(c.Data.Name).Size(v)
	if err != nil {
		return 0, err
	}
	if l := v.Int("limit"); l > 0 {
		n = min(n, l)
	}
	frac, _ := v["test_fraction"].(float64)
	train, _ := data.SplitSizes(n, frac)
	return train, nil
}

// ReferenceOptimum returns f*, the minimum of the training data loss, and whether it was
// asked for (train.reference_optimum).
func (r *Run) ReferenceOptimum() (float64, bool) {
	return r.fstar, r.Config.Train.Values.Bool("reference_optimum")
}

// Params is the number of trainable parameters.
func (r *Run) Params() int {
	if r.obj32 != nil {
		return r.obj32.NumParams()
	}
	return r.obj.NumParams()
}

// Data returns the training and test sets (test may be nil); nil for a test function.
func (r *Run) Data() (train, test *data.Set) {
	switch {
	case r.data32 != nil:
		return r.data32.Train, r.data32.Test
	case r.data != nil:
		return r.data.Train, r.data.Test
	}
	return nil, nil
}

// HoldsRun reports the file that makes dir hold a run already (metrics.csv or summary.json),
// or "".
func HoldsRun(dir string) string {
	for _, f := range []string{"metrics.csv", "summary.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return f
		}
	}
	return ""
}

// Execute trains and writes config.yaml, metrics.csv, summary.json, params.safetensors (and
// trajectory.csv for a test function) into dir; with train.checkpoint_every, also
// checkpoint.safetensors every so many epochs (Resume goes on from it). A diverged run is a
// result, not an error; an error means the run could not be carried out or recorded. When ctx
// is cancelled the run stops before the next update and is recorded as failed.
func (r *Run) Execute(ctx context.Context, dir string, rec Recorder) (*report.Summary, error) {
	return r.execute(ctx, dir, rec, nil)
}

// Checkpoint file names.
const (
	CheckpointFile = "checkpoint.safetensors"
	summaryFile    = "summary.json"
)

// ErrNothingToResume is returned by Resume for a folder whose run finished.
var ErrNothingToResume = errors.New("the run finished: nothing to resume")

// Resume goes on with the run in dir, whose config.yaml r was set up from, from its last
// checkpoint: the rows of metrics.csv (and points of trajectory.csv) written after the
// checkpoint are dropped and written again, so the finished files are those of a run that was
// never stopped, apart from seconds. Without a checkpoint the run starts over. A run that
// finished (summary.json says done or diverged) is ErrNothingToResume.
func (r *Run) Resume(ctx context.Context, dir string, rec Recorder) (*report.Summary, error) {
	if s, err := report.ReadSummary(filepath.Join(dir, summaryFile)); err == nil &&
		(s.Status == report.StatusDone || s.Status == report.StatusDiverged) {
		return s, fmt.Errorf("%s: %w (status %s)", dir, ErrNothingToResume, s.Status)
	}
	ck, err := report.ReadCheckpoint(filepath.Join(dir, CheckpointFile))
	switch {
	case errors.Is(err, os.ErrNotExist):
		os.Remove(filepath.Join(dir, summaryFile)) // a failed attempt's
		return r.execute(ctx, dir, rec, nil)
	case err != nil:
		return nil, report.BadInput(err)
	}
	if ck.ConfigHash != r.Config.ResolvedHash(r.Plan.Length) {
		return nil, report.BadInput(fmt.Errorf("%s: the checkpoint is of another configuration than config.yaml", dir))
	}
	os.Remove(filepath.Join(dir, summaryFile))
	return r.execute(ctx, dir, rec, ck)
}

// execute runs r into dir, from the start or from checkpoint ck, in the run's precision.
func (r *Run) execute(ctx context.Context, dir string, rec Recorder, ck *report.Checkpoint) (*report.Summary, error) {
	// An evaluation stops at its next chunk on Ctrl-C: the context goes to the data objective
	// itself, which an init file's wrapper (fromFile) hides from executeOf.
	if r.data32 != nil {
		r.data32.setContext(ctx)
	}
	if r.data != nil {
		r.data.setContext(ctx)
	}
	if r.obj32 != nil {
		return executeOf(ctx, r, r.obj32, dir, rec, ck)
	}
	return executeOf(ctx, r, r.obj, dir, rec, ck)
}

// executeOf is execute with the run's objective base.
func executeOf[T optim.Float](ctx context.Context, r *Run, base ObjectiveOf[T], dir string, rec Recorder, ck *report.Checkpoint) (*report.Summary, error) {
	c := r.Config
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if ck == nil {
		if err := report.WriteFileAtomic(filepath.Join(dir, "config.yaml"), c.YAML(r.Plan.Length)); err != nil {
			return nil, err
		}
	}
	h, err := newHooks(r, base, dir, rec)
	if err != nil {
		return nil, err
	}
	h.ctx = ctx
	if err := h.open(dir, ck); err != nil {
		return nil, err
	}
	defer h.close()
	if rec != nil {
		rec.Start(r.Plan.Epochs)
	}
	final, err := trainOf(ctx, r, h, ck)
	s := h.s
	s.Seconds = time.Since(h.start).Seconds()
	if err == nil {
		err = writeParams(filepath.Join(dir, "params.safetensors"), base.Layout(), final)
	}
	if err != nil {
		s.Status, s.Reason = report.StatusFailed, err.Error()
	}
	if werr := report.WriteJSON(filepath.Join(dir, summaryFile), s); werr != nil && err == nil {
		err = werr
	}
	if rec != nil {
		rec.Finish(s)
	}
	return s, err
}

// newHooks builds the hooks of one execution: a fresh plan (a plateau schedule's state starts
// anew), the averager, the summary.
func newHooks[T optim.Float](r *Run, base ObjectiveOf[T], dir string, rec Recorder) (*runHooks[T], error) {
	c := r.Config
	_, subopt := r.ReferenceOptimum()
	plan, err := NewPlan(c, r.Plan.N)
	if err != nil {
		return nil, err
	}
	h := &runHooks[T]{run: r, base: base, plan: plan, rec: rec, subopt: subopt, epochs: plan.Epochs, dir: dir,
		evalEvery: c.Train.Values.Int("eval_every"), factor: c.Train.Values.Float("diverge_factor"),
		stop: c.Train.Values.String("on_diverge") == "stop", cycles: plan.Momentum() != nil}
	h.every, _ = c.Train.Values["checkpoint_every"].(int)
	h.monitor, h.observes = plan.Observes(base.HasTest())
	if a := c.Average; a != nil {
		h.avg = &averager[T]{ema: a.Name == "ema", avg: make([]T, base.NumParams())}
		if h.avg.ema {
			h.avg.decay = a.Values.Float("decay")
		} else {
			h.avg.start = a.Values.Int("start")
		}
	}
	h.s = &report.Summary{Name: c.Name, Seed: c.Seed, Version: version.String(), GoVersion: version.Go(),
		Status: report.StatusDone}
	if subopt {
		h.s.ReferenceOptimum = report.Value(r.fstar)
	}
	return h, nil
}

// open creates metrics.csv (and trajectory.csv), or reopens them after the rows a checkpoint
// counts, and restores the hooks' own state from it.
func (h *runHooks[T]) open(dir string, ck *report.Checkpoint) error {
	var err error
	metrics, traj := filepath.Join(dir, "metrics.csv"), filepath.Join(dir, "trajectory.csv")
	dim := h.base.NumParams()
	h.start = time.Now()
	if ck == nil {
		if h.mw, err = report.CreateMetrics(metrics, h.columns()...); err != nil {
			return err
		}
		if !h.base.Batched() {
			h.tw, err = report.CreateTrajectory(traj, dim)
		}
		return err
	}
	if h.mw, err = report.ResumeMetrics(metrics, ck.Rows, h.columns()...); err != nil {
		return report.BadInput(err)
	}
	if !h.base.Batched() {
		if h.tw, err = report.ResumeTrajectory(traj, ck.Points, dim); err != nil {
			return report.BadInput(err)
		}
	}
	h.rows, h.points, h.initial = ck.Rows, ck.Points, ck.Initial
	h.bestTrain, h.bestTest, h.bestTrainAcc, h.bestTestAcc = ck.Best[0], ck.Best[1], ck.Best[2], ck.Best[3]
	h.s.Status, h.s.Reason = ck.Status, ck.Reason
	h.start = time.Now().Add(-time.Duration(ck.Seconds * float64(time.Second)))
	return nil
}

func (h *runHooks[T]) close() {
	if h.mw != nil {
		h.mw.Close()
	}
	if h.tw != nil {
		h.tw.Close()
	}
}

// train runs the loop with the run's optimizer, plan and hooks — from the start, or from
// checkpoint ck — and returns the final parameters at the point the metrics evaluate.
func trainOf[T optim.Float](ctx context.Context, r *Run, h *runHooks[T], ck *report.Checkpoint) ([]T, error) {
	c := r.Config
	obj := clippedOf(c, h.base)
	layout := obj.Layout()
	opt, stop, err := newOptimizer[T](c, layout, r.threads)
	if err != nil {
		return nil, err
	}
	defer stop()
	params := make([]T, layout.Size)
	grad := make([]T, layout.Size)
	obj.Init(params)
	if h.avg != nil {
		copy(h.avg.avg, params) // AveragedModel starts as a copy of the model
	}
	l := &LoopOf[T]{Objective: obj, Optimizer: opt, Epochs: h.plan.Epochs, Batch: h.plan.Batch, LR: h.plan.LR,
		Momentum: h.plan.Momentum(), Hooks: h}
	if h.avg != nil && h.avg.ema {
		l.After = func(_ int, params []T) { h.avg.update(params) }
	}
	h.opt, h.obj = opt, obj
	if ck != nil {
		if l.Resume, err = h.restore(ck, params); err != nil {
			return nil, report.BadInput(fmt.Errorf("%s: %w", filepath.Join(h.dir, CheckpointFile), err))
		}
	}
	p, err := l.Run(ctx, params, grad)
	return p.Eval, err
}

// checkpoint writes the state after epoch p.Epoch to checkpoint.safetensors, atomically.
func (h *runHooks[T]) checkpoint(p ProgressOf[T]) error {
	st, err := optim.SaveState(h.opt)
	if err != nil {
		return err
	}
	ck := &report.Checkpoint{ConfigHash: h.run.Config.ResolvedHash(h.plan.Length), Epoch: p.Epoch, Step: p.Step,
		Examples: p.Examples, Rows: h.rows, Points: h.points, Status: h.s.Status, Reason: h.s.Reason,
		RNG: h.obj.SaveRNG(), LR: p.LR, Momentum: p.Momentum, Seconds: time.Since(h.start).Seconds(),
		Initial: h.initial, Best: [4]float64{h.bestTrain, h.bestTest, h.bestTrainAcc, h.bestTestAcc},
		Params: wide(p.Params), Optimizer: st, Schedule: h.plan.SaveState()}
	if h.avg != nil {
		ck.Average, ck.AvgUpdates = wide(h.avg.avg), h.avg.n
	}
	return report.WriteCheckpoint(filepath.Join(h.dir, CheckpointFile), ck)
}

// restore sets the run's state back to checkpoint ck and returns the progress to go on from.
func (h *runHooks[T]) restore(ck *report.Checkpoint, params []T) (*ProgressOf[T], error) {
	if len(ck.Params) != len(params) {
		return nil, fmt.Errorf("%d parameters, the run has %d", len(ck.Params), len(params))
	}
	setFrom(params, ck.Params)
	if err := optim.RestoreState(h.opt, ck.Optimizer); err != nil {
		return nil, err
	}
	if err := h.obj.RestoreRNG(ck.RNG); err != nil {
		return nil, err
	}
	if err := h.plan.RestoreState(ck.Schedule); err != nil {
		return nil, err
	}
	if h.avg != nil {
		if len(ck.Average) != len(h.avg.avg) {
			return nil, fmt.Errorf("no averaged weights of the run's size")
		}
		setFrom(h.avg.avg, ck.Average)
		h.avg.n = ck.AvgUpdates
	}
	return &ProgressOf[T]{Epoch: ck.Epoch, Step: ck.Step, Examples: ck.Examples, LR: ck.LR, Momentum: ck.Momentum}, nil
}

// writeParams writes parameters as PyTorch names and shapes them (a weight [out, in], a bias
// [out], a test function's point x [n]), in their precision: F64 or F32.
func writeParams[T optim.Float](path string, l optim.Layout, params []T) error {
	var ts []report.Tensor
	dt := "F64"
	if _, f32 := any(params).([]float32); f32 {
		dt = "F32"
	}
	all := wide(params)
	for _, t := range l.Tensors {
		ts = append(ts, report.Tensor{Name: t.Name, Shape: tensorShape(t), Data: all[t.Offset : t.Offset+t.Rows*t.Cols], DType: dt})
	}
	return report.WriteSafetensors(path, ts, map[string]string{"format": "pt", "written_by": "optimbench " + version.String()})
}

// newOptimizer builds c's optimizer for layout in precision T, its update split across
// threads goroutines where it pays (optim.Parallel: the same steps to the bit), and the
// function that stops them; one with a second rate learns the base rate.
func newOptimizer[T optim.Float](c *config.Config, layout optim.Layout, threads int) (optim.OptimizerOf[T], func(), error) {
	opt, err := optim.NewOf[T](c.Optimizer.Name, c.Optimizer.Values, layout)
	if err != nil {
		return nil, nil, err
	}
	if br, ok := opt.(optim.BaseRater); ok {
		br.SetBaseLR(c.Schedule.LR)
	}
	p, stop := optim.Parallel(opt, threads)
	return p, stop, nil
}

// clippedOf is the objective obj of run c, its gradients clipped when train.clip_grad_norm or
// clip_grad_value ask for it.
func clippedOf[T optim.Float](c *config.Config, obj ObjectiveOf[T]) ObjectiveOf[T] {
	v := c.Train.Values
	norm, _ := v["clip_grad_norm"].(float64)
	value, _ := v["clip_grad_value"].(float64)
	if norm == 0 && value == 0 {
		return obj
	}
	return &clipped[T]{ObjectiveOf: obj, layout: obj.Layout(), maxNorm: norm, maxValue: value}
}

// wide returns params in float64: params itself, or a float64 copy of float32 ones (exact).
func wide[T optim.Float](params []T) []float64 {
	if p, ok := any(params).([]float64); ok {
		return p
	}
	out := make([]float64, len(params))
	for i, v := range params {
		out[i] = float64(v)
	}
	return out
}

// setFrom copies the float64 values v into params, rounding them to T.
func setFrom[T optim.Float](params []T, v []float64) {
	for i, x := range v[:len(params)] {
		params[i] = T(x)
	}
}

// runHooks are the hooks of a run: the divergence policy, the evaluation cadence and the
// files. A run diverges when a loss is not finite or, with a positive initial training
// loss, exceeds diverge_factor × that loss; it is checked on each minibatch before its update
// and on each evaluation. With on_diverge stop the run ends there (the offending minibatch
// makes no update), otherwise it goes on, marked diverged. The first divergence forces an
// evaluation row; after it, rows keep to eval_every.
type runHooks[T optim.Float] struct {
	ctx       context.Context // the execution's: an interrupted evaluation writes no row
	run       *Run
	base      ObjectiveOf[T] // the run's objective, unclipped: what evaluations see
	plan      *Plan
	dir       string
	opt       optim.OptimizerOf[T]
	obj       ObjectiveOf[T]
	every     int // train.checkpoint_every (0: none)
	points    int // points of trajectory.csv written
	mw        *report.MetricsWriter
	tw        *report.TrajectoryWriter // test functions: the path
	rec       Recorder
	s         *report.Summary
	start     time.Time
	subopt    bool
	epochs    int
	evalEvery int
	factor    float64
	stop      bool
	cycles    bool         // the schedule drives momentum: a momentum column
	avg       *averager[T] // train.average, or nil
	monitor   string       // the metric a schedule reads (reduce-on-plateau), when observes
	observes  bool

	reason  string  // why the current epoch diverged, from its minibatches
	initial float64 // train loss before any update
	rows    int

	bestTrain, bestTest, bestTrainAcc, bestTestAcc float64
}

func (h *runHooks[T]) Update(u Update) bool {
	if h.reason != "" {
		return true
	}
	if why := h.diverged(u.Loss, u.Step); why != "" {
		h.reason = why
		return !h.stop
	}
	return true
}

// interrupted is the error of an execution interrupted (Ctrl-C, SIGTERM) during an
// evaluation, whose metrics are then incomplete; nil otherwise.
func (h *runHooks[T]) interrupted(p ProgressOf[T]) error {
	if h.ctx == nil || h.ctx.Err() == nil {
		return nil
	}
	return fmt.Errorf("interrupted at step %d: %w", p.Step, h.ctx.Err())
}

func (h *runHooks[T]) EpochEnd(p ProgressOf[T]) (bool, error) {
	obj := h.base
	if p.Epoch == 0 {
		m := obj.Evaluate(p.Eval)
		if err := h.point(p, m); err != nil {
			return false, err
		}
		return true, h.record(p, m)
	}
	if h.avg != nil && !h.avg.ema && p.Epoch >= h.avg.start {
		h.avg.update(p.Params)
	}
	reason := h.reason
	h.reason = ""
	diverged := h.s.Status == report.StatusDiverged
	due := func() bool {
		return (reason != "" && !diverged) || p.Epoch == h.epochs || p.Epoch%h.evalEvery == 0
	}
	if obj.Cheap() || due() {
		m := obj.Evaluate(p.Eval)
		if err := h.interrupted(p); err != nil { // m is incomplete: no divergence from it
			return false, err
		}
		if err := h.point(p, m); err != nil {
			return false, err
		}
		if reason == "" {
			reason = h.diverged(m.TrainLoss, p.Step)
		}
		if due() {
			if h.tw != nil {
				if err := h.tw.Flush(); err != nil {
					return false, err
				}
			}
			if err := h.record(p, m); err != nil {
				return false, err
			}
		}
	}
	if reason != "" {
		if !diverged {
			h.s.Status, h.s.Reason = report.StatusDiverged, reason
		}
		if h.stop {
			return false, nil
		}
	}
	if h.every > 0 && p.Epoch%h.every == 0 && p.Epoch < h.epochs {
		if h.tw != nil {
			if err := h.tw.Flush(); err != nil {
				return false, err
			}
		}
		if err := h.checkpoint(p); err != nil {
			return false, fmt.Errorf("checkpoint after epoch %d: %w", p.Epoch, err)
		}
	}
	return true, nil
}

// point writes the path of a test function (every epoch is a step).
func (h *runHooks[T]) point(p ProgressOf[T], m Metrics) error {
	if h.tw == nil {
		return nil
	}
	h.points++
	return h.tw.Write(p.Step, m.TrainLoss, wide(p.Eval))
}

// diverged says why loss (measured at step) counts as divergence, or "".
func (h *runHooks[T]) diverged(loss float64, step int) string {
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return fmt.Sprintf("loss became %v at step %d", loss, step)
	}
	if h.initial > 0 && loss > h.factor*h.initial {
		return fmt.Sprintf("loss %.6g exceeded %g × the initial loss %.6g at step %d", loss, h.factor, h.initial, step)
	}
	return ""
}

// columns are the optional columns of metrics.csv this run writes, in order: train_subopt
// (with a reference optimum), momentum (when the schedule drives it), the avg_* metrics of
// the averaged weights (train.average).
func (h *runHooks[T]) columns() []string {
	var cols []string
	if h.subopt {
		cols = append(cols, "train_subopt")
	}
	if h.cycles {
		cols = append(cols, "momentum")
	}
	if h.avg != nil {
		cols = append(cols, "avg_train_loss", "avg_test_loss", "avg_train_acc", "avg_test_acc")
	}
	return cols
}

// extra returns the optional cells of a row (columns' order).
func (h *runHooks[T]) extra(p ProgressOf[T], m Metrics) []float64 {
	var x []float64
	if h.subopt {
		x = append(x, m.TrainLoss-h.run.fstar)
	}
	if h.cycles {
		x = append(x, p.Momentum)
	}
	if h.avg != nil {
		a := Metrics{TrainLoss: math.NaN(), TestLoss: math.NaN(), TrainAcc: math.NaN(), TestAcc: math.NaN()}
		if h.avg.has() {
			a = h.base.Evaluate(h.avg.avg)
		}
		x = append(x, a.TrainLoss, a.TestLoss, a.TrainAcc, a.TestAcc)
	}
	return x
}

// record writes one row of metrics.csv and keeps the final and best values for the summary;
// it feeds the row's metric to a schedule that reads evaluations.
func (h *runHooks[T]) record(p ProgressOf[T], m Metrics) error {
	if err := h.interrupted(p); err != nil {
		return err
	}
	row := report.Row{Epoch: p.Epoch, Step: p.Step, Examples: p.Examples, LR: p.LR, BatchSize: p.Batch,
		TrainLoss: m.TrainLoss, TestLoss: m.TestLoss, TrainAcc: m.TrainAcc, TestAcc: m.TestAcc,
		Seconds: time.Since(h.start).Seconds(), Extra: h.extra(p, m)}
	if h.observes && p.Epoch > 0 {
		if h.monitor == "train_loss" {
			h.plan.Observe(m.TrainLoss)
		} else {
			h.plan.Observe(m.TestLoss)
		}
	}
	if h.rows == 0 {
		h.initial = row.TrainLoss
		h.bestTrain, h.bestTest = math.Inf(1), math.Inf(1)
		h.bestTrainAcc, h.bestTestAcc = math.Inf(-1), math.Inf(-1)
	}
	h.rows++
	hasTest := h.base.HasTest()
	if err := h.mw.Write(row, hasTest); err != nil {
		return err
	}
	if row.TrainLoss < h.bestTrain {
		h.bestTrain = row.TrainLoss
	}
	if hasTest && row.TestLoss < h.bestTest {
		h.bestTest = row.TestLoss
	}
	if row.TrainAcc > h.bestTrainAcc {
		h.bestTrainAcc = row.TrainAcc
	}
	if row.TestAcc > h.bestTestAcc {
		h.bestTestAcc = row.TestAcc
	}
	s := h.s
	s.Epochs, s.Steps = row.Epoch, row.Step
	s.Examples = max(row.Examples, 0)
	s.Final = report.Metrics{TrainLoss: report.Value(row.TrainLoss), TestLoss: report.Value(row.TestLoss),
		TrainAcc: report.Value(row.TrainAcc), TestAcc: report.Value(row.TestAcc)}
	s.Best = report.Metrics{TrainLoss: report.Value(h.bestTrain), TestLoss: report.Value(h.bestTest),
		TrainAcc: report.Value(h.bestTrainAcc), TestAcc: report.Value(h.bestTestAcc)}
	if h.rec != nil {
		h.rec.Row(row, hasTest)
	}
	return nil
}
