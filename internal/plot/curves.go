package plot

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"

	"github.com/optimbench/optimbench/internal/experiment"
	"github.com/optimbench/optimbench/internal/report"
)

// curveGroup is one line of a curves figure: a group's runs and their band.
type curveGroup struct {
	g        *Group
	curves   []Curve
	band     Band
	diverged []Curve // the curves of the group's diverged runs
}

// curvesFigure draws a metric against epoch, step, examples or seconds, one
// line per group with a band over its runs.
func curvesFigure(runs []*Run, o *Options) (*figure, error) {
	x := o.X
	if x == "" {
		x = "epoch"
	}
	metric := o.Metric
	tables := make([]*report.Table, len(runs))
	for i, r := range runs {
		t, err := r.Metrics()
		if err != nil {
			return nil, err
		}
		tables[i] = t
	}
	if metric == "" {
		metric = "test_loss"
		for _, t := range tables {
			if !hasValues(t, "test_loss") {
				metric = "train_loss"
			}
		}
	}
	for i, t := range tables {
		if _, ok := t.Cols[metric]; !ok {
			return nil, experiment.BadInput(fmt.Errorf("plot: --metric %s: %s has no such column (it has %s)%s",
				metric, runs[i].Dir+"/metrics.csv", strings.Join(t.Header, ", "), suggest(metric, t.Header)))
		}
		if !hasValues(t, metric) {
			return nil, experiment.BadInput(fmt.Errorf("plot: --metric %s: the column is empty in %s (no test set, or no accuracy for a regression?)", metric, runs[i].Dir+"/metrics.csv"))
		}
		if !hasValues(t, x) {
			return nil, experiment.BadInput(fmt.Errorf("plot: --x %s: the column is empty in %s (test-function runs have no examples)", x, runs[i].Dir+"/metrics.csv"))
		}
	}
	keys := o.groupKeys()
	for _, k := range keys {
		if err := checkKey("--group", k, runs); err != nil {
			return nil, err
		}
	}
	groups := groupRuns(runs, keys, len(keys) == 0)
	logX := o.LogX == ScaleLog
	index := map[*Run]int{}
	for i, r := range runs {
		index[r] = i
	}
	curve := func(r *Run, logY bool) Curve {
		t := tables[index[r]]
		c := finiteCurve(t.Cols[x], t.Cols[metric])
		var k Curve
		for i := range c.X {
			if (logX && c.X[i] <= 0) || (logY && c.Y[i] <= 0) {
				continue
			}
			k.X, k.Y = append(k.X, c.X[i]), append(k.Y, c.Y[i])
		}
		return k
	}

	// The y-range: every value of the runs that did not diverge; a
	// diverged run's values count only up to that range's top for losses.
	lo, hi := math.Inf(1), math.Inf(-1)
	dlo, dhi := math.Inf(1), math.Inf(-1)
	for _, r := range runs {
		c := curve(r, false)
		for _, y := range c.Y {
			if r.Diverged() {
				dlo, dhi = math.Min(dlo, y), math.Max(dhi, y)
			} else {
				lo, hi = math.Min(lo, y), math.Max(hi, y)
			}
		}
	}
	if math.IsInf(lo, 1) { // every run diverged: show up to 10 × the initial values
		lo, hi = dlo, dhi
		init := math.Inf(-1)
		for _, r := range runs {
			if c := curve(r, false); c.Len() > 0 {
				init = math.Max(init, c.Y[0])
			}
		}
		if init > 0 && hi > 10*init {
			hi = 10 * init
		}
	} else {
		lo = math.Min(lo, dlo)
		if !isLoss(metric) {
			hi = math.Max(hi, dhi)
		}
	}
	if math.IsInf(lo, 1) {
		return nil, experiment.BadInput(fmt.Errorf("plot: --metric %s: no finite values to draw", metric))
	}
	logY := o.LogY == ScaleLog
	if o.LogY == ScaleAuto && isLoss(metric) && lo > 0 && hi/lo >= 100 {
		logY = true
	}
	if logY {
		lo = math.Inf(1)
		for _, r := range runs {
			for _, y := range curve(r, true).Y {
				lo = math.Min(lo, y)
			}
		}
		if math.IsInf(lo, 1) || hi <= 0 {
			return nil, experiment.BadInput(fmt.Errorf("plot: --logy: %s has no positive values", metric))
		}
	}

	// The first evaluation (before any update) can be far above (a loss) or
	// below (an accuracy) all that follows and squash it into a strip: then
	// the range leaves it out and its segment enters from the edge.
	lo, hi = zoomPastStart(runs, func(r *Run) Curve { return curve(r, logY) }, lo, hi, logY, metric)

	var cgs []*curveGroup
	for _, g := range groups {
		cg := &curveGroup{g: g}
		for _, r := range g.Runs {
			c := curve(r, logY)
			if c.Len() == 0 {
				continue
			}
			cg.curves = append(cg.curves, c)
			if r.Diverged() {
				cg.diverged = append(cg.diverged, c)
			}
		}
		if len(cg.curves) == 0 {
			continue
		}
		cg.band = Aggregate(cg.curves, o.Band)
		cgs = append(cgs, cg)
	}
	if len(cgs) == 0 {
		return nil, experiment.BadInput(fmt.Errorf("plot: no values of %s to draw", metric))
	}

	title := o.Title
	if title == "" {
		m := metricLabel(metric, "")
		if lossKind(runs) == "function" {
			m = metricLabel(metric, "function")
		}
		title = strings.ToUpper(m[:1]) + m[1:]
		if name := commonName(runs); name != "" {
			title = name + ": " + m
		} else if fn := commonParam(runs, "problem.function"); fn != "" {
			title = fn + ": " + m
		}
	}
	f := newFigure(title, axisLabel(x), metricLabel(metric, lossKind(runs)))
	p := f.p
	if logX {
		setLog(&p.X)
	}
	if logY {
		setLog(&p.Y)
	}
	showN := false
	for _, cg := range cgs {
		showN = showN || len(cg.curves) > 1
	}
	// Legend order: best final value first, so the ranking reads from the
	// top; colours follow the groups' sorted order, stable across figures.
	order := make([]int, len(cgs))
	for i := range order {
		order[i] = i
	}
	final := func(cg *curveGroup) float64 {
		v := cg.band.Mean[len(cg.band.Mean)-1]
		if len(cg.diverged) == len(cg.curves) {
			v = math.Inf(1) // every run diverged: last
		} else if higherBetter(metric) {
			v = -v
		}
		return v
	}
	if len(cgs) > 1 && (isLoss(metric) || higherBetter(metric)) {
		sort.SliceStable(order, func(a, b int) bool { return final(cgs[order[a]]) < final(cgs[order[b]]) })
	}
	type entry struct {
		label  string
		thumbs []plot.Thumbnailer
	}
	entries := make([]entry, len(cgs))
	xmin, xmax := math.Inf(1), math.Inf(-1)
	anyDiverged := false
	var lines []plot.Plotter
	for i, cg := range cgs {
		col := colorAt(i)
		b := cg.band
		xmin, xmax = math.Min(xmin, b.X[0]), math.Max(xmax, b.X[len(b.X)-1])
		var poly *plotter.Polygon
		if o.Band != BandNone && len(cg.curves) > 1 {
			outline := b.Outline()
			if logY {
				for k := range outline.Y {
					outline.Y[k] = math.Max(outline.Y[k], lo/10)
				}
			}
			var err error
			if poly, err = plotter.NewPolygon(outline); err != nil {
				return nil, fmt.Errorf("plot: band of %s: %w", cg.g.Label, err)
			}
			poly.Color = transparent(col, 0.22)
			poly.LineStyle.Width = 0
			f.addPlot(poly)
		}
		line, err := plotter.NewLine(b)
		if err != nil {
			return nil, fmt.Errorf("plot: line of %s: %w", cg.g.Label, err)
		}
		line.LineStyle = lineStyle(i)
		lines = append(lines, line) // over every band
		f.avoid = append(f.avoid, b)
		label := cg.g.Label
		if showN {
			label = withCount(label, len(cg.curves))
		}
		if poly != nil {
			entries[i] = entry{label, []plot.Thumbnailer{poly, line}}
		} else {
			entries[i] = entry{label, []plot.Thumbnailer{line}}
		}
	}
	for _, l := range lines {
		f.addPlot(l)
	}
	// Diverged runs: a × at their last point, on the top edge when off the chart.
	for i, cg := range cgs {
		var on plotter.XYs
		var off []float64
		for _, c := range cg.diverged {
			x, y := c.X[c.Len()-1], c.Y[c.Len()-1]
			if y > hi {
				off = append(off, x)
			} else {
				on = append(on, plotter.XY{X: x, Y: y})
			}
			anyDiverged = true
		}
		if len(on) > 0 {
			s, err := plotter.NewScatter(on)
			if err != nil {
				return nil, fmt.Errorf("plot: %w", err)
			}
			s.GlyphStyle = crossStyle(colorAt(i))
			f.addPlot(s)
		}
		if len(off) > 0 {
			f.addPlot(&edgeMarks{xs: off, top: true, style: crossStyle(colorAt(i))})
		}
	}
	setRange(&p.Y, lo, hi, logY)
	p.X.Min, p.X.Max = xmin, xmax
	if logX {
		setRange(&p.X, xmin, xmax, true)
	}
	for _, k := range order {
		f.add(entries[k].label, entries[k].thumbs...)
	}
	if anyDiverged {
		f.add("diverged", glyphMark{crossStyle(colorAt(6))})
	}
	return f, nil
}

// hasValues tells whether a column exists and holds a finite value.
func hasValues(t *report.Table, col string) bool {
	return slices.ContainsFunc(t.Cols[col], finite)
}

// zoomPastStart returns the y-range [lo, hi] narrowed to the values after
// each run's first point when those span less than a third of it (in log
// space on a log axis). Diverged runs count only up to hi for losses, as in
// the full range.
func zoomPastStart(runs []*Run, curve func(*Run) Curve, lo, hi float64, logY bool, metric string) (float64, float64) {
	t := func(v float64) float64 {
		if logY {
			return math.Log(v)
		}
		return v
	}
	lo2, hi2 := math.Inf(1), math.Inf(-1)
	for _, r := range runs {
		c := curve(r)
		for _, y := range c.Y[min(1, c.Len()):] {
			if y < lo || y > hi {
				continue
			}
			lo2, hi2 = math.Min(lo2, y), math.Max(hi2, y)
		}
	}
	if !(hi2 > lo2) || t(hi2)-t(lo2) >= (t(hi)-t(lo))/3 {
		return lo, hi
	}
	// Keep the end the first point does not stretch.
	if higherBetter(metric) {
		return lo2, hi
	}
	if isLoss(metric) {
		return lo, hi2
	}
	return lo2, hi2
}
