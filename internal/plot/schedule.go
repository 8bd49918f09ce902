package plot

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/optimbench/optimbench/internal/report"
)

// maxDrawn caps the points of one drawn line; longer series are decimated.
const maxDrawn = 4000

// Schedule is one schedule preview to draw and the config file it came from.
type Schedule struct {
	Preview *report.SchedulePreview
	File    string
}

// scheduleCurves returns the learning rate and batch size of a preview
// against the chosen x: the fractional epoch (an update at batch k of n in
// epoch e sits at e + (k+1)/n), the step or the examples seen.
func scheduleCurves(pv *report.SchedulePreview, x string) (lr, batch Curve) {
	lr, batch, _ = previewCurves(pv, x)
	return lr, batch
}

// previewCurves is scheduleCurves with the momentum a schedule drives (empty when it
// drives none).
func previewCurves(pv *report.SchedulePreview, x string) (lr, batch, mom Curve) {
	perEpoch := map[int]int{}
	for _, s := range pv.Steps {
		perEpoch[s.Epoch]++
	}
	k := 0
	for i, s := range pv.Steps {
		if i > 0 && s.Epoch != pv.Steps[i-1].Epoch {
			k = 0
		}
		k++
		var xv float64
		switch x {
		case "step":
			xv = float64(s.Step + 1)
		case "examples":
			xv = float64(s.Examples + max(s.BatchSize, 0))
		default:
			xv = float64(s.Epoch) + float64(k)/float64(perEpoch[s.Epoch])
		}
		lr.X, lr.Y = append(lr.X, xv), append(lr.Y, s.LR)
		if s.BatchSize > 0 { // the epoch's batch size, not its last, partial batch
			batch.X, batch.Y = append(batch.X, xv), append(batch.Y, float64(pv.Epochs[s.Epoch].BatchSize))
		}
		if !math.IsNaN(s.Momentum) {
			mom.X, mom.Y = append(mom.X, xv), append(mom.Y, s.Momentum)
		}
	}
	return lr, batch, mom
}

// schedulePlan is what the steps of a schedule figure share: the previews,
// the x-axis, the panels (learning rate on top, then the momentum a
// schedule drives, then the batch size) and the ranges of what they draw.
type schedulePlan struct {
	o           *Options
	pvs         []*report.SchedulePreview
	files       []string       // the config file of each preview
	x           string         // epoch, step or examples
	names       map[string]int // how many previews have each config name
	problems    int            // previews of test-function problems
	showBatch   bool           // some preview has data: draw the batch-size panel
	showMom     bool           // some schedule drives momentum: draw the momentum panel
	logY        bool           // log learning-rate axis
	top, bottom *figure
	mom         *figure
	lrLo, lrHi  float64          // the range of the learning rates
	bLo, bHi    float64          // the range of the batch sizes
	sizes       map[float64]bool // the batch sizes drawn
	mLo, mHi    float64          // the range of the momenta
	xmax        float64          // the last x of every learning-rate curve
}

// renderSchedule draws the learning rate (top) and batch size (bottom) of
// each config over its run, previewed without training (o.Schedules).
func renderSchedule(o *Options) error {
	sp, err := newSchedulePlan(o)
	if err != nil {
		return err
	}
	sp.newPanels()
	if err := sp.lrScale(); err != nil {
		return err
	}
	for i, pv := range sp.pvs {
		if err := sp.drawPreview(i, pv); err != nil {
			return err
		}
	}
	sp.setRanges()
	if o.Out == "" {
		return nil
	}
	b, err := render(o.Out, o.Width, o.Height, o.DPI, sp.draw)
	if err != nil {
		return err
	}
	return writeFile(o.Out, b)
}

// newSchedulePlan gathers the previews of o.Schedules, picks the x-axis
// (epoch by default) and checks that every preview has it.
func newSchedulePlan(o *Options) (*schedulePlan, error) {
	sp := &schedulePlan{o: o, x: o.X, names: map[string]int{}, bLo: math.Inf(1), bHi: math.Inf(-1),
		mLo: math.Inf(1), mHi: math.Inf(-1), sizes: map[float64]bool{}}
	for _, s := range o.Schedules {
		sp.pvs = append(sp.pvs, s.Preview)
		sp.files = append(sp.files, s.File)
	}
	if len(sp.pvs) == 0 {
		return nil, optErr("Kind", "schedule: no config to preview")
	}
	if sp.x == "" {
		sp.x = "epoch"
	}
	for _, pv := range sp.pvs {
		sp.names[pv.Name]++
	}
	for _, pv := range sp.pvs {
		if pv.Problem {
			sp.problems++
		}
		for _, st := range pv.Steps {
			if !math.IsNaN(st.Momentum) {
				sp.showMom = true
				break
			}
		}
	}
	if sp.x == "examples" && sp.problems > 0 {
		return nil, optErr("X", "examples: a test-function problem has no examples")
	}
	return sp, nil
}

// xLabel is the label of the x-axis; an epoch of test functions only is
// one step.
func (sp *schedulePlan) xLabel() string {
	if sp.x == "epoch" && sp.problems == len(sp.pvs) {
		return "step (a test function's epoch is one step)"
	}
	return axisLabel(sp.x)
}

// title is the figure's title: Options.Title, or what the panels show,
// with the config's name when there is one config.
func (sp *schedulePlan) title() string {
	if sp.o.Title != "" {
		return sp.o.Title
	}
	title := "Learning-rate schedule"
	switch batch := sp.problems < len(sp.pvs); {
	case batch && sp.showMom:
		title = "Learning rate, momentum and batch size"
	case batch:
		title = "Learning rate and batch size"
	case sp.showMom:
		title = "Learning rate and momentum"
	}
	if len(sp.pvs) == 1 {
		title += ": " + sp.pvs[0].Name
	}
	return title
}

// newPanels makes the panels; the lowest one carries the x-axis label.
func (sp *schedulePlan) newPanels() {
	sp.top = newFigure(sp.title(), "", "learning rate")
	sp.mom = newFigure("", "", "momentum (β₁)")
	sp.bottom = newFigure("", "", "batch size (samples)")
	sp.showBatch = sp.problems < len(sp.pvs)
	panels := sp.panels()
	panels[len(panels)-1].p.X.Label.Text = sp.xLabel()
}

// panels are the panels drawn, top to bottom.
func (sp *schedulePlan) panels() []*figure {
	ps := []*figure{sp.top}
	if sp.showMom {
		ps = append(ps, sp.mom)
	}
	if sp.showBatch {
		ps = append(ps, sp.bottom)
	}
	return ps
}

// lrScale finds the range of the learning rates and sets the top panel's
// y-scale: linear, which schedules read best on, unless a log scale is
// forced.
func (sp *schedulePlan) lrScale() error {
	sp.lrLo, sp.lrHi = math.Inf(1), math.Inf(-1)
	for _, pv := range sp.pvs {
		lr, _ := scheduleCurves(pv, sp.x)
		for _, v := range lr.Y {
			sp.lrLo, sp.lrHi = math.Min(sp.lrLo, v), math.Max(sp.lrHi, v)
		}
	}
	sp.logY = sp.o.LogY == ScaleLog
	if sp.logY && !(sp.lrLo > 0) {
		return optErr("LogY", ": a learning rate is 0")
	}
	if sp.logY {
		setLog(&sp.top.p.Y)
	}
	return nil
}

// drawPreview draws preview i: its learning rate on the top panel (with
// its legend entry, the config's name or, when names repeat, its file) and
// its batch size on the bottom one, widening xmax and the batch-size range.
func (sp *schedulePlan) drawPreview(i int, pv *report.SchedulePreview) error {
	lr, batch, mom := previewCurves(pv, sp.x)
	label := pv.Name
	if pv.Observes {
		label += " (shown at lr₀: evaluations lower it)"
	}
	if sp.names[pv.Name] > 1 {
		label = filepath.Base(sp.files[i])
	}
	l, err := plotter.NewLine(decimate(lr, maxDrawn))
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	l.LineStyle = lineStyle(i)
	sp.top.addPlot(l)
	sp.top.add(label, l)
	if lr.Len() > 0 {
		sp.xmax = math.Max(sp.xmax, lr.X[lr.Len()-1])
	}
	if mom.Len() > 0 {
		m, err := plotter.NewLine(decimate(mom, maxDrawn))
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		m.LineStyle = lineStyle(i)
		sp.mom.addPlot(m)
		for _, v := range mom.Y {
			sp.mLo, sp.mHi = math.Min(sp.mLo, v), math.Max(sp.mHi, v)
		}
	}
	if batch.Len() == 0 {
		return nil
	}
	b, err := plotter.NewLine(decimate(batch, maxDrawn))
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	b.LineStyle = lineStyle(i)
	sp.bottom.addPlot(b)
	for _, v := range batch.Y {
		sp.bLo, sp.bHi = math.Min(sp.bLo, v), math.Max(sp.bHi, v)
		sp.sizes[v] = true
	}
	return nil
}

// setRanges sets the panels' ranges: the shared x-axis from the first
// update (0 on an epoch axis) to xmax, ticks labelled on the lowest panel
// only, the momenta with a margin, and the batch sizes from 0, or on a log
// axis when they grow 16-fold or more. The learning rates and batch sizes
// lie within labelled ticks: no line runs above the highest label or below
// the lowest.
func (sp *schedulePlan) setRanges() {
	top, bottom := sp.top, sp.bottom
	setRange(&top.p.Y, sp.lrLo, sp.lrHi, sp.logY)
	withinLabels(&top.p.Y, sp.lrLo, sp.lrHi, sp.logY)
	lo := 0.0
	if sp.x == "step" || sp.x == "examples" {
		lo = 1
	}
	panels := sp.panels()
	for i, f := range panels {
		if sp.o.LogX == ScaleLog {
			setLog(&f.p.X)
		}
		f.p.X.Min, f.p.X.Max = lo, sp.xmax
		if sp.o.LogX == ScaleLog {
			f.p.X.Min = 1
		}
		if i < len(panels)-1 {
			f.p.X.Tick.Marker = unlabelled{f.p.X.Tick.Marker}
		}
	}
	if sp.showMom {
		setRange(&sp.mom.p.Y, sp.mLo, sp.mHi, false)
	}
	if sp.showBatch {
		bottom.p.Y.Min, bottom.p.Y.Max = 0, sp.bHi*1.08
		log := sp.bLo > 0 && sp.bHi/sp.bLo >= 16
		if log {
			setLog(&bottom.p.Y)
			setRange(&bottom.p.Y, sp.bLo, sp.bHi, true)
			if ticks := sizeTicks(sp.sizes, sp.bLo, sp.bHi); ticks != nil {
				bottom.p.Y.Tick.Marker = ticks
			}
		}
		withinLabels(&bottom.p.Y, sp.bLo, sp.bHi, log)
	}
}

// withinLabels widens an axis, whose range holds [lo, hi], until it has a
// labelled tick at or below lo and one at or above hi, so that every line
// lies within labelled ticks.
func withinLabels(a *plot.Axis, lo, hi float64, log bool) {
	for range 40 {
		first, last := math.Inf(1), math.Inf(-1)
		for _, t := range a.Tick.Marker.Ticks(a.Min, a.Max) {
			if t.Label != "" {
				first, last = math.Min(first, t.Value), math.Max(last, t.Value)
			}
		}
		tol := 1e-9 * math.Max(math.Abs(lo), math.Abs(hi))
		okLo, okHi := first <= lo+tol, last >= hi-tol
		if okLo && okHi {
			return
		}
		step := (a.Max - a.Min) * 0.05
		if log {
			f := math.Pow(a.Max/a.Min, 0.05)
			if !okLo {
				a.Min /= f
			}
			if !okHi {
				a.Max *= f
			}
			continue
		}
		if !okLo {
			a.Min -= step
		}
		if !okHi {
			a.Max += step
		}
	}
}

// sizeTicks labels a log batch-size axis at the batch sizes drawn (sizes),
// when there are at most eight of them and they lie far enough apart for
// their labels, else nil (the default ticks).
func sizeTicks(sizes map[float64]bool, lo, hi float64) plot.Ticker {
	if len(sizes) > 8 || !(hi > lo) || !(lo > 0) {
		return nil
	}
	vals := make([]float64, 0, len(sizes))
	for v := range sizes {
		vals = append(vals, v)
	}
	slices.Sort(vals)
	span := math.Log(hi / lo)
	ticks := make([]plot.Tick, len(vals))
	for i, v := range vals {
		if i > 0 && math.Log(v/vals[i-1]) < span/8 {
			return nil
		}
		ticks[i] = plot.Tick{Value: v, Label: tickLabel(v)}
	}
	return plot.ConstantTicks(ticks)
}

// draw draws the figure onto c: the panels stacked, the learning rate's
// (with the title and legend) the tallest, their data areas aligned. The
// legend goes inside the top panel where it covers no line, else beside
// the panels (or below them), every panel giving up the same room so that
// their x-axes stay aligned.
func (sp *schedulePlan) draw(c draw.Canvas) {
	panels := sp.panels()
	if len(panels) == 1 {
		sp.top.draw(c)
		return
	}
	canvases := stack(c, len(panels))
	alignAll(panels, canvases)
	lay, ok := sp.top.insideLegend(canvases[0])
	if !ok {
		rest, l, beside := sp.top.outsideLegend(c, true)
		lay = l
		canvases = stack(rest, len(panels))
		alignAll(panels, canvases)
		if beside {
			lay.alignTop(sp.top.dataCanvas(canvases[0]).Max.Y, c.Min.Y)
		}
	}
	sp.top.drawTitle(c)
	for i, f := range panels {
		f.drawPlot(canvases[i])
	}
	sp.top.drawLegend(c, lay)
}

// stack splits c into n panels, top to bottom: the first the tallest.
func stack(c draw.Canvas, n int) []draw.Canvas {
	weights := []vg.Length{0.64, 0.36} // shares of the height
	if n == 3 {
		weights = []vg.Length{0.5, 0.25, 0.25}
	}
	var total vg.Length
	for _, w := range weights {
		total += w
	}
	h := c.Max.Y - c.Min.Y
	canvases := make([]draw.Canvas, n)
	top := c.Max.Y
	for i, w := range weights {
		bottom := top - h*w/total
		if i == len(weights)-1 {
			bottom = c.Min.Y
		}
		canvases[i] = draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{Min: vg.Point{X: c.Min.X, Y: bottom}, Max: vg.Point{X: c.Max.X, Y: top}}}
		top = bottom
	}
	return canvases
}

// alignAll narrows the canvases of the panels so that every data area starts and ends at
// the same x: a panel's y-axis may be narrower, and only the lowest panel's x tick labels
// reach past its data area's right end.
func alignAll(panels []*figure, cs []draw.Canvas) {
	for range 3 { // the data area follows its canvas nearly one for one
		left, right := vg.Length(math.Inf(-1)), vg.Length(math.Inf(1))
		for i, f := range panels {
			dc := f.dataCanvas(cs[i])
			left, right = max(left, dc.Min.X), min(right, dc.Max.X)
		}
		for i, f := range panels {
			dc := f.dataCanvas(cs[i])
			cs[i].Min.X += left - dc.Min.X
			cs[i].Max.X -= dc.Max.X - right
		}
	}
}

// unlabelled keeps a ticker's ticks without their labels (an x-axis shared
// with the panel below).
type unlabelled struct{ t plot.Ticker }

func (u unlabelled) Ticks(lo, hi float64) []plot.Tick {
	ticks := u.t.Ticks(lo, hi)
	for i := range ticks {
		ticks[i].Label = ""
	}
	return ticks
}
