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

// RangeTest is an lrfind folder read back: the ramp's points and, when
// lrfind.json is there, its suggestion.
type RangeTest struct {
	Dir      string
	LR       []float64
	Loss     []float64
	Smoothed []float64
	Summary  *experiment.LRFindSummary // nil without lrfind.json
}

// ReadRangeTest reads an lrfind folder (or its lrfind.csv).
func ReadRangeTest(path string) (*RangeTest, error) {
	dir, csvPath := path, filepath.Join(path, "lrfind.csv")
	if isFile(path) {
		dir, csvPath = filepath.Dir(path), path
	} else if _, err := os.Stat(path); err != nil {
		return nil, experiment.BadInput(fmt.Errorf("plot: %s: no such file or folder", path))
	}
	if !isFile(csvPath) {
		return nil, experiment.BadInput(fmt.Errorf("plot: --kind lrfind: %s holds no lrfind.csv (run optimbench lrfind first)", path))
	}
	t, err := readTable(csvPath)
	if err != nil {
		return nil, err
	}
	for _, col := range []string{"lr", "loss", "smoothed_loss"} {
		if _, ok := t.Cols[col]; !ok {
			return nil, experiment.BadInput(fmt.Errorf("plot: %s: no %s column (not an lrfind.csv?)", csvPath, col))
		}
	}
	rt := &RangeTest{Dir: dir, LR: t.Cols["lr"], Loss: t.Cols["loss"], Smoothed: t.Cols["smoothed_loss"]}
	if js := filepath.Join(dir, "lrfind.json"); isFile(js) {
		s, err := experiment.ReadLRFindSummary(js)
		if err != nil {
			return nil, experiment.BadInput(err)
		}
		rt.Summary = s
	}
	return rt, nil
}

// lrfindFigure draws each range test's smoothed loss against the learning
// rate (log scale), the raw minibatch losses faintly behind it, and marks
// the suggested learning rate.
func lrfindFigure(paths []string, o *Options) (*figure, error) {
	var tests []*RangeTest
	for _, p := range paths {
		rt, err := ReadRangeTest(p)
		if err != nil {
			return nil, err
		}
		tests = append(tests, rt)
	}
	title := o.Title
	if title == "" {
		title = "Learning-rate range test"
		if len(tests) == 1 && tests[0].Summary != nil {
			title += ": " + tests[0].Summary.Name + " (" + tests[0].Summary.Optimizer + ")"
		}
	}
	ylabel := "minibatch loss (smoothed)"
	if tests[0].Summary != nil && tests[0].Summary.BatchSize < 0 {
		ylabel = "function value f(x) (smoothed)"
	}
	f := newFigure(title, "learning rate", ylabel)
	p := f.p
	setLog(&p.X)
	logY := o.LogY == ScaleLog
	lo, hi := math.Inf(1), math.Inf(-1)
	xmin, xmax := math.Inf(1), math.Inf(-1)
	for _, rt := range tests {
		c := finiteCurve(rt.LR, rt.Smoothed)
		if c.Len() == 0 {
			return nil, experiment.BadInput(fmt.Errorf("plot: %s: lrfind.csv holds no points", rt.Dir))
		}
		// Show the descent and the start of the blow-up, not all of it:
		// up to twice the highest value before the minimum.
		imin := 0
		for i, y := range c.Y {
			if y < c.Y[imin] {
				imin = i
			}
		}
		top := 0.0
		for _, y := range c.Y[:imin+1] {
			top = math.Max(top, y)
		}
		for _, y := range c.Y {
			lo = math.Min(lo, y)
			hi = math.Max(hi, math.Min(y, 2*top))
		}
		for i, y := range rt.Loss {
			if finite(y) && i <= imin {
				lo = math.Min(lo, y)
			}
		}
		xmin, xmax = math.Min(xmin, c.X[0]), math.Max(xmax, c.X[c.Len()-1])
	}
	if o.LogY == ScaleAuto && lo > 0 && hi/lo >= 100 {
		logY = true
	}
	if logY && !(lo > 0) {
		return nil, experiment.BadInput(fmt.Errorf("plot: --logy: a loss is not positive"))
	}
	if logY {
		setLog(&p.Y)
	}
	names := map[string]int{}
	for _, rt := range tests {
		names[testName(rt)]++
	}
	for i, rt := range tests {
		col := colorAt(i)
		raw := finiteCurve(rt.LR, rt.Loss)
		if logY {
			raw = positive(raw)
		}
		if raw.Len() > 0 {
			rl, err := plotter.NewLine(raw)
			if err != nil {
				return nil, fmt.Errorf("plot: %w", err)
			}
			rl.LineStyle = draw.LineStyle{Color: transparent(col, 0.35), Width: vg.Points(0.8)}
			f.addPlot(rl)
		}
		sm := finiteCurve(rt.LR, rt.Smoothed)
		if logY {
			sm = positive(sm)
		}
		l, err := plotter.NewLine(sm)
		if err != nil {
			return nil, fmt.Errorf("plot: %w", err)
		}
		l.LineStyle = lineStyle(i)
		f.addPlot(l)
		f.avoid = append(f.avoid, sm)
		label := filepath.Base(rt.Dir)
		if rt.Summary != nil && len(tests) > 1 && names[testName(rt)] == 1 {
			label = testName(rt)
		} else if len(tests) == 1 {
			label = "smoothed loss"
		}
		f.add(label, l)
		if rt.Summary != nil && rt.Summary.Suggested > 0 {
			s := rt.Summary.Suggested
			y, ok := interp(sm, s)
			vl := lineThumb{draw.LineStyle{Color: col, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}}
			f.addPlot(&vline{x: s, style: vl.style})
			mark := draw.GlyphStyle{Color: col, Radius: vg.Points(4.5), Shape: draw.CircleGlyph{}}
			if ok {
				sc, _ := plotter.NewScatter(plotter.XYs{{X: s, Y: y}})
				sc.GlyphStyle = mark
				f.addPlot(sc)
			}
			f.add(fmt.Sprintf("suggested lr %.2g (%s)", s, rt.Summary.Method), vl, glyphMark{mark})
		}
	}
	if len(tests) == 1 {
		f.add("minibatch loss", lineThumb{draw.LineStyle{Color: transparent(colorAt(0), 0.35), Width: vg.Points(0.8)}})
	}
	setRange(&p.Y, lo, hi, logY)
	setRange(&p.X, xmin, xmax, true)
	return f, nil
}

// positive keeps the points of c with y > 0.
func positive(c Curve) Curve {
	var out Curve
	for i := range c.X {
		if c.Y[i] > 0 {
			out.X, out.Y = append(out.X, c.X[i]), append(out.Y, c.Y[i])
		}
	}
	return out
}

// vline is a vertical line across the data area at x.
type vline struct {
	x     float64
	style draw.LineStyle
}

func (v *vline) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	x := trX(v.x)
	c.StrokeLine2(v.style, x, c.Min.Y, x, c.Max.Y)
}

// lineThumb is a legend thumbnail of a line style.
type lineThumb struct{ style draw.LineStyle }

func (l lineThumb) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(l.style, c.Min.X, y, c.Max.X, y)
}

// testName names a range test by its config and optimizer.
func testName(rt *RangeTest) string {
	if rt.Summary == nil {
		return filepath.Base(rt.Dir)
	}
	return rt.Summary.Name + " (" + rt.Summary.Optimizer + ")"
}
