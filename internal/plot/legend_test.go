package plot

import (
	"context"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/report"
	"github.com/optimbench/optimbench/internal/train"
)

// The legend never covers data: each figure is drawn, then every line,
// band and marker its plotters drew is mapped to canvas coordinates (here,
// independently of the placement code) and checked against the legend box.
func TestLegendCoversNoData(t *testing.T) {
	sweep := makeSweep(t)
	runs, err := Collect([]string{sweep})
	if err != nil {
		t.Fatal(err)
	}
	adam, sgd := makeDiverged(t)
	divRuns, err := Collect(append(adam, sgd...))
	if err != nil {
		t.Fatal(err)
	}
	lrDir, lrDir2 := makeRangeTest(t, "sgd", 0.1), makeRangeTest(t, "momentum", 0.01)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		o    Options
		fig  func(o *Options) (*figure, error)
	}{
		{"curves of a sweep", Options{}, func(o *Options) (*figure, error) { return curvesFigure(runs, o) }},
		{"curves by optimizer", Options{Group: "optimizer.name"}, func(o *Options) (*figure, error) { return curvesFigure(runs, o) }},
		{"accuracy by examples", Options{X: "examples", Metric: "test_acc", Band: BandMinMax}, func(o *Options) (*figure, error) { return curvesFigure(runs, o) }},
		{"diverged runs", Options{Group: "optimizer.name", Metric: "train_loss", LogY: ScaleLog}, func(o *Options) (*figure, error) { return curvesFigure(divRuns, o) }},
		{"sensitivity", Options{Kind: KindSensitivity}, func(o *Options) (*figure, error) { return sensitivityFigure(runs, o) }},
		{"sensitivity by name", Options{Kind: KindSensitivity, X: "optimizer.name", Metric: "best_test_acc"}, func(o *Options) (*figure, error) { return sensitivityFigure(runs, o) }},
		{"lrfind", Options{Kind: KindLRFind}, func(o *Options) (*figure, error) { return lrfindFigure([]string{lrDir}, o) }},
		{"two lrfinds", Options{Kind: KindLRFind}, func(o *Options) (*figure, error) { return lrfindFigure([]string{lrDir, lrDir2}, o) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.o
			o.Out = filepath.Join(dir, tc.name+".png")
			if err := o.Check(); err != nil {
				t.Fatal(err)
			}
			f, err := tc.fig(&o)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.save(&o); err != nil {
				t.Fatal(err)
			}
			checkLegendClear(t, f, f)
			checkLegend(t, f, readPNG(t, o.Out), 1)
		})
	}
}

// The schedule preview of the ten shipped schedules: the legend covers no
// line of any panel, the lines differ in colour or dashes and none is the
// faint yellow, and every batch size lies within labelled ticks.
func TestSchedulePreviewOfMany(t *testing.T) {
	var files []string
	for _, n := range []string{"cosine", "exp_range", "exponential", "multistep", "sgdr", "step", "time", "triangular", "triangular2", "warmup"} {
		files = append(files, filepath.Join("..", "..", "configs", "schedules", n+".yaml"))
	}
	files = append(files, filepath.Join("..", "..", "configs", "batch-growth.yaml"))
	for _, tc := range []struct {
		name  string
		files []string
	}{{"ten schedules", files[:10]}, {"with batch growth", files}, {"docs figure", []string{files[9], files[4], files[8], files[10]}}} {
		t.Run(tc.name, func(t *testing.T) {
			o := Options{Out: filepath.Join(t.TempDir(), "s.png"), Kind: KindSchedule, Schedules: previews(t, tc.files...)}
			if err := o.Check(); err != nil {
				t.Fatal(err)
			}
			sp, err := newSchedulePlan(&o)
			if err != nil {
				t.Fatal(err)
			}
			sp.newPanels()
			if err := sp.lrScale(); err != nil {
				t.Fatal(err)
			}
			for i, pv := range sp.pvs {
				if err := sp.drawPreview(i, pv); err != nil {
					t.Fatal(err)
				}
			}
			sp.setRanges()
			b, err := render(o.Out, o.Width, o.Height, o.DPI, sp.draw)
			if err != nil {
				t.Fatal(err)
			}
			if err := writeFile(o.Out, b); err != nil {
				t.Fatal(err)
			}
			img := readPNG(t, o.Out)
			checkPicture(t, img, min(len(tc.files), 7))
			checkLegend(t, sp.top, img, 1)
			checkLegendClear(t, sp.top, sp.panels()...)

			// Distinct, visible line styles.
			type style struct {
				c color.Color
				d string
			}
			seen := map[style]bool{}
			for _, pl := range sp.top.plotters {
				l, ok := pl.(*plotter.Line)
				if !ok {
					continue
				}
				if l.LineStyle.Color == OkabeIto[7] {
					t.Errorf("a line is the palette's yellow, faint on white")
				}
				k := style{l.LineStyle.Color, fmt.Sprint(l.LineStyle.Dashes)}
				if seen[k] {
					t.Errorf("two lines share colour %v and dashes %v", k.c, k.d)
				}
				seen[k] = true
			}

			// Every batch size within labelled ticks.
			if !sp.showBatch {
				return
			}
			y := sp.bottom.p.Y
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, tk := range y.Tick.Marker.Ticks(y.Min, y.Max) {
				if tk.Label != "" {
					lo, hi = math.Min(lo, tk.Value), math.Max(hi, tk.Value)
				}
			}
			for _, pl := range sp.bottom.plotters {
				if l, ok := pl.(*plotter.Line); ok {
					for _, p := range l.XYs {
						if p.Y < lo*(1-1e-9) || p.Y > hi*(1+1e-9) {
							t.Fatalf("batch size %v outside the labelled ticks [%v, %v]", p.Y, lo, hi)
						}
					}
				}
			}
		})
	}
}

// makeRangeTest runs a small learning-rate range test into a folder.
func makeRangeTest(t *testing.T, opt string, lr float64) string {
	t.Helper()
	dir := t.TempDir()
	raw := map[string]any{
		"name":      "lr-" + opt,
		"data":      map[string]any{"source": "synthetic", "generator": "blobs", "n": 300, "features": 2, "classes": 3},
		"model":     map[string]any{"kind": "linear"},
		"optimizer": map[string]any{"name": opt, "lr": lr},
		"train":     map[string]any{"batch_size": 16},
	}
	c, err := config.Decode(raw, "")
	if err != nil {
		t.Fatal(err)
	}
	r, err := train.Setup(context.Background(), c, train.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.LRFind(context.Background(), train.LRFindOptions{Min: 1e-5, Max: 100, Steps: 80})
	if err != nil {
		t.Fatal(err)
	}
	if err := report.WriteLRFind(dir, res.Points, &res.Summary); err != nil {
		t.Fatal(err)
	}
	return dir
}

// checkLegendClear checks that nothing the panels drew lies in the legend
// box of leg (drawn last).
func checkLegendClear(t *testing.T, leg *figure, panels ...*figure) {
	t.Helper()
	box := leg.legendBox
	if box.Max.X <= box.Min.X || box.Max.Y <= box.Min.Y {
		t.Fatal("no legend box recorded")
	}
	for _, f := range panels {
		if what := drawnIn(t, f, box); what != "" {
			t.Errorf("the legend box %v covers %s", box, what)
		}
	}
}

// drawnIn describes the first thing figure f drew inside box, or "". Lines
// are sampled every quarter point within the data area, bands tested on a
// grid of the box, markers by their glyph's extent.
func drawnIn(t *testing.T, f *figure, box vg.Rectangle) string {
	dc := f.dataArea
	trX, trY := f.p.Transforms(&dc)
	_, xlog := f.p.X.Scale.(plot.LogScale)
	_, ylog := f.p.Y.Scale.(plot.LogScale)
	valid := func(x, y float64) bool {
		return !math.IsNaN(x) && !math.IsNaN(y) && !math.IsInf(x, 0) && !math.IsInf(y, 0) && (!xlog || x > 0) && (!ylog || y > 0)
	}
	inside := func(q vg.Point, r vg.Rectangle) bool {
		return q.X > r.Min.X && q.X < r.Max.X && q.Y > r.Min.Y && q.Y < r.Max.Y
	}
	drawn := func(q vg.Point) bool {
		return inside(q, box) && q.X >= dc.Min.X && q.X <= dc.Max.X && q.Y >= dc.Min.Y && q.Y <= dc.Max.Y
	}
	// segment samples the part of a→b inside the data area.
	segment := func(a, b vg.Point) bool {
		t0, t1 := 0.0, 1.0
		for _, ax := range [][4]float64{
			{float64(a.X), float64(b.X), float64(dc.Min.X), float64(dc.Max.X)},
			{float64(a.Y), float64(b.Y), float64(dc.Min.Y), float64(dc.Max.Y)},
		} {
			p0, p1, lo, hi := ax[0], ax[1], ax[2], ax[3]
			if p0 == p1 {
				if p0 < lo || p0 > hi {
					return false
				}
				continue
			}
			u0, u1 := (lo-p0)/(p1-p0), (hi-p0)/(p1-p0)
			t0, t1 = math.Max(t0, math.Min(u0, u1)), math.Min(t1, math.Max(u0, u1))
		}
		if t0 > t1 {
			return false
		}
		at := func(s float64) vg.Point {
			return vg.Point{X: a.X + vg.Length(s)*(b.X-a.X), Y: a.Y + vg.Length(s)*(b.Y-a.Y)}
		}
		p, q := at(t0), at(t1)
		n := int(math.Ceil(math.Hypot(float64(q.X-p.X), float64(q.Y-p.Y))*4)) + 1
		for k := 0; k <= n; k++ {
			if drawn(vg.Point{X: p.X + vg.Length(k)/vg.Length(n)*(q.X-p.X), Y: p.Y + vg.Length(k)/vg.Length(n)*(q.Y-p.Y)}) {
				return true
			}
		}
		return false
	}
	polyline := func(xys plotter.XYer) bool {
		var prev vg.Point
		have := false
		for i := 0; i < xys.Len(); i++ {
			x, y := xys.XY(i)
			if !valid(x, y) {
				have = false
				continue
			}
			q := vg.Point{X: trX(x), Y: trY(y)}
			if have && segment(prev, q) {
				return true
			}
			prev, have = q, true
		}
		return false
	}
	glyph := func(q vg.Point, r vg.Length) bool {
		return q.X+r > box.Min.X && q.X-r < box.Max.X && q.Y+r > box.Min.Y && q.Y-r < box.Max.Y
	}
	for i, pl := range f.plotters {
		switch v := pl.(type) {
		case *plotter.Line:
			if polyline(v.XYs) {
				return fmt.Sprintf("line %d", i)
			}
		case *plotter.Polygon:
			for _, ring := range v.XYs {
				var pts []vg.Point
				for _, p := range ring {
					if valid(p.X, p.Y) {
						pts = append(pts, vg.Point{X: trX(p.X), Y: trY(p.Y)})
					}
				}
				for k := range pts {
					if segment(pts[k], pts[(k+1)%len(pts)]) {
						return fmt.Sprintf("the edge of band %d", i)
					}
				}
				for x := box.Min.X + 0.5; x < box.Max.X; x++ {
					for y := box.Min.Y + 0.5; y < box.Max.Y; y++ {
						if q := (vg.Point{X: x, Y: y}); drawn(q) && windingInside(q, pts) {
							return fmt.Sprintf("band %d at %v", i, q)
						}
					}
				}
			}
		case *plotter.Scatter:
			for _, p := range v.XYs {
				if valid(p.X, p.Y) && glyph(vg.Point{X: trX(p.X), Y: trY(p.Y)}, v.GlyphStyle.Radius) {
					return fmt.Sprintf("marker %d at (%g, %g)", i, p.X, p.Y)
				}
			}
		case *divergeMarks:
			for k, q := range v.positions(dc, f.p) {
				if glyph(q, markRadius) {
					return fmt.Sprintf("the × of diverged run %d", k)
				}
			}
		case *vline:
			x := trX(v.x)
			if segment(vg.Point{X: x, Y: dc.Min.Y}, vg.Point{X: x, Y: dc.Max.Y}) {
				return "the suggested learning rate's line"
			}
		case *plotter.Grid, *plotter.Contour, *offStrip: // background
		default:
			t.Errorf("plotter %T not checked", pl)
		}
	}
	for i, xy := range f.avoid {
		if polyline(xy) {
			return fmt.Sprintf("path %d", i)
		}
	}
	return ""
}

// windingInside tells whether q is inside the ring by its winding number.
func windingInside(q vg.Point, ring []vg.Point) bool {
	w := 0
	for i := range ring {
		a, b := ring[i], ring[(i+1)%len(ring)]
		cross := (b.X-a.X)*(q.Y-a.Y) - (q.X-a.X)*(b.Y-a.Y)
		switch {
		case a.Y <= q.Y && b.Y > q.Y && cross > 0:
			w++
		case a.Y > q.Y && b.Y <= q.Y && cross < 0:
			w--
		}
	}
	return w != 0
}
