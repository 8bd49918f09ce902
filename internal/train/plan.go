package train

import (
	"fmt"
	"math"

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
	rates    sched.Rates
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
		if epochs > 0 {
			size, _ := p.batch(epochs - 1) // batch sizes only grow
			p.MaxBatch = min(size, n)
		}
		steps, ok := sched.Steps(p.batch, n, epochs)
		if !ok {
			return nil, &config.ConfigError{File: c.File, Msg: fmt.Sprintf(
				"train.epochs: %d epochs of %d examples make more than %d updates", epochs, n, math.MaxInt)}
		}
		if c.Schedule.Unit == "step" {
			p.Length = steps
		}
	}
	rates, err := sched.NewRates(c.Schedule, p.Length)
	if err != nil {
		return nil, &config.ConfigError{File: c.File, Msg: "schedule." + err.Error()}
	}
	p.rates = rates
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
func (p *Plan) LR(e, step int) float64 { return p.rates.LR(p.unit(e, step)) }

// unit is the schedule's t of the update after step updates, in epoch e.
func (p *Plan) unit(e, step int) int {
	if p.byStep {
		return step
	}
	return e
}

// Momentum returns the momentum (β₁) the schedule gives each update, as LR gives its rate,
// or nil when the schedule drives none.
func (p *Plan) Momentum() func(e, step int) float64 {
	m := p.rates.Momentum
	if m == nil {
		return nil
	}
	return func(e, step int) float64 { return m(p.unit(e, step)) }
}

// Observes reports whether the schedule reads evaluations, and of which metric: the one it
// names, or the test loss when there is a test set and the training loss otherwise.
func (p *Plan) Observes(hasTest bool) (string, bool) {
	if p.rates.Observe == nil {
		return "", false
	}
	if m := p.rates.Monitor; m != "" {
		return m, true
	}
	if hasTest {
		return "test_loss", true
	}
	return "train_loss", true
}

// Observe feeds the schedule an evaluation's value of the metric it reads.
func (p *Plan) Observe(metric float64) {
	if p.rates.Observe != nil {
		p.rates.Observe(metric)
	}
}

// SaveState copies the schedule's state (reduce-on-plateau's), nil when it has none.
func (p *Plan) SaveState() [][]float64 {
	out, _ := sched.SaveState(p.rates) // the schedule's own state elements always save
	return out
}

// RestoreState writes a saved schedule state back.
func (p *Plan) RestoreState(saved [][]float64) error { return sched.RestoreState(p.rates, saved) }
