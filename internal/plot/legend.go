package plot

import (
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// figure is a plot with a legend that is placed at draw time where it
// covers nothing drawn: in a corner of the data area (or the middle of its
// top or bottom edge) that no line, band or marker reaches, else beside the
// axes on the right or below them in columns, whichever costs the plot
// less room, the plot shrunk to make room. What the
// plotters draw is known geometrically, in canvas coordinates (footprint).
//
// The y-axis label is drawn here too, centred on the data area: gonum/plot
// centres it on the arithmetic middle of the range, which on a log axis
// lies near the top and pads the plot with empty space.
type figure struct {
	p        *plot.Plot
	title    string // drawn here, centred on the whole figure
	ylabel   string
	legend   plot.Legend    // the legend's style (its entries are items)
	items    []legendEntry  // the legend's entries, in order
	avoid    []plotter.XYer // lines drawn outside the plotters (an animation's paths)
	plotters []plot.Plotter // what addPlot added
	// legendBox and dataArea are where the last draw put the legend (empty
	// without one) and the data area, for tests and for figures of several
	// panels.
	legendBox vg.Rectangle
	dataArea  draw.Canvas
}

// legendEntry is a legend line: its label and thumbnails.
type legendEntry struct {
	label  string
	thumbs []plot.Thumbnailer
}

func newFigure(title, xlabel, ylabel string) *figure {
	p := newPlot(title, xlabel, "")
	p.Title.Text = "" // drawn by drawTitle
	return &figure{p: p, title: title, ylabel: ylabel, legend: p.Legend}
}

// plotCanvas is the part of c left to the plot below the title and beside
// the y label.
func (f *figure) plotCanvas(c draw.Canvas) draw.Canvas {
	if f.title != "" {
		c.Max.Y -= f.p.Title.TextStyle.Rectangle(f.title).Size().Y + f.p.Title.Padding
	}
	c.Min.X += f.yLabelWidth(c)
	return c
}

// yLabelWidth is the width the y label takes on c.
func (f *figure) yLabelWidth(c draw.Canvas) vg.Length {
	label := f.yLabel(c)
	if label == "" {
		return 0
	}
	sty := f.p.Y.Label.TextStyle
	return sty.Height(label) + sty.FontExtents().Descent + vg.Points(3)
}

// yLabel is the y label as drawn on c: on two lines, its unit in
// parentheses on the second, when it is longer than c is high (a short
// panel of a schedule preview).
func (f *figure) yLabel(c draw.Canvas) string {
	sty := f.p.Y.Label.TextStyle
	if i := strings.LastIndex(f.ylabel, " ("); i > 0 && sty.Width(f.ylabel) > 0.95*(c.Max.Y-c.Min.Y) {
		return f.ylabel[:i] + "\n" + f.ylabel[i+1:]
	}
	return f.ylabel
}

// dataCanvas is the data area of the figure drawn on c (without a legend
// beside it).
func (f *figure) dataCanvas(c draw.Canvas) draw.Canvas {
	return f.p.DataCanvas(f.plotCanvas(c))
}

// addPlot adds plotters to the plot.
func (f *figure) addPlot(ps ...plot.Plotter) {
	f.p.Add(ps...)
	f.plotters = append(f.plotters, ps...)
}

// add adds a legend entry.
func (f *figure) add(label string, thumbs ...plot.Thumbnailer) {
	f.items = append(f.items, legendEntry{label, thumbs})
}

// draw draws the figure onto c, the legend where it covers no data.
func (f *figure) draw(c draw.Canvas) {
	pc, lay := c, legendLayout{}
	if len(f.items) > 0 {
		var ok bool
		if lay, ok = f.insideLegend(c); !ok {
			var beside bool
			pc, lay, beside = f.outsideLegend(c, false)
			if beside {
				lay.alignTop(f.dataCanvas(pc).Max.Y, c.Min.Y)
			}
		}
	}
	f.drawTitle(c)
	f.drawPlot(pc)
	f.drawLegend(c, lay)
}

// drawTitle draws the title at the top of c, centred on what lies right
// of the y label: the whole width of the figure, also when a legend beside
// the axes narrows the plot.
func (f *figure) drawTitle(c draw.Canvas) {
	if f.title == "" {
		return
	}
	sty := f.p.Title.TextStyle
	x := (c.Min.X + f.yLabelWidth(c) + c.Max.X) / 2
	c.FillText(sty, vg.Point{X: x, Y: c.Max.Y + sty.FontExtents().Descent}, f.title)
}

// drawPlot draws the plot and the y label onto c, without the legend.
func (f *figure) drawPlot(c draw.Canvas) {
	f.p.Legend = plot.NewLegend() // drawn by drawLegend
	pc := f.plotCanvas(c)
	f.p.Draw(pc)
	dc := f.p.DataCanvas(pc)
	f.dataArea = dc
	if label := f.yLabel(c); label != "" {
		sty := f.p.Y.Label.TextStyle
		sty.Rotation += math.Pi / 2
		x := c.Min.X + sty.Height(label) - sty.FontExtents().Descent
		c.FillText(sty, vg.Point{X: x, Y: (dc.Min.Y + dc.Max.Y) / 2}, label)
	}
}

// legendShare is the largest share of the width a legend beside the axes
// takes.
const legendShare = 0.4

// Legend geometry: the padding inside the box, its distance from the data
// area's edges inside it and from the axes outside it, the gap between
// columns and the margin kept free of data around it.
var (
	legendPad    = vg.Points(4)
	legendInset  = vg.Points(3)
	legendGap    = vg.Points(8)
	legendColGap = vg.Points(10)
	legendMargin = vg.Points(2)
)

// legendLayout is the place of a legend: its box and its entries in
// columns, filled top to bottom.
type legendLayout struct {
	box  vg.Rectangle
	cols [][]legendEntry
	w, h vg.Length // the box's size
}

// alignTop moves a legend beside the axes up or down so that its top meets
// the data area's top (top), unless it would then reach below bottom.
func (l *legendLayout) alignTop(top, bottom vg.Length) {
	if top-l.h < bottom {
		return
	}
	d := top - l.box.Max.Y
	l.box.Min.Y += d
	l.box.Max.Y += d
}

// legendOf returns a legend of the figure's style holding entries.
func (f *figure) legendOf(entries []legendEntry) plot.Legend {
	l := plot.NewLegend()
	l.TextStyle, l.ThumbnailWidth, l.Padding = f.legend.TextStyle, f.legend.ThumbnailWidth, f.legend.Padding
	l.YPosition = f.legend.YPosition
	l.Top, l.Left = true, true
	for _, e := range entries {
		l.Add(e.label, e.thumbs...)
	}
	return l
}

// columns lays the legend out in n columns and sizes its box.
func (f *figure) columns(n int) legendLayout {
	rows := (len(f.items) + n - 1) / n
	var lay legendLayout
	var w, h vg.Length
	for k := 0; k*rows < len(f.items); k++ {
		col := f.items[k*rows : min((k+1)*rows, len(f.items))]
		l := f.legendOf(col)
		size := l.Rectangle(draw.Canvas{}).Size()
		if k > 0 {
			w += legendColGap
		}
		w += size.X
		h = max(h, size.Y)
		lay.cols = append(lay.cols, col)
	}
	descent := f.legend.TextStyle.FontExtents().Descent
	lay.w, lay.h = w+2*legendPad, h+2*legendPad+descent
	return lay
}

// legendSpots are the places tried for a legend inside the data area, in
// order: the corners, then the middles of the top and bottom edges.
var legendSpots = []struct{ top, left, centre bool }{
	{true, false, false}, {true, true, false}, {false, false, false}, {false, true, false},
	{true, false, true}, {false, false, true},
}

// insideLegend returns a place for the legend inside the data area of the
// figure drawn on c where it covers none of the footprint, and whether
// there is one.
func (f *figure) insideLegend(c draw.Canvas) (legendLayout, bool) {
	lay := f.columns(1)
	dc := f.dataCanvas(c)
	if lay.w > dc.Max.X-dc.Min.X-2*legendInset || lay.h > dc.Max.Y-dc.Min.Y-2*legendInset {
		return lay, false
	}
	fp := f.footprint(dc)
	for _, s := range legendSpots {
		r := legendRect(dc, s.top, s.left, s.centre, lay.w, lay.h)
		if !fp.hits(grow(r, legendMargin), dc.Rectangle) {
			lay.box = r
			return lay, true
		}
	}
	return lay, false
}

// outsideLegend makes room for the legend outside the axes drawn on c:
// beside them on the right, or below them in as many columns as fit the
// width, whichever takes the smaller share of the figure (a share of the
// height counting a third more: figures are wider than high); with beside,
// beside them whenever it takes at most legendShare of the width and fits
// the height (stacked panels, whose heights are short already). It returns
// the canvas left to the plot, the legend's layout and whether it is beside
// the axes (its box then at the top of c, for the caller to align with the
// data area).
func (f *figure) outsideLegend(c draw.Canvas, beside bool) (draw.Canvas, legendLayout, bool) {
	width, height := c.Max.X-c.Min.X, c.Max.Y-c.Min.Y
	right := f.columns(1)
	fitsRight := right.w+legendGap <= legendShare*width && right.h <= height
	restBelow, below := f.legendBelow(c)
	rightCost := float64((right.w + legendGap) / width)
	belowCost := 4.0 / 3 * float64((below.h+legendGap)/height)
	if fitsRight && (beside || rightCost <= belowCost) {
		rest := c
		rest.Max.X -= right.w + legendGap
		x := rest.Max.X + legendGap
		right.box = vg.Rectangle{Min: vg.Point{X: x, Y: c.Max.Y - right.h}, Max: vg.Point{X: x + right.w, Y: c.Max.Y}}
		return rest, right, true
	}
	return restBelow, below, false
}

// legendBelow lays the legend out below c in as many columns as fit its width, and returns
// the canvas left above it.
func (f *figure) legendBelow(c draw.Canvas) (draw.Canvas, legendLayout) {
	width := c.Max.X - c.Min.X
	lay := f.columns(1)
	for n := len(f.items); n >= 1; n-- {
		if lay = f.columns(n); lay.w <= width || n == 1 {
			break
		}
	}
	rest := c
	rest.Min.Y += lay.h + legendGap
	x := c.Min.X + max(0, (width-lay.w)/2)
	lay.box = vg.Rectangle{Min: vg.Point{X: x, Y: c.Min.Y}, Max: vg.Point{X: x + lay.w, Y: c.Min.Y + lay.h}}
	return rest, lay
}

// drawLegend draws the legend laid out by lay onto c's canvas and records
// its box.
func (f *figure) drawLegend(c draw.Canvas, lay legendLayout) {
	f.legendBox = lay.box
	if len(lay.cols) == 0 {
		return
	}
	r := lay.box
	c.SetColor(color.NRGBA{R: 255, G: 255, B: 255, A: 225})
	c.Fill(r.Path())
	c.SetLineStyle(draw.LineStyle{Color: color.Gray{Y: 180}, Width: vg.Points(0.5)})
	c.Stroke(r.Path())
	x := r.Min.X + legendPad
	for _, col := range lay.cols {
		l := f.legendOf(col)
		w := l.Rectangle(draw.Canvas{}).Size().X
		inner := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: x, Y: r.Min.Y + legendPad},
			Max: vg.Point{X: x + w, Y: r.Max.Y - legendPad},
		}}
		l.Draw(inner)
		x += w + legendColGap
	}
}

// legendRect is a w × h box inside dc, legendInset from its edges: at the
// top or bottom, on the left or right, or centred.
func legendRect(dc draw.Canvas, top, left, centre bool, w, h vg.Length) vg.Rectangle {
	var r vg.Rectangle
	switch {
	case centre:
		r.Min.X = (dc.Min.X + dc.Max.X - w) / 2
	case left:
		r.Min.X = dc.Min.X + legendInset
	default:
		r.Min.X = dc.Max.X - legendInset - w
	}
	if top {
		r.Min.Y = dc.Max.Y - legendInset - h
	} else {
		r.Min.Y = dc.Min.Y + legendInset
	}
	r.Max = vg.Point{X: r.Min.X + w, Y: r.Min.Y + h}
	return r
}

// grow widens r by d on every side.
func grow(r vg.Rectangle, d vg.Length) vg.Rectangle {
	return vg.Rectangle{Min: vg.Point{X: r.Min.X - d, Y: r.Min.Y - d}, Max: vg.Point{X: r.Max.X + d, Y: r.Max.Y + d}}
}

// footprint is what a figure's plotters draw on its data area, in canvas
// coordinates: lines (polylines), filled areas (bands, as closed rings) and
// the boxes of markers. Lines and areas are clipped to the data area when
// drawn; markers may reach past it.
type footprint struct {
	lines [][]vg.Point
	areas [][]vg.Point
	boxes []vg.Rectangle
}

func (fp *footprint) add(o footprint) {
	fp.lines = append(fp.lines, o.lines...)
	fp.areas = append(fp.areas, o.areas...)
	fp.boxes = append(fp.boxes, o.boxes...)
}

// footprinter is a plotter of this package that tells what it draws.
type footprinter interface {
	footprint(dc draw.Canvas, p *plot.Plot) footprint
}

// footprint returns what the figure's plotters (and its avoid lines) draw
// on the data area dc. Plotters that are background (grid, contours) are
// left out: the legend may cover them.
func (f *figure) footprint(dc draw.Canvas) footprint {
	var fp footprint
	for _, pl := range f.plotters {
		switch v := pl.(type) {
		case footprinter:
			fp.add(v.footprint(dc, f.p))
		case *plotter.Line:
			if v.LineStyle.Width > 0 {
				fp.lines = append(fp.lines, canvasPoints(dc, f.p, v.XYs)...)
			}
		case *plotter.Polygon:
			for _, ring := range v.XYs {
				fp.areas = append(fp.areas, canvasPoints(dc, f.p, ring)...)
			}
		case *plotter.Scatter:
			r := v.GlyphStyle.Radius
			for _, part := range canvasPoints(dc, f.p, v.XYs) {
				for _, q := range part {
					fp.boxes = append(fp.boxes, vg.Rectangle{Min: vg.Point{X: q.X - r, Y: q.Y - r}, Max: vg.Point{X: q.X + r, Y: q.Y + r}})
				}
			}
		}
	}
	for _, xy := range f.avoid {
		fp.lines = append(fp.lines, canvasPoints(dc, f.p, xy)...)
	}
	return fp
}

// canvasPoints maps the points of xy to canvas coordinates, split into
// runs at the points the axes cannot show (not finite, or not positive on
// a log axis).
func canvasPoints(dc draw.Canvas, p *plot.Plot, xy plotter.XYer) [][]vg.Point {
	trX, trY := p.Transforms(&dc)
	_, xlog := p.X.Scale.(plot.LogScale)
	_, ylog := p.Y.Scale.(plot.LogScale)
	var parts [][]vg.Point
	var cur []vg.Point
	for i := 0; i < xy.Len(); i++ {
		x, y := xy.XY(i)
		if !finite(x) || !finite(y) || (xlog && x <= 0) || (ylog && y <= 0) {
			if len(cur) > 0 {
				parts, cur = append(parts, cur), nil
			}
			continue
		}
		cur = append(cur, vg.Point{X: trX(x), Y: trY(y)})
	}
	if len(cur) > 0 {
		parts = append(parts, cur)
	}
	return parts
}

// hits tells whether anything of the footprint lies in r: a marker's box
// meeting r, or, within the drawn area, a segment of a line or of an area's
// edge, or an area around r's centre.
func (fp footprint) hits(r, area vg.Rectangle) bool {
	for _, b := range fp.boxes {
		if b.Min.X < r.Max.X && b.Max.X > r.Min.X && b.Min.Y < r.Max.Y && b.Max.Y > r.Min.Y {
			return true
		}
	}
	clip := vg.Rectangle{
		Min: vg.Point{X: max(r.Min.X, area.Min.X), Y: max(r.Min.Y, area.Min.Y)},
		Max: vg.Point{X: min(r.Max.X, area.Max.X), Y: min(r.Max.Y, area.Max.Y)},
	}
	if clip.Min.X >= clip.Max.X || clip.Min.Y >= clip.Max.Y {
		return false
	}
	for _, l := range fp.lines {
		for i := 1; i < len(l); i++ {
			if segmentMeets(l[i-1], l[i], clip) {
				return true
			}
		}
	}
	centre := vg.Point{X: (clip.Min.X + clip.Max.X) / 2, Y: (clip.Min.Y + clip.Max.Y) / 2}
	for _, a := range fp.areas {
		for i := range a {
			if segmentMeets(a[i], a[(i+1)%len(a)], clip) {
				return true
			}
		}
		if len(a) >= 3 && inPolygon(centre, a) {
			return true
		}
	}
	return false
}

// segmentMeets tells whether the segment from a to b meets rectangle r
// (Liang–Barsky clipping).
func segmentMeets(a, b vg.Point, r vg.Rectangle) bool {
	t0, t1 := 0.0, 1.0
	dx, dy := float64(b.X-a.X), float64(b.Y-a.Y)
	for _, e := range [4][2]float64{
		{-dx, float64(a.X - r.Min.X)}, {dx, float64(r.Max.X - a.X)},
		{-dy, float64(a.Y - r.Min.Y)}, {dy, float64(r.Max.Y - a.Y)},
	} {
		p, q := e[0], e[1]
		if p == 0 {
			if q < 0 {
				return false
			}
			continue
		}
		t := q / p
		if p < 0 {
			if t > t1 {
				return false
			}
			t0 = math.Max(t0, t)
		} else {
			if t < t0 {
				return false
			}
			t1 = math.Min(t1, t)
		}
	}
	return t0 <= t1
}

// inPolygon tells whether pt lies inside the closed ring (even-odd rule).
func inPolygon(pt vg.Point, ring []vg.Point) bool {
	in := false
	for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
		a, b := ring[i], ring[j]
		if (a.Y > pt.Y) != (b.Y > pt.Y) && pt.X < a.X+(pt.Y-a.Y)*(b.X-a.X)/(b.Y-a.Y) {
			in = !in
		}
	}
	return in
}
