package experiment

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/optimbench/optimbench/internal/data"
	"github.com/optimbench/optimbench/internal/datasets"
	"github.com/optimbench/optimbench/internal/model"
	"github.com/optimbench/optimbench/internal/optim"
	"github.com/optimbench/optimbench/internal/report"
	"github.com/optimbench/optimbench/internal/sched"
	"github.com/optimbench/optimbench/internal/version"
)

// Run is an experiment ready to train: configuration validated, data loaded,
// model, optimizer and schedules built. Nothing has been written yet.
type Run struct {
	Config   *Config
	Schedule sched.Config // resolved learning-rate schedule

	train, test *data.Set
	mdl         model.Model
	fn          model.Function
	lr          sched.Schedule
	batch       sched.BatchSchedule
	fullBatch   int // training-set size when batch_size is full
	maxBatch    int
	evalChunk   int
	evalBuf     []float64 // evalChunk rows of features, for sets stored as bytes
	nparams     int
	fstar       float64 // reference optimum f* (train.reference_optimum), else NaN
}

// evalRows is the most rows an evaluation passes to the model at once.
const evalRows = 1024

// Progress receives a run's evaluations as they happen.
type Progress interface {
	Start(epochs int)
	Row(r report.Row, hasTest bool)
	Finish(s *report.Summary)
}

// Setup loads the data and builds everything a run needs, so that every
// input error is reported before training starts or anything is written.
func Setup(c *Config) (*Run, error) {
	r := &Run{Config: c, fstar: math.NaN()}
	if c.Problem != nil {
		return r, r.setupProblem()
	}
	return r, r.setupData()
}

func (r *Run) rng(stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(r.Config.Seed, stream))
}

func (r *Run) setupProblem() error {
	c := r.Config
	fn, err := model.NewFunction(c.Problem.Function, len(c.Problem.Start), c.Problem.Scales)
	if err != nil {
		return &ConfigError{File: c.File, Msg: "problem." + err.Error()}
	}
	r.fn = fn
	r.nparams = fn.Dim()
	if c.Train.ReferenceOptimum {
		r.fstar = 0 // the known global minimum value (the saddle is rejected by Decode)
	}
	return r.setupSchedule(c.Train.Epochs)
}

func (r *Run) setupSchedule(length int) error {
	c := r.Config
	sc, err := c.Schedule.resolve(c.Optimizer.Hyper.LR, length)
	if err != nil {
		return &ConfigError{File: c.File, Msg: err.Error()}
	}
	r.Schedule = sc
	if r.lr, err = sched.New(sc, c.Optimizer.Hyper.LR); err != nil {
		return &ConfigError{File: c.File, Msg: "schedule." + err.Error()}
	}
	return nil
}

func (r *Run) setupData() error {
	c := r.Config
	d := c.Data
	classify := c.Model.Loss == "cross_entropy"
	var set, test *data.Set // test: the source's own test set (mnist, fashion-mnist)
	var err error
	switch d.Source {
	case "synthetic":
		set, err = data.Synthetic(d.Generator, d.N, d.Features, d.Classes, d.Noise, r.rng(streamData))
		if err != nil {
			return &ConfigError{File: c.File, Msg: "data." + err.Error()}
		}
	case "csv":
		set, err = data.ReadCSV(d.Path, d.Target, classify)
	case "libsvm":
		set, err = data.ReadLibSVM(d.Path, classify)
	case "mnist", "fashion-mnist":
		dir, lerr := datasets.Locate(d.Source, d.Path)
		if lerr != nil {
			return BadInput(fmt.Errorf("data: %w", lerr))
		}
		if set, test, err = readMNISTCached(dir); err != nil {
			err = fmt.Errorf("%w (fetch it again with: optimbench data get %s)", err, d.Source)
		}
	}
	if err != nil {
		return BadInput(err)
	}
	if classify && set.Classes < 2 {
		return BadInput(fmt.Errorf("%s: cross_entropy needs at least 2 classes, found %d", d.Path, set.Classes))
	}
	set = data.Limit(set, d.Limit)
	r.train, r.test = data.Split(set, d.TestFraction, r.rng(streamData))
	if test != nil {
		r.test = test
	}
	if r.train.N == 0 {
		return BadInput(fmt.Errorf("data: no training samples left after the test split"))
	}
	if r.test != nil && r.test.N == 0 {
		r.test = nil
	}
	if d.Standardize {
		data.Standardize(r.train, r.test)
	}

	t := c.Train
	b0 := t.BatchSize
	if t.FullBatch {
		b0 = r.train.N
		r.fullBatch = r.train.N
	}
	if r.batch, err = sched.NewBatch(t.BatchSchedule, b0, r.train.N); err != nil {
		return &ConfigError{File: c.File, Msg: "train.batch_schedule." + err.Error()}
	}
	for e := 0; e < t.Epochs; e++ {
		size, _ := r.batch(e)
		r.maxBatch = max(r.maxBatch, min(size, r.train.N))
	}
	// Evaluations read at most evalRows rows at a time, so a full-batch run
	// does not need a second whole-set buffer for them.
	r.evalChunk = evalRows
	if r.train.Bytes() || (r.test != nil && r.test.Bytes()) {
		r.evalBuf = make([]float64, r.evalChunk*r.train.D)
	}
	classes := set.Classes
	if !classify {
		classes = 0
	}
	r.mdl, err = model.New(*c.Model, r.train.D, classes, max(r.maxBatch, r.evalChunk))
	if err != nil {
		return &ConfigError{File: c.File, Msg: "model." + err.Error()}
	}
	r.nparams = r.mdl.NumParams()
	if t.ReferenceOptimum {
		if r.fstar, err = r.referenceOptimum(); err != nil {
			return err
		}
	}
	length := t.Epochs
	if c.Schedule.Unit == "step" {
		length = sched.Steps(r.batch, r.train.N, t.Epochs)
	}
	return r.setupSchedule(length)
}

// ReferenceOptimum returns f*, the minimum of the training data loss, and
// whether it was asked for (train.reference_optimum).
func (r *Run) ReferenceOptimum() (float64, bool) { return r.fstar, r.Config.Train.ReferenceOptimum }

// mnistSets keeps the image sets read in this process, by folder: they are
// only read during training, so the runs of a sweep share one copy instead
// of each decompressing and holding ~55 MB.
var mnistSets sync.Map // folder and its files → *mnistEntry

type mnistEntry struct {
	once        sync.Once
	train, test *data.Set
	err         error
}

func readMNISTCached(dir string) (train, test *data.Set, err error) {
	// The key names the files' sizes and times too, so that files fetched
	// again (or removed) are read again.
	key := dir
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if info, err := e.Info(); err == nil {
			key += fmt.Sprintf("|%s:%d:%d", e.Name(), info.Size(), info.ModTime().UnixNano())
		}
	}
	v, _ := mnistSets.LoadOrStore(key, &mnistEntry{})
	e := v.(*mnistEntry)
	e.once.Do(func() { e.train, e.test, e.err = data.ReadMNIST(dir) })
	return e.train, e.test, e.err
}

// Params is the number of trainable parameters.
func (r *Run) Params() int { return r.nparams }

// Data returns the training and test sets (test may be nil); nil for problem runs.
func (r *Run) Data() (train, test *data.Set) { return r.train, r.test }

// CheckOut refuses to overwrite a folder that already holds a run.
func CheckOut(dir string) error {
	for _, f := range []string{"metrics.csv", "summary.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return BadInput(fmt.Errorf("output folder %s already holds a run (%s); choose another --out", dir, f))
		}
	}
	return nil
}

// Execute trains and writes config.yaml, metrics.csv, summary.json (and
// trajectory.csv for a problem run) into dir. A diverged run is a result,
// not an error; an error means the run could not be carried out or
// recorded. When ctx is cancelled the run stops after the current step and
// is recorded as failed.
func (r *Run) Execute(ctx context.Context, dir string, p Progress) (*report.Summary, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := report.WriteFileAtomic(filepath.Join(dir, "config.yaml"), r.Config.YAML(r.Schedule)); err != nil {
		return nil, err
	}
	var extra []string
	if r.Config.Train.ReferenceOptimum {
		extra = append(extra, "train_subopt")
	}
	mw, err := report.CreateMetrics(filepath.Join(dir, "metrics.csv"), extra...)
	if err != nil {
		return nil, err
	}
	defer mw.Close()
	s := &report.Summary{
		Name:      r.Config.Name,
		Seed:      r.Config.Seed,
		Version:   version.String(),
		GoVersion: version.Go(),
		Status:    report.StatusDone,
	}
	if r.Config.Train.ReferenceOptimum {
		s.ReferenceOptimum = report.Value(r.fstar)
	}
	if p != nil {
		p.Start(r.Config.Train.Epochs)
	}
	tr := tracker{mw: mw, p: p, s: s, start: time.Now(), hasTest: r.test != nil,
		subopt: r.Config.Train.ReferenceOptimum, fstar: r.fstar}
	if r.fn != nil {
		err = r.trainProblem(ctx, dir, &tr)
	} else {
		err = r.trainData(ctx, &tr)
	}
	s.Seconds = time.Since(tr.start).Seconds()
	if err != nil {
		s.Status, s.Reason = report.StatusFailed, err.Error()
	}
	if werr := report.WriteJSON(filepath.Join(dir, "summary.json"), s); werr != nil && err == nil {
		err = werr
	}
	if p != nil {
		p.Finish(s)
	}
	return s, err
}

// tracker records evaluations: it writes metrics.csv, keeps the final and
// best values for the summary, and watches for divergence.
type tracker struct {
	mw      *report.MetricsWriter
	p       Progress
	s       *report.Summary
	start   time.Time
	hasTest bool
	initial float64 // train loss before any update
	subopt  bool    // add train_subopt = train_loss − fstar to each row
	fstar   float64

	bestTrain, bestTest, bestTrainAcc, bestTestAcc float64
	rows                                           int
}

func (tr *tracker) record(row report.Row) error {
	row.Seconds = time.Since(tr.start).Seconds()
	if tr.rows == 0 {
		tr.initial = row.TrainLoss
		tr.bestTrain, tr.bestTest = math.Inf(1), math.Inf(1)
		tr.bestTrainAcc, tr.bestTestAcc = math.Inf(-1), math.Inf(-1)
	}
	tr.rows++
	if tr.subopt {
		row.Extra = []float64{row.TrainLoss - tr.fstar}
	}
	if err := tr.mw.Write(row, tr.hasTest); err != nil {
		return err
	}
	if row.TrainLoss < tr.bestTrain {
		tr.bestTrain = row.TrainLoss
	}
	if tr.hasTest && row.TestLoss < tr.bestTest {
		tr.bestTest = row.TestLoss
	}
	if row.TrainAcc > tr.bestTrainAcc {
		tr.bestTrainAcc = row.TrainAcc
	}
	if row.TestAcc > tr.bestTestAcc {
		tr.bestTestAcc = row.TestAcc
	}
	s := tr.s
	s.Epochs, s.Steps = row.Epoch, row.Step
	s.Examples = max(row.Examples, 0)
	s.Final = report.Metrics{
		TrainLoss: report.Value(row.TrainLoss),
		TestLoss:  report.Value(row.TestLoss),
		TrainAcc:  report.Value(row.TrainAcc),
		TestAcc:   report.Value(row.TestAcc),
	}
	s.Best = report.Metrics{
		TrainLoss: report.Value(tr.bestTrain),
		TestLoss:  report.Value(tr.bestTest),
		TrainAcc:  report.Value(tr.bestTrainAcc),
		TestAcc:   report.Value(tr.bestTestAcc),
	}
	if tr.p != nil {
		tr.p.Row(row, tr.hasTest)
	}
	return nil
}

// diverged reports why loss (measured at step) counts as divergence, or "".
func (tr *tracker) diverged(loss, factor float64, step int) string {
	if !finite(loss) {
		return fmt.Sprintf("loss became %v at step %d", loss, step)
	}
	if tr.initial > 0 && loss > factor*tr.initial {
		return fmt.Sprintf("loss %.6g exceeded %g × the initial loss %.6g at step %d", loss, factor, tr.initial, step)
	}
	return ""
}

// evaluate returns the mean loss and accuracy of the model over set.
func (r *Run) evaluate(params []float64, set *data.Set) (loss, acc float64) {
	if set == nil {
		return report.Empty, report.Empty
	}
	var sum float64
	var correct int
	for i := 0; i < set.N; i += r.evalChunk {
		n := min(r.evalChunk, set.N-i)
		l, c := r.mdl.Eval(params, set.Rows(i, n, r.evalBuf), set.Y[i:i+n], n)
		sum += l
		correct += c
	}
	loss = sum / float64(set.N)
	acc = report.Empty
	if set.Classes > 0 && r.Config.Model.Loss == "cross_entropy" {
		acc = float64(correct) / float64(set.N)
	}
	return loss, acc
}

func (r *Run) row(params []float64, epoch, step, examples int, lr float64, batch int) report.Row {
	row := report.Row{Epoch: epoch, Step: step, Examples: examples, LR: lr, BatchSize: batch}
	row.TrainLoss, row.TrainAcc = r.evaluate(params, r.train)
	row.TestLoss, row.TestAcc = r.evaluate(params, r.test)
	return row
}

// unitIndex is the schedule's t for an update: the epoch, or the number of
// updates before this one.
func (r *Run) unitIndex(epoch, step int) int {
	if r.Schedule.Unit == "step" {
		return step
	}
	return epoch
}

func (r *Run) trainData(ctx context.Context, tr *tracker) error {
	c := r.Config
	t := c.Train
	train := r.train
	d := train.D
	opt, err := optim.New(c.Optimizer.Name, c.Optimizer.Hyper, r.nparams)
	if err != nil {
		return err
	}
	params := make([]float64, r.nparams)
	grad := make([]float64, r.nparams)
	r.mdl.Init(params, r.rng(streamInit))
	var xb, yb []float64 // the minibatch, when it cannot be read in place
	if t.Shuffle || train.Bytes() {
		xb = make([]float64, r.maxBatch*d)
		yb = make([]float64, r.maxBatch)
	}
	batcher := data.NewBatcher(train.N, t.Shuffle, r.rng(streamShuffle))

	size0, scale0 := r.batch(0)
	size0 = min(size0, train.N)
	if err := tr.record(r.row(params, 0, 0, 0, r.lr(0)*scale0, size0)); err != nil {
		return err
	}
	step, examples := 0, 0
	lr := r.lr(0) * scale0 // until the first update, the rate it will use
	for e := 0; e < t.Epochs; e++ {
		size, scale := r.batch(e)
		size = min(size, train.N)
		batcher.Epoch(size)
		reason := ""
		for idx, ok := batcher.Next(); ok; idx, ok = batcher.Next() {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("interrupted at step %d: %w", step, err)
			}
			n := len(idx)
			var x, y []float64
			if t.Shuffle {
				x, y = xb[:n*d], yb[:n]
				train.Gather(idx, x, y)
			} else { // batches are consecutive rows: read them in place (bytes: into xb)
				x, y = train.Rows(idx[0], n, xb), train.Y[idx[0]:idx[0]+n]
			}
			loss := r.mdl.LossGrad(params, x, y, n, grad)
			if why := tr.diverged(loss, t.DivergeFactor, step); why != "" && reason == "" {
				reason = why
				if t.OnDiverge == "stop" {
					break // no update: lr keeps the rate of the last one made
				}
			}
			lr = r.lr(r.unitIndex(e, step)) * scale
			step++
			examples += n
			opt.Step(params, grad, step, lr)
		}
		last := e+1 == t.Epochs
		// The first divergence forces a row; later epochs of a run that
		// continues keep to eval_every.
		first := reason != "" && tr.s.Status != report.StatusDiverged
		if first || last || (e+1)%t.EvalEvery == 0 {
			row := r.row(params, e+1, step, examples, lr, size)
			if reason == "" {
				reason = tr.diverged(row.TrainLoss, t.DivergeFactor, step)
			}
			if err := tr.record(row); err != nil {
				return err
			}
		}
		if reason != "" {
			if tr.s.Status != report.StatusDiverged {
				tr.s.Status, tr.s.Reason = report.StatusDiverged, reason
			}
			if t.OnDiverge == "stop" {
				return nil
			}
		}
	}
	return nil
}

func (r *Run) trainProblem(ctx context.Context, dir string, tr *tracker) error {
	c := r.Config
	t := c.Train
	opt, err := optim.New(c.Optimizer.Name, c.Optimizer.Hyper, r.nparams)
	if err != nil {
		return err
	}
	tw, err := report.CreateTrajectory(filepath.Join(dir, "trajectory.csv"), r.nparams)
	if err != nil {
		return err
	}
	defer tw.Close()
	x := append([]float64(nil), c.Problem.Start...)
	grad := make([]float64, len(x))
	noise := r.rng(streamNoise)
	f := r.fn.Value(x)
	if err := tw.Write(0, f, x); err != nil {
		return err
	}
	if err := tr.record(report.Row{LR: r.lr(0), TrainLoss: f, Examples: -1, BatchSize: -1,
		TestLoss: report.Empty, TrainAcc: report.Empty, TestAcc: report.Empty}); err != nil {
		return err
	}
	var lr float64
	for step := 1; step <= t.Epochs; step++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("interrupted at step %d: %w", step-1, err)
		}
		r.fn.Grad(grad, x)
		if c.Problem.Noise > 0 {
			for i := range grad {
				grad[i] += c.Problem.Noise * noise.NormFloat64()
			}
		}
		lr = r.lr(step - 1)
		opt.Step(x, grad, step, lr)
		f = r.fn.Value(x)
		if err := tw.Write(step, f, x); err != nil {
			return err
		}
		reason := tr.diverged(f, t.DivergeFactor, step)
		first := reason != "" && tr.s.Status != report.StatusDiverged
		if first || step == t.Epochs || step%t.EvalEvery == 0 {
			if err := tw.Flush(); err != nil {
				return err
			}
			if err := tr.record(report.Row{Epoch: step, Step: step, LR: lr, TrainLoss: f, Examples: -1,
				BatchSize: -1, TestLoss: report.Empty, TrainAcc: report.Empty, TestAcc: report.Empty}); err != nil {
				return err
			}
		}
		if reason != "" && tr.s.Status != report.StatusDiverged {
			tr.s.Status, tr.s.Reason = report.StatusDiverged, reason
		}
		if reason != "" && t.OnDiverge == "stop" {
			return nil
		}
	}
	return nil
}
