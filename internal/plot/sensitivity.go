package plot

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/optimbench/optimbench/internal/experiment"
	"github.com/optimbench/optimbench/internal/report"
)

// sensPoint is one x value of a group: the metric of its runs (seeds).
type sensPoint struct {
	x        float64
	vals     []float64 // runs that did not diverge
	diverged int       // runs that diverged (or have no finite value)
}

// sensitivityFigure draws the final or best metric of each run against a
// swept config key, one line per group with a band over the seeds; a
// diverged run is a × on the top edge (the bottom edge for accuracies).
func sensitivityFigure(runs []*Run, o *Options) (*figure, error) {
	key := o.X
	if key == "" {
		keys := differingKeys(runs, map[string]bool{"seed": true, "name": true})
		switch {
		case containsStr(keys, "optimizer.lr"):
			key = "optimizer.lr"
		case len(keys) == 1:
			key = keys[0]
		case len(keys) == 0:
			return nil, experiment.BadInput(fmt.Errorf("plot: sensitivity: the runs differ in no config key but the seed; give --x KEY"))
		default:
			return nil, experiment.BadInput(fmt.Errorf("plot: sensitivity: give --x KEY, one of the keys the runs differ in: %s", strings.Join(keys, ", ")))
		}
	}
	if err := checkKey("--x", key, runs); err != nil {
		return nil, err
	}
	metric := o.Metric
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
		return nil, experiment.BadInput(fmt.Errorf("plot: --metric %s: not a results column of these runs (they have %s)%s",
			metric, strings.Join(names, ", "), suggest(metric, names)))
	}
	gkeys := o.groupKeys()
	for _, k := range gkeys {
		if err := checkKey("--group", k, runs); err != nil {
			return nil, err
		}
	}
	if len(gkeys) == 0 { // by default, lines by every other key the runs differ in
		gkeys = differingKeys(runs, map[string]bool{"seed": true, "name": true, key: true})
	}
	// Categorical x when a value is not a number (e.g. --x optimizer.name).
	categorical := false
	for _, r := range runs {
		if _, err := strconv.ParseFloat(r.Params[key], 64); err != nil {
			categorical = true
		}
	}
	var cats []string
	catIndex := map[string]int{}
	if categorical {
		for _, r := range runs {
			if _, ok := catIndex[r.Params[key]]; !ok {
				catIndex[r.Params[key]] = 0
				cats = append(cats, r.Params[key])
			}
		}
		sort.Strings(cats)
		for i, c := range cats {
			catIndex[c] = i
		}
	}
	xOf := func(r *Run) float64 {
		if categorical {
			return float64(catIndex[r.Params[key]])
		}
		v, _ := strconv.ParseFloat(r.Params[key], 64)
		return v
	}
	xmin, xmax := math.Inf(1), math.Inf(-1)
	for _, r := range runs {
		xmin, xmax = math.Min(xmin, xOf(r)), math.Max(xmax, xOf(r))
	}
	logX := o.LogX == ScaleLog
	if o.LogX == ScaleAuto && !categorical && xmin > 0 && (isLRKey(key) || xmax/xmin >= 100) {
		logX = true
	}
	if logX && (categorical || xmin <= 0) {
		return nil, experiment.BadInput(fmt.Errorf("plot: --logx: %s has values that are not positive numbers", key))
	}

	groups := groupRuns(runs, gkeys, false)
	type sensGroup struct {
		label string
		pts   []*sensPoint
	}
	var sgs []sensGroup
	lo, hi := math.Inf(1), math.Inf(-1)
	maxN := 0
	for _, g := range groups {
		byX := map[float64]*sensPoint{}
		var pts []*sensPoint
		for _, r := range g.Runs {
			if r.Status == report.StatusFailed {
				continue // an error, not a result
			}
			x := xOf(r)
			pt := byX[x]
			if pt == nil {
				pt = &sensPoint{x: x}
				byX[x] = pt
				pts = append(pts, pt)
			}
			v, ok := r.Results[metric]
			if r.Diverged() || !ok || !finite(v) {
				pt.diverged++
				continue
			}
			pt.vals = append(pt.vals, v)
		}
		sort.Slice(pts, func(i, j int) bool { return pts[i].x < pts[j].x })
		for _, pt := range pts {
			maxN = max(maxN, len(pt.vals)+pt.diverged)
			if len(pt.vals) == 0 {
				continue
			}
			m, l, h := stats(pt.vals, o.Band)
			lo, hi = math.Min(lo, math.Min(m, l)), math.Max(hi, math.Max(m, h))
			if o.Band != BandMinMax {
				for _, v := range pt.vals { // the band may be narrower than the runs
					lo, hi = math.Min(lo, v), math.Max(hi, v)
				}
			}
		}
		label := g.Label
		if len(gkeys) == 0 {
			label = metricLabel(metric, "")
		}
		sgs = append(sgs, sensGroup{label: label, pts: pts})
	}
	if math.IsInf(lo, 1) {
		lo, hi = 0, 1 // every run diverged: only edge marks
		if isLoss(metric) {
			lo, hi = 0.1, 10
		}
	}
	logY := o.LogY == ScaleLog
	if o.LogY == ScaleAuto && isLoss(metric) && lo > 0 && hi/lo >= 100 {
		logY = true
	}
	if logY && lo <= 0 {
		return nil, experiment.BadInput(fmt.Errorf("plot: --logy: %s has values that are not positive", metric))
	}

	title := o.Title
	if title == "" {
		m := metricLabel(metric, "")
		title = strings.ToUpper(m[:1]) + m[1:] + " vs " + key
	}
	f := newFigure(title, keyLabel(key), metricLabel(metric, lossKind(runs)))
	p := f.p
	if logX {
		setLog(&p.X)
	}
	if logY {
		setLog(&p.Y)
	}
	top := !higherBetter(metric)
	anyDiverged := false
	var lines []plot.Plotter
	for i, sg := range sgs {
		col := colorAt(i)
		var mean Curve
		var upper, lower Curve
		var off []float64
		for _, pt := range sg.pts {
			for k := 0; k < pt.diverged; k++ {
				off = append(off, pt.x)
			}
			if len(pt.vals) == 0 {
				continue
			}
			m, l, h := stats(pt.vals, o.Band)
			if logY {
				l = math.Max(l, lo/10)
			}
			mean.X, mean.Y = append(mean.X, pt.x), append(mean.Y, m)
			upper.X, upper.Y = append(upper.X, pt.x), append(upper.Y, h)
			lower.X, lower.Y = append(lower.X, pt.x), append(lower.Y, l)
		}
		var thumbs []plot.Thumbnailer
		if o.Band != BandNone && maxN > 1 && mean.Len() > 0 {
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
			f.addPlot(poly)
			thumbs = append(thumbs, poly)
		}
		if mean.Len() > 0 {
			line, pts, err := plotter.NewLinePoints(mean)
			if err != nil {
				return nil, fmt.Errorf("plot: %w", err)
			}
			line.LineStyle = lineStyle(i)
			pts.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
			lines = append(lines, line, pts) // over every band
			thumbs = append(thumbs, line, pts)
			f.avoid = append(f.avoid, mean)
		}
		if len(off) > 0 {
			dx := vg.Points(9) * vg.Length(float64(i)-float64(len(sgs)-1)/2)
			em := &edgeMarks{xs: off, top: top, dx: dx, style: crossStyle(col)}
			f.addPlot(em)
			anyDiverged = true
			if len(thumbs) == 0 {
				thumbs = append(thumbs, em)
			}
		}
		label := sg.label
		if maxN > 1 {
			label = fmt.Sprintf("%s (n=%d)", label, maxN)
		}
		f.add(label, thumbs...)
	}
	f.addPlot(lines...)
	setRange(&p.Y, lo, hi, logY)
	if categorical {
		ticks := make([]plot.Tick, len(cats))
		for i, c := range cats {
			ticks[i] = plot.Tick{Value: float64(i), Label: c}
		}
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
		p.X.Min, p.X.Max = -0.5, float64(len(cats))-0.5
	} else {
		setRange(&p.X, xmin, xmax, logX)
	}
	if anyDiverged {
		edge := "top"
		if !top {
			edge = "bottom"
		}
		f.add("diverged (on the "+edge+" edge)", glyphMark{crossStyle(colorAt(6))})
	}
	return f, nil
}

func containsStr(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
