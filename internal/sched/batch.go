package sched

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// BatchConfig is train.batch_schedule (SPEC §6). Fields that do not apply to Name are ignored.
type BatchConfig struct {
	Name       string  // constant | step | multistep ("" means constant)
	Factor     float64 // > 1 (default 2)
	Every      int     // step: epochs between boundaries (default 10)
	Milestones []int   // multistep: epochs at which boundaries fall
	Max        int     // cap on the batch size; 0 means n (the training-set size)
}

var batchSchedules = []struct {
	name string
	keys []string
}{
	{"constant", nil},
	{"step", []string{"factor", "every", "max"}},
	{"multistep", []string{"factor", "milestones", "max"}},
}

// BatchNames lists the batch-size schedule names.
func BatchNames() []string {
	names := make([]string, len(batchSchedules))
	for i, s := range batchSchedules {
		names[i] = s.name
	}
	return names
}

// BatchKeys is like Keys for batch schedules: constant→[], step→[factor every max],
// multistep→[factor milestones max]. An unknown name is an error wrapping ErrUnknownBatch:
// `unknown batch schedule "x"`.
func BatchKeys(name string) ([]string, error) {
	for _, s := range batchSchedules {
		if s.name == name {
			return slices.Clone(s.keys), nil
		}
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownBatch, name)
}

// BatchDefaults returns the BatchConfig for name with its defaults filled in: factor 2, every 10
// (step), max 0. multistep milestones have no default and are left nil: NewBatch requires them.
func BatchDefaults(name string) (BatchConfig, error) {
	if _, err := BatchKeys(name); err != nil {
		return BatchConfig{}, err
	}
	c := BatchConfig{Name: name}
	switch name {
	case "step":
		c.Factor, c.Every = 2, 10
	case "multistep":
		c.Factor = 2
	}
	return c, nil
}

// BatchSchedule gives, for epoch e (from 0), the batch size in effect and the learning-rate
// multiplier from the hybrid rule (1 until the cap is hit; divided by Factor at each later
// boundary). It allocates nothing; e < 0 is treated as 0.
type BatchSchedule func(epoch int) (size int, lrScale float64)

// NewBatch validates c and returns the batch schedule starting from batch size b0 on a training
// set of n samples: the schedule of Smith, Kindermans, Ying & Le 2017 ("Don't Decay the Learning
// Rate, Increase the Batch Size", ICLR 2018), which grows the batch where a step schedule would
// decay the learning rate.
//
// Boundaries fall at epochs every, 2·every, … (step) or at each milestone (multistep). At a
// boundary the batch size becomes round(size·factor), unless that exceeds the cap, in which case
// the size stays and lrScale is divided by factor (the paper's hybrid). The cap is Max, or n when
// Max is 0; it is never above n, since no batch can hold more than the training set. A b0 larger
// than the cap is cut to it (also for constant).
//
// Errors are *KeyError values naming the key: `factor: must be > 1, got 1`,
// `every: must be > 0, got 0`, `milestones: required for multistep`, `max: must be >= 0, got -1`,
// `batch_size: must be > 0, got 0`, `name: unknown batch schedule "x"`.
func NewBatch(c BatchConfig, b0, n int) (BatchSchedule, error) {
	name := c.Name
	if name == "" {
		name = "constant"
	}
	if _, err := BatchKeys(name); err != nil {
		return nil, &KeyError{Key: "name", Err: err}
	}
	if b0 <= 0 {
		return nil, keyErr("batch_size", "must be > 0, got %d", b0)
	}
	if n <= 0 {
		return nil, fmt.Errorf("batch schedule: training set size must be > 0, got %d", n)
	}
	limit := n
	var ms []int
	if name != "constant" {
		if math.IsNaN(c.Factor) || math.IsInf(c.Factor, 0) || c.Factor <= 1 {
			return nil, keyErr("factor", "must be > 1, got %v", c.Factor)
		}
		if name == "step" && c.Every <= 0 {
			return nil, keyErr("every", "must be > 0, got %d", c.Every)
		}
		if name == "multistep" {
			var err error
			if ms, err = checkMilestones(c.Milestones, "multistep"); err != nil {
				return nil, err
			}
		}
		if c.Max < 0 {
			return nil, keyErr("max", "must be >= 0, got %d", c.Max)
		}
		if c.Max > 0 {
			limit = min(c.Max, n)
		}
	}
	b0 = min(b0, limit)
	if name == "constant" {
		return func(int) (int, float64) { return b0, 1 }, nil
	}

	factor, every, capF, step := c.Factor, c.Every, float64(limit), name == "step"
	return func(e int) (int, float64) {
		e = max(e, 0)
		var bounds int // boundaries at or before epoch e
		if step {
			bounds = e / every
		} else {
			bounds = sort.SearchInts(ms, e+1)
		}
		size := b0
		for i := range bounds {
			next := math.Round(float64(size) * factor)
			if next > capF {
				// Capped: the size stays for good and each remaining boundary divides lr by factor.
				return size, 1 / math.Pow(factor, float64(bounds-i))
			}
			if int(next) == size { // rounding stalls the growth for good, below the cap
				break
			}
			size = int(next)
		}
		return size, 1
	}, nil
}

// Steps returns the total number of updates of a run of the given epochs on n samples under bs:
// ⌈n/size⌉ per epoch, the last partial batch included. It gives cosine's default period when the
// schedule unit is step.
func Steps(bs BatchSchedule, n, epochs int) int {
	if n <= 0 {
		return 0
	}
	total := 0
	for e := range max(epochs, 0) {
		size, _ := bs(e)
		total += (n + size - 1) / size
	}
	return total
}
