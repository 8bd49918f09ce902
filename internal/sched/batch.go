package sched

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/optimbench/optimbench/internal/param"
)

// BatchConfig is train.batch_schedule (SPEC §6): a name of BatchNames and the keys set (the
// others take their defaults).
type BatchConfig struct {
	Name   string // constant | step | multistep ("" means constant)
	Params param.Values
}

// BatchEntry is one batch-size schedule of the table.
type BatchEntry struct {
	Name   string
	Params []param.Spec // in the order config.yaml lists them
	Doc    string
}

var (
	batchFactor = param.Spec{Key: "factor", Type: param.Float, Default: 2.0, Range: param.Above(1),
		Doc: "multiplier of the batch size at each boundary"}
	batchMax = param.Spec{Key: "max", Type: param.Int, Default: 0, Range: param.AtLeast(0),
		Doc: "cap on the batch size (0 = the training-set size); past it lr is divided by factor"}
)

var batchTable = []BatchEntry{
	{Name: "constant", Doc: "the batch size stays train.batch_size"},
	{Name: "step", Params: []param.Spec{batchFactor,
		{Key: "every", Type: param.Int, Default: 10, Range: param.Above(0), Doc: "epochs between boundaries"},
		batchMax}, Doc: "× factor every `every` epochs"},
	{Name: "multistep", Params: []param.Spec{batchFactor,
		{Key: "milestones", Type: param.Ints, Range: param.Above(0), Doc: "epochs of the boundaries, increasing"},
		batchMax}, Doc: "× factor at each milestone"},
}

// BatchNames lists the batch-size schedule names.
func BatchNames() []string {
	names := make([]string, len(batchTable))
	for i, s := range batchTable {
		names[i] = s.Name
	}
	return names
}

// BatchEntries returns the table of batch-size schedules.
func BatchEntries() []BatchEntry { return slices.Clone(batchTable) }

// LookupBatch returns the entry of batch schedule name ("" is constant), or an error wrapping
// ErrUnknownBatch: `unknown batch schedule "x"`.
func LookupBatch(name string) (*BatchEntry, error) {
	if name == "" {
		name = "constant"
	}
	for i := range batchTable {
		if batchTable[i].Name == name {
			return &batchTable[i], nil
		}
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownBatch, name)
}

// BatchKeys is like Keys for batch schedules: constant→[], step→[factor every max],
// multistep→[factor milestones max]. An unknown name is an error wrapping ErrUnknownBatch.
func BatchKeys(name string) ([]string, error) {
	e, err := LookupBatch(name)
	if err != nil {
		return nil, err
	}
	return param.Keys(e.Params), nil
}

// ResolveBatch returns every key of c: those set, then the defaults (factor 2, every 10, max
// 0; multistep's milestones have none).
func ResolveBatch(c BatchConfig) (param.Values, error) {
	e, err := LookupBatch(c.Name)
	if err != nil {
		return nil, &KeyError{Key: "name", Err: err}
	}
	p := param.Defaults(e.Params)
	for k, v := range c.Params {
		p[k] = v
	}
	return p, nil
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
// than n is cut to it (also for constant); a b0 larger than a nonzero Max is an error, since
// the run would train at Max from its first update.
//
// Errors are *KeyError values naming the key: `factor: must be > 1, got 1`,
// `every: must be > 0, got 0`, `milestones: required for multistep`, `max: must be >= 0, got -1`,
// `max: must be >= batch_size (128) or 0, got 64`, `batch_size: must be > 0, got 0`,
// `name: unknown batch schedule "x"`.
func NewBatch(c BatchConfig, b0, n int) (BatchSchedule, error) {
	e, err := LookupBatch(c.Name)
	if err != nil {
		return nil, &KeyError{Key: "name", Err: err}
	}
	name := e.Name
	if b0 <= 0 {
		return nil, keyErr("batch_size", "must be > 0, got %d", b0)
	}
	if n <= 0 {
		return nil, fmt.Errorf("batch schedule: training set size must be > 0, got %d", n)
	}
	for k := range c.Params {
		if param.Find(e.Params, k) == nil {
			return nil, keyErr(k, "does not apply to batch schedule %s", name)
		}
	}
	p, _ := ResolveBatch(c)
	if err := checkParams(e.Params, p); err != nil {
		return nil, err
	}
	limit := n
	var ms []int
	var factor float64
	var every int
	if name != "constant" {
		factor = p.Float("factor")
		if name == "step" {
			every = p.Int("every")
		} else {
			if err := checkIncreasing(p, run{}); err != nil {
				return nil, err
			}
			ms = slices.Clone(p.Ints("milestones"))
		}
		if m := p.Int("max"); m > 0 {
			if m < b0 {
				return nil, keyErr("max", "must be >= batch_size (%d) or 0, got %d", b0, m)
			}
			limit = min(m, n)
		}
	}
	b0 = min(b0, limit)
	if name == "constant" {
		return func(int) (int, float64) { return b0, 1 }, nil
	}

	capF, step := float64(limit), name == "step"
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
// schedule unit is step. It does not loop over the epochs: the batch size only grows, and takes
// at most log₂(n) + 1 values, so Steps finds where each value ends by bisection. A total
// beyond MaxInt saturates at math.MaxInt (ok false).
func Steps(bs BatchSchedule, n, epochs int) (total int, ok bool) {
	if n <= 0 {
		return 0, true
	}
	for e := 0; e < epochs; {
		size, _ := bs(e)
		end := segmentEnd(bs, e, epochs, size) // epochs e..end-1 have this size
		perEpoch := (n + size - 1) / size
		span := end - e
		if span > (math.MaxInt-total)/perEpoch {
			return math.MaxInt, false
		}
		total += span * perEpoch
		e = end
	}
	return total, true
}

// segmentEnd returns the first epoch after e (at most epochs) whose batch size is not size,
// by doubling then bisection over the nondecreasing sizes.
func segmentEnd(bs BatchSchedule, e, epochs, size int) int {
	lo, step := e, 1 // bs(lo) == size
	hi := epochs
	for lo+step < epochs {
		if s, _ := bs(lo + step); s != size {
			hi = lo + step
			break
		}
		lo += step
		step *= 2
	}
	for hi-lo > 1 { // bs(lo) == size, bs(hi) != size or hi == epochs
		mid := lo + (hi-lo)/2
		if s, _ := bs(mid); s == size {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}
