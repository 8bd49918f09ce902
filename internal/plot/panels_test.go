package plot

import (
	"bytes"
	"image/png"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// sensPanel is a learning-rate panel whose three series each diverged at lr = 1, the
// largest lr of the grid: their crosses sit side by side at the right end.
func sensPanel(title string) Panel {
	pn := Panel{Title: title, XLabel: "learning rate", YLabel: "final test loss", LogX: ScaleLog}
	for k, name := range []string{"sgd", "momentum", "adam"} {
		s := Series{Label: name, Color: k, Markers: true, Diverged: []float64{1}}
		for i := -4; i <= -1; i++ {
			s.X = append(s.X, math.Pow(10, float64(i)))
			s.Y = append(s.Y, 0.3+0.05*float64((i+2)*(i+2))+0.02*float64(k))
		}
		pn.Series = append(pn.Series, s)
	}
	return pn
}

// drawn builds and draws fig onto an image canvas and returns its panels' figures and the
// legend's box.
func drawn(t *testing.T, fig Panels) ([]*figure, vg.Rectangle) {
	t.Helper()
	rows := (len(fig.Panels) + fig.Cols - 1) / fig.Cols
	cell := vg.Point{X: vg.Length(fig.Width) * vg.Centimeter / vg.Length(fig.Cols), Y: vg.Length(fig.Height) * vg.Centimeter / vg.Length(rows)}
	var figs []*figure
	for i := range fig.Panels {
		f, err := panelFigure(&fig.Panels[i], cell)
		if err != nil {
			t.Fatal(err)
		}
		figs = append(figs, f)
	}
	c := draw.New(vgimg.New(vg.Length(fig.Width)*vg.Centimeter, vg.Length(fig.Height)*vg.Centimeter))
	return figs, drawPanels(c, fig, figs)
}

func TestPanelsCrossesInside(t *testing.T) {
	fig := Panels{Panels: []Panel{sensPanel("a"), sensPanel("b"), sensPanel("c")}, Cols: 3, Width: 24, Height: 8}
	figs, _ := drawn(t, fig)
	for i, f := range figs {
		dc := f.dataArea
		var marks *divergeMarks
		for _, pl := range f.plotters {
			if m, ok := pl.(*divergeMarks); ok {
				marks = m
			}
		}
		if marks == nil || len(marks.marks) != 3 {
			t.Fatalf("panel %d: no crosses for the diverged settings", i)
		}
		pos := marks.positions(dc, f.p)
		for k, q := range pos {
			if q.X-markRadius < dc.Min.X || q.X+markRadius > dc.Max.X || q.Y+markRadius > dc.Max.Y {
				t.Errorf("panel %d: cross %d at %v is not inside the data area %v", i, k, q, dc.Rectangle)
			}
			if q.Y != pos[0].Y {
				t.Errorf("panel %d: cross %d at y %.1f, not beside the others (y %.1f)", i, k, q.Y, pos[0].Y)
			}
		}
	}
}

// TestPanelsLegendBelow: the shared legend of several panels lies below every panel.
func TestPanelsLegendBelow(t *testing.T) {
	fig := Panels{Panels: []Panel{sensPanel("a"), sensPanel("b"), sensPanel("c"), sensPanel("d")}, Cols: 2, Width: 18, Height: 14}
	figs, box := drawn(t, fig)
	if n := len(legendEntries(fig.Panels)); box.Size().X == 0 || n != 3 {
		t.Fatalf("legend of %d entries, box %v; want 3 entries", n, box)
	}
	for i, f := range figs {
		// Below the data area are the x axis's ticks, their labels and its label.
		x := f.p.X
		axis := x.Tick.Length + x.Tick.Label.Rectangle("1").Size().Y + x.Label.TextStyle.Rectangle(x.Label.Text).Size().Y
		if bottom := f.dataArea.Min.Y - axis; bottom < box.Max.Y {
			t.Errorf("panel %d's x axis (bottom %.1f) reaches the legend (top %.1f)", i, bottom, box.Max.Y)
		}
	}
}

// TestPanelsSingleLegend: one panel keeps its legend inside where it covers nothing.
func TestPanelsSingleLegend(t *testing.T) {
	pn := Panel{Title: "profile", XLabel: "τ", YLabel: "ρ(τ)", FixedY: true, YMin: 0, YMax: 1.02}
	for k := 0; k < 3; k++ {
		pn.Series = append(pn.Series, Series{Label: string(rune('a' + k)), Color: k, Step: true,
			X: []float64{1, 1.5 + float64(k)/4, 3}, Y: []float64{0.2, 0.6, 0.6 + 0.1*float64(k)}})
	}
	figs, _ := drawn(t, Panels{Panels: []Panel{pn}, Cols: 1, Width: 16, Height: 10})
	f := figs[0]
	if f.legendBox.Size().X == 0 {
		t.Fatal("no legend drawn")
	}
	if fp := f.footprint(f.dataArea); fp.hits(f.legendBox, f.dataArea.Rectangle) {
		t.Errorf("the legend %v covers data", f.legendBox)
	}
}

func TestRenderPanels(t *testing.T) {
	empty := Panel{Title: "none", XLabel: "epoch", YLabel: "test accuracy", Note: "no test set"}
	fig := Panels{Panels: []Panel{sensPanel("a"), empty}, Cols: 2, Width: 16, Height: 8}
	b, err := RenderPanels(".png", fig)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	s, err := RenderPanels(".svg", fig)
	if err != nil {
		t.Fatal(err)
	}
	svg := string(s)
	for _, want := range []string{"<svg", "no test set", "momentum", "learning rate"} {
		if !strings.Contains(svg, want) {
			t.Errorf("svg lacks %q", want)
		}
	}
	// The empty panel has no tick labels: its axes read nothing.
	f, _ := panelFigure(&fig.Panels[1], vg.Point{X: 8 * vg.Centimeter, Y: 8 * vg.Centimeter})
	if ticks := f.p.Y.Tick.Marker.Ticks(0, 1); len(ticks) != 0 {
		t.Errorf("an empty panel has %d ticks", len(ticks))
	}
	if _, err := RenderPanels(".svg", Panels{}); err == nil {
		t.Error("a figure of no panels drew")
	}
}

func TestAutoLog(t *testing.T) {
	for _, tc := range []struct {
		vals []float64
		want bool
	}{
		{[]float64{0.1, 10}, true},
		{[]float64{0.1, 5}, false},
		{[]float64{-1, 100}, false},
		{[]float64{math.NaN(), 1, 1000}, true},
		{nil, false},
	} {
		if got := autoLog(ScaleAuto, tc.vals); got != tc.want {
			t.Errorf("autoLog(%v) = %v, want %v", tc.vals, got, tc.want)
		}
	}
}

// YFromX: the y-range is that of the points at x ≥ YFromX (the first epochs left out), band
// included; a series without such points keeps them all.
func TestPanelYFromX(t *testing.T) {
	pn := Panel{YFromX: 1, Series: []Series{
		{X: []float64{0, 1, 2}, Y: []float64{2.3, 0.3, 0.28}, Std: []float64{0, 0.01, 0.01}},
		{X: []float64{0, 1, 2}, Y: []float64{2.3, 0.35, 0.31}},
		{X: []float64{0.5}, Y: []float64{0.4}},
	}}
	cell := vg.Point{X: 8 * vg.Centimeter, Y: 8 * vg.Centimeter}
	f, err := panelFigure(&pn, cell)
	if err != nil {
		t.Fatal(err)
	}
	if f.p.Y.Min < 0.25 || f.p.Y.Min > 0.27 || f.p.Y.Max < 0.4 || f.p.Y.Max > 0.42 {
		t.Errorf("y-range [%g, %g], want about [0.27, 0.4] (epoch 0's 2.3 left out)", f.p.Y.Min, f.p.Y.Max)
	}
	pn.YFromX = 0
	if f, _ = panelFigure(&pn, cell); f.p.Y.Max < 2.3 {
		t.Errorf("without YFromX the y-range ends at %g, below the first points' 2.3", f.p.Y.Max)
	}
}
