package plot

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/optimbench/optimbench/internal/report"
)

// curveGroup is one line of a curves figure: a group's runs, the band over
// them up to each one's divergence, and its diverged runs.
type curveGroup struct {
	g        *Group
	runs     []*Run  // the runs with points to draw
	healthy  []Curve // each run's curve before its divergence (non-empty ones)
	band     Band    // over healthy
	diverged []*Run  // the runs that diverged
}

// curvesPlan is what the steps of a curves figure share: the runs and their
// metrics tables, the columns drawn, the scales and the ranges.
type curvesPlan struct {
	runs       []*Run
	o          *Options
	tables     []*report.Table // tables[i] is the metrics.csv of runs[i]
	div        []int           // div[i] is the row runs[i] diverged at, or -1 (Run.divergedAt)
	index      map[*Run]int    // a run's position in runs
	x          string          // the metrics.csv column on the x-axis
	metric     string          // the metrics.csv column on the y-axis
	logX, logY bool
	lo, hi     float64 // the y-range
	xmin, xmax float64 // the x-range of the lines drawn
}

// curvesFigure draws a metric against epoch, step, examples or seconds, one
// line per group with a band over its runs. A diverged run leaves its
// group's mean and band from its divergence on (Run.divergedAt): it is drawn
// on its own thin line, with a × at its divergence point, and the legend
// counts it ("adam (n=6, 2 diverged)").
func curvesFigure(runs []*Run, o *Options) (*figure, error) {
	cp, err := newCurvesPlan(runs, o)
	if err != nil {
		return nil, err
	}
	keys := o.groupKeys()
	if err := checkKeys("Group", keys, runs); err != nil {
		return nil, err
	}
	groups := groupRuns(runs, keys, len(keys) == 0)
	if err := cp.yRange(); err != nil {
		return nil, err
	}
	cgs := cp.curveGroups(groups)
	if len(cgs) == 0 {
		return nil, report.BadInput(fmt.Errorf("plot: no values of %s to draw", cp.metric))
	}
	f := newFigure(cp.title(), axisLabel(cp.x), metricLabel(cp.metric, lossKind(runs)))
	p := f.p
	if cp.logX {
		setLog(&p.X)
	}
	if cp.logY {
		setLog(&p.Y)
	}
	order := cp.legendOrder(cgs)
	entries, err := cp.drawLines(f, cgs)
	if err != nil {
		return nil, err
	}
	anyDiverged, err := cp.drawDiverged(f, cgs)
	if err != nil {
		return nil, err
	}
	setRange(&p.Y, cp.lo, cp.hi, cp.logY)
	p.X.Min, p.X.Max = cp.xmin, cp.xmax
	if cp.logX {
		setRange(&p.X, cp.xmin, cp.xmax, true)
	} else if cp.xmax <= cp.xmin {
		setRange(&p.X, cp.xmin, cp.xmax, false)
	}
	if marks := divergeMarksIn(f); marks != nil {
		marks.room(&p.X, cp.logX, o.Width)
	}
	for _, k := range order {
		f.add(entries[k].label, entries[k].thumbs...)
	}
	if anyDiverged {
		f.add("diverged", glyphMark{crossStyle(colorAt(6))})
	}
	return f, nil
}

// newCurvesPlan reads the runs' metrics tables, picks the x column (epoch
// by default) and the metric (test_loss by default, train_loss when a run
// has no test loss), and checks that every run has values of both.
func newCurvesPlan(runs []*Run, o *Options) (*curvesPlan, error) {
	cp := &curvesPlan{runs: runs, o: o, x: o.X, metric: o.Metric}
	if cp.x == "" {
		cp.x = "epoch"
	}
	cp.tables = make([]*report.Table, len(runs))
	for i, r := range runs {
		t, err := r.Metrics()
		if err != nil {
			return nil, err
		}
		cp.tables[i] = t
	}
	if cp.metric == "" {
		cp.metric = "test_loss"
		for _, t := range cp.tables {
			if !hasValues(t, "test_loss") {
				cp.metric = "train_loss"
			}
		}
	}
	if err := cp.checkColumns(); err != nil {
		return nil, err
	}
	cp.logX = o.LogX == ScaleLog
	cp.index = map[*Run]int{}
	cp.div = make([]int, len(runs))
	for i, r := range runs {
		cp.index[r] = i
		cp.div[i] = r.divergedAt(cp.tables[i])
	}
	cp.xRange()
	return cp, nil
}

// xRange sets the x-range to every row of every run with an x value (one a
// log axis can show), whatever its metric: a run whose loss became
// infinite is still shown to its end.
func (cp *curvesPlan) xRange() {
	cp.xmin, cp.xmax = math.Inf(1), math.Inf(-1)
	for _, t := range cp.tables {
		for _, x := range t.Cols[cp.x] {
			if finite(x) && (!cp.logX || x > 0) {
				cp.xmin, cp.xmax = math.Min(cp.xmin, x), math.Max(cp.xmax, x)
			}
		}
	}
}

// checkColumns reports the first run whose metrics.csv lacks the metric
// column, or has no values of the metric or of x.
func (cp *curvesPlan) checkColumns() error {
	for i, t := range cp.tables {
		csv := cp.runs[i].Dir + "/metrics.csv"
		if _, ok := t.Cols[cp.metric]; !ok {
			return optErr("Metric", "%s: %s has no such column (it has %s)%s",
				cp.metric, csv, strings.Join(t.Header, ", "), suggest(cp.metric, t.Header))
		}
		if !hasValues(t, cp.metric) {
			return optErr("Metric", "%s: the column is empty in %s (no test set, or no accuracy for a regression?)", cp.metric, csv)
		}
		if !hasValues(t, cp.x) {
			return optErr("X", "%s: the column is empty in %s (test-function runs have no examples)", cp.x, csv)
		}
	}
	return nil
}

// curve returns the finite points of r's metric against x, without the
// points a log x-axis (or, with logY, a log y-axis) cannot show.
func (cp *curvesPlan) curve(r *Run, logY bool) Curve {
	return cp.curveTo(r, logY, cp.tables[cp.index[r]].Rows)
}

// healthy is curve up to the row where r diverged (all of it when r did
// not diverge): the part that counts in its group's mean.
func (cp *curvesPlan) healthy(r *Run, logY bool) Curve {
	i := cp.index[r]
	if cp.div[i] < 0 {
		return cp.curve(r, logY)
	}
	return cp.curveTo(r, logY, cp.div[i])
}

// curveTo is curve over the first rows rows of r's table.
func (cp *curvesPlan) curveTo(r *Run, logY bool, rows int) Curve {
	t := cp.tables[cp.index[r]]
	xs, ys := t.Cols[cp.x], t.Cols[cp.metric]
	c := finiteCurve(xs[:min(rows, len(xs))], ys[:min(rows, len(ys))])
	var k Curve
	for i := range c.X {
		if (cp.logX && c.X[i] <= 0) || (logY && c.Y[i] <= 0) {
			continue
		}
		k.X, k.Y = append(k.X, c.X[i]), append(k.Y, c.Y[i])
	}
	return k
}

// divergence returns r's divergence point: the x and the metric (maybe not
// finite) of the row it diverged at, and false when it did not diverge or
// that row has no x the axis can show.
func (cp *curvesPlan) divergence(r *Run) (x, y float64, ok bool) {
	i := cp.index[r]
	d := cp.div[i]
	if d < 0 {
		return 0, 0, false
	}
	t := cp.tables[i]
	x, y = t.Cols[cp.x][d], t.Cols[cp.metric][d]
	return x, y, finite(x) && (!cp.logX || x > 0)
}

// diverged tells whether r diverged.
func (cp *curvesPlan) diverged(r *Run) bool { return cp.div[cp.index[r]] >= 0 }

// yRange chooses the y-scale (log when forced, or for a loss spanning two
// decades) and sets the y-range, zoomed past the first evaluation when that
// would squash the rest of the curves.
func (cp *curvesPlan) yRange() error {
	lo, hi := cp.fullRange()
	if math.IsInf(lo, 1) {
		return optErr("Metric", "%s: no finite values to draw", cp.metric)
	}
	cp.logY = cp.o.LogY == ScaleLog
	if cp.o.LogY == ScaleAuto && isLoss(cp.metric) && lo > 0 && hi/lo >= 100 {
		cp.logY = true
	}
	if cp.logY {
		lo = math.Inf(1)
		for _, r := range cp.runs {
			for _, y := range cp.curve(r, true).Y {
				lo = math.Min(lo, y)
			}
		}
		if math.IsInf(lo, 1) || hi <= 0 {
			return optErr("LogY", ": %s has no positive values", cp.metric)
		}
		// A log axis has room for decades: it reaches up to the
		// divergence points, so that each × sits at its value.
		for _, r := range cp.runs {
			if _, y, ok := cp.divergence(r); ok && finite(y) && y > 0 {
				hi = math.Max(hi, y)
			}
		}
	}
	// The first evaluation (before any update) can be far above (a loss) or
	// below (an accuracy) all that follows and squash it into a strip: then
	// the range leaves it out and its segment enters from the edge.
	cp.lo, cp.hi = zoomPastStart(cp.runs, func(r *Run) Curve { return cp.curve(r, cp.logY) }, lo, hi, cp.logY, cp.metric)
	return nil
}

// fullRange returns the y-range of every value of the runs that did not
// diverge and of the diverged runs before their divergence; for losses, a
// diverged run's later values count only down, not up. When every run
// diverged, it reaches up to 10 × the highest initial value. lo is +Inf
// when there is no finite value.
func (cp *curvesPlan) fullRange() (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	dlo, dhi := math.Inf(1), math.Inf(-1) // every value of the diverged runs
	healthy := false                      // some run did not diverge
	for _, r := range cp.runs {
		if !cp.diverged(r) {
			healthy = true
			for _, y := range cp.curve(r, false).Y {
				lo, hi = math.Min(lo, y), math.Max(hi, y)
			}
			continue
		}
		for _, y := range cp.healthy(r, false).Y {
			lo, hi = math.Min(lo, y), math.Max(hi, y)
		}
		for _, y := range cp.curve(r, false).Y {
			dlo, dhi = math.Min(dlo, y), math.Max(dhi, y)
		}
	}
	if !healthy { // every run diverged: show up to 10 × the initial values
		lo, hi = math.Min(lo, dlo), math.Max(hi, dhi)
		init := math.Inf(-1)
		for _, r := range cp.runs {
			if c := cp.curve(r, false); c.Len() > 0 {
				init = math.Max(init, c.Y[0])
			}
		}
		if isLoss(cp.metric) && init > 0 && hi > 10*init {
			hi = 10 * init
		}
		return lo, hi
	}
	lo = math.Min(lo, dlo)
	if !isLoss(cp.metric) {
		hi = math.Max(hi, dhi)
	}
	return lo, hi
}

// curveGroups returns the groups that have points to draw, each with its
// runs' curves before their divergence on the chosen scales and their band.
func (cp *curvesPlan) curveGroups(groups []*Group) []*curveGroup {
	var cgs []*curveGroup
	for _, g := range groups {
		cg := &curveGroup{g: g}
		for _, r := range g.Runs {
			if cp.curve(r, cp.logY).Len() == 0 {
				continue
			}
			cg.runs = append(cg.runs, r)
			if h := cp.healthy(r, cp.logY); h.Len() > 0 {
				cg.healthy = append(cg.healthy, h)
			}
			if cp.diverged(r) {
				cg.diverged = append(cg.diverged, r)
			}
		}
		if len(cg.runs) == 0 {
			continue
		}
		cg.band = Aggregate(cg.healthy, cp.o.Band)
		cgs = append(cgs, cg)
	}
	return cgs
}

// title is the figure's title: Options.Title, or the metric with the runs'
// common config name or test function.
func (cp *curvesPlan) title() string {
	if cp.o.Title != "" {
		return cp.o.Title
	}
	m := metricLabel(cp.metric, "")
	if lossKind(cp.runs) == "function" {
		m = metricLabel(cp.metric, "function")
	}
	title := strings.ToUpper(m[:1]) + m[1:]
	if name := commonName(cp.runs); name != "" {
		title = name + ": " + m
	} else if fn := commonParam(cp.runs, "problem.function"); fn != "" {
		title = fn + ": " + m
	}
	return title
}

// legendOrder returns the order of the groups in the legend: best final
// value first, so the ranking reads from the top, for metrics with a better
// direction; colours follow the groups' sorted order, stable across figures.
func (cp *curvesPlan) legendOrder(cgs []*curveGroup) []int {
	order := make([]int, len(cgs))
	for i := range order {
		order[i] = i
	}
	if len(cgs) > 1 && (isLoss(cp.metric) || higherBetter(cp.metric)) {
		sort.SliceStable(order, func(a, b int) bool { return cp.finalRank(cgs[order[a]]) < cp.finalRank(cgs[order[b]]) })
	}
	return order
}

// finalRank is the sort key of a group in the legend: its last mean value,
// negated when higher is better, and +Inf when every run diverged.
func (cp *curvesPlan) finalRank(cg *curveGroup) float64 {
	if len(cg.diverged) == len(cg.runs) || cg.band.Len() == 0 {
		return math.Inf(1) // every run diverged: last
	}
	v := cg.band.Mean[len(cg.band.Mean)-1]
	if higherBetter(cp.metric) {
		v = -v
	}
	return v
}

// drawLines adds to f each group's diverged runs (thin lines), its band
// and its mean line, the means over every band, and returns the groups'
// legend entries in the groups' order: the label with the number of runs
// and of those that diverged when a group has several runs.
func (cp *curvesPlan) drawLines(f *figure, cgs []*curveGroup) ([]legendEntry, error) {
	showN := false
	for _, cg := range cgs {
		showN = showN || len(cg.runs) > 1
	}
	entries := make([]legendEntry, len(cgs))
	var lines []plot.Plotter
	for i, cg := range cgs {
		for _, r := range cg.diverged {
			if c := cp.curve(r, cp.logY); c.Len() > 1 {
				l, err := plotter.NewLine(decimate(c, maxDrawn))
				if err != nil {
					return nil, fmt.Errorf("plot: line of %s: %w", r.ID, err)
				}
				l.LineStyle = divergedStyle(i)
				f.addPlot(l)
			}
		}
		// A mean of one point (every run diverged at its first
		// evaluation) draws nothing: its runs' own lines stand for it.
		thumbs := []plot.Thumbnailer{lineThumb{divergedStyle(i)}}
		if b := cg.band; b.Len() > 1 {
			poly, err := cp.bandPolygon(cg, i)
			if err != nil {
				return nil, err
			}
			line, err := plotter.NewLine(b)
			if err != nil {
				return nil, fmt.Errorf("plot: line of %s: %w", cg.g.Label, err)
			}
			line.LineStyle = lineStyle(i)
			lines = append(lines, line) // over every band
			thumbs = []plot.Thumbnailer{line}
			if poly != nil {
				f.addPlot(poly)
				thumbs = []plot.Thumbnailer{poly, line}
			}
		}
		label := cg.g.Label
		switch {
		case showN:
			label = withCount(label, len(cg.runs), len(cg.diverged))
		case len(cg.diverged) > 0:
			label += " (diverged)"
		}
		entries[i] = legendEntry{label, thumbs}
	}
	f.addPlot(lines...)
	return entries, nil
}

// divergedStyle is the line of a diverged run of group i: the group's,
// thinner.
func divergedStyle(i int) draw.LineStyle {
	st := lineStyle(i)
	st.Width = vg.Points(0.9)
	return st
}

// bandPolygon returns the band of group i (drawn in its colour, kept above
// a tenth of the y-range's bottom on a log axis), or nil when there is no
// band to draw.
func (cp *curvesPlan) bandPolygon(cg *curveGroup, i int) (*plotter.Polygon, error) {
	if cp.o.Band == BandNone || len(cg.healthy) <= 1 {
		return nil, nil
	}
	outline := cg.band.Outline()
	if cp.logY {
		for k := range outline.Y {
			outline.Y[k] = math.Max(outline.Y[k], cp.lo/10)
		}
	}
	poly, err := plotter.NewPolygon(outline)
	if err != nil {
		return nil, fmt.Errorf("plot: band of %s: %w", cg.g.Label, err)
	}
	poly.Color = transparent(colorAt(i), 0.22)
	poly.LineStyle.Width = 0
	return poly, nil
}

// drawDiverged marks each diverged run with a × in its group's colour at
// its divergence point (on the edge when off the chart), and tells whether
// any run diverged.
func (cp *curvesPlan) drawDiverged(f *figure, cgs []*curveGroup) (bool, error) {
	marks := &divergeMarks{}
	diverged := false
	for i, cg := range cgs {
		for _, r := range cg.diverged {
			diverged = true
			if x, y, ok := cp.divergence(r); ok {
				marks.marks = append(marks.marks, divergeMark{x: x, y: y, top: !higherBetter(cp.metric), color: colorAt(i)})
			}
		}
	}
	if len(marks.marks) > 0 {
		f.addPlot(marks)
	}
	return diverged, nil
}

// divergeMarksIn returns the diverged marks of f, or nil.
func divergeMarksIn(f *figure) *divergeMarks {
	for _, pl := range f.plotters {
		if m, ok := pl.(*divergeMarks); ok {
			return m
		}
	}
	return nil
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
