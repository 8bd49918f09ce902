package sched

import (
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/optimbench/optimbench/internal/param"
)

func init() { table = append(table, sequentialEntry) }

// sequentialEntry runs schedules one after another; see buildSequential.
var sequentialEntry = Entry{Name: "sequential", Params: []param.Spec{
	{Key: "schedules", Type: param.Schedules, NonEmpty: true,
		Doc: "the schedules, in order: mappings with a name, its keys and an optional warmup (not unit)"},
	{Key: "milestones", Type: param.Ints, Range: param.Above(0),
		Doc: "units at which the next schedule starts, increasing: one fewer than schedules"}},
	derive: deriveSequential, check: checkSequential, build: buildSequential,
	Doc: "schedule i from milestone i−1 on, its t restarted at 0; SequentialLR"}

// buildSequential is PyTorch's SequentialLR(schedulers, milestones): with milestones
// m_1 < … < m_{n−1} (m_0 = 0), unit t runs schedule i, the one with m_i ≤ t < m_{i+1}, at its
// own t − m_i, from lr0 (the base of every schedule). Each schedule's derived defaults are for
// the units it runs: m_{i+1} − m_i, the last one the rest of the run (at least 1), so that a
// cosine's period ends where the next schedule starts; its own warm-up (an inner warmup key)
// is part of those units. Inner schedules count the sequential's unit (they take no unit
// key), cannot read evaluations (plateau) or drive momentum, and do not nest.
//
// PyTorch 1.13's SequentialLR gives these rates (to 1e-9) for every ordered pair of linear,
// constant_factor, exponential, cosine, step, multistep, polynomial, time and sgdr, and for
// chains of three of them, when they were compared once; testdata/golden_zoo.json pins a
// warm-up linear then cosine, constant_factor then exponential, linear–cosine–exponential and
// constant_factor then polynomial. It differs when a CyclicLR (triangular, triangular2,
// exp_range) or a OneCycleLR is among its schedulers: CyclicLR sets the group's lr to its
// base_lr when it is built, so that, when first, it makes min_lr the base rate of every later
// schedule; OneCycleLR overwrites the group's initial_lr with lr0/div_factor, the base rate
// of the schedules before it (and, when first, of those after). Here every schedule starts
// from lr0. (scripts/gen_sched_golden_zoo.py asserts both differences.)
func buildSequential(p param.Values, r run) Schedule {
	list, ms := p.Schedules("schedules"), slices.Clone(p.Ints("milestones"))
	scheds := make([]Schedule, len(list))
	for i := range list {
		rates, err := innerRates(list, ms, i, r)
		if err != nil {
			panic(fmt.Sprintf("sched: a checked sequential schedule: %v", err))
		}
		scheds[i] = rates.LR
	}
	return func(t int) float64 {
		t = max(t, 0)
		i := sort.SearchInts(ms, t+1) // milestones <= t
		start := 0
		if i > 0 {
			start = ms[i-1]
		}
		return scheds[i](t - start)
	}
}

// segment is the number of units schedule i of a sequential runs (at least 1).
func segment(ms []int, i, length int) int {
	start, end := 0, length
	if i > 0 && i-1 < len(ms) {
		start = ms[i-1]
	}
	if i < len(ms) {
		end = ms[i]
	}
	return max(end-start, 1)
}

// innerConfig is the Config of one of sequential's schedules: its name, warmup and keys, with
// the sequential's unit and lr₀.
func innerConfig(v param.Values, r run) (Config, error) {
	name, ok := v["name"].(string)
	if !ok || name == "" {
		return Config{}, keyErr("name", "required")
	}
	c := Config{Name: name, Unit: r.unit, LR: r.lr0, Params: param.Values{}}
	for k, x := range v {
		switch k {
		case "name":
		case "warmup":
			w, ok := x.(int)
			if !ok {
				return Config{}, keyErr("warmup", "must be an integer, got %s", param.Format(x))
			}
			c.Warmup = w
		case "unit":
			return Config{}, keyErr("unit", "does not apply inside sequential (its schedules count its unit)")
		default:
			c.Params[k] = x
		}
	}
	return c, nil
}

// innerRates validates and builds schedule i of a sequential's list.
func innerRates(list []param.Values, ms []int, i int, r run) (Rates, error) {
	at := func(err error) error {
		var ke *KeyError
		if errors.As(err, &ke) {
			return &KeyError{Key: fmt.Sprintf("schedules[%d].%s", i, ke.Key), Err: ke.Err}
		}
		return &KeyError{Key: fmt.Sprintf("schedules[%d]", i), Err: err}
	}
	c, err := innerConfig(list[i], r)
	if err != nil {
		return Rates{}, at(err)
	}
	switch c.Name {
	case "sequential":
		return Rates{}, at(keyErr("name", "sequential cannot be nested (list its schedules in one)"))
	case "plateau":
		return Rates{}, at(keyErr("name", "plateau cannot run inside sequential (it reads evaluations)"))
	}
	rates, err := NewRates(c, segment(ms, i, r.length))
	if err != nil {
		return Rates{}, at(err)
	}
	if rates.Momentum != nil {
		return Rates{}, at(keyErr("cycle_momentum", "must be false inside sequential (its schedules drive the rate only)"))
	}
	return rates, nil
}

// deriveSequential resolves each of the schedules for the units it runs; the list is a new
// one, the caller's left alone. An element that is not a valid schedule is kept as it is,
// for checkSequential to report.
func deriveSequential(p param.Values, r run) {
	list, ok := p["schedules"].([]param.Values)
	if !ok {
		return
	}
	ms, _ := p["milestones"].([]int)
	out := make([]param.Values, len(list))
	for i, v := range list {
		out[i] = v
		c, err := innerConfig(v, r)
		if err != nil {
			continue
		}
		rp, err := Resolve(c, segment(ms, i, r.length))
		if err != nil {
			continue
		}
		rp["name"], rp["warmup"] = c.Name, c.Warmup
		out[i] = rp
	}
	p["schedules"] = out
}

// checkSequential checks the milestones against the schedules, and each schedule in full.
func checkSequential(p param.Values, r run) error {
	list, ms := p.Schedules("schedules"), p.Ints("milestones")
	if len(ms) != len(list)-1 {
		return keyErr("milestones", "must list one switch point fewer than the %d schedules, got %d", len(list), len(ms))
	}
	if err := checkIncreasing(p, r); err != nil {
		return err
	}
	for i := range list {
		if _, err := innerRates(list, ms, i, r); err != nil {
			return err
		}
	}
	return nil
}
