package plot

import (
	"fmt"
	"math"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/optimbench/optimbench/internal/experiment"
)

// maxDrawn caps the points of one drawn line; longer series are decimated.
const maxDrawn = 4000

// SchedulePreviews loads each config (a YAML file, or a run folder's
// config.yaml) and previews its learning rate and batch size over the run.
func SchedulePreviews(paths []string) ([]*experiment.SchedulePreview, []string, error) {
	var out []*experiment.SchedulePreview
	var files []string
	for _, p := range paths {
		file := p
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			file = filepath.Join(p, "config.yaml")
			if !isFile(file) {
				return nil, nil, experiment.BadInput(fmt.Errorf("plot: --kind schedule takes config files; %s is a folder without config.yaml", p))
			}
		}
		c, err := experiment.Load(file, nil)
		if err != nil {
			return nil, nil, err
		}
		pv, err := experiment.PreviewSchedule(c)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, pv)
		files = append(files, file)
	}
	return out, files, nil
}

// scheduleCurves returns the learning rate and batch size of a preview
// against the chosen x: the fractional epoch (an update at batch k of n in
// epoch e sits at e + (k+1)/n), the step or the examples seen.
func scheduleCurves(pv *experiment.SchedulePreview, x string) (lr, batch Curve) {
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

// renderSchedule draws the learning rate (top) and batch size (bottom) of
// each config over its run, previewed without training.
func renderSchedule(paths []string, o *Options) error {
	pvs, files, err := SchedulePreviews(paths)
	if err != nil {
		return err
	}
	x := o.X
	if x == "" {
		x = "epoch"
	}
	names := map[string]int{}
	for _, pv := range pvs {
		names[pv.Name]++
	}
	problems := 0
	for _, pv := range pvs {
		if pv.Problem {
			problems++
		}
	}
	if x == "examples" && problems > 0 {
		return experiment.BadInput(fmt.Errorf("plot: --x examples: a test-function problem has no examples"))
	}
	xl := axisLabel(x)
	if x == "epoch" && problems == len(pvs) {
		xl = "step (a test function's epoch is one step)"
	}
	title := o.Title
	if title == "" {
		title = "Learning-rate schedule"
		if problems < len(pvs) {
			title = "Learning rate and batch size"
		}
		if len(pvs) == 1 {
			title += ": " + pvs[0].Name
		}
	}
	top := newFigure(title, "", "learning rate")
	bottom := newFigure("", xl, "batch size (samples)")
	showBatch := problems < len(pvs)
	if !showBatch {
		top.p.X.Label.Text = xl
	}
	lrLo, lrHi := math.Inf(1), math.Inf(-1)
	bLo, bHi := math.Inf(1), math.Inf(-1)
	xmax := 0.0
	lrs := make([]Curve, len(pvs))
	for i, pv := range pvs {
		lrs[i], _ = scheduleCurves(pv, x)
		for _, v := range lrs[i].Y {
			lrLo, lrHi = math.Min(lrLo, v), math.Max(lrHi, v)
		}
	}
	logY := o.LogY == ScaleLog // schedules read best on a linear axis
	if logY && !(lrLo > 0) {
		return experiment.BadInput(fmt.Errorf("plot: --logy: a learning rate is 0"))
	}
	if logY {
		setLog(&top.p.Y)
	}
	for i, pv := range pvs {
		lr, batch := scheduleCurves(pv, x)
		label := pv.Name
		if names[pv.Name] > 1 {
			label = filepath.Base(files[i])
		}
		l, err := plotter.NewLine(decimate(lr, maxDrawn))
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		l.LineStyle = lineStyle(i)
		top.addPlot(l)
		top.avoid = append(top.avoid, lr)
		top.add(label, l)
		if lr.Len() > 0 {
			xmax = math.Max(xmax, lr.X[lr.Len()-1])
		}
		if batch.Len() > 0 {
			b, err := plotter.NewLine(decimate(batch, maxDrawn))
			if err != nil {
				return fmt.Errorf("plot: %w", err)
			}
			b.LineStyle = lineStyle(i)
			bottom.addPlot(b)
			for _, v := range batch.Y {
				bLo, bHi = math.Min(bLo, v), math.Max(bHi, v)
			}
		}
	}
	setRange(&top.p.Y, lrLo, lrHi, logY)
	lo := 0.0
	if x == "step" || x == "examples" {
		lo = 1
	}
	if o.LogX == ScaleLog {
		setLog(&top.p.X)
		setLog(&bottom.p.X)
	}
	for _, f := range []*figure{top, bottom} {
		f.p.X.Min, f.p.X.Max = lo, xmax
		if o.LogX == ScaleLog {
			f.p.X.Min = 1
		}
	}
	if showBatch {
		top.p.X.Tick.Marker = unlabelled{top.p.X.Tick.Marker}
		bottom.p.Y.Min, bottom.p.Y.Max = 0, bHi*1.08
		if bLo > 0 && bHi/bLo >= 16 {
			setLog(&bottom.p.Y)
			setRange(&bottom.p.Y, bLo, bHi, true)
		}
	}
	drawFn := func(c draw.Canvas) {
		if !showBatch {
			top.draw(c)
			return
		}
		h := c.Max.Y - c.Min.Y
		split := c.Min.Y + h*0.36
		upper := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{Min: vg.Point{X: c.Min.X, Y: split}, Max: c.Max}}
		lower := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{Min: c.Min, Max: vg.Point{X: c.Max.X, Y: split}}}
		alignLeft(top, bottom, &upper, &lower)
		top.draw(upper)
		bottom.draw(lower)
	}
	if o.Out == "" {
		return nil
	}
	b, err := render(o.Out, o.Width, o.Height, o.DPI, drawFn)
	if err != nil {
		return err
	}
	return writeFile(o.Out, b)
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
