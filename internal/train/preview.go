package train

import (
	"context"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/report"
)

// Preview returns the learning rate and batch size of every update of c's run on n training
// examples (0 for a test function; TrainExamples finds n without loading the data). It runs
// the training loop over the run's plan with an objective that has no data and an optimizer
// that makes no updates, so the values are those training uses: lr = the schedule at the
// epoch or step × the batch schedule's factor.
func Preview(ctx context.Context, c *config.Config, n int) (*report.SchedulePreview, error) {
	plan, err := NewPlan(c, n)
	if err != nil {
		return nil, err
	}
	p := &report.SchedulePreview{Name: c.Name, Unit: c.Schedule.Unit, Problem: n == 0}
	_, p.Observes = plan.Observes(false)
	l := &Loop{Objective: newCounter(n), Epochs: plan.Epochs, Batch: plan.Batch, LR: plan.LR,
		Momentum: plan.Momentum(), Hooks: (*previewHooks)(p)}
	if _, err := l.Run(ctx, nil, nil); err != nil {
		return nil, err
	}
	return p, nil
}

type previewHooks report.SchedulePreview

func (h *previewHooks) Update(u Update) bool {
	h.Steps = append(h.Steps, report.ScheduleStep{Epoch: u.Epoch, Step: u.Step, Examples: u.Examples, LR: u.LR,
		Momentum: u.Momentum, BatchSize: u.Batch})
	return true
}

func (h *previewHooks) EpochEnd(p Progress) (bool, error) {
	if p.Epoch > 0 {
		h.Epochs = append(h.Epochs, report.ScheduleStep{Epoch: p.Epoch, Step: p.Step, Examples: p.Examples, LR: p.LR,
			Momentum: p.Momentum, BatchSize: p.Batch})
	}
	return true, nil
}
