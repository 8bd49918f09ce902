package plot

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
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

// lineColors are the colours lines take: the Okabe–Ito palette without its
// yellow, too faint on white for a line (or a cross) of a point and a half.
var lineColors = OkabeIto[:7]

// colorAt is the colour of line i.
func colorAt(i int) color.RGBA { return lineColors[i%len(lineColors)] }

// dashesAt is the dash pattern of line i: solid for the first round of
// colours, then dashed, dotted and dash-dotted, so that lines that share a
// colour stay apart.
func dashesAt(i int) []vg.Length {
	switch (i / len(lineColors)) % 4 {
	case 1:
		return []vg.Length{vg.Points(6), vg.Points(3)}
	case 2:
		return []vg.Length{vg.Points(1.5), vg.Points(2)}
	case 3:
		return []vg.Length{vg.Points(7), vg.Points(2.5), vg.Points(1.5), vg.Points(2.5)}
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
// decades or less; unlabelled minor ticks at the other integers. Over more
// than eight decades it labels every second, third, fourth, fifth, tenth…
// power of ten (at most about eight labels, written 1e+06) with minor ticks
// at the powers between, and over more than forty decades minor ticks at
// every fifth of a label step.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi > lo) || math.IsInf(hi, 1) {
		return nil
	}
	e0, e1 := int(math.Floor(math.Log10(lo))), int(math.Ceil(math.Log10(hi)))
	labelled := map[int]bool{1: true}
	if e1-e0 <= 3 {
		labelled[2], labelled[5] = true, true
	}
	every := 1 // labels at the powers 10^e with e a multiple of every
	for _, s := range []int{1, 2, 3, 4, 5, 10, 20, 25, 50, 100} {
		if every = s; (e1-e0)/s <= 8 {
			break
		}
	}
	minor := 1 // minor ticks at the powers 10^e with e a multiple of minor
	if e1-e0 > 40 {
		minor = max(1, every/5)
	}
	var ticks []plot.Tick
	in := func(v float64) bool { return !math.IsInf(v, 0) && v >= lo*(1-1e-9) && v <= hi*(1+1e-9) }
	for e := e0; e <= e1; e++ {
		if every > 1 { // only powers of ten
			if v := math.Pow(10, float64(e)); in(v) && (e%minor == 0 || e%every == 0) {
				t := plot.Tick{Value: v}
				if e%every == 0 {
					t.Label = powerLabel(e)
				}
				ticks = append(ticks, t)
			}
			continue
		}
		for m := 1; m <= 9; m++ {
			v := float64(m) * math.Pow(10, float64(e))
			if !in(v) {
				continue
			}
			t := plot.Tick{Value: v}
			if labelled[m] {
				t.Label = tickLabel(v)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// powerLabel writes 10^e for an axis of many decades: 0.01, 1, 100, and
// 1e+03, 1e-05 beyond, as tickLabel writes them from a million on.
func powerLabel(e int) string {
	if e > -3 && e < 3 {
		return tickLabel(math.Pow(10, float64(e)))
	}
	return fmt.Sprintf("1e%+03d", e)
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
		l0, l1 := math.Log10(lo), math.Log10(hi) // in decades: hi/lo may overflow
		d := (l1 - l0) * 0.03
		a.Min, a.Max = math.Pow(10, l0-d), math.Min(math.Pow(10, l1+d), math.MaxFloat64)
		return
	}
	if hi <= lo {
		d := math.Max(math.Abs(lo)*0.1, 1e-3)
		lo, hi = lo-d, hi+d
	}
	d := (hi - lo) * 0.03
	a.Min, a.Max = lo-d, hi+d
}

// headroom widens an axis at the top (or bottom) so that a share frac of
// it is left free there: room for the × of diverged runs on that edge.
func headroom(a *plot.Axis, top, log bool, frac float64) {
	frac = math.Min(frac, 0.5)
	if log {
		d := math.Log10(a.Max/a.Min) * frac / (1 - frac)
		if top {
			a.Max = math.Min(a.Max*math.Pow(10, d), math.MaxFloat64)
		} else {
			a.Min /= math.Pow(10, d)
		}
		return
	}
	d := (a.Max - a.Min) * frac / (1 - frac)
	if top {
		a.Max += d
	} else {
		a.Min -= d
	}
}

// divergeMark is the × of one diverged run at (x, y): on the chart, or on
// its top or bottom edge when y is off it; when y is not a number, on the
// top edge if top, else on the bottom one.
type divergeMark struct {
	x, y  float64
	top   bool
	color color.Color
	dx    vg.Length // a column's offset from x (columns)
}

// divergeMarks draws the × of diverged runs, each wholly inside the data
// area (on its edge when off the chart, never clipped). A mark that would
// fall on one placed before it moves to the nearest free place, with no
// jitter: with stack, marks on an edge go one below the other (above, on
// the bottom edge), so that each keeps its x; else, and on the chart, they
// go side by side, right then left. Every run's cross shows.
type divergeMarks struct {
	marks []divergeMark
	stack bool
}

// markRadius is the radius of a diverged run's ×, markStep the distance
// between the centres of crosses set side by side.
var (
	markRadius = vg.Points(4.5)
	markStep   = 2*markRadius + vg.Points(0.5)
)

// edge returns +1 (top edge), -1 (bottom edge) or 0 (on the chart) for m.
func (m divergeMark) edge(p *plot.Plot) int {
	_, ylog := p.Y.Scale.(plot.LogScale)
	switch {
	case !finite(m.y) && m.top, finite(m.y) && m.y > p.Y.Max:
		return 1
	case !finite(m.y), m.y < p.Y.Min, ylog && m.y <= 0:
		return -1
	}
	return 0
}

// positions returns where the marks are drawn on the data area c.
func (d *divergeMarks) positions(c draw.Canvas, p *plot.Plot) []vg.Point {
	trX, trY := p.Transforms(&c)
	r := markRadius
	inside := func(q vg.Point) vg.Point {
		return vg.Point{X: max(c.Min.X+r, min(c.Max.X-r, q.X)), Y: max(c.Min.Y+r, min(c.Max.Y-r, q.Y))}
	}
	var placed []vg.Point
	free := func(q vg.Point) bool {
		for _, o := range placed {
			if vg.Length(math.Abs(float64(q.X-o.X))) < markStep-vg.Points(0.01) && vg.Length(math.Abs(float64(q.Y-o.Y))) < markStep-vg.Points(0.01) {
				return false
			}
		}
		return true
	}
	for _, m := range d.marks {
		e := m.edge(p)
		q := vg.Point{X: trX(m.x) + m.dx}
		switch e {
		case 1:
			q.Y = c.Max.Y - r
		case -1:
			q.Y = c.Min.Y + r
		default:
			q.Y = trY(m.y)
		}
		q = inside(q)
		for k := 1; !free(q) && k < 100; k++ {
			if d.stack && e != 0 {
				q = inside(vg.Point{X: q.X, Y: q.Y - vg.Length(e)*markStep})
				continue
			}
			if s := inside(vg.Point{X: q.X + vg.Length((k+1)/2)*markStep*vg.Length(1-2*((k+1)%2)), Y: q.Y}); free(s) || k == 99 {
				q = s
			}
		}
		placed = append(placed, q)
	}
	return placed
}

// columns sets the edge marks that share an x in columns side by side, one
// for each colour (group) there, centred on the x: stacked, the marks of a
// group then go one below the other in its column.
func (d *divergeMarks) columns() {
	colours := map[float64][]color.Color{}
	for _, m := range d.marks {
		if !finite(m.y) && !slices.Contains(colours[m.x], m.color) {
			colours[m.x] = append(colours[m.x], m.color)
		}
	}
	for i, m := range d.marks {
		if cs := colours[m.x]; !finite(m.y) && len(cs) > 1 {
			j := slices.Index(cs, m.color)
			d.marks[i].dx = markStep * vg.Length(float64(j)-float64(len(cs)-1)/2)
		}
	}
}

// stackDepth is the largest number of marks stacked in one column on an
// edge (1 without stacking).
func (d *divergeMarks) stackDepth() int {
	type column struct {
		x  float64
		dx vg.Length
	}
	n := map[column]int{}
	depth := 0
	for _, m := range d.marks {
		if !finite(m.y) {
			k := column{m.x, m.dx}
			n[k]++
			depth = max(depth, n[k])
		}
	}
	if !d.stack {
		return min(depth, 1)
	}
	return depth
}

// room widens the x-axis a, when marks sit near its ends, so that the
// crosses set side by side at one place fit beside it and stay centred on
// it: width is the figure's, of which the data area takes about 80%.
func (d *divergeMarks) room(a *plot.Axis, log bool, width vg.Length) {
	t := func(v float64) float64 {
		if log {
			return math.Log(v)
		}
		return v
	}
	inv := func(v float64) float64 {
		if log {
			return math.Exp(v)
		}
		return v
	}
	count := map[[2]float64]int{}     // marks by place: x, and value (+Inf: on an edge)
	spread := map[float64]vg.Length{} // the widest column offset at an x
	for _, m := range d.marks {
		y := m.y
		if !finite(y) {
			y = math.Inf(1)
		}
		count[[2]float64{m.x, y}]++
		spread[m.x] = max(spread[m.x], vg.Length(math.Abs(float64(m.dx))))
	}
	length := float64(0.8 * width)
	step := float64(markStep)
	for at, k := range count {
		if log && at[0] <= 0 {
			continue
		}
		half := float64(k-1) / 2 * step // crosses side by side
		if d.stack && !finite(at[1]) {
			half = float64(spread[at[0]]) // columns of stacked crosses
		}
		need := (half + float64(markRadius)) / length // of the axis, beside the place
		if need >= 0.45 {
			continue
		}
		lo, hi, x := t(a.Min), t(a.Max), t(at[0])
		if (hi-x)/(hi-lo) < need {
			hi = (x - need*lo) / (1 - need)
		}
		if (x-lo)/(hi-lo) < need {
			lo = (x - need*hi) / (1 - need)
		}
		a.Min, a.Max = inv(lo), inv(hi)
	}
}

func (d *divergeMarks) Plot(c draw.Canvas, p *plot.Plot) {
	for i, pt := range d.positions(c, p) {
		c.DrawGlyphNoClip(crossStyle(d.marks[i].color), pt)
	}
}

func (d *divergeMarks) footprint(c draw.Canvas, p *plot.Plot) footprint {
	var fp footprint
	for _, pt := range d.positions(c, p) {
		fp.boxes = append(fp.boxes, vg.Rectangle{Min: vg.Point{X: pt.X - markRadius, Y: pt.Y - markRadius}, Max: vg.Point{X: pt.X + markRadius, Y: pt.Y + markRadius}})
	}
	return fp
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
	return draw.GlyphStyle{Color: c, Radius: markRadius, Shape: thickCross{}}
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
