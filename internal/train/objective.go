package train

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"

	"github.com/optimbench/optimbench/internal/data"
	"github.com/optimbench/optimbench/internal/model"
	"github.com/optimbench/optimbench/internal/optim"
)

// evalRows is the most rows an evaluation passes to the model at once, so that a full-batch
// run does not need a second whole-set buffer for its evaluations.
const evalRows = 1024

// evalBlock is the most rows converted from bytes and run through a model at once within a
// chunk of evalRows, for models that can add block sums exactly (blockEvaluator): 128 rows of
// MNIST are 800 KB of float64, which the L2 and L3 caches keep while they are converted and
// read. Converting whole chunks (6.4 MB) ran at a third of the speed of the conversion itself.
const evalBlock = 128

// blockEvaluator is a model whose evaluation of consecutive blocks of rows, each adding its row
// losses onto the sum of the blocks before, is bit for bit one Eval over them all.
type blockEvaluator[T optim.Float] interface {
	EvalSum(params, x, y []T, n int, sum float64) (float64, int)
}

// Data is the float64 DataOf.
type Data = DataOf[float64]

// DataOf is a model's mean data loss on minibatches of a training set (SPEC §7), evaluated on
// the whole training and test sets, in precision T: the batches are gathered into []T
// (data.GatherOf), and an evaluation sums the float64 row losses in the order of the rows.
type DataOf[T optim.Float] struct {
	ctx         context.Context // when set, an evaluation stops at its next chunk once it is done
	Model       model.ModelOf[T]
	Train, Test *data.Set // Test may be nil
	classify    bool
	shuffle     bool
	seed        uint64
	perm        *rand.PCG // the stream of the permutations (with shuffle)
	drop        *rand.PCG // the stream of the dropout masks (a model with dropout)
	batcher     *data.Batcher
	xb, yb      []T // the minibatch, when it cannot be read in place
	x, y        []T // the current minibatch
	n           int
	evalBuf     []T // evalRows rows of features, for sets stored as bytes or read in float32
	evalY       []T // evalRows targets, in float32
}

// NewData builds the objective of model m on train (and test, which may be nil) for
// minibatches of up to maxBatch samples, shuffled each epoch or not. seed fixes the initial
// parameters and the permutations, each from its own stream (SPEC §8). classify reports
// accuracies (cross-entropy).
func NewData(m model.Model, train, test *data.Set, maxBatch int, classify, shuffle bool, seed uint64) *Data {
	return NewDataOf(m, train, test, maxBatch, classify, shuffle, seed)
}

// NewDataOf is NewData for a model of precision T.
func NewDataOf[T optim.Float](m model.ModelOf[T], train, test *data.Set, maxBatch int, classify, shuffle bool, seed uint64) *DataOf[T] {
	d := &DataOf[T]{Model: m, Train: train, Test: test, classify: classify, shuffle: shuffle, seed: seed}
	_, f32 := any(T(0)).(float32)
	if d.shuffle || train.Bytes() || f32 {
		d.xb = make([]T, maxBatch*train.D)
		d.yb = make([]T, maxBatch)
	}
	if train.Bytes() || (test != nil && test.Bytes()) || f32 {
		d.evalBuf = make([]T, evalRows*train.D)
	}
	if f32 {
		d.evalY = make([]T, evalRows)
	}
	return d
}

func (d *DataOf[T]) NumParams() int { return d.Model.NumParams() }

func (d *DataOf[T]) Layout() optim.Layout {
	l := optim.Layout{Size: d.Model.NumParams()}
	for _, t := range d.Model.Tensors() {
		l.Tensors = append(l.Tensors, optim.Tensor{Name: t.Name, Offset: t.Offset, Rows: t.Rows, Cols: t.Cols, Matrix: t.Weight, Kernel: t.Kernel})
	}
	return l
}

// Init writes the initial parameters and restarts the permutations' stream and, for a model
// with dropout, the stream of its masks, so that each run of the objective is the same run.
func (d *DataOf[T]) Init(params []T) {
	d.Model.Init(params, rng(d.seed, streamInit))
	var perm *rand.Rand
	if d.shuffle {
		d.perm = rand.NewPCG(d.seed, streamShuffle)
		perm = rand.New(d.perm)
	}
	d.batcher = data.NewBatcher(d.Train.N, d.shuffle, perm)
	if dm, ok := d.Model.(model.Dropout); ok && dm.HasDropout() {
		d.drop = rand.NewPCG(d.seed, streamDropout)
		dm.SetDropoutRNG(rand.New(d.drop))
	}
}

func (d *DataOf[T]) SaveRNG() map[string][]byte {
	m := savePCG("shuffle", d.perm)
	maps.Copy(m, savePCG("dropout", d.drop))
	return m
}

func (d *DataOf[T]) RestoreRNG(m map[string][]byte) error {
	if err := restorePCG(m, "dropout", d.drop); err != nil {
		return err
	}
	return restorePCG(m, "shuffle", d.perm)
}

// savePCG is the state of a stream (none when it is nil), restorePCG its inverse.
func savePCG(name string, p *rand.PCG) map[string][]byte {
	if p == nil {
		return map[string][]byte{}
	}
	b, _ := p.MarshalBinary() // a PCG always marshals
	return map[string][]byte{name: b}
}

func restorePCG(m map[string][]byte, name string, p *rand.PCG) error {
	b, ok := m[name]
	if p == nil || !ok {
		if p != nil || ok {
			return fmt.Errorf("the checkpoint's random streams do not match the run's (%s)", name)
		}
		return nil
	}
	return p.UnmarshalBinary(b)
}
func (d *DataOf[T]) Batched() bool       { return true }
func (d *DataOf[T]) Cheap() bool         { return false }
func (d *DataOf[T]) HasTest() bool       { return d.Test != nil }
func (d *DataOf[T]) StartEpoch(size int) { d.batcher.Epoch(size) }

func (d *DataOf[T]) NextBatch() (int, bool) {
	idx, ok := d.batcher.Next()
	if !ok {
		return 0, false
	}
	n, dim := len(idx), d.Train.D
	if d.shuffle {
		d.x, d.y = d.xb[:n*dim], d.yb[:n]
		data.GatherOf(d.Train, idx, d.x, d.y)
	} else { // batches are consecutive rows: read them in place (bytes, float32: into xb)
		d.x, d.y = data.RowsOf(d.Train, idx[0], n, d.xb), data.LabelsOf(d.Train, idx[0], n, d.yb)
	}
	d.n = n
	return n, true
}

func (d *DataOf[T]) LossGrad(params, grad []T) float64 {
	return d.Model.LossGrad(params, d.x, d.y, d.n, grad)
}

func (d *DataOf[T]) setContext(ctx context.Context) { d.ctx = ctx }

func (d *DataOf[T]) Evaluate(params []T) Metrics {
	var m Metrics
	m.TrainLoss, m.TrainAcc = d.evaluate(params, d.Train)
	m.TestLoss, m.TestAcc = d.evaluate(params, d.Test)
	return m
}

// evaluate returns the mean loss and accuracy of the model over set, in chunks of evalRows.
func (d *DataOf[T]) evaluate(params []T, set *data.Set) (loss, acc float64) {
	if set == nil {
		return math.NaN(), math.NaN()
	}
	var sum float64
	var correct int
	se, blocks := d.Model.(blockEvaluator[T])
	for i := 0; i < set.N; i += evalRows {
		if d.ctx != nil && d.ctx.Err() != nil { // interrupted: the caller writes nothing of it
			return math.NaN(), math.NaN()
		}
		n := min(evalRows, set.N-i)
		if !blocks {
			l, c := d.Model.Eval(params, data.RowsOf(set, i, n, d.evalBuf), data.LabelsOf(set, i, n, d.evalY), n)
			sum += l
			correct += c
			continue
		}
		var l float64
		for j := i; j < i+n; j += evalBlock {
			nb := min(evalBlock, i+n-j)
			var c int
			l, c = se.EvalSum(params, data.RowsOf(set, j, nb, d.evalBuf), data.LabelsOf(set, j, nb, d.evalY), nb, l)
			correct += c
		}
		sum += l
	}
	loss, acc = sum/float64(set.N), math.NaN()
	if set.Classes > 0 && d.classify {
		acc = float64(correct) / float64(set.N)
	}
	return loss, acc
}

// Function is the float64 FunctionOf.
type Function = FunctionOf[float64]

// FunctionOf is a test function with Gaussian noise of standard deviation noise added to each
// component of its gradient: one update per epoch, its value as the loss. In float32 the
// point is float32 and the value and the noisy gradient are computed in float64 from it, the
// gradient rounded once to float32.
type FunctionOf[T optim.Float] struct {
	Fn     model.Function
	Start  []float64
	noise  float64
	seed   uint64
	pcg    *rand.PCG
	rng    *rand.Rand
	done   bool
	x64, g []float64 // float32: the point and the gradient in float64
}

// NewFunction is the objective of fn from start, with gradient noise from the noise stream of
// seed.
func NewFunction(fn model.Function, start []float64, noise float64, seed uint64) *Function {
	return NewFunctionOf[float64](fn, start, noise, seed)
}

// NewFunctionOf is NewFunction in precision T.
func NewFunctionOf[T optim.Float](fn model.Function, start []float64, noise float64, seed uint64) *FunctionOf[T] {
	f := &FunctionOf[T]{Fn: fn, Start: start, noise: noise, seed: seed}
	if _, f32 := any(T(0)).(float32); f32 {
		f.x64, f.g = make([]float64, fn.Dim()), make([]float64, fn.Dim())
	}
	return f
}

func (f *FunctionOf[T]) NumParams() int       { return f.Fn.Dim() }
func (f *FunctionOf[T]) Layout() optim.Layout { return optim.Flat(f.Fn.Dim()) }

// Init writes the start and restarts the noise stream.
func (f *FunctionOf[T]) Init(params []T) {
	setFrom(params, f.Start)
	f.pcg = rand.NewPCG(f.seed, streamNoise)
	f.rng = rand.New(f.pcg)
}

func (f *FunctionOf[T]) SaveRNG() map[string][]byte { return savePCG("noise", f.pcg) }

func (f *FunctionOf[T]) RestoreRNG(m map[string][]byte) error {
	return restorePCG(m, "noise", f.pcg)
}
func (f *FunctionOf[T]) Batched() bool  { return false }
func (f *FunctionOf[T]) Cheap() bool    { return true }
func (f *FunctionOf[T]) HasTest() bool  { return false }
func (f *FunctionOf[T]) StartEpoch(int) { f.done = false }

func (f *FunctionOf[T]) NextBatch() (int, bool) {
	if f.done {
		return 0, false
	}
	f.done = true
	return 0, true
}

func (f *FunctionOf[T]) LossGrad(x, grad []T) float64 {
	x64, g := f.point(x), f.grad(grad)
	v := f.Fn.Value(x64)
	f.Fn.Grad(g, x64)
	if f.noise > 0 {
		for i := range g {
			g[i] += f.noise * f.rng.NormFloat64()
		}
	}
	if f.g != nil {
		for i, v := range g {
			grad[i] = T(v)
		}
	}
	return v
}

// point is x in float64: x itself, or f.x64 widened from a float32 x.
func (f *FunctionOf[T]) point(x []T) []float64 {
	if x64, ok := any(x).([]float64); ok {
		return x64
	}
	for i, v := range x {
		f.x64[i] = float64(v)
	}
	return f.x64
}

// grad is where the float64 gradient goes: grad itself, or f.g for a float32 one.
func (f *FunctionOf[T]) grad(grad []T) []float64 {
	if g, ok := any(grad).([]float64); ok {
		return g
	}
	return f.g
}

func (f *FunctionOf[T]) Evaluate(x []T) Metrics {
	return Metrics{TrainLoss: f.Fn.Value(f.point(x)), TestLoss: math.NaN(), TrainAcc: math.NaN(), TestAcc: math.NaN()}
}

// counter is the objective of a schedule preview: the minibatches of n samples (or, with n
// 0, the single update per epoch of a test function), without data or parameters.
type counter struct {
	batcher *data.Batcher // nil for a test function
	done    bool
}

func newCounter(n int) *counter {
	if n == 0 {
		return &counter{}
	}
	return &counter{batcher: data.NewBatcher(n, false, nil)}
}

func (c *counter) NumParams() int                     { return 0 }
func (c *counter) Layout() optim.Layout               { return optim.Layout{} }
func (c *counter) Init([]float64)                     {}
func (c *counter) Batched() bool                      { return c.batcher != nil }
func (c *counter) Cheap() bool                        { return false }
func (c *counter) HasTest() bool                      { return false }
func (c *counter) LossGrad(_, _ []float64) float64    { return 0 }
func (c *counter) Evaluate([]float64) Metrics         { return Metrics{} }
func (c *counter) SaveRNG() map[string][]byte         { return nil }
func (c *counter) RestoreRNG(map[string][]byte) error { return nil }

func (c *counter) StartEpoch(size int) {
	if c.batcher != nil {
		c.batcher.Epoch(size)
	}
	c.done = false
}

func (c *counter) NextBatch() (int, bool) {
	if c.batcher == nil {
		if c.done {
			return 0, false
		}
		c.done = true
		return 0, true
	}
	idx, ok := c.batcher.Next()
	return len(idx), ok
}
