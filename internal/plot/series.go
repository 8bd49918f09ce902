package plot

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// This file holds the data behind the figures, kept apart from drawing:
// curves, their aggregation over seeds, and the grouping of runs.

// Curve is one line of a figure: points in order. Its Len and XY methods
// make it a gonum/plot XYer without this file importing gonum/plot.
type Curve struct {
	X, Y []float64
}

// Len is the number of points.
func (c Curve) Len() int { return len(c.X) }

// XY returns point i.
func (c Curve) XY(i int) (x, y float64) { return c.X[i], c.Y[i] }

// finiteCurve returns the points of x, y where both are finite.
func finiteCurve(x, y []float64) Curve {
	var c Curve
	for i := range x {
		if i < len(y) && finite(x[i]) && finite(y[i]) {
			c.X = append(c.X, x[i])
			c.Y = append(c.Y, y[i])
		}
	}
	return c
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// Band kinds of --band.
const (
	BandStd    = "std"    // mean ± sample standard deviation
	BandSEM    = "sem"    // mean ± standard error of the mean
	BandMinMax = "minmax" // mean, and the range of the runs
	BandNone   = "none"   // mean only
)

// Bands lists the --band values.
var Bands = []string{BandStd, BandSEM, BandMinMax, BandNone}

// Band is a group of curves on a common x-axis: at each X, the mean of the
// runs that reach it and the band around it. N counts those runs.
type Band struct {
	X, Mean, Lo, Hi []float64
	N               []int
}

// Len is the number of points.
func (b Band) Len() int { return len(b.X) }

// XY returns the mean at point i.
func (b Band) XY(i int) (x, y float64) { return b.X[i], b.Mean[i] }

// Outline is the closed band polygon: Hi from left to right, Lo back.
func (b Band) Outline() Curve {
	var c Curve
	for i := range b.X {
		c.X = append(c.X, b.X[i])
		c.Y = append(c.Y, b.Hi[i])
	}
	for i := len(b.X) - 1; i >= 0; i-- {
		c.X = append(c.X, b.X[i])
		c.Y = append(c.Y, b.Lo[i])
	}
	return c
}

// maxGrid caps the common x-axis: beyond it the union of the runs' x values
// is replaced by evenly spaced points.
const maxGrid = 600

// commonGrid returns the sorted union of the curves' x values, or maxGrid
// evenly spaced points over their range when the union is larger.
func commonGrid(curves []Curve) []float64 {
	var xs []float64
	for _, c := range curves {
		xs = append(xs, c.X...)
	}
	if len(xs) == 0 {
		return nil
	}
	sort.Float64s(xs)
	xs = slices.Compact(xs)
	if len(xs) <= maxGrid {
		return xs
	}
	lo, hi := xs[0], xs[len(xs)-1]
	grid := make([]float64, maxGrid)
	for i := range grid {
		grid[i] = lo + (hi-lo)*float64(i)/float64(maxGrid-1)
	}
	return grid
}

// interp returns c linearly interpolated at x, and false outside c's range.
// c.X must be non-decreasing.
func interp(c Curve, x float64) (float64, bool) {
	n := len(c.X)
	if n == 0 || x < c.X[0] || x > c.X[n-1] {
		return 0, false
	}
	i := sort.SearchFloat64s(c.X, x) // first index with X[i] >= x
	if c.X[i] == x || i == 0 {
		return c.Y[i], true
	}
	x0, x1 := c.X[i-1], c.X[i]
	f := (x - x0) / (x1 - x0)
	return c.Y[i-1] + f*(c.Y[i]-c.Y[i-1]), true
}

// Aggregate resamples the curves (each with non-decreasing X) onto their
// common x-axis and returns the mean and band (BandStd: ± the sample
// standard deviation, n−1 in the denominator, 0 for one run; BandSEM:
// ± std/√n; BandMinMax: the runs' range; BandNone: Lo = Hi = Mean), the
// std and sem bands clipped to the runs' range. A point
// is kept where at least one run reaches it, so a run that stopped early
// (diverged) leaves the mean of the others.
func Aggregate(curves []Curve, kind string) Band {
	grid := commonGrid(curves)
	var b Band
	vals := make([]float64, 0, len(curves))
	for _, x := range grid {
		vals = vals[:0]
		for _, c := range curves {
			if y, ok := interp(c, x); ok {
				vals = append(vals, y)
			}
		}
		if len(vals) == 0 {
			continue
		}
		mean, lo, hi := stats(vals, kind)
		b.X = append(b.X, x)
		b.Mean = append(b.Mean, mean)
		b.Lo = append(b.Lo, lo)
		b.Hi = append(b.Hi, hi)
		b.N = append(b.N, len(vals))
	}
	return b
}

// stats returns the mean of vals and the band around it.
func stats(vals []float64, kind string) (mean, lo, hi float64) {
	n := float64(len(vals))
	for _, v := range vals {
		mean += v
	}
	mean /= n
	switch kind {
	case BandMinMax:
		lo, hi = slices.Min(vals), slices.Max(vals)
		return mean, lo, hi
	case BandNone:
		return mean, mean, mean
	}
	var ss float64
	for _, v := range vals {
		ss += (v - mean) * (v - mean)
	}
	sd := 0.0
	if len(vals) > 1 {
		sd = math.Sqrt(ss / (n - 1))
	}
	if kind == BandSEM {
		sd /= math.Sqrt(n)
	}
	// The band never leaves the range of the runs: a skewed metric
	// (loss across seeds) would otherwise reach below its best run.
	return mean, math.Max(mean-sd, slices.Min(vals)), math.Min(mean+sd, slices.Max(vals))
}

// Group is the runs drawn as one line.
type Group struct {
	Label string
	Runs  []*Run
	key   []string // the group's values, for sorting
}

// groupRuns splits runs into groups by the values of keys, or, when keys is
// empty, by their whole configuration apart from the seed (so the seeds of
// one sweep point form one group). Groups are sorted by their values
// (numerically where the values are numbers) and labelled by what tells
// them apart: the config name when names differ, else the differing keys.
//
// With auto false and no keys, all runs form one group.
func groupRuns(runs []*Run, keys []string, auto bool) []*Group {
	if auto {
		keys = differingKeys(runs, map[string]bool{"seed": true})
	}
	byKey := map[string]*Group{}
	var groups []*Group
	for _, r := range runs {
		vals := make([]string, len(keys))
		for i, k := range keys {
			vals[i] = r.Params[k]
		}
		id := strings.Join(vals, "\x00")
		g := byKey[id]
		if g == nil {
			g = &Group{key: vals}
			byKey[id] = g
			groups = append(groups, g)
		}
		g.Runs = append(g.Runs, r)
	}
	sort.SliceStable(groups, func(i, j int) bool { return lessValues(groups[i].key, groups[j].key) })
	for _, g := range groups {
		g.Label = labelFor(g, keys, groups, auto)
	}
	return groups
}

// differingKeys returns the config keys whose values differ between runs,
// except those in skip, sorted.
func differingKeys(runs []*Run, skip map[string]bool) []string {
	var keys []string
	for _, k := range paramKeys(runs) {
		if skip[k] {
			continue
		}
		first := runs[0].Params[k]
		for _, r := range runs[1:] {
			if r.Params[k] != first {
				keys = append(keys, k)
				break
			}
		}
	}
	// A key that only some runs have (adam's beta1 beside sgd) follows
	// another key (optimizer.name): drop it when a key all runs have differs.
	common := slices.DeleteFunc(slices.Clone(keys), func(k string) bool {
		for _, r := range runs {
			if _, ok := r.Params[k]; !ok {
				return true
			}
		}
		return false
	})
	if len(common) > 0 {
		keys = common
	}
	// In a sweep, the swept keys are known: keep to them.
	if swept := sweptKeys(runs); len(swept) > 0 {
		if k := slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return !swept[k] }); len(k) > 0 {
			keys = k
		}
	}
	// Keys whose values name themselves (optimizer.name) lead the labels.
	sort.SliceStable(keys, func(i, j int) bool {
		return slices.Contains(bareKeys, lastPart(keys[i])) && !slices.Contains(bareKeys, lastPart(keys[j]))
	})
	// The name usually differs with the rest; keep it only when alone.
	if len(keys) > 1 {
		keys = slices.DeleteFunc(keys, func(k string) bool { return k == "name" })
	}
	return keys
}

// sweptKeys returns the keys swept by the runs' sweeps (results.csv
// columns), or nil if a run is not from a sweep.
func sweptKeys(runs []*Run) map[string]bool {
	m := map[string]bool{}
	for _, r := range runs {
		if len(r.Swept) == 0 {
			return nil
		}
		for _, k := range r.Swept {
			m[k] = true
		}
	}
	return m
}

// labelFor names a group: by its config name when every group has its own
// (and every run of the group that name), else by its values of keys ("adam", "lr=0.01", "adam, lr=0.01").
func labelFor(g *Group, keys []string, groups []*Group, auto bool) string {
	name := g.Runs[0].Name
	if len(keys) == 0 {
		return name
	}
	// A config name labels a group only when all its runs share it: a
	// sweep names each run by its run id, which is no label for its seeds.
	if auto && commonName(g.Runs) == name {
		unique := true
		for _, o := range groups {
			if o != g && o.Runs[0].Name == name {
				unique = false
			}
		}
		if unique {
			return name
		}
	}
	var parts []string
	for i, k := range keys {
		parts = append(parts, keyValue(k, g.key[i], keys))
	}
	return strings.Join(parts, ", ")
}

// keyValue formats one key's value for a legend: bare for names, else
// short=value with the key's last component (the full key if ambiguous).
func keyValue(key, val string, keys []string) string {
	if val == "" {
		val = "—"
	}
	short := shortKey(key, keys)
	if slices.Contains(bareKeys, short) {
		return val
	}
	return short + "=" + val
}

// bareKeys are keys whose values name themselves in a legend ("adam",
// not "name=adam").
var bareKeys = []string{"name", "function", "generator", "source", "activation", "loss"}

// shortKey is key's last component, unless another of keys shares it.
func shortKey(key string, keys []string) string {
	short := key[strings.LastIndex(key, ".")+1:]
	for _, k := range keys {
		if k != key && strings.HasSuffix(k, "."+short) {
			return key
		}
	}
	return short
}

// lessValues orders value lists, comparing numbers as numbers.
func lessValues(a, b []string) bool {
	for i := range min(len(a), len(b)) {
		if a[i] == b[i] {
			continue
		}
		fa, ea := strconv.ParseFloat(a[i], 64)
		fb, eb := strconv.ParseFloat(b[i], 64)
		if ea == nil && eb == nil {
			return fa < fb
		}
		return a[i] < b[i]
	}
	return len(a) < len(b)
}

// withCount appends the number of runs, and of those that diverged, to a
// legend label: "adam (n=3)", "adam (n=6, 2 diverged)".
func withCount(label string, n, diverged int) string {
	if diverged > 0 {
		return fmt.Sprintf("%s (n=%d, %d diverged)", label, n, diverged)
	}
	return fmt.Sprintf("%s (n=%d)", label, n)
}

func lastPart(key string) string { return key[strings.LastIndex(key, ".")+1:] }
