package plot

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/optimbench/optimbench/internal/report"
)

// sensPoint is one x value of a group: the metric of its runs (seeds).
type sensPoint struct {
	x        float64
	vals     []float64 // runs that did not diverge
	diverged int       // runs that diverged (or have no finite value)
}

// sensGroup is one line of a sensitivity figure: its label and its points,
// sorted by x.
type sensGroup struct {
	label string
	pts   []*sensPoint
}

// sensPlan is what the steps of a sensitivity figure share: the runs, the
// key and metric drawn, the x-axis (numeric or categorical), the scales and
// the ranges.
type sensPlan struct {
	runs        []*Run
	o           *Options
	key         string         // the config key on the x-axis
	metric      string         // the results column on the y-axis
	gkeys       []string       // the config keys that split the runs into lines
	categorical bool           // some value of key is not a number
	cats        []string       // categorical x: the values, sorted
	catIndex    map[string]int // categorical x: a value's position in cats
	xmin, xmax  float64
	logX, logY  bool
	lo, hi      float64 // the y-range
	maxN        int     // the most runs at one x of one group
}

// sensitivityFigure draws the final or best metric of each run against a
// swept config key, one line per group with a band over the seeds. Each
// diverged run is a × in a shaded strip along the top edge (the bottom edge
// for accuracies), off the chart's scale: at its x, in its group's column,
// the runs of one group one below the other.
func sensitivityFigure(runs []*Run, o *Options) (*figure, error) {
	sp, err := newSensPlan(runs, o)
	if err != nil {
		return nil, err
	}
	if err := sp.xAxis(); err != nil {
		return nil, err
	}
	sgs := sp.sensGroups()
	if err := sp.yAxis(); err != nil {
		return nil, err
	}
	f := newFigure(sp.title(), keyLabel(sp.key), metricLabel(sp.metric, lossKind(runs)))
	if sp.logX {
		setLog(&f.p.X)
	}
	if sp.logY {
		setLog(&f.p.Y)
	}
	marks := &divergeMarks{stack: true}
	var lines []plot.Plotter
	for i, sg := range sgs {
		ls, err := sp.drawGroup(f, i, sg, marks)
		if err != nil {
			return nil, err
		}
		lines = append(lines, ls...) // over every band
	}
	marks.columns()
	strip := &offStrip{top: sp.top()}
	if len(marks.marks) > 0 {
		f.addPlot(strip) // under the lines and marks
	}
	f.addPlot(lines...)
	if len(marks.marks) > 0 {
		f.addPlot(marks)
	}
	sp.setRanges(f.p, marks, strip, o.Height)
	if !sp.categorical {
		marks.room(&f.p.X, sp.logX, o.Width)
	}
	if len(marks.marks) > 0 {
		edge := "top"
		if !sp.top() {
			edge = "bottom"
		}
		f.add("diverged (in the "+edge+" strip)", glyphMark{crossStyle(colorAt(6))})
	}
	return f, nil
}

// newSensPlan picks and checks the x key, the metric and the group keys.
func newSensPlan(runs []*Run, o *Options) (*sensPlan, error) {
	key, err := sensitivityKey(runs, o.X)
	if err != nil {
		return nil, err
	}
	if err := checkKey("X", key, runs); err != nil {
		return nil, err
	}
	if err := checkSwept(key, runs); err != nil {
		return nil, err
	}
	metric, err := sensitivityMetric(runs, o.Metric)
	if err != nil {
		return nil, err
	}
	gkeys := o.groupKeys()
	if err := checkKeys("Group", gkeys, runs); err != nil {
		return nil, err
	}
	if len(gkeys) == 0 { // by default, lines by every other key the runs differ in
		gkeys = differingKeys(runs, map[string]bool{"seed": true, "name": true, key: true})
	}
	return &sensPlan{runs: runs, o: o, key: key, metric: metric, gkeys: gkeys}, nil
}

// sensitivityKey returns the config key on the x-axis: key when given,
// else optimizer.lr when the runs differ in it, else the one key they
// differ in (apart from seed and name).
func sensitivityKey(runs []*Run, key string) (string, error) {
	if key != "" {
		return key, nil
	}
	keys := differingKeys(runs, map[string]bool{"seed": true, "name": true})
	switch {
	case containsStr(keys, "optimizer.lr"):
		return "optimizer.lr", nil
	case len(keys) == 1:
		return keys[0], nil
	case len(keys) == 0:
		return "", optErr("X", "KEY is needed: the runs differ in no config key but the seed")
	default:
		return "", optErr("X", "KEY is needed for a sensitivity plot, one of the keys the runs differ in: %s", strings.Join(keys, ", "))
	}
}

// checkSwept reports a key on the x-axis that was not swept: every run has
// the same value of it, so the figure would be one column of points. The
// error names the keys that were swept (the sweeps' swept keys, or those
// the runs differ in).
func checkSwept(key string, runs []*Run) error {
	v := runs[0].Params[key]
	for _, r := range runs[1:] {
		if r.Params[key] != v {
			return nil
		}
	}
	if v == "" {
		v = "no value"
	}
	if swept := sweptKeys(runs); len(swept) > 0 {
		keys := make([]string, 0, len(swept))
		for k := range swept {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return optErr("X", "%s: not swept (every run has %s); the swept keys are %s", key, v, strings.Join(keys, ", "))
	}
	keys := differingKeys(runs, map[string]bool{"seed": true, "name": true})
	if len(keys) == 0 {
		return optErr("X", "%s: not swept (every run has %s), and the runs differ in no config key but the seed", key, v)
	}
	return optErr("X", "%s: not swept (every run has %s); the runs differ in %s", key, v, strings.Join(keys, ", "))
}

// sensitivityMetric returns the results column on the y-axis: metric when
// given, else final_test_loss, or final_train_loss when a run that did not
// diverge has no test loss. The column must be one of the runs' results.
func sensitivityMetric(runs []*Run, metric string) (string, error) {
	if metric == "" {
		metric = "final_test_loss"
		for _, r := range runs {
			if v, ok := r.Results["final_test_loss"]; (!ok || !finite(v)) && !r.Diverged() {
				metric = "final_train_loss"
			}
		}
	}
	known := map[string]bool{}
	for _, r := range runs {
		for k := range r.Results {
			known[k] = true
		}
	}
	if !known[metric] {
		names := make([]string, 0, len(known))
		for k := range known {
			names = append(names, k)
		}
		sort.Strings(names)
		return "", optErr("Metric", "%s: not a results column of these runs (they have %s)%s",
			metric, strings.Join(names, ", "), suggest(metric, names))
	}
	return metric, nil
}

// xAxis sets up the x-axis: categorical when a value of the key is not a
// number (e.g. optimizer.name), its range, and its scale (log when forced,
// or for a learning rate or a positive key spanning two decades).
func (sp *sensPlan) xAxis() error {
	for _, r := range sp.runs {
		if _, err := strconv.ParseFloat(r.Params[sp.key], 64); err != nil {
			sp.categorical = true
		}
	}
	sp.catIndex = map[string]int{}
	if sp.categorical {
		for _, r := range sp.runs {
			if _, ok := sp.catIndex[r.Params[sp.key]]; !ok {
				sp.catIndex[r.Params[sp.key]] = 0
				sp.cats = append(sp.cats, r.Params[sp.key])
			}
		}
		sort.Strings(sp.cats)
		for i, c := range sp.cats {
			sp.catIndex[c] = i
		}
	}
	sp.xmin, sp.xmax = math.Inf(1), math.Inf(-1)
	for _, r := range sp.runs {
		sp.xmin, sp.xmax = math.Min(sp.xmin, sp.xOf(r)), math.Max(sp.xmax, sp.xOf(r))
	}
	sp.logX = sp.o.LogX == ScaleLog
	if sp.o.LogX == ScaleAuto && !sp.categorical && sp.xmin > 0 && (isLRKey(sp.key) || sp.xmax/sp.xmin >= 100) {
		sp.logX = true
	}
	if sp.logX && (sp.categorical || sp.xmin <= 0) {
		return optErr("LogX", ": %s has values that are not positive numbers", sp.key)
	}
	return nil
}

// xOf is the x of run r: its value of the key, or the value's position on
// a categorical axis.
func (sp *sensPlan) xOf(r *Run) float64 {
	if sp.categorical {
		return float64(sp.catIndex[r.Params[sp.key]])
	}
	v, _ := strconv.ParseFloat(r.Params[sp.key], 64)
	return v
}

// sensGroups splits the runs into lines by the group keys and gathers
// their points, widening the y-range and maxN to them.
func (sp *sensPlan) sensGroups() []sensGroup {
	var sgs []sensGroup
	sp.lo, sp.hi = math.Inf(1), math.Inf(-1)
	for _, g := range groupRuns(sp.runs, sp.gkeys, false) {
		pts := sp.points(g)
		sp.widen(pts)
		label := g.Label
		if len(sp.gkeys) == 0 {
			label = metricLabel(sp.metric, "")
		}
		sgs = append(sgs, sensGroup{label: label, pts: pts})
	}
	return sgs
}

// points returns a group's points sorted by x: at each x, the metric of
// the runs that did not diverge and the count of those that did (or have
// no finite value). Failed runs are left out.
func (sp *sensPlan) points(g *Group) []*sensPoint {
	byX := map[float64]*sensPoint{}
	var pts []*sensPoint
	for _, r := range g.Runs {
		if r.Status == report.StatusFailed {
			continue // an error, not a result
		}
		x := sp.xOf(r)
		pt := byX[x]
		if pt == nil {
			pt = &sensPoint{x: x}
			byX[x] = pt
			pts = append(pts, pt)
		}
		v, ok := r.Results[sp.metric]
		if r.Diverged() || !ok || !finite(v) {
			pt.diverged++
			continue
		}
		pt.vals = append(pt.vals, v)
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].x < pts[j].x })
	return pts
}

// widen extends maxN and the y-range to the points: their means, bands
// and, unless the band is min–max, every run's value.
func (sp *sensPlan) widen(pts []*sensPoint) {
	for _, pt := range pts {
		sp.maxN = max(sp.maxN, len(pt.vals)+pt.diverged)
		if len(pt.vals) == 0 {
			continue
		}
		m, l, h := stats(pt.vals, sp.o.Band)
		sp.lo, sp.hi = math.Min(sp.lo, math.Min(m, l)), math.Max(sp.hi, math.Max(m, h))
		if sp.o.Band != BandMinMax {
			for _, v := range pt.vals { // the band may be narrower than the runs
				sp.lo, sp.hi = math.Min(sp.lo, v), math.Max(sp.hi, v)
			}
		}
	}
}

// yAxis completes the y-range when every run diverged and chooses the
// y-scale (log when forced, or for a loss spanning two decades).
func (sp *sensPlan) yAxis() error {
	if math.IsInf(sp.lo, 1) {
		sp.lo, sp.hi = 0, 1 // every run diverged: only edge marks
		if isLoss(sp.metric) {
			sp.lo, sp.hi = 0.1, 10
		}
	}
	sp.logY = sp.o.LogY == ScaleLog
	if sp.o.LogY == ScaleAuto && isLoss(sp.metric) && sp.lo > 0 && sp.hi/sp.lo >= 100 {
		sp.logY = true
	}
	if sp.logY && sp.lo <= 0 {
		return optErr("LogY", ": %s has values that are not positive", sp.metric)
	}
	return nil
}

// title is the figure's title: Options.Title, or the metric against the key.
func (sp *sensPlan) title() string {
	if sp.o.Title != "" {
		return sp.o.Title
	}
	m := metricLabel(sp.metric, "")
	return strings.ToUpper(m[:1]) + m[1:] + " vs " + sp.key
}

// top tells whether diverged runs go on the top edge (the bottom edge when
// higher is better).
func (sp *sensPlan) top() bool { return !higherBetter(sp.metric) }

// drawGroup adds group i to f: its band now, the × of its diverged runs
// to marks, its legend entry, and returns its mean line and points for the
// caller to draw over every band.
func (sp *sensPlan) drawGroup(f *figure, i int, sg sensGroup, marks *divergeMarks) ([]plot.Plotter, error) {
	col := colorAt(i)
	mean, upper, lower, off := sp.series(sg)
	var thumbs []plot.Thumbnailer
	if sp.o.Band != BandNone && sp.maxN > 1 && mean.Len() > 0 {
		poly, err := bandBetween(upper, lower, col)
		if err != nil {
			return nil, err
		}
		f.addPlot(poly)
		thumbs = append(thumbs, poly)
	}
	var lines []plot.Plotter
	if mean.Len() > 0 {
		line, pts, err := plotter.NewLinePoints(mean)
		if err != nil {
			return nil, fmt.Errorf("plot: %w", err)
		}
		line.LineStyle = lineStyle(i)
		pts.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
		lines = append(lines, line, pts)
		thumbs = append(thumbs, line, pts)
	}
	for _, x := range off {
		marks.marks = append(marks.marks, divergeMark{x: x, y: math.NaN(), top: sp.top(), color: col})
	}
	if len(thumbs) == 0 {
		thumbs = append(thumbs, glyphMark{crossStyle(col)})
	}
	label := sg.label
	if sp.maxN > 1 {
		label = fmt.Sprintf("%s (n=%d)", label, sp.maxN)
	}
	f.add(label, thumbs...)
	return lines, nil
}

// offStrip shades the strip beyond at, on the top (or bottom) edge of the
// data area, where the × of diverged runs stand off the chart's scale.
type offStrip struct {
	at  float64
	top bool
}

func (s *offStrip) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	y := max(c.Min.Y, min(c.Max.Y, trY(s.at)))
	r := vg.Rectangle{Min: vg.Point{X: c.Min.X, Y: y}, Max: c.Max}
	if !s.top {
		r = vg.Rectangle{Min: c.Min, Max: vg.Point{X: c.Max.X, Y: y}}
	}
	c.SetColor(color.Gray{Y: 242})
	c.Fill(r.Path())
	c.StrokeLine2(draw.LineStyle{Color: color.Gray{Y: 170}, Width: vg.Points(0.5), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}},
		c.Min.X, y, c.Max.X, y)
}

// ticksWithin keeps a ticker's ticks between lo and hi (the chart's scale,
// not the strip beyond it).
type ticksWithin struct {
	t      plot.Ticker
	lo, hi float64
}

func (w ticksWithin) Ticks(lo, hi float64) []plot.Tick {
	var out []plot.Tick
	for _, t := range w.t.Ticks(lo, hi) {
		if t.Value >= w.lo && t.Value <= w.hi {
			out = append(out, t)
		}
	}
	return out
}

// series returns a group's mean and band edges at the x values with
// results (the lower edge kept above a tenth of the y-range's bottom on a
// log axis), and the x of each diverged run.
func (sp *sensPlan) series(sg sensGroup) (mean, upper, lower Curve, off []float64) {
	for _, pt := range sg.pts {
		for k := 0; k < pt.diverged; k++ {
			off = append(off, pt.x)
		}
		if len(pt.vals) == 0 {
			continue
		}
		m, l, h := stats(pt.vals, sp.o.Band)
		if sp.logY {
			l = math.Max(l, sp.lo/10)
		}
		mean.X, mean.Y = append(mean.X, pt.x), append(mean.Y, m)
		upper.X, upper.Y = append(upper.X, pt.x), append(upper.Y, h)
		lower.X, lower.Y = append(lower.X, pt.x), append(lower.Y, l)
	}
	return mean, upper, lower, off
}

// bandBetween returns the band between the upper and lower edges, filled
// with a light shade of col.
func bandBetween(upper, lower Curve, col color.RGBA) (*plotter.Polygon, error) {
	outline := Curve{X: append([]float64(nil), upper.X...), Y: append([]float64(nil), upper.Y...)}
	for k := lower.Len() - 1; k >= 0; k-- {
		outline.X, outline.Y = append(outline.X, lower.X[k]), append(outline.Y, lower.Y[k])
	}
	poly, err := plotter.NewPolygon(outline)
	if err != nil {
		return nil, fmt.Errorf("plot: %w", err)
	}
	poly.Color = transparent(col, 0.22)
	poly.LineStyle.Width = 0
	return poly, nil
}

// setRanges sets the axes' ranges, with room on the edge for the stacked
// × of diverged runs when there are any (height is the figure's, of which
// the data area takes about 70%), and the ticks of a categorical x-axis
// (one per value, labelled by it).
func (sp *sensPlan) setRanges(p *plot.Plot, marks *divergeMarks, strip *offStrip, height vg.Length) {
	setRange(&p.Y, sp.lo, sp.hi, sp.logY)
	if n := marks.stackDepth(); n > 0 {
		lo, hi := p.Y.Min, p.Y.Max
		strip.at = hi
		if !sp.top() {
			strip.at = lo
		}
		need := float64(vg.Length(n)*markStep+vg.Points(4)) / float64(0.7*height)
		headroom(&p.Y, sp.top(), sp.logY, math.Max(0.1, need))
		p.Y.Tick.Marker = ticksWithin{p.Y.Tick.Marker, lo, hi}
	}
	if !sp.categorical {
		setRange(&p.X, sp.xmin, sp.xmax, sp.logX)
		return
	}
	ticks := make([]plot.Tick, len(sp.cats))
	for i, c := range sp.cats {
		ticks[i] = plot.Tick{Value: float64(i), Label: c}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Min, p.X.Max = -0.5, float64(len(sp.cats))-0.5
}

func containsStr(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
