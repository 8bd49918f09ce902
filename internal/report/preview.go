package report

// ScheduleStep is the learning rate and batch size of one update, or of an epoch's last
// update.
type ScheduleStep struct {
	Epoch     int     // 0-based epoch the update belongs to (per-epoch rows: the epoch number, from 1)
	Step      int     // updates before this one (per-epoch rows: cumulative updates, as metrics.csv)
	Examples  int     // samples seen before this update (per-epoch rows: after the epoch); -1 for a problem
	LR        float64 // learning rate the update uses
	Momentum  float64 // momentum (β₁) a schedule gives the update; NaN when none does
	BatchSize int     // samples in the update; -1 for a problem
}

// SchedulePreview is the learning rate and batch size over a whole run, computed without
// training: what `plot --kind schedule` draws.
type SchedulePreview struct {
	Name    string
	Unit    string // schedule.unit: epoch or step
	Problem bool   // a test function: one update per "epoch", no batches
	// Observes tells that the schedule reads evaluations (reduce-on-plateau): without them, the
	// preview shows its rate before any reduction.
	Observes bool
	// Steps has one entry per update, in order.
	Steps []ScheduleStep
	// Epochs has one entry per epoch with the values of that epoch's last update, the lr and
	// batch_size columns metrics.csv would show for rows 1, 2, …; Epochs[i].Epoch is i+1 and
	// Step/Examples are cumulative.
	Epochs []ScheduleStep
}
