package train

import (
	"context"
	"math"
	"runtime"
	"time"

	"github.com/optimbench/optimbench/internal/optim"
)

// Timing is what Time measured.
type Timing struct {
	Steps   int
	Seconds float64
	Allocs  uint64  // heap allocations during the timed updates
	Loss    float64 // the last minibatch loss, a sanity check
}

// TimeOf trains obj from its initial parameters with opt at the constant rate lr and batch
// size batch (ignored by a test function): warm updates, then steps more, which it times.
// These are the updates of `optimbench train` — the training loop's — without its
// evaluations, in precision T (float32 for train.dtype float32).
func TimeOf[T optim.Float](ctx context.Context, obj ObjectiveOf[T], opt optim.OptimizerOf[T], batch int, lr float64, warm, steps int) (Timing, error) {
	params := make([]T, obj.NumParams())
	grad := make([]T, obj.NumParams())
	obj.Init(params)
	h := &timer[T]{warm: warm}
	l := &LoopOf[T]{Objective: obj, Optimizer: opt, Epochs: math.MaxInt, MaxSteps: warm + steps, Hooks: h,
		Batch: func(int) (int, float64) { return batch, 1 }, LR: func(int, int) float64 { return lr }}
	if _, err := l.Run(ctx, params, grad); err != nil {
		return Timing{}, err
	}
	sec := time.Since(h.start).Seconds()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	return Timing{Steps: steps, Seconds: sec, Allocs: after.Mallocs - h.before.Mallocs, Loss: h.loss}, nil
}

// timer starts the clock at update number warm and keeps the last loss.
type timer[T optim.Float] struct {
	warm   int
	start  time.Time
	before runtime.MemStats
	loss   float64
}

func (t *timer[T]) Update(u Update) bool {
	if u.Step == t.warm {
		runtime.ReadMemStats(&t.before)
		t.start = time.Now()
	}
	t.loss = u.Loss
	return true
}

func (t *timer[T]) EpochEnd(ProgressOf[T]) (bool, error) { return true, nil }
