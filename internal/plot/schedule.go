package plot

import (
	"fmt"
	"math"
	"path/filepath"

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
	}
	return lr, batch
}

// schedulePlan is what the steps of a schedule figure share: the previews,
// the x-axis, the two panels (learning rate on top, batch size below) and
// the ranges of what they draw.
type schedulePlan struct {
	o           *Options
	pvs         []*report.SchedulePreview
	files       []string       // the config file of each preview
	x           string         // epoch, step or examples
	names       map[string]int // how many previews have each config name
	problems    int            // previews of test-function problems
	showBatch   bool           // some preview has data: draw the batch-size panel
	logY        bool           // log learning-rate axis
	top, bottom *figure
	lrLo, lrHi  float64 // the range of the learning rates
	bLo, bHi    float64 // the range of the batch sizes
	xmax        float64 // the last x of every learning-rate curve
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
	sp := &schedulePlan{o: o, x: o.X, names: map[string]int{}, bLo: math.Inf(1), bHi: math.Inf(-1)}
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
	if sp.problems < len(sp.pvs) {
		title = "Learning rate and batch size"
	}
	if len(sp.pvs) == 1 {
		title += ": " + sp.pvs[0].Name
	}
	return title
}

// newPanels makes the two panels; without a batch-size panel (test
// functions only), the top one carries the x-axis label.
func (sp *schedulePlan) newPanels() {
	xl := sp.xLabel()
	sp.top = newFigure(sp.title(), "", "learning rate")
	sp.bottom = newFigure("", xl, "batch size (samples)")
	sp.showBatch = sp.problems < len(sp.pvs)
	if !sp.showBatch {
		sp.top.p.X.Label.Text = xl
	}
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
	lr, batch := scheduleCurves(pv, sp.x)
	label := pv.Name
	if sp.names[pv.Name] > 1 {
		label = filepath.Base(sp.files[i])
	}
	l, err := plotter.NewLine(decimate(lr, maxDrawn))
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	l.LineStyle = lineStyle(i)
	sp.top.addPlot(l)
	sp.top.avoid = append(sp.top.avoid, lr)
	sp.top.add(label, l)
	if lr.Len() > 0 {
		sp.xmax = math.Max(sp.xmax, lr.X[lr.Len()-1])
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
	}
	return nil
}

// setRanges sets the panels' ranges: the shared x-axis from the first
// update (0 on an epoch axis) to xmax, and the batch sizes from 0, or on a
// log axis when they grow 16-fold or more.
func (sp *schedulePlan) setRanges() {
	top, bottom := sp.top, sp.bottom
	setRange(&top.p.Y, sp.lrLo, sp.lrHi, sp.logY)
	lo := 0.0
	if sp.x == "step" || sp.x == "examples" {
		lo = 1
	}
	if sp.o.LogX == ScaleLog {
		setLog(&top.p.X)
		setLog(&bottom.p.X)
	}
	for _, f := range []*figure{top, bottom} {
		f.p.X.Min, f.p.X.Max = lo, sp.xmax
		if sp.o.LogX == ScaleLog {
			f.p.X.Min = 1
		}
	}
	if sp.showBatch {
		top.p.X.Tick.Marker = unlabelled{top.p.X.Tick.Marker}
		bottom.p.Y.Min, bottom.p.Y.Max = 0, sp.bHi*1.08
		if sp.bLo > 0 && sp.bHi/sp.bLo >= 16 {
			setLog(&bottom.p.Y)
			setRange(&bottom.p.Y, sp.bLo, sp.bHi, true)
		}
	}
}

// draw draws the figure onto c: the top panel alone, or over the
// batch-size panel with their data areas aligned.
func (sp *schedulePlan) draw(c draw.Canvas) {
	if !sp.showBatch {
		sp.top.draw(c)
		return
	}
	h := c.Max.Y - c.Min.Y
	split := c.Min.Y + h*0.36
	upper := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{Min: vg.Point{X: c.Min.X, Y: split}, Max: c.Max}}
	lower := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{Min: c.Min, Max: vg.Point{X: c.Max.X, Y: split}}}
	alignLeft(sp.top, sp.bottom, &upper, &lower)
	sp.top.draw(upper)
	sp.bottom.draw(lower)
}

// alignLeft narrows the canvas of the plot whose y-axis is narrower so
// that both data areas start at the same x.
func alignLeft(a, b *figure, ca, cb *draw.Canvas) {
	da, db := a.dataCanvas(*ca), b.dataCanvas(*cb)
	switch {
	case da.Min.X < db.Min.X:
		ca.Min.X += db.Min.X - da.Min.X
	case db.Min.X < da.Min.X:
		cb.Min.X += da.Min.X - db.Min.X
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
