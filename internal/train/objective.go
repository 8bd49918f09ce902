package train

import (
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
type blockEvaluator interface {
	EvalSum(params, x, y []float64, n int, sum float64) (float64, int)
}

// Data is a model's mean data loss on minibatches of a training set (SPEC §7), evaluated on
// the whole training and test sets.
type Data struct {
	Model       model.Model
	Train, Test *data.Set // Test may be nil
	classify    bool
	shuffle     bool
	seed        uint64
	perm        *rand.PCG // the stream of the permutations (with shuffle)
	drop        *rand.PCG // the stream of the dropout masks (a model with dropout)
	batcher     *data.Batcher
	xb, yb      []float64 // the minibatch, when it cannot be read in place
	x, y        []float64 // the current minibatch
	n           int
	evalBuf     []float64 // evalRows rows of features, for sets stored as bytes
}

// NewData builds the objective of model m on train (and test, which may be nil) for
// minibatches of up to maxBatch samples, shuffled each epoch or not. seed fixes the initial
// parameters and the permutations, each from its own stream (SPEC §8). classify reports
// accuracies (cross-entropy).
func NewData(m model.Model, train, test *data.Set, maxBatch int, classify, shuffle bool, seed uint64) *Data {
	d := &Data{Model: m, Train: train, Test: test, classify: classify, shuffle: shuffle, seed: seed}
	if d.shuffle || train.Bytes() {
		d.xb = make([]float64, maxBatch*train.D)
		d.yb = make([]float64, maxBatch)
	}
	if train.Bytes() || (test != nil && test.Bytes()) {
		d.evalBuf = make([]float64, evalRows*train.D)
	}
	return d
}

func (d *Data) NumParams() int { return d.Model.NumParams() }

func (d *Data) Layout() optim.Layout {
	l := optim.Layout{Size: d.Model.NumParams()}
	for _, t := range d.Model.Tensors() {
		l.Tensors = append(l.Tensors, optim.Tensor{Name: t.Name, Offset: t.Offset, Rows: t.Rows, Cols: t.Cols, Matrix: t.Weight, Kernel: t.Kernel})
	}
	return l
}

// Init writes the initial parameters and restarts the permutations' stream and, for a model
// with dropout, the stream of its masks, so that each run of the objective is the same run.
func (d *Data) Init(params []float64) {
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

func (d *Data) SaveRNG() map[string][]byte {
	m := savePCG("shuffle", d.perm)
	maps.Copy(m, savePCG("dropout", d.drop))
	return m
}

func (d *Data) RestoreRNG(m map[string][]byte) error {
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
func (d *Data) Batched() bool       { return true }
func (d *Data) Cheap() bool         { return false }
func (d *Data) HasTest() bool       { return d.Test != nil }
func (d *Data) StartEpoch(size int) { d.batcher.Epoch(size) }

func (d *Data) NextBatch() (int, bool) {
	idx, ok := d.batcher.Next()
	if !ok {
		return 0, false
	}
	n, dim := len(idx), d.Train.D
	if d.shuffle {
		d.x, d.y = d.xb[:n*dim], d.yb[:n]
		d.Train.Gather(idx, d.x, d.y)
	} else { // batches are consecutive rows: read them in place (bytes: into xb)
		d.x, d.y = d.Train.Rows(idx[0], n, d.xb), d.Train.Y[idx[0]:idx[0]+n]
	}
	d.n = n
	return n, true
}

func (d *Data) LossGrad(params, grad []float64) float64 {
	return d.Model.LossGrad(params, d.x, d.y, d.n, grad)
}

func (d *Data) Evaluate(params []float64) Metrics {
	var m Metrics
	m.TrainLoss, m.TrainAcc = d.evaluate(params, d.Train)
	m.TestLoss, m.TestAcc = d.evaluate(params, d.Test)
	return m
}

// evaluate returns the mean loss and accuracy of the model over set, in chunks of evalRows.
func (d *Data) evaluate(params []float64, set *data.Set) (loss, acc float64) {
	if set == nil {
		return math.NaN(), math.NaN()
	}
	var sum float64
	var correct int
	se, blocks := d.Model.(blockEvaluator)
	for i := 0; i < set.N; i += evalRows {
		n := min(evalRows, set.N-i)
		if !blocks {
			l, c := d.Model.Eval(params, set.Rows(i, n, d.evalBuf), set.Y[i:i+n], n)
			sum += l
			correct += c
			continue
		}
		var l float64
		for j := i; j < i+n; j += evalBlock {
			nb := min(evalBlock, i+n-j)
			var c int
			l, c = se.EvalSum(params, set.Rows(j, nb, d.evalBuf), set.Y[j:j+nb], nb, l)
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

// Function is a test function with Gaussian noise of standard deviation noise added to each
// component of its gradient: one update per epoch, its value as the loss.
type Function struct {
	Fn    model.Function
	Start []float64
	noise float64
	seed  uint64
	pcg   *rand.PCG
	rng   *rand.Rand
	done  bool
}

// NewFunction is the objective of fn from start, with gradient noise from the noise stream of
// seed.
func NewFunction(fn model.Function, start []float64, noise float64, seed uint64) *Function {
	return &Function{Fn: fn, Start: start, noise: noise, seed: seed}
}

func (f *Function) NumParams() int       { return f.Fn.Dim() }
func (f *Function) Layout() optim.Layout { return optim.Flat(f.Fn.Dim()) }

// Init writes the start and restarts the noise stream.
func (f *Function) Init(params []float64) {
	copy(params, f.Start)
	f.pcg = rand.NewPCG(f.seed, streamNoise)
	f.rng = rand.New(f.pcg)
}

func (f *Function) SaveRNG() map[string][]byte { return savePCG("noise", f.pcg) }

func (f *Function) RestoreRNG(m map[string][]byte) error { return restorePCG(m, "noise", f.pcg) }
func (f *Function) Batched() bool                        { return false }
func (f *Function) Cheap() bool                          { return true }
func (f *Function) HasTest() bool                        { return false }
func (f *Function) StartEpoch(int)                       { f.done = false }

func (f *Function) NextBatch() (int, bool) {
	if f.done {
		return 0, false
	}
	f.done = true
	return 0, true
}

func (f *Function) LossGrad(x, grad []float64) float64 {
	v := f.Fn.Value(x)
	f.Fn.Grad(grad, x)
	if f.noise > 0 {
		for i := range grad {
			grad[i] += f.noise * f.rng.NormFloat64()
		}
	}
	return v
}

func (f *Function) Evaluate(x []float64) Metrics {
	return Metrics{TrainLoss: f.Fn.Value(x), TestLoss: math.NaN(), TrainAcc: math.NaN(), TestAcc: math.NaN()}
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
