package experiment

// ScheduleStep is the learning rate and batch size of one update, or of an
// epoch's last update.
type ScheduleStep struct {
	Epoch     int     // 0-based epoch the update belongs to (per-epoch rows: the epoch number, from 1)
	Step      int     // updates before this one (per-epoch rows: cumulative updates, as metrics.csv)
	Examples  int     // samples seen before this update (per-epoch rows: after the epoch); -1 for a problem
	LR        float64 // learning rate the update uses
	BatchSize int     // samples in the update; -1 for a problem
}

// SchedulePreview is the learning rate and batch size over a whole run,
// computed without training.
type SchedulePreview struct {
	Name    string
	Unit    string // schedule.unit: epoch or step
	Problem bool   // a test function: one update per "epoch", no batches
	// Steps has one entry per update, in order.
	Steps []ScheduleStep
	// Epochs has one entry per epoch with the values of that epoch's last
	// update, the lr and batch_size columns metrics.csv would show for rows
	// 1, 2, …; Epochs[i].Epoch is i+1 and Step/Examples are cumulative.
	Epochs []ScheduleStep
}

// PreviewSchedule runs Setup (so the data are loaded for their size, and
// every schedule default is resolved exactly as for training) and returns the
// learning rate and batch size of every update of the run. The values come
// from the same schedule functions and the same formula as the training loop:
// lr = schedule(unit index) × the batch schedule's lr scale, where the unit
// index is the epoch or the number of earlier updates.
func PreviewSchedule(c *Config) (*SchedulePreview, error) {
	r, err := Setup(c)
	if err != nil {
		return nil, err
	}
	return r.PreviewSchedule(), nil
}

// PreviewSchedule returns the schedule of the run r would train.
func (r *Run) PreviewSchedule() *SchedulePreview {
	c := r.Config
	p := &SchedulePreview{Name: c.Name, Unit: r.Schedule.Unit, Problem: r.fn != nil}
	if r.fn != nil {
		// trainProblem: update step (from 1) uses lr(step−1), whatever the unit.
		for step := 1; step <= c.Train.Epochs; step++ {
			lr := r.lr(step - 1)
			p.Steps = append(p.Steps, ScheduleStep{Epoch: step - 1, Step: step - 1, Examples: -1, LR: lr, BatchSize: -1})
			p.Epochs = append(p.Epochs, ScheduleStep{Epoch: step, Step: step, Examples: -1, LR: lr, BatchSize: -1})
		}
		return p
	}
	n := r.train.N
	step, examples := 0, 0
	for e := 0; e < c.Train.Epochs; e++ {
		size, scale := r.batch(e)
		size = min(size, n)
		var lr float64
		for start := 0; start < n; start += size {
			b := min(size, n-start)
			lr = r.lr(r.unitIndex(e, step)) * scale
			p.Steps = append(p.Steps, ScheduleStep{Epoch: e, Step: step, Examples: examples, LR: lr, BatchSize: b})
			step++
			examples += b
		}
		p.Epochs = append(p.Epochs, ScheduleStep{Epoch: e + 1, Step: step, Examples: examples, LR: lr, BatchSize: size})
	}
	return p
}
