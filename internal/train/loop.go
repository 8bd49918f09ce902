// Package train holds optimbench's one training loop (Loop) over a stochastic objective — a
// model's data loss on minibatches, or a test function with gradient noise — and what sits on
// it: a run of a configuration with its divergence policy, evaluation cadence and files
// (Setup, Run.Execute), Smith's learning-rate range test (Run.LRFind), the schedule preview
// (Preview), the timed steps of `optimbench bench` (Timed) and the reference optimum f*.
//
// The loop takes the rate of each update from a function the caller passes (the run's
// schedule, lrfind's ramp) and reports to Hooks, which record, watch for divergence and may
// end the run; it allocates nothing per step.
package train

import (
	"context"
	"fmt"
	"math"

	"github.com/optimbench/optimbench/internal/optim"
)

// Objective is a float64 objective, what the loop minimizes in float64.
type Objective = ObjectiveOf[float64]

// ObjectiveOf is what the loop minimizes, with parameters and gradients of precision T
// (train.dtype); losses and metrics are float64 in both precisions.
type ObjectiveOf[T optim.Float] interface {
	// NumParams is the length of the parameter vector; Layout its tensors.
	NumParams() int
	Layout() optim.Layout
	// Init writes the initial parameters.
	Init(params []T)
	// Batched reports whether the objective has data in minibatches; a test function has
	// one update per epoch, and no batch sizes or examples.
	Batched() bool
	// Cheap reports whether an evaluation costs no more than an update (a test function):
	// the loop then evaluates after every epoch, to watch for divergence and record the path.
	Cheap() bool
	// StartEpoch begins a pass over the data in minibatches of size (ignored when not
	// Batched).
	StartEpoch(size int)
	// NextBatch moves to the next minibatch of the epoch and returns its number of samples;
	// false when the epoch is over.
	NextBatch() (n int, ok bool)
	// LossGrad returns the loss of the current minibatch at params (the mean over its
	// samples; a test function's value) and writes its gradient into grad. It may be called
	// again on the same minibatch.
	LossGrad(params, grad []T) float64
	// Evaluate returns the metrics at params.
	Evaluate(params []T) Metrics
	// HasTest reports whether Evaluate has test metrics.
	HasTest() bool
	// SaveRNG returns the binary states of the objective's random streams, by purpose;
	// RestoreRNG sets them back (a checkpoint, taken between epochs).
	SaveRNG() map[string][]byte
	RestoreRNG(map[string][]byte) error
}

// Metrics are the evaluation of a point: data losses over the whole training and test sets,
// and accuracies; NaN where there is none (a regression's accuracy, the test set of a run
// without one).
type Metrics struct {
	TrainLoss, TestLoss, TrainAcc, TestAcc float64
}

// Update is what the loop knows just before an update.
type Update struct {
	Epoch    int     // the epoch it belongs to, from 0
	Step     int     // updates made before it
	Examples int     // samples seen before it (-1 for a test function)
	LR       float64 // the rate it will use
	Momentum float64 // the momentum (β₁) a schedule gives it, NaN when none does
	Batch    int     // samples in its minibatch (-1 for a test function)
	Loss     float64 // the minibatch loss at the current parameters
}

// Progress is the float64 ProgressOf.
type Progress = ProgressOf[float64]

// ProgressOf is the state of a run after an epoch (and, with Epoch 0, before the first).
type ProgressOf[T optim.Float] struct {
	Epoch    int     // epochs done
	Step     int     // updates made
	Examples int     // samples seen (-1 for a test function)
	LR       float64 // the rate of the last update made; before the first, the rate it will use
	Momentum float64 // likewise the momentum a schedule drives (NaN when none does)
	Batch    int     // the batch size of the epoch (-1 for a test function)
	Params   []T     // the current parameters, the iterate (not to be kept)
	// Eval is the point to evaluate: Params, or the optimizer's own evaluation point
	// (optim.Evaluator: the average of a schedule-free method).
	Eval []T
}

// Hooks are float64 HooksOf.
type Hooks = HooksOf[float64]

// HooksOf see a run as it goes and may end it.
type HooksOf[T optim.Float] interface {
	// Update is called before each update; false ends the run without that update, after
	// one more EpochEnd.
	Update(u Update) bool
	// EpochEnd is called before the first epoch and after each one; false ends the run.
	EpochEnd(p ProgressOf[T]) (bool, error)
}

// Loop is the float64 training loop.
type Loop = LoopOf[float64]

// LoopOf is the training loop in precision T: epochs of minibatches, each giving the loss and
// gradient at the current parameters and then an update of the optimizer at the rate LR gives.
type LoopOf[T optim.Float] struct {
	Objective ObjectiveOf[T]
	Optimizer optim.OptimizerOf[T] // nil makes no updates (a schedule preview)
	Epochs    int
	// Batch gives epoch e's batch size and the batch schedule's factor on the rate; nil for
	// an objective that is not Batched.
	Batch func(epoch int) (size int, lrScale float64)
	// LR gives the rate of the update made after step updates, in epoch (before Batch's
	// factor).
	LR func(epoch, step int) float64
	// Momentum, when set, gives the momentum (β₁) of each update, as LR gives its rate, for
	// an optim.MomentumSetter (one-cycle and cyclical schedules drive it).
	Momentum func(epoch, step int) float64
	// After, when set, is called after each update with the update count and the parameters
	// (weight averaging).
	After func(step int, params []T)
	// MaxSteps, when > 0, ends the run once that many updates are made.
	MaxSteps int
	// Resume, when set, is the progress of a run restored from a checkpoint taken after its
	// epoch Resume.Epoch: the loop goes on from the next epoch, without the first EpochEnd.
	Resume *ProgressOf[T]
	Hooks  HooksOf[T]
}

func (l *LoopOf[T]) batch(e int) (int, float64) {
	if l.Batch == nil || !l.Objective.Batched() {
		return -1, 1
	}
	return l.Batch(e)
}

// Run trains from params (grad is scratch of the same length) until Epochs are done, MaxSteps
// updates are made or a hook ends the run. When ctx is cancelled it stops before the next
// update and returns an error saying so. It allocates nothing per update.
func (l *LoopOf[T]) Run(ctx context.Context, params, grad []T) (ProgressOf[T], error) {
	p := ProgressOf[T]{Params: params, Momentum: math.NaN()}
	if !l.Objective.Batched() {
		p.Examples = -1
	}
	// The optimizer's optional parts, found once.
	var o optParts[T]
	o.closure, _ = l.Optimizer.(optim.ClosureStepperOf[T])
	o.momentum, _ = l.Optimizer.(optim.MomentumSetter)
	evaluator, _ := l.Optimizer.(optim.EvaluatorOf[T])
	evalAt := func() []T {
		if evaluator != nil && p.Step > 0 {
			return evaluator.EvalParams(params)
		}
		return params
	}
	size0, scale0 := l.batch(0)
	p.LR, p.Batch = l.LR(0, 0)*scale0, size0
	if l.Momentum != nil {
		p.Momentum = l.Momentum(0, 0)
	}
	p.Eval = evalAt()
	first := 0
	if r := l.Resume; r != nil {
		p.Epoch, p.Step, p.Examples, p.LR, p.Momentum = r.Epoch, r.Step, r.Examples, r.LR, r.Momentum
		first = r.Epoch
	} else if ok, err := l.Hooks.EpochEnd(p); err != nil || !ok {
		return p, err
	}
	for e := first; e < l.Epochs; e++ {
		end, stop, err := l.epoch(ctx, e, &p, grad, o)
		if err != nil || stop {
			return p, err
		}
		p.Epoch = e + 1
		p.Eval = evalAt()
		ok, err := l.Hooks.EpochEnd(p)
		if err != nil || !ok || end {
			return p, err
		}
	}
	return p, nil
}

// optParts are the optional interfaces of a loop's optimizer.
type optParts[T optim.Float] struct {
	closure  optim.ClosureStepperOf[T]
	momentum optim.MomentumSetter
}

// epoch makes the updates of epoch e from progress p. end reports that the Update hook ended
// the run (the epoch is still evaluated); stop that MaxSteps was reached (the run ends at once).
func (l *LoopOf[T]) epoch(ctx context.Context, e int, p *ProgressOf[T], grad []T, o optParts[T]) (end, stop bool, err error) {
	obj, params := l.Objective, p.Params
	batched := obj.Batched()
	size, scale := l.batch(e)
	p.Batch = size
	obj.StartEpoch(size)
	for n, ok := obj.NextBatch(); ok; n, ok = obj.NextBatch() {
		if err := ctx.Err(); err != nil {
			return false, false, fmt.Errorf("interrupted at step %d: %w", p.Step, err)
		}
		if l.MaxSteps > 0 && p.Step >= l.MaxSteps {
			return false, true, nil
		}
		loss := obj.LossGrad(params, grad)
		lr := l.LR(e, p.Step) * scale
		mom := math.NaN()
		if l.Momentum != nil {
			mom = l.Momentum(e, p.Step)
		}
		if !batched {
			n = -1
		}
		if !l.Hooks.Update(Update{Epoch: e, Step: p.Step, Examples: p.Examples, LR: lr, Momentum: mom, Batch: n, Loss: loss}) {
			return true, false, nil
		}
		if l.Momentum != nil {
			p.Momentum = mom
			if o.momentum != nil {
				o.momentum.SetMomentum(mom)
			}
		}
		p.Step++
		if batched {
			p.Examples += n
		}
		p.LR = lr
		switch {
		case o.closure != nil:
			o.closure.StepClosure(params, grad, loss, p.Step, lr, obj.LossGrad)
		case l.Optimizer != nil:
			l.Optimizer.Step(params, grad, p.Step, lr)
		}
		if l.After != nil {
			l.After(p.Step, params)
		}
	}
	return false, false, nil
}
