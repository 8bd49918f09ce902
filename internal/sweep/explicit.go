package sweep

import (
	"context"
	"math"
	"slices"
	"strings"

	"github.com/optimbench/optimbench/internal/config"
)

// Job is one point of a sweep of explicit points: its own train configuration (nested maps as
// config.Read gives them; File, the file relative paths and messages refer to, "" for an
// inline one) and the overrides applied to it, which also label it (its results.csv cells
// and its run id's readable prefix).
type Job struct {
	Base map[string]any
	File string
	Set  []Override
}

// NewExplicit builds a sweep whose points are the jobs, in order, rather than the product of
// a sweep file's grid, random trials and seeds: a protocol whose steps each run a list of
// configurations (the benchmark's tuning rungs and reruns) gets everything a sweep has —
// validation of every point before anything runs, run ids from content hashes, resume,
// workers, shards, the lock and results.csv. file names the sweep in messages and sweep.yaml,
// and its bytes key the points cache, so it should hold everything the jobs derive from.
// The results.csv columns are the jobs' override keys in order of first appearance.
func NewExplicit(ctx context.Context, name, file string, jobs []Job, o LoadOptions) (*Sweep, error) {
	s := &Sweep{Name: name, File: file, Seed: 1}
	if len(jobs) > MaxPoints {
		return nil, &config.ConfigError{File: file, Msg: "more than a million points"}
	}
	s.Points = make([]*Point, len(jobs))
	for i, j := range jobs {
		for _, o := range j.Set {
			if !slices.Contains(s.Keys, o.Key) {
				s.Keys = append(s.Keys, o.Key)
			}
		}
		s.Points[i] = &Point{Index: i, Set: slices.Clone(j.Set), sweep: s, base: j.Base, baseFile: j.File}
		if s.Points[i].base == nil {
			s.Points[i].base = map[string]any{}
		}
	}
	if err := s.finish(ctx, o); err != nil {
		return nil, err
	}
	return s, nil
}

// At is the value of the distribution at u in [0, 1): its inverse distribution function, as
// a quasi-random search (AlgoPerf's halton.py) maps a point of the unit cube to a trial:
// low·exp(u·ln(high/low)) for log_uniform, low + u·(high − low) for uniform, the
// ⌊u·(high − low + 1)⌋-th integer for int_uniform and the ⌊u·n⌋-th of n choices.
func (d Dist) At(u float64) any {
	u = min(max(u, 0), math.Nextafter(1, 0))
	switch d.Kind {
	case "log_uniform":
		return d.Low * math.Exp(u*math.Log(d.High/d.Low))
	case "uniform":
		return d.Low + u*(d.High-d.Low)
	case "int_uniform":
		return int(d.Low) + int(u*(d.High-d.Low+1))
	}
	return d.Choices[int(u*float64(len(d.Choices)))]
}

// ParseDist reads key k of a random space sp (SPEC §2: {log_uniform: [low, high]},
// {uniform: …}, {int_uniform: …} or {choice: [...]}), as a sweep file's random.space.
func ParseDist(sp *config.Section, k string) (Dist, error) {
	if err := checkKeyPath(sp, k); err != nil {
		return Dist{}, err
	}
	d, err := parseDist(sp, k)
	d.Key = strings.ToLower(k)
	return d, err
}

// Sample draws trials points from the space, exactly as a sweep file's random: block with
// that seed does (SPEC §2).
func Sample(space []Dist, trials int, seed uint64) ([][]Override, error) {
	return (&Random{Trials: trials, Space: space}).sample(seed)
}
