package plot

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	stdpalette "image/color/palette"
	stddraw "image/draw"
	"image/gif"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/optimbench/optimbench/internal/model"
	"github.com/optimbench/optimbench/internal/report"
)

// Path is a run's trajectory on a 2-D test function: the point after each
// step, row 0 the start.
type Path struct {
	Label    string
	Curve    Curve // x1, x2
	Steps    []float64
	Diverged bool
}

// landscape is a test function evaluated on a grid, for contours.
type landscape struct {
	xs, ys []float64
	z      [][]float64 // z[row][col] = f(xs[col], ys[row]) − offset
}

func (l *landscape) Dims() (c, r int)   { return len(l.xs), len(l.ys) }
func (l *landscape) Z(c, r int) float64 { return l.z[r][c] }
func (l *landscape) X(c int) float64    { return l.xs[c] }
func (l *landscape) Y(r int) float64    { return l.ys[r] }

// trajectoryScene is everything a trajectory figure shows.
type trajectoryScene struct {
	function string
	fn       model.Function
	paths    []Path
	starts   plotter.XYs
	minima   plotter.XYs
	saddle   bool
	box      [4]float64 // xmin, xmax, ymin, ymax
}

// trajectoryPaths reads the runs' trajectory.csv files and the test
// function they share.
func trajectoryPaths(runs []*Run) (*trajectoryScene, error) {
	s := &trajectoryScene{}
	var scales string
	groups := groupRuns(runs, nil, true)
	label := map[*Run]string{}
	for _, g := range groups {
		for _, r := range g.Runs {
			label[r] = g.Label
			if len(g.Runs) > 1 {
				label[r] = g.Label + ", seed " + r.Params["seed"]
			}
		}
	}
	for _, r := range runs {
		fn := r.Params["problem.function"]
		if fn == "" {
			return nil, optErr("Kind", "trajectory: %s is not a test-function run (no problem.function in config.yaml)", r.Dir)
		}
		if s.function == "" {
			s.function, scales = fn, r.Params["problem.scales"]
		} else if fn != s.function || r.Params["problem.scales"] != scales {
			return nil, optErr("Kind", "trajectory: the runs use different functions (%s and %s); draw them separately", s.function+scales, fn+r.Params["problem.scales"])
		}
		t, err := r.Trajectory()
		if err != nil {
			return nil, err
		}
		if _, ok := t.Cols["x3"]; ok {
			return nil, optErr("Kind", "trajectory: %s is not 2-D; only 2-D paths can be drawn over contours", r.Dir)
		}
		if _, ok := t.Cols["x2"]; !ok {
			return nil, optErr("Kind", "trajectory: %s/trajectory.csv has no x1,x2 columns", r.Dir)
		}
		p := Path{Label: label[r], Diverged: r.Diverged()}
		xs, ys, steps := t.Cols["x1"], t.Cols["x2"], t.Cols["step"]
		for i := range xs {
			if !finite(xs[i]) || !finite(ys[i]) {
				break
			}
			p.Curve.X = append(p.Curve.X, xs[i])
			p.Curve.Y = append(p.Curve.Y, ys[i])
			p.Steps = append(p.Steps, steps[i])
		}
		if p.Curve.Len() == 0 {
			return nil, report.BadInput(fmt.Errorf("plot: %s/trajectory.csv holds no points", r.Dir))
		}
		s.paths = append(s.paths, p)
		s.starts = append(s.starts, plotter.XY{X: p.Curve.X[0], Y: p.Curve.Y[0]})
	}
	var sc []float64
	if scales != "" {
		for _, f := range strings.Split(strings.Trim(scales, "[]"), ",") {
			v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil {
				return nil, report.BadInput(fmt.Errorf("plot: problem.scales %s: %w", scales, err))
			}
			sc = append(sc, v)
		}
	}
	fn, err := model.NewFunction(s.function, 2, sc)
	if err != nil {
		return nil, report.BadInput(fmt.Errorf("plot: problem.%w", err))
	}
	s.fn = fn
	for _, m := range fn.Minima() {
		s.minima = append(s.minima, plotter.XY{X: m[0], Y: m[1]})
	}
	s.saddle = s.function == "saddle"
	s.box = s.region()
	return s, nil
}

// region is the part of the plane to show: the starts and minima, widened
// to take in the paths but not much farther (a diverging path leaves it).
func (s *trajectoryScene) region() [4]float64 {
	x0, x1, y0, y1 := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	take := func(x, y float64) {
		x0, x1, y0, y1 = math.Min(x0, x), math.Max(x1, x), math.Min(y0, y), math.Max(y1, y)
	}
	for _, p := range s.starts {
		take(p.X, p.Y)
	}
	for _, p := range s.minima {
		take(p.X, p.Y)
	}
	if s.saddle {
		take(0, 0)
	}
	span := math.Max(math.Max(x1-x0, y1-y0), 1)
	cx0, cx1, cy0, cy1 := x0-1.5*span, x1+1.5*span, y0-1.5*span, y1+1.5*span
	for _, p := range s.paths {
		for i := range p.Curve.X {
			x, y := p.Curve.X[i], p.Curve.Y[i]
			take(math.Max(cx0, math.Min(cx1, x)), math.Max(cy0, math.Min(cy1, y)))
		}
	}
	w, h := math.Max(x1-x0, 0.5), math.Max(y1-y0, 0.5)
	mx, my := (x0+x1)/2, (y0+y1)/2
	pad := 0.12
	return [4]float64{mx - w*(0.5+pad), mx + w*(0.5+pad), my - h*(0.5+pad), my + h*(0.5+pad)}
}

// contours evaluates the function over the region and returns the grid and
// its levels: log-spaced above the minimum value for functions with known
// minima, evenly spaced otherwise (the saddle is unbounded below).
func (s *trajectoryScene) contours() (*landscape, []float64) {
	const n = 180
	l := &landscape{xs: make([]float64, n), ys: make([]float64, n), z: make([][]float64, n)}
	b := s.box
	for i := range n {
		l.xs[i] = b[0] + (b[1]-b[0])*float64(i)/(n-1)
		l.ys[i] = b[2] + (b[3]-b[2])*float64(i)/(n-1)
	}
	offset := 0.0
	logLevels := len(s.minima) > 0
	if logLevels {
		offset = math.Inf(1)
		for _, m := range s.minima {
			offset = math.Min(offset, s.fn.Value([]float64{m.X, m.Y}))
		}
	}
	zmin, zmax := math.Inf(1), math.Inf(-1)
	pt := make([]float64, 2)
	for r := range n {
		l.z[r] = make([]float64, n)
		for c := range n {
			pt[0], pt[1] = l.xs[c], l.ys[r]
			v := s.fn.Value(pt) - offset
			l.z[r][c] = v
			if finite(v) {
				zmin, zmax = math.Min(zmin, v), math.Max(zmax, v)
			}
		}
	}
	const count = 14
	levels := make([]float64, 0, count)
	if logLevels {
		lo := math.Max(zmax*1e-5, 1e-8)
		if zmin > lo {
			lo = zmin
		}
		hi := zmax * 0.95
		for i := range count {
			levels = append(levels, lo*math.Pow(hi/lo, float64(i)/(count-1)))
		}
		return l, levels
	}
	for i := 1; i <= count; i++ {
		levels = append(levels, zmin+(zmax-zmin)*float64(i)/(count+1))
	}
	return l, levels
}

// greys are the contour colours, light for low levels to dark for high.
func contourStyles(n int) []draw.LineStyle {
	st := make([]draw.LineStyle, n)
	for i := range st {
		g := uint8(200 - 110*float64(i)/float64(max(n-1, 1)))
		st[i] = draw.LineStyle{Color: color.RGBA{R: g, G: g, B: uint8(min(255, int(g)+25)), A: 255}, Width: vg.Points(0.7)}
	}
	return st
}

// trajectoryPlot builds the figure: contours, start, optimum and, when
// withPaths, every path up to its step `upto` (all of it when upto < 0).
func (s *trajectoryScene) plot(o *Options, withPaths bool) (*figure, error) {
	title := o.Title
	if title == "" {
		title = s.function + ": optimizer paths"
	}
	f := newFigure(title, "x₁", "x₂")
	p := f.p
	grid, levels := s.contours()
	c := plotter.NewContour(grid, levels, nil)
	c.LineStyles = contourStyles(len(levels))
	c.Min, c.Max = levels[0], levels[len(levels)-1]
	f.addPlot(c)
	for i, path := range s.paths {
		st := pathStyle(i, len(s.paths))
		l, err := plotter.NewLine(decimate(path.Curve, maxDrawn))
		if err != nil {
			return nil, fmt.Errorf("plot: %w", err)
		}
		l.LineStyle = st
		if withPaths {
			f.addPlot(l)
			end := plotter.XYs{{X: path.Curve.X[path.Curve.Len()-1], Y: path.Curve.Y[path.Curve.Len()-1]}}
			sc, _ := plotter.NewScatter(end)
			sc.GlyphStyle = draw.GlyphStyle{Color: st.Color, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
			if path.Diverged {
				sc.GlyphStyle = crossStyle(st.Color)
			}
			f.addPlot(sc)
		}
		if !withPaths { // drawn later, frame by frame
			f.avoid = append(f.avoid, path.Curve)
		}
		f.add(path.Label, l)
	}
	startStyle := draw.GlyphStyle{Color: color.Black, Radius: vg.Points(4.5), Shape: draw.RingGlyph{}}
	starts, _ := plotter.NewScatter(s.starts)
	starts.GlyphStyle = startStyle
	f.addPlot(starts)
	f.add("start", glyphMark{startStyle})
	if len(s.minima) > 0 {
		minStyle := draw.GlyphStyle{Color: color.Black, Radius: vg.Points(6), Shape: starGlyph{}}
		m, _ := plotter.NewScatter(s.minima)
		m.GlyphStyle = minStyle
		f.addPlot(m)
		label := "minimum"
		if len(s.minima) > 1 {
			label = "minima"
		}
		f.add(label, glyphMark{minStyle})
	}
	if s.saddle {
		st := draw.GlyphStyle{Color: color.Black, Radius: vg.Points(4), Shape: draw.SquareGlyph{}}
		m, _ := plotter.NewScatter(plotter.XYs{{}})
		m.GlyphStyle = st
		f.addPlot(m)
		f.add("saddle point", glyphMark{st})
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = s.box[0], s.box[1], s.box[2], s.box[3]
	return f, nil
}

// renderTrajectory writes the static figure and, with --animate, the GIF.
func renderTrajectory(runs []*Run, o *Options) error {
	s, err := trajectoryPaths(runs)
	if err != nil {
		return err
	}
	// Both files are made in memory first and written all or none.
	var paths []string
	var data [][]byte
	if o.Out != "" {
		f, err := s.plot(o, true)
		if err != nil {
			return err
		}
		b, err := render(o.Out, o.Width, o.Height, o.DPI, f.draw)
		if err != nil {
			return err
		}
		paths, data = append(paths, o.Out), append(data, b)
	}
	if o.Animate != "" {
		b, err := s.animate(o)
		if err != nil {
			return err
		}
		paths, data = append(paths, o.Animate), append(data, b)
	}
	return writeFiles(paths, data)
}

// gifDPI is the resolution of animation frames (16 × 10 cm: 630 × 394 px).
const gifDPI = 100

// animate renders the paths growing step by step as an animated GIF. The
// background (contours, markers, legend) is drawn once; each frame draws the
// paths up to its step over a copy of it.
func (s *trajectoryScene) animate(o *Options) ([]byte, error) {
	f, err := s.plot(o, false)
	if err != nil {
		return nil, err
	}
	bg := vgimg.NewWith(vgimg.UseWH(o.Width, o.Height), vgimg.UseDPI(gifDPI))
	f.draw(draw.New(bg))
	base := bg.Image()
	pal := gifPalette()
	maxStep := 0.0
	for _, p := range s.paths {
		maxStep = math.Max(maxStep, p.Steps[len(p.Steps)-1])
	}
	frames := max(2, min(o.Frames, int(maxStep)+1))
	anim := &gif.GIF{}
	var prev *image.Paletted
	cache := map[color.RGBA]uint8{}
	counter := draw.TextStyle{Color: color.Black, Font: font.From(sans, 10), Handler: f.p.Title.TextStyle.Handler,
		XAlign: draw.XRight, YAlign: draw.YTop}
	for k := 0; k < frames; k++ {
		upto := math.Round(maxStep * float64(k) / float64(frames-1))
		cv := vgimg.NewWith(vgimg.UseWH(o.Width, o.Height), vgimg.UseDPI(gifDPI))
		img := cv.Image()
		stddraw.Draw(img, img.Bounds(), base, base.Bounds().Min, stddraw.Src)
		dc := f.dataCanvas(draw.New(cv))
		trX, trY := f.p.Transforms(&dc)
		for i, p := range s.paths {
			var pts []vg.Point
			for j := range p.Curve.X {
				if p.Steps[j] > upto {
					break
				}
				pts = append(pts, vg.Point{X: trX(p.Curve.X[j]), Y: trY(p.Curve.Y[j])})
			}
			if len(pts) == 0 {
				continue
			}
			st := pathStyle(i, len(s.paths))
			dc.StrokeLines(st, dc.ClipLinesXY(pts)...)
			head := draw.GlyphStyle{Color: st.Color, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
			if p.Diverged && len(pts) == p.Curve.Len() {
				head = crossStyle(st.Color)
			}
			dc.DrawGlyph(head, pts[len(pts)-1])
		}
		// The step counter sits at the right end of the title row.
		full := draw.New(cv)
		full.FillText(counter, vg.Point{X: full.Max.X - vg.Points(4), Y: full.Max.Y - vg.Points(4)},
			fmt.Sprintf("step %d of %d", int(upto), int(maxStep)))
		frame := quantize(img, pal, cache)
		delay := 6
		if k == frames-1 {
			delay = 250
		}
		// Each frame after the first stores only what changed (the frames
		// are drawn over each other), which keeps the file small.
		stored := frame
		if k > 0 {
			stored = delta(prev, frame)
		}
		prev = frame
		anim.Image = append(anim.Image, stored)
		anim.Delay = append(anim.Delay, delay)
		anim.Disposal = append(anim.Disposal, gif.DisposalNone)
	}
	anim.Config = image.Config{ColorModel: pal, Width: base.Bounds().Dx(), Height: base.Bounds().Dy()}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, anim); err != nil {
		return nil, fmt.Errorf("plot: encoding %s: %w", o.Animate, err)
	}
	return b.Bytes(), nil
}

// gifPalette holds the line colours, greys and the contour blues exactly,
// completed by the web-safe colours.
func gifPalette() color.Palette {
	var p color.Palette
	for _, c := range OkabeIto {
		p = append(p, c)
	}
	for g := 0; g < 64; g++ {
		v := uint8(g * 255 / 63)
		p = append(p, color.RGBA{v, v, v, 255})
	}
	for _, st := range contourStyles(40) {
		p = append(p, st.Color)
	}
	// Anti-aliased edges of the lines: each colour blended with white.
	for _, c := range OkabeIto {
		for _, a := range []float64{0.25, 0.5, 0.75} {
			blend := func(v uint8) uint8 { return uint8(float64(v)*a + 255*(1-a)) }
			p = append(p, color.RGBA{blend(c.R), blend(c.G), blend(c.B), 255})
		}
	}
	for _, c := range stdpalette.WebSafe {
		if len(p) == 255 {
			break
		}
		p = append(p, c)
	}
	return append(p, color.RGBA{}) // transparent: "unchanged" in delta frames
}

// delta returns the part of frame that differs from prev, with the pixels
// that did not change made transparent, so they compress to nothing.
func delta(prev, frame *image.Paletted) *image.Paletted {
	r := changed(prev, frame)
	out := image.NewPaletted(r, frame.Palette)
	transparent := uint8(len(frame.Palette) - 1)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			i := frame.PixOffset(x, y)
			v := frame.Pix[i]
			if v == prev.Pix[i] {
				v = transparent
			}
			out.Pix[out.PixOffset(x, y)] = v
		}
	}
	return out
}

// pathStyle is the line of path i of n: earlier paths are drawn wider, so a
// path that a later one follows still shows along its edges.
func pathStyle(i, n int) draw.LineStyle {
	st := lineStyle(i)
	if n > 1 {
		st.Width = vg.Points(1.2 + 1.4*float64(n-1-i)/float64(n-1))
	}
	return st
}

// changed returns the smallest rectangle outside which a and b agree (one
// pixel if they are equal).
func changed(a, b *image.Paletted) image.Rectangle {
	r := image.Rectangle{}
	bounds := b.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		ra, rb := a.Pix[a.PixOffset(bounds.Min.X, y):], b.Pix[b.PixOffset(bounds.Min.X, y):]
		for x := 0; x < bounds.Dx(); x++ {
			if ra[x] != rb[x] {
				r = r.Union(image.Rect(bounds.Min.X+x, y, bounds.Min.X+x+1, y+1))
			}
		}
	}
	if r.Empty() {
		r = image.Rect(bounds.Min.X, bounds.Min.Y, bounds.Min.X+1, bounds.Min.Y+1)
	}
	return r
}

// quantize maps img onto the palette, nearest colour per pixel, caching the
// colours met (a figure has few), much faster than image/draw's search.
func quantize(img image.Image, pal color.Palette, cache map[color.RGBA]uint8) *image.Paletted {
	b := img.Bounds()
	out := image.NewPaletted(b, pal)
	rgba, ok := img.(*image.RGBA)
	if !ok {
		stddraw.Draw(out, b, img, b.Min, stddraw.Src)
		return out
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := rgba.Pix[rgba.PixOffset(b.Min.X, y):]
		dst := out.Pix[out.PixOffset(b.Min.X, y):]
		for x := 0; x < b.Dx(); x++ {
			c := color.RGBA{row[4*x], row[4*x+1], row[4*x+2], row[4*x+3]}
			i, ok := cache[c]
			if !ok {
				i = uint8(pal.Index(c))
				cache[c] = i
			}
			dst[x] = i
		}
	}
	return out
}
