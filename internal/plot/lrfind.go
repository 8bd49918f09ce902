package plot

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/optimbench/optimbench/internal/report"
)

// RangeTest is an lrfind folder read back: the ramp's points and, when
// lrfind.json is there, its suggestion.
type RangeTest struct {
	Dir      string
	LR       []float64
	Loss     []float64
	Smoothed []float64
	Summary  *report.LRFindSummary // nil without lrfind.json
}

// ReadRangeTest reads an lrfind folder (or its lrfind.csv).
func ReadRangeTest(path string) (*RangeTest, error) {
	dir, csvPath := path, filepath.Join(path, "lrfind.csv")
	if isFile(path) {
		dir, csvPath = filepath.Dir(path), path
	} else if _, err := os.Stat(path); err != nil {
		return nil, report.BadInput(fmt.Errorf("plot: %s: no such file or folder", path))
	}
	if !isFile(csvPath) {
		return nil, optErr("Kind", "lrfind: %s holds no lrfind.csv (run optimbench lrfind first)", path)
	}
	t, err := readTable(csvPath)
	if err != nil {
		return nil, err
	}
	for _, col := range []string{"lr", "loss", "smoothed_loss"} {
		if _, ok := t.Cols[col]; !ok {
			return nil, report.BadInput(fmt.Errorf("plot: %s: no %s column (not an lrfind.csv?)", csvPath, col))
		}
	}
	rt := &RangeTest{Dir: dir, LR: t.Cols["lr"], Loss: t.Cols["loss"], Smoothed: t.Cols["smoothed_loss"]}
	if js := filepath.Join(dir, "lrfind.json"); isFile(js) {
		s, err := report.ReadLRFindSummary(js)
		if err != nil {
			return nil, report.BadInput(err)
		}
		rt.Summary = s
	}
	return rt, nil
}

// lrfindPlan is what the steps of an lrfind figure share: the range tests,
// the figure and its y-scale and ranges.
type lrfindPlan struct {
	o          *Options
	tests      []*RangeTest
	f          *figure
	logY       bool
	lo, hi     float64        // the y-range
	xmin, xmax float64        // the range of the learning rates
	names      map[string]int // how many tests share each testName
}

// lrfindFigure draws each range test's smoothed loss against the learning
// rate (log scale), the raw minibatch losses faintly behind it, and marks
// the suggested learning rate.
func lrfindFigure(paths []string, o *Options) (*figure, error) {
	tests, err := readRangeTests(paths)
	if err != nil {
		return nil, err
	}
	lp := &lrfindPlan{o: o, tests: tests}
	lp.f = newFigure(lrfindTitle(tests, o.Title), "learning rate", lrfindYLabel(tests))
	p := lp.f.p
	setLog(&p.X)
	if err := lp.ranges(); err != nil {
		return nil, err
	}
	if lp.logY {
		setLog(&p.Y)
	}
	lp.names = map[string]int{}
	for _, rt := range tests {
		lp.names[testName(rt)]++
	}
	for i, rt := range tests {
		if err := lp.drawTest(i, rt); err != nil {
			return nil, err
		}
	}
	if len(tests) == 1 {
		lp.f.add("minibatch loss", lineThumb{draw.LineStyle{Color: transparent(colorAt(0), 0.35), Width: vg.Points(0.8)}})
	}
	setRange(&p.Y, lp.lo, lp.hi, lp.logY)
	setRange(&p.X, lp.xmin, lp.xmax, true)
	return lp.f, nil
}

// readRangeTests reads the lrfind folders (or lrfind.csv files) of paths,
// each once: a folder given twice (or through another spelling or a
// symbolic link) is one range test, at its first place.
func readRangeTests(paths []string) ([]*RangeTest, error) {
	var tests []*RangeTest
	seen := map[string]bool{}
	for _, p := range paths {
		rt, err := ReadRangeTest(p)
		if err != nil {
			return nil, err
		}
		if where := resolve(rt.Dir); !seen[where] {
			seen[where] = true
			tests = append(tests, rt)
		}
	}
	return tests, nil
}

// lrfindTitle is the figure's title: title when given, else the range
// test's, with the config and optimizer when there is one test.
func lrfindTitle(tests []*RangeTest, title string) string {
	if title != "" {
		return title
	}
	title = "Learning-rate range test"
	if len(tests) == 1 && tests[0].Summary != nil {
		title += ": " + tests[0].Summary.Name + " (" + tests[0].Summary.Optimizer + ")"
	}
	return title
}

// lrfindYLabel is the y-axis label: the minibatch loss, or the function
// value for a test function (no batches).
func lrfindYLabel(tests []*RangeTest) string {
	if tests[0].Summary != nil && tests[0].Summary.BatchSize < 0 {
		return "function value f(x) (smoothed)"
	}
	return "minibatch loss (smoothed)"
}

// ranges sets the axes' ranges over every test and chooses the y-scale
// (log when forced, or for losses spanning two decades).
func (lp *lrfindPlan) ranges() error {
	lp.logY = lp.o.LogY == ScaleLog
	lp.lo, lp.hi = math.Inf(1), math.Inf(-1)
	lp.xmin, lp.xmax = math.Inf(1), math.Inf(-1)
	for _, rt := range lp.tests {
		c := finiteCurve(rt.LR, rt.Smoothed)
		if c.Len() == 0 {
			return report.BadInput(fmt.Errorf("plot: %s: lrfind.csv holds no points", rt.Dir))
		}
		lp.widen(rt, c)
	}
	if lp.o.LogY == ScaleAuto && lp.lo > 0 && lp.hi/lp.lo >= 100 {
		lp.logY = true
	}
	if lp.logY && !(lp.lo > 0) {
		return optErr("LogY", ": a loss is not positive")
	}
	return nil
}

// widen extends the ranges to range test rt, whose smoothed loss is c. The
// y-range shows the descent and the start of the blow-up, not all of it:
// up to twice the highest value before the minimum, and down to the lowest
// raw loss up to the minimum.
func (lp *lrfindPlan) widen(rt *RangeTest, c Curve) {
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
		lp.lo = math.Min(lp.lo, y)
		lp.hi = math.Max(lp.hi, math.Min(y, 2*top))
	}
	for i, y := range rt.Loss {
		if finite(y) && i <= imin {
			lp.lo = math.Min(lp.lo, y)
		}
	}
	lp.xmin, lp.xmax = math.Min(lp.xmin, c.X[0]), math.Max(lp.xmax, c.X[c.Len()-1])
}

// drawTest draws range test i: its raw losses faintly, its smoothed loss
// with its legend entry, and its suggested learning rate.
func (lp *lrfindPlan) drawTest(i int, rt *RangeTest) error {
	col := colorAt(i)
	raw := finiteCurve(rt.LR, rt.Loss)
	if lp.logY {
		raw = positive(raw)
	}
	if raw.Len() > 0 {
		rl, err := plotter.NewLine(raw)
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		rl.LineStyle = draw.LineStyle{Color: transparent(col, 0.35), Width: vg.Points(0.8)}
		lp.f.addPlot(rl)
	}
	sm := finiteCurve(rt.LR, rt.Smoothed)
	if lp.logY {
		sm = positive(sm)
	}
	l, err := plotter.NewLine(sm)
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	l.LineStyle = lineStyle(i)
	lp.f.addPlot(l)
	lp.f.add(lp.label(rt), l)
	if rt.Summary != nil && rt.Summary.Suggested > 0 {
		lp.markSuggestion(rt, sm, col)
	}
	return nil
}

// label is the legend label of a range test's smoothed loss: its folder,
// or its config and optimizer when those tell the tests apart.
func (lp *lrfindPlan) label(rt *RangeTest) string {
	if rt.Summary != nil && len(lp.tests) > 1 && lp.names[testName(rt)] == 1 {
		return testName(rt)
	}
	if len(lp.tests) == 1 {
		return "smoothed loss"
	}
	return filepath.Base(rt.Dir)
}

// markSuggestion marks rt's suggested learning rate with a dashed vertical
// line and a dot on the smoothed loss sm, and adds its legend entry.
func (lp *lrfindPlan) markSuggestion(rt *RangeTest, sm Curve, col color.RGBA) {
	s := rt.Summary.Suggested
	y, ok := interp(sm, s)
	vl := lineThumb{draw.LineStyle{Color: col, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}}
	lp.f.addPlot(&vline{x: s, style: vl.style})
	mark := draw.GlyphStyle{Color: col, Radius: vg.Points(4.5), Shape: draw.CircleGlyph{}}
	if ok {
		sc, _ := plotter.NewScatter(plotter.XYs{{X: s, Y: y}})
		sc.GlyphStyle = mark
		lp.f.addPlot(sc)
	}
	lp.f.add(fmt.Sprintf("suggested lr %.2g (%s)", s, rt.Summary.Method), vl, glyphMark{mark})
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

func (v *vline) footprint(c draw.Canvas, p *plot.Plot) footprint {
	trX, _ := p.Transforms(&c)
	x := trX(v.x)
	return footprint{lines: [][]vg.Point{{{X: x, Y: c.Min.Y}, {X: x, Y: c.Max.Y}}}}
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
