package optim

import "sync"

// rangedOf is an element-wise optimizer: one whose update of each value reads only that
// value's parameter, gradient and state, and the scalars of the step. Its Step is begin, the
// bookkeeping of update t done once (the checks of Step, the flags such as heavyBall's
// started, nadam's running product, the bias corrections and step sizes, kept in the
// optimizer), then part over [0, n): part updates the values [lo, hi) from those scalars,
// and parts over disjoint ranges may run at once. Every value is then computed as one
// Step computes it, whatever the cuts, so that Parallel's steps are Step's bit for bit.
type rangedOf[T Float] interface {
	OptimizerOf[T]
	Stateful
	named
	size() int // the parameter count the optimizer was built for
	begin(params, grad []T, t int, lr float64)
	part(params, grad []T, lo, hi int)
}

// The element-wise optimizers, in both precisions (TestParallelIdentical runs each).
var (
	_ = rangedTypes[float64]()
	_ = rangedTypes[float32]()
)

func rangedTypes[T Float]() []rangedOf[T] {
	return []rangedOf[T]{(*sgd[T])(nil), (*heavyBall[T])(nil), (*adam[T])(nil), (*adamax[T])(nil), (*nadam[T])(nil),
		(*adagrad[T])(nil), (*rmsprop[T])(nil), (*adadelta[T])(nil)}
}

// MinParallel is the smallest parameter count whose update Parallel splits. Handing a part to
// another goroutine and waiting for it costs a few µs, and below a few MB of state the values
// stream from a cache two cores share: on 2 threads of a Zen 3 (BenchmarkParallelStep, float32,
// a busy machine) momentum takes about as long as on one up to 1<<19 values and half as long at
// 1.8M, adam is no faster at 1<<17, ≈ 10% faster at 1<<18, ≈ 25% at 1<<19 and 40% at 1.8M.
const MinParallel = 1 << 19

// Parallel returns o with its update split across threads goroutines, and the function that
// stops them. The element-wise optimizers (sgd, momentum, nesterov, adagrad, rmsprop,
// adadelta, adam, amsgrad, adamw, adamax, nadam) of at least MinParallel parameters cut
// [0, n) into threads contiguous parts, each a multiple of 8 values long but the last (so
// that vector lanes are the same as in one part): the caller's goroutine updates the first
// and threads − 1 goroutines that Parallel starts update the others. The steps are those of o
// to the bit, and Step allocates nothing. Every other optimizer (those with a reduction over
// the vector, such as a norm, or with a second evaluation), threads ≤ 1 or a smaller vector
// give o itself, and a stop that does nothing.
//
// The result implements what o implements of the interfaces the training loop and the
// checkpoints use: Stateful (its state is o's, for SaveState and RestoreState) and
// MomentumSetter. After stop, which waits for the goroutines to end, the steps run on the
// caller's goroutine; stop may be called more than once, but not during a Step.
func Parallel[T Float](o OptimizerOf[T], threads int) (OptimizerOf[T], func()) {
	return parallelFrom(o, threads, MinParallel)
}

// parallelFrom is Parallel splitting the updates of least values and more.
func parallelFrom[T Float](o OptimizerOf[T], threads, least int) (OptimizerOf[T], func()) {
	r, ok := o.(rangedOf[T])
	if !ok || threads <= 1 || r.size() < least {
		return o, func() {}
	}
	p := newParallel(r, threads)
	if m, ok := o.(MomentumSetter); ok {
		return &parallelMomentum[T]{p, m}, p.stop
	}
	return p, p.stop
}

// parallel is a rangedOf split into parts: cuts[i] to cuts[i+1] is part i, and part i ≥ 1 is
// the work of the helper goroutine fed through work[i−1].
type parallel[T Float] struct {
	r            rangedOf[T]
	cuts         []int
	work         []chan struct{}
	params, grad []T            // the current Step's vectors, set before the helpers are fed
	busy         sync.WaitGroup // the parts of the current Step
	alive        sync.WaitGroup // the helper goroutines
}

func newParallel[T Float](r rangedOf[T], threads int) *parallel[T] {
	n := r.size()
	p := &parallel[T]{r: r, cuts: make([]int, threads+1), work: make([]chan struct{}, threads-1)}
	for i := 1; i < threads; i++ {
		p.cuts[i] = n * i / threads &^ 7
	}
	p.cuts[threads] = n
	p.alive.Add(threads - 1)
	for i := range p.work {
		p.work[i] = make(chan struct{}, 1)
		go p.helper(i+1, p.work[i])
	}
	return p
}

// helper updates part i for every signal on work, until work is closed.
func (p *parallel[T]) helper(i int, work <-chan struct{}) {
	defer p.alive.Done()
	for range work {
		p.r.part(p.params, p.grad, p.cuts[i], p.cuts[i+1])
		p.busy.Done()
	}
}

// Step is o's Step: begin on the caller's goroutine, then the parts at once.
func (p *parallel[T]) Step(params, grad []T, t int, lr float64) {
	p.r.begin(params, grad, t, lr)
	if p.work == nil {
		p.r.part(params, grad, 0, len(params))
		return
	}
	p.params, p.grad = params, grad
	p.busy.Add(len(p.work))
	for _, w := range p.work {
		w <- struct{}{}
	}
	p.r.part(params, grad, p.cuts[0], p.cuts[1])
	p.busy.Wait()
	p.params, p.grad = nil, nil
}

// stop ends the helper goroutines and waits for them.
func (p *parallel[T]) stop() {
	for _, w := range p.work {
		close(w)
	}
	p.work = nil
	p.alive.Wait()
}

// State is o's state.
func (p *parallel[T]) State() []any { return p.r.State() }

func (p *parallel[T]) setEntry(name string, l Layout) { p.r.setEntry(name, l) }

func (p *parallel[T]) entryHeader() []float64 { return p.r.entryHeader() }

// parallelMomentum is a parallel optimizer whose momentum a schedule may drive.
type parallelMomentum[T Float] struct {
	*parallel[T]
	m MomentumSetter
}

func (p *parallelMomentum[T]) SetMomentum(m float64) { p.m.SetMomentum(m) }
