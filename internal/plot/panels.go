package plot

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// This file draws figures of panels from values computed elsewhere (the
// figures of `optimbench report`, drawn from a benchmark's analysis): the
// caller hands in plain series, so this package needs neither the benchmark
// nor its files. The house style is the one of the other figures: the
// Okabe–Ito colours by index, bands of a fifth of the line's colour, × for
// diverged settings in a shaded strip on the chart's edge, log axes where
// the values span two decades, and a legend that covers no data (inside a
// single panel where a corner is free, else below the panels, shared by
// all of them).

// Series is one line of a panel: Y at each X, a band of ± Std when Std is
// given, and the x of each setting that diverged.
type Series struct {
	Label    string
	Color    int // the palette index: the same optimizer takes the same index in every figure
	X, Y     []float64
	Std      []float64 // nil: no band
	Lo, Hi   []float64 // the band's edges, in place of ± Std (quartiles)
	Markers  bool      // a dot at each point (few points: a grid of learning rates)
	Step     bool      // a step function, constant after each point (a performance profile)
	Width    float64   // the line's width in points; 0: the house width (1.6 pt)
	Diverged []float64 // x of diverged settings, drawn as × on the chart's edge
}

// Panel is one chart of a figure.
type Panel struct {
	Title, XLabel, YLabel string
	LogX, LogY            Scale // ScaleAuto: log when every value is positive and they span two decades
	HigherBetter          bool  // accuracies: diverged settings go on the bottom edge, else the top
	YMin, YMax            float64
	FixedY                bool // use YMin, YMax as the y-range (a profile's [0, 1])
	// YFromX, when above 0, makes the y-range that of the points at x ≥ YFromX only (a
	// series with none there keeps all of its points): training curves all start from the
	// same evaluation at epoch 0, and their first epochs lie far above (for accuracies,
	// below) where they end, which would flatten the differences there. Their lines then
	// start off the chart's edge.
	YFromX float64
	Series []Series
	Note   string // written in the middle of the chart ("no test set")
}

// Panels is a figure of panels in rows of Cols, in reading order. Width and
// Height are in centimetres; DPI is for PNGs.
type Panels struct {
	Panels        []Panel
	Cols          int
	Width, Height float64
	DPI           int
}

// RenderPanels draws the figure in the format of ext (".svg" or ".png")
// and returns the encoded file.
func RenderPanels(ext string, fig Panels) ([]byte, error) {
	if len(fig.Panels) == 0 {
		return nil, errors.New("plot: a figure of no panels")
	}
	if fig.Cols <= 0 || fig.Cols > len(fig.Panels) {
		fig.Cols = len(fig.Panels)
	}
	if fig.DPI == 0 {
		fig.DPI = DefaultDPI
	}
	figs := make([]*figure, len(fig.Panels))
	for i := range fig.Panels {
		rows := (len(fig.Panels) + fig.Cols - 1) / fig.Cols
		cell := vg.Point{X: vg.Length(fig.Width) * vg.Centimeter / vg.Length(fig.Cols), Y: vg.Length(fig.Height) * vg.Centimeter / vg.Length(rows)}
		f, err := panelFigure(&fig.Panels[i], cell)
		if err != nil {
			return nil, err
		}
		figs[i] = f
	}
	w, h := vg.Length(fig.Width)*vg.Centimeter, vg.Length(fig.Height)*vg.Centimeter
	return render("figure"+ext, w, h, fig.DPI, func(c draw.Canvas) { drawPanels(c, fig, figs) })
}

// panelFigure builds the figure of one panel; cell is the panel's share of
// the figure (room for the × of diverged settings).
func panelFigure(pn *Panel, cell vg.Point) (*figure, error) {
	f := newFigure(pn.Title, pn.XLabel, pn.YLabel)
	f.p.Title.TextStyle.Font.Size = vg.Points(11)
	f.legend.TextStyle.Font.Size = vg.Points(9)
	logX, logY := autoLog(pn.LogX, xValues(pn)), autoLog(pn.LogY, yValues(pn))
	if logX {
		setLog(&f.p.X)
	}
	if logY {
		setLog(&f.p.Y)
	}
	ylo, yhi := span(yValues(pn), logY)
	if pn.FixedY {
		ylo, yhi = pn.YMin, pn.YMax
	}
	marks := &divergeMarks{stack: true}
	var lines []plot.Plotter
	for _, s := range pn.Series {
		ls, err := addSeries(f, s, logY, ylo)
		if err != nil {
			return nil, err
		}
		lines = append(lines, ls...)
		for _, x := range s.Diverged {
			marks.marks = append(marks.marks, divergeMark{x: x, y: math.NaN(), top: !pn.HigherBetter, color: colorAt(s.Color)})
		}
	}
	xlo, xhi := span(xValues(pn), logX)
	if !finite(xlo) {
		xlo, xhi = 0, 1
	}
	if !finite(ylo) {
		ylo, yhi = 0, 1
	}
	setRange(&f.p.X, xlo, xhi, logX)
	setRange(&f.p.Y, ylo, yhi, logY)
	if pn.FixedY {
		f.p.Y.Min, f.p.Y.Max = pn.YMin, pn.YMax
	}
	if len(marks.marks) > 0 {
		lines = append(lines, edgeMarks(f, marks, pn.HigherBetter, logX, logY, cell))
	}
	ymin, ymax := f.p.Y.Min, f.p.Y.Max
	f.addPlot(lines...)               // Add widens the axes to the lines' data,
	f.p.Y.Min, f.p.Y.Max = ymin, ymax // which YFromSecond leaves partly outside
	if pn.Note != "" {
		if len(pn.Series) == 0 { // an empty chart: no scale to read
			f.p.X.Tick.Marker, f.p.Y.Tick.Marker = plot.ConstantTicks(nil), plot.ConstantTicks(nil)
		}
		sty := f.p.X.Label.TextStyle
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
		sty.Color = color.Gray{Y: 110}
		f.addPlot(note{pn.Note, sty})
	}
	return f, nil
}

// note is a text in the middle of the data area.
type note struct {
	text string
	sty  draw.TextStyle
}

func (n note) Plot(c draw.Canvas, p *plot.Plot) { c.FillText(n.sty, c.Center(), n.text) }

// edgeMarks makes room on f's axes for the × of diverged settings on the top edge (the bottom
// one when higher is better), adds the shaded strip they stand in and returns the marks.
func edgeMarks(f *figure, marks *divergeMarks, higher, logX, logY bool, cell vg.Point) plot.Plotter {
	marks.columns()
	// room takes 80% of its width for the data area; a panel's is its cell less the y
	// axis, its labels and the gap (about 100 pt, measured on the report's figures).
	marks.room(&f.p.X, logX, max(cell.X-vg.Points(100), cell.X/3)/0.8)
	strip := &offStrip{at: f.p.Y.Max, top: !higher}
	if higher {
		strip.at = f.p.Y.Min
	}
	lo, hi := f.p.Y.Min, f.p.Y.Max
	need := float64(vg.Length(marks.stackDepth())*markStep+vg.Points(4)) / float64(0.7*cell.Y)
	headroom(&f.p.Y, !higher, logY, math.Max(0.1, need))
	f.p.Y.Tick.Marker = ticksWithin{f.p.Y.Tick.Marker, lo, hi}
	f.addPlot(strip)
	return marks
}

// addSeries adds s's band to f and returns its line and points, drawn over
// every band. On a log axis the band's lower edge stays above a tenth of
// the range's bottom lo.
func addSeries(f *figure, s Series, logY bool, lo float64) ([]plot.Plotter, error) {
	col := colorAt(s.Color)
	mean, upper, lower := seriesCurves(s, logY, lo)
	var out []plot.Plotter
	if upper.Len() > 1 {
		poly, err := bandBetween(upper, lower, col)
		if err != nil {
			return nil, err
		}
		f.addPlot(poly)
	}
	if mean.Len() == 0 {
		return nil, nil
	}
	line, err := plotter.NewLine(mean)
	if err != nil {
		return nil, fmt.Errorf("plot: %s: %w", s.Label, err)
	}
	line.LineStyle = lineStyle(s.Color)
	if s.Width > 0 {
		line.LineStyle.Width = vg.Points(s.Width)
	}
	if s.Step {
		line.StepStyle = plotter.PostStep
	}
	out = append(out, line)
	if s.Markers {
		pts, err := plotter.NewScatter(mean)
		if err != nil {
			return nil, fmt.Errorf("plot: %s: %w", s.Label, err)
		}
		pts.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
		out = append(out, pts)
	}
	return out, nil
}

// seriesCurves returns the finite points of s and its band's edges.
func seriesCurves(s Series, logY bool, lo float64) (mean, upper, lower Curve) {
	for i := range s.X {
		if i >= len(s.Y) || !finite(s.X[i]) || !finite(s.Y[i]) || (logY && s.Y[i] <= 0) {
			continue
		}
		mean.X, mean.Y = append(mean.X, s.X[i]), append(mean.Y, s.Y[i])
		if l, h, ok := s.band(i); ok {
			if logY {
				l = math.Max(l, lo/10)
			}
			upper.X, upper.Y = append(upper.X, s.X[i]), append(upper.Y, h)
			lower.X, lower.Y = append(lower.X, s.X[i]), append(lower.Y, l)
		}
	}
	return mean, upper, lower
}

// band returns the edges of the band at point i, and whether there is one.
func (s *Series) band(i int) (lo, hi float64, ok bool) {
	if i < len(s.Lo) && i < len(s.Hi) && finite(s.Lo[i]) && finite(s.Hi[i]) {
		return s.Lo[i], s.Hi[i], true
	}
	if i < len(s.Std) && finite(s.Std[i]) {
		return s.Y[i] - s.Std[i], s.Y[i] + s.Std[i], true
	}
	return 0, 0, false
}

// xValues and yValues are the finite coordinates a panel draws (the band's
// edges included), the ones its axes span.
func xValues(pn *Panel) []float64 {
	var v []float64
	for _, s := range pn.Series {
		v = append(v, s.X...)
		v = append(v, s.Diverged...)
	}
	return v
}

func yValues(pn *Panel) []float64 {
	var v []float64
	for _, s := range pn.Series {
		from := pn.YFromX > 0 && slices.ContainsFunc(s.X, func(x float64) bool { return x >= pn.YFromX })
		for i, y := range s.Y {
			if from && (i >= len(s.X) || s.X[i] < pn.YFromX) {
				continue
			}
			v = append(v, y)
			if lo, hi, ok := s.band(i); ok {
				v = append(v, lo, hi)
			}
		}
	}
	return v
}

// autoLog is the scale of an axis of values: forced, or log when every
// finite value is positive and they span two decades or more.
func autoLog(sc Scale, vals []float64) bool {
	if sc != ScaleAuto {
		return sc == ScaleLog
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		if finite(v) {
			if v <= 0 {
				return false
			}
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	return finite(lo) && hi/lo >= 100
}

// span is the range of the finite values (positive ones on a log axis);
// NaN when there are none.
func span(vals []float64, log bool) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		if finite(v) && (!log || v > 0) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if !finite(lo) {
		return math.NaN(), math.NaN()
	}
	return lo, hi
}

// drawPanels draws the title, the panels in rows and their shared legend:
// inside a single panel where it covers nothing, else below the panels. It
// returns the legend's box.
func drawPanels(c draw.Canvas, fig Panels, figs []*figure) vg.Rectangle {
	entries := legendEntries(fig.Panels)
	if len(figs) == 1 {
		figs[0].items = entries
		figs[0].draw(c)
		return figs[0].legendBox
	}
	rest := c
	var lay legendLayout
	if len(entries) > 0 {
		host := &figure{p: figs[0].p, legend: figs[0].legend, items: entries}
		rest, lay = host.legendBelow(rest)
		defer host.drawLegend(c, lay)
	}
	cells := gridCells(rest, len(figs), fig.Cols)
	for col := 0; col < fig.Cols; col++ {
		var fs []*figure
		var cs []draw.Canvas
		for i := col; i < len(figs); i += fig.Cols {
			fs, cs = append(fs, figs[i]), append(cs, cells[i])
		}
		alignAll(fs, cs)
		for k, i := 0, col; i < len(figs); k, i = k+1, i+fig.Cols {
			cells[i] = cs[k]
		}
	}
	for i, f := range figs {
		f.drawTitle(cells[i])
		f.drawPlot(cells[i])
	}
	return lay.box
}

// legendEntries lists each label of the panels once, in the order first
// met, with its line (and dot, band or ×) in its colour.
func legendEntries(panels []Panel) []legendEntry {
	var out []legendEntry
	seen := map[string]bool{}
	for _, pn := range panels {
		for _, s := range pn.Series {
			if s.Label == "" || seen[s.Label] {
				continue
			}
			seen[s.Label] = true
			var thumbs []plot.Thumbnailer
			if len(s.Std) > 0 || len(s.Lo) > 0 {
				thumbs = append(thumbs, &plotter.Polygon{Color: transparent(colorAt(s.Color), 0.22)})
			}
			ls := lineStyle(s.Color)
			if s.Width > 0 {
				ls.Width = vg.Points(s.Width)
			}
			thumbs = append(thumbs, lineThumb{ls})
			if s.Markers {
				thumbs = append(thumbs, glyphMark{draw.GlyphStyle{Color: colorAt(s.Color), Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}})
			}
			out = append(out, legendEntry{s.Label, thumbs})
		}
	}
	return out
}

// cellGap is the space kept free right of and below each panel.
var cellGap = vg.Points(8)

// gridCells splits c into n cells in rows of cols, in reading order.
func gridCells(c draw.Canvas, n, cols int) []draw.Canvas {
	rows := (n + cols - 1) / cols
	w := (c.Max.X - c.Min.X) / vg.Length(cols)
	h := (c.Max.Y - c.Min.Y) / vg.Length(rows)
	cells := make([]draw.Canvas, n)
	for i := range cells {
		r, k := i/cols, i%cols
		min := vg.Point{X: c.Min.X + vg.Length(k)*w, Y: c.Max.Y - vg.Length(r+1)*h}
		cells[i] = draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{Min: vg.Point{X: min.X, Y: min.Y + cellGap}, Max: vg.Point{X: min.X + w - cellGap, Y: min.Y + h}}}
	}
	return cells
}
