package train

import (
	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/sched"
)

// Plan is the learning rate and batch size of every update of a run: a pure function of the
// schedule, the batch schedule and the number of training examples, used by the training loop
// and by the schedule preview alike.
type Plan struct {
	Epochs int
	// N is the number of training examples; 0 for a test function (one update per epoch).
	N int
	// Length is the run's length in the schedule's unit: epochs, or updates for unit step.
	Length   int
	MaxBatch int // the largest batch of the run (0 for a test function)
	lr       sched.Schedule
	batch    sched.BatchSchedule
	byStep   bool // the schedule counts updates (unit step; always for a test function)
}

// NewPlan builds the plan of c for n training examples (0 for a test function). Its errors
// are configuration errors.
func NewPlan(c *config.Config, n int) (*Plan, error) {
	epochs := c.Train.Values.Int("epochs")
	p := &Plan{Epochs: epochs, N: n, Length: epochs, byStep: c.Schedule.Unit == "step" || n == 0}
	if n > 0 {
		b0 := c.BatchSize()
		if c.FullBatch() {
			b0 = n
		}
		var err error
		if p.batch, err = sched.NewBatch(c.Batch, b0, n); err != nil {
			return nil, &config.ConfigError{File: c.File, Msg: "train.batch_schedule." + err.Error()}
		}
		for e := 0; e < epochs; e++ {
			size, _ := p.batch(e)
			p.MaxBatch = max(p.MaxBatch, min(size, n))
		}
		if c.Schedule.Unit == "step" {
			p.Length = sched.Steps(p.batch, n, epochs)
		}
	}
	lr, err := sched.New(c.Schedule, p.Length)
	if err != nil {
		return nil, &config.ConfigError{File: c.File, Msg: "schedule." + err.Error()}
	}
	p.lr = lr
	return p, nil
}

// Batch is epoch e's batch size (at most N) and the batch schedule's factor on the rate.
func (p *Plan) Batch(e int) (int, float64) {
	if p.batch == nil {
		return -1, 1
	}
	size, scale := p.batch(e)
	return min(size, p.N), scale
}

// LR is the scheduled rate of the update made after step updates, in epoch e: the schedule
// at the epoch, or at step for unit step (and for a test function, whose epochs are steps).
func (p *Plan) LR(e, step int) float64 {
	if p.byStep {
		return p.lr(step)
	}
	return p.lr(e)
}
