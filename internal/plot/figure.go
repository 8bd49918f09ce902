package plot

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/optimbench/optimbench/internal/report"
)

// Default figure size and resolution: 16 × 10 cm, PNGs at 150 dpi
// (945 × 591 pixels), text of 10 pt and more.
const (
	DefaultWidth  = 16 * vg.Centimeter
	DefaultHeight = 10 * vg.Centimeter
	DefaultDPI    = 150
)

// OkabeIto is the colour-blind-safe palette of Okabe & Ito (2008), in the
// order lines take it (yellow, hard to see on white, comes last).
var OkabeIto = []color.RGBA{
	{0x00, 0x72, 0xB2, 0xFF}, // blue
	{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	{0xE6, 0x9F, 0x00, 0xFF}, // orange
	{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	{0x00, 0x00, 0x00, 0xFF}, // black
	{0xF0, 0xE4, 0x42, 0xFF}, // yellow
}

// colorAt is the colour of line i.
func colorAt(i int) color.RGBA { return OkabeIto[i%len(OkabeIto)] }

// dashesAt is the dash pattern of line i: solid for the first round of
// colours, then dashed and dotted, so that lines stay apart beyond eight.
func dashesAt(i int) []vg.Length {
	switch (i / len(OkabeIto)) % 3 {
	case 1:
		return []vg.Length{vg.Points(6), vg.Points(3)}
	case 2:
		return []vg.Length{vg.Points(1.5), vg.Points(2)}
	}
	return nil
}

func lineStyle(i int) draw.LineStyle {
	return draw.LineStyle{Color: colorAt(i), Width: vg.Points(1.6), Dashes: dashesAt(i)}
}

// transparent returns c with alpha a (premultiplied).
func transparent(c color.RGBA, a float64) color.Color {
	return color.NRGBA{R: c.R, G: c.G, B: c.B, A: uint8(math.Round(a * 255))}
}

var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// newPlot returns a plot with the house style: sans-serif text (title
// 13 pt, axis labels 11 pt, ticks and legend 10 pt) and a light grid.
func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sans, 13)
	p.Title.Padding = vg.Points(6)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, 11)
		a.Tick.Label.Font = font.From(sans, 10)
		a.Padding = vg.Points(2)
	}
	p.X.Tick.Marker = niceTicks{}
	p.Y.Tick.Marker = niceTicks{}
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.Legend.TextStyle.Font = font.From(sans, 10)
	p.Legend.ThumbnailWidth = vg.Points(22)
	g := plotter.NewGrid()
	g.Vertical.Color = color.Gray{Y: 225}
	g.Horizontal.Color = color.Gray{Y: 225}
	g.Vertical.Width = vg.Points(0.5)
	g.Horizontal.Width = vg.Points(0.5)
	p.Add(g)
	return p
}

// figure is a plot with a legend that is placed at draw time in the corner
// of the data area where it hides the fewest data points.
//
// The y-axis label is drawn here too, centred on the data area: gonum/plot
// centres it on the arithmetic middle of the range, which on a log axis
// lies near the top and pads the plot with empty space.
type figure struct {
	p        *plot.Plot
	ylabel   string
	legend   plot.Legend
	entries  int
	avoid    []plotter.XYer // data the legend should not cover
	plotters []plot.Plotter // what addPlot added
	// legendBox is where the last draw put the legend (for tests).
	legendBox vg.Rectangle
}

func newFigure(title, xlabel, ylabel string) *figure {
	p := newPlot(title, xlabel, "")
	return &figure{p: p, ylabel: ylabel, legend: p.Legend}
}

// plotCanvas is the part of c left to the plot beside the y label.
func (f *figure) plotCanvas(c draw.Canvas) draw.Canvas {
	if f.ylabel != "" {
		sty := f.p.Y.Label.TextStyle
		c.Min.X += sty.Height(f.ylabel) + sty.FontExtents().Descent + vg.Points(3)
	}
	return c
}

// dataCanvas is the data area of the figure drawn on c.
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
	f.legend.Add(label, thumbs...)
	f.entries++
}

// draw draws the figure onto c.
func (f *figure) draw(c draw.Canvas) {
	f.p.Legend = plot.NewLegend() // drawn below, by hand
	pc := f.plotCanvas(c)
	f.p.Draw(pc)
	dc := f.p.DataCanvas(pc)
	if f.ylabel != "" {
		sty := f.p.Y.Label.TextStyle
		sty.Rotation += math.Pi / 2
		x := c.Min.X + sty.Height(f.ylabel) - sty.FontExtents().Descent
		c.FillText(sty, vg.Point{X: x, Y: (dc.Min.Y + dc.Max.Y) / 2}, f.ylabel)
	}
	if f.entries == 0 {
		return
	}
	leg := f.legend
	leg.Top, leg.Left = true, true
	size := leg.Rectangle(dc).Size()
	descent := leg.TextStyle.FontExtents().Descent
	pad := vg.Points(4)
	w, h := size.X+2*pad, size.Y+2*pad+descent
	inset := vg.Points(3)
	type corner struct{ top, left bool }
	best, bestN := corner{true, false}, math.MaxInt
	for _, k := range []corner{{true, false}, {true, true}, {false, false}, {false, true}} {
		r := legendRect(dc, k.top, k.left, w, h, inset)
		if n := f.covered(dc, r); n < bestN {
			best, bestN = k, n
		}
	}
	r := legendRect(dc, best.top, best.left, w, h, inset)
	f.legendBox = r
	dc.SetColor(color.NRGBA{R: 255, G: 255, B: 255, A: 225})
	dc.Fill(r.Path())
	dc.SetLineStyle(draw.LineStyle{Color: color.Gray{Y: 180}, Width: vg.Points(0.5)})
	dc.Stroke(r.Path())
	inner := draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
		Min: vg.Point{X: r.Min.X + pad, Y: r.Min.Y + pad},
		Max: vg.Point{X: r.Max.X - pad, Y: r.Max.Y - pad},
	}}
	leg.Draw(inner)
}

func legendRect(dc draw.Canvas, top, left bool, w, h, inset vg.Length) vg.Rectangle {
	var r vg.Rectangle
	if left {
		r.Min.X = dc.Min.X + inset
	} else {
		r.Min.X = dc.Max.X - inset - w
	}
	if top {
		r.Min.Y = dc.Max.Y - inset - h
	} else {
		r.Min.Y = dc.Min.Y + inset
	}
	r.Max = vg.Point{X: r.Min.X + w, Y: r.Min.Y + h}
	return r
}

// covered counts the data points (and points along the segments between
// them) of f.avoid that fall inside r.
func (f *figure) covered(dc draw.Canvas, r vg.Rectangle) int {
	trX, trY := f.p.Transforms(&dc)
	_, xlog := f.p.X.Scale.(plot.LogScale)
	_, ylog := f.p.Y.Scale.(plot.LogScale)
	ok := func(x, y float64) bool {
		return finite(x) && finite(y) && (!xlog || x > 0) && (!ylog || y > 0)
	}
	in := func(p vg.Point) bool {
		return p.X >= r.Min.X && p.X <= r.Max.X && p.Y >= r.Min.Y && p.Y <= r.Max.Y
	}
	n := 0
	for _, xy := range f.avoid {
		var prev vg.Point
		have := false
		for i := 0; i < xy.Len(); i++ {
			x, y := xy.XY(i)
			if !ok(x, y) {
				have = false
				continue
			}
			y = math.Min(math.Max(y, f.p.Y.Min), f.p.Y.Max)
			pt := vg.Point{X: trX(x), Y: trY(y)}
			if in(pt) {
				n += 4
			}
			if have {
				for k := 1; k < 4; k++ {
					t := vg.Length(k) / 4
					if in(vg.Point{X: prev.X + t*(pt.X-prev.X), Y: prev.Y + t*(pt.Y-prev.Y)}) {
						n++
					}
				}
			}
			prev, have = pt, true
		}
	}
	return n
}

// Formats are the extensions of --out.
var Formats = []string{".png", ".svg", ".pdf"}

// format returns the lower-case extension of path if it is a figure format.
func format(path string) (string, bool) {
	ext := strings.ToLower(filepath.Ext(path))
	for _, f := range Formats {
		if ext == f {
			return ext, true
		}
	}
	return ext, false
}

// render draws with fn onto a canvas of the format of out's extension and
// returns the encoded file.
func render(out string, w, h vg.Length, dpi int, fn func(draw.Canvas)) (data []byte, err error) {
	defer func() {
		// gonum/plot panics on some degenerate inputs; report, never crash.
		if r := recover(); r != nil {
			data, err = nil, fmt.Errorf("plot: drawing %s failed: %v", out, r)
		}
	}()
	ext, _ := format(out)
	var c vg.CanvasWriterTo
	switch ext {
	case ".png":
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi))}
	case ".svg":
		c = vgsvg.New(w, h)
	case ".pdf":
		c = pdfCanvas{vgpdf.New(w, h)}
	default:
		return nil, fmt.Errorf("plot: %s: unsupported format %q", out, ext)
	}
	fn(draw.New(c))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("plot: encoding %s: %w", out, err)
	}
	return b.Bytes(), nil
}

// writeFile writes data to path atomically, creating its folder.
func writeFile(path string, data []byte) error {
	return writeFiles([]string{path}, [][]byte{data})
}

// writeFiles writes figures all or none, making their folders; a folder that cannot be made
// or written to is bad input (the --out the user gave).
func writeFiles(paths []string, data [][]byte) error {
	for _, path := range paths {
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return report.BadInput(fmt.Errorf("plot: %w", err))
			}
		}
	}
	if err := report.WriteFilesAtomic(paths, data); err != nil {
		return report.BadInput(fmt.Errorf("plot: %w", err))
	}
	return nil
}

// logTicks labels powers of ten, and 2× and 5× when the axis spans three
// decades or less; unlabelled minor ticks at the other integers.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi > lo) {
		return nil
	}
	e0, e1 := int(math.Floor(math.Log10(lo))), int(math.Ceil(math.Log10(hi)))
	labelled := map[int]bool{1: true}
	if e1-e0 <= 3 {
		labelled[2], labelled[5] = true, true
	}
	every := (e1 - e0 + 7) / 8 // at most about eight labelled decades
	var ticks []plot.Tick
	for e := e0; e <= e1; e++ {
		for m := 1; m <= 9; m++ {
			v := float64(m) * math.Pow(10, float64(e))
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if labelled[m] && (m > 1 || e%every == 0) {
				t.Label = tickLabel(v)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// tickLabel writes v briefly: 0.01, 200, 1e-05.
func tickLabel(v float64) string {
	if a := math.Abs(v); a != 0 && (a < 1e-3 || a >= 1e6) {
		s := strconv.FormatFloat(v, 'e', 10, 64) // 2.5e-04, without float noise
		mant, exp, _ := strings.Cut(s, "e")
		if strings.Contains(mant, ".") {
			mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
		}
		return mant + "e" + exp
	}
	return strconv.FormatFloat(v, 'g', 10, 64)
}

// setLog makes an axis logarithmic.
func setLog(a *plot.Axis) {
	a.Scale = plot.LogScale{}
	a.Tick.Marker = logTicks{}
}

// setRange sets an axis range with a little padding (multiplicative on a
// log axis).
func setRange(a *plot.Axis, lo, hi float64, log bool) {
	if log {
		if hi <= lo {
			lo, hi = lo/2, hi*2
		}
		f := math.Pow(hi/lo, 0.03)
		a.Min, a.Max = lo/f, hi*f
		return
	}
	if hi <= lo {
		d := math.Max(math.Abs(lo)*0.1, 1e-3)
		lo, hi = lo-d, hi+d
	}
	d := (hi - lo) * 0.03
	a.Min, a.Max = lo-d, hi+d
}

// edgeMarks draws glyphs at given x values on the top (or bottom) edge of
// the data area: the points that are off the chart (diverged runs).
// dx shifts them sideways, so that the marks of several lines at one x
// stay apart.
type edgeMarks struct {
	xs    []float64
	top   bool
	dx    vg.Length
	style draw.GlyphStyle
}

func (e *edgeMarks) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	y := c.Min.Y
	if e.top {
		y = c.Max.Y
	}
	for _, x := range e.xs {
		c.DrawGlyphNoClip(e.style, vg.Point{X: trX(x) + e.dx, Y: y})
	}
}

func (e *edgeMarks) Thumbnail(c *draw.Canvas) {
	c.DrawGlyphNoClip(e.style, c.Center())
}

// glyphMark is a legend thumbnail of one glyph.
type glyphMark struct{ style draw.GlyphStyle }

func (g glyphMark) Thumbnail(c *draw.Canvas) { c.DrawGlyphNoClip(g.style, c.Center()) }

// starGlyph is a filled five-pointed star (the optimum of a test function).
type starGlyph struct{}

func (starGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	var p vg.Path
	for i := 0; i < 10; i++ {
		r := sty.Radius
		if i%2 == 1 {
			r *= 0.45
		}
		a := math.Pi/2 + float64(i)*math.Pi/5
		q := vg.Point{X: pt.X + r*vg.Length(math.Cos(a)), Y: pt.Y + r*vg.Length(math.Sin(a))}
		if i == 0 {
			p.Move(q)
		} else {
			p.Line(q)
		}
	}
	p.Close()
	c.Fill(p)
}

// crossStyle marks a diverged run's last point.
func crossStyle(c color.Color) draw.GlyphStyle {
	return draw.GlyphStyle{Color: c, Radius: vg.Points(4.5), Shape: thickCross{}}
}

// thickCross is an × drawn with a 2 pt stroke.
type thickCross struct{}

func (thickCross) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: vg.Points(2)})
	r := sty.Radius * 0.8
	var p vg.Path
	p.Move(vg.Point{X: pt.X - r, Y: pt.Y - r})
	p.Line(vg.Point{X: pt.X + r, Y: pt.Y + r})
	p.Move(vg.Point{X: pt.X - r, Y: pt.Y + r})
	p.Line(vg.Point{X: pt.X + r, Y: pt.Y - r})
	c.Stroke(p)
}

// decimate keeps at most n points of c (always the first and last).
func decimate(c Curve, n int) Curve {
	if c.Len() <= n || n < 2 {
		return c
	}
	var out Curve
	step := float64(c.Len()-1) / float64(n-1)
	last := -1
	for k := 0; k < n; k++ {
		i := int(math.Round(float64(k) * step))
		if i == last {
			continue
		}
		out.X = append(out.X, c.X[i])
		out.Y = append(out.Y, c.Y[i])
		last = i
	}
	return out
}

// niceTicks labels a linear axis at 1, 2, 2.5 or 5 × 10^k steps, about six
// labels, with unlabelled minor ticks between them.
type niceTicks struct{}

func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || !finite(lo) || !finite(hi) {
		return nil
	}
	raw := (hi - lo) / 6
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step, minor := 10*mag, 5
	for _, m := range []struct {
		f     float64
		minor int
	}{{1, 5}, {2, 4}, {2.5, 5}, {5, 5}} {
		if m.f*mag >= raw {
			step, minor = m.f*mag, m.minor
			break
		}
	}
	var ticks []plot.Tick
	sub := step / float64(minor)
	first := math.Ceil(lo/sub-1e-9) * sub
	for i := 0; ; i++ {
		v := first + float64(i)*sub
		if v > hi+sub*1e-9 || i > 10000 {
			break
		}
		if math.Abs(v) < sub*1e-9 {
			v = 0
		}
		t := plot.Tick{Value: v}
		if r := v / step; math.Abs(r-math.Round(r)) < 1e-6 {
			t.Label = tickLabel(math.Round(r) * step)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// pdfCanvas corrects translucent colours in PDFs: vgpdf takes a colour's
// premultiplied components for straight ones, so a 22% band of blue comes
// out nearly black. It hands vgpdf the straight components instead.
type pdfCanvas struct{ *vgpdf.Canvas }

func (c pdfCanvas) SetColor(clr color.Color) { c.Canvas.SetColor(straightAlpha{clr}) }

// straightAlpha reports a colour's components divided by its alpha.
type straightAlpha struct{ c color.Color }

func (s straightAlpha) RGBA() (r, g, b, a uint32) {
	if s.c == nil {
		return 0, 0, 0, 0xffff
	}
	r, g, b, a = s.c.RGBA()
	if a == 0 || a == 0xffff {
		return r, g, b, a
	}
	return r * 0xffff / a, g * 0xffff / a, b * 0xffff / a, a
}
