package plot

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/plot/plotter"
)

var _ plotter.XYer = Curve{} // curves are plain data gonum/plot can draw
var _ plotter.XYer = Band{}

func close(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

func TestAggregate(t *testing.T) {
	// Two runs on different x values; the second stops early (diverged).
	a := Curve{X: []float64{0, 2, 4}, Y: []float64{4, 2, 0}}
	b := Curve{X: []float64{0, 1, 2}, Y: []float64{6, 5, 4}}
	for _, tc := range []struct {
		kind     string
		lo1, hi1 float64 // the band at x = 1, where a is 3 and b is 5
	}{
		{BandStd, 3, 5}, // ±√2, clipped to the runs' range
		{BandSEM, 3, 5}, // ±1, the runs' range
		{BandMinMax, 3, 5},
		{BandNone, 4, 4},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			got := Aggregate([]Curve{a, b}, tc.kind)
			if !slices.Equal(got.X, []float64{0, 1, 2, 4}) {
				t.Fatalf("grid %v, want the union of the x values", got.X)
			}
			if !slices.Equal(got.N, []int{2, 2, 2, 1}) {
				t.Errorf("counts %v", got.N)
			}
			if !close(got.Mean[1], 4) || !close(got.Mean[2], 3) || !close(got.Mean[3], 0) {
				t.Errorf("means %v", got.Mean)
			}
			if !close(got.Lo[1], tc.lo1) || !close(got.Hi[1], tc.hi1) {
				t.Errorf("band at x=1 [%v, %v], want [%v, %v]", got.Lo[1], got.Hi[1], tc.lo1, tc.hi1)
			}
			if got.Lo[3] != 0 || got.Hi[3] != 0 {
				t.Errorf("a single run has no band: [%v, %v]", got.Lo[3], got.Hi[3])
			}
			if o := got.Outline(); o.Len() != 8 || o.Y[0] != got.Hi[0] || o.Y[7] != got.Lo[0] {
				t.Errorf("outline %v", o)
			}
		})
	}
	// A wide std band is clipped to the runs' range.
	wide := Aggregate([]Curve{{X: []float64{0}, Y: []float64{0}}, {X: []float64{0}, Y: []float64{0}}, {X: []float64{0}, Y: []float64{9}}}, BandStd)
	if wide.Lo[0] != 0 || !close(wide.Hi[0], 3+math.Sqrt(27)) || !close(wide.Mean[0], 3) {
		t.Errorf("band [%v, %v] around %v, want [0, 3+√27] around 3", wide.Lo[0], wide.Hi[0], wide.Mean[0])
	}
}

func TestCommonGridCapped(t *testing.T) {
	var c Curve
	for i := range 5000 {
		c.X = append(c.X, float64(i)*0.37)
		c.Y = append(c.Y, 1)
	}
	g := commonGrid([]Curve{c, {X: []float64{0.1, 3000}, Y: []float64{1, 1}}})
	if len(g) != maxGrid || g[0] != 0 || g[len(g)-1] != 3000 {
		t.Errorf("grid of %d points from %v to %v", len(g), g[0], g[len(g)-1])
	}
}

func TestFiniteCurveAndDecimate(t *testing.T) {
	c := finiteCurve([]float64{0, 1, 2, 3}, []float64{1, math.NaN(), math.Inf(1), 2})
	if !slices.Equal(c.X, []float64{0, 3}) {
		t.Errorf("finite points %v", c.X)
	}
	var long Curve
	for i := range 1000 {
		long.X, long.Y = append(long.X, float64(i)), append(long.Y, float64(i))
	}
	d := decimate(long, 100)
	if d.Len() != 100 || d.X[0] != 0 || d.X[99] != 999 {
		t.Errorf("decimated to %d points, %v..%v", d.Len(), d.X[0], d.X[d.Len()-1])
	}
}

func TestGroupLabels(t *testing.T) {
	run := func(name string, kv ...string) *Run {
		r := &Run{Name: name, Params: map[string]string{"name": name}}
		for i := 0; i < len(kv); i += 2 {
			r.Params[kv[i]] = kv[i+1]
		}
		return r
	}
	// Distinct names: the names label the lines, seeds merge.
	runs := []*Run{
		run("adam-mnist", "optimizer.name", "adam", "seed", "1", "optimizer.beta1", "0.9"),
		run("adam-mnist", "optimizer.name", "adam", "seed", "2", "optimizer.beta1", "0.9"),
		run("sgd-mnist", "optimizer.name", "sgd", "seed", "1"),
	}
	g := groupRuns(runs, nil, true)
	if len(g) != 2 || g[0].Label != "adam-mnist" || len(g[0].Runs) != 2 || g[1].Label != "sgd-mnist" {
		t.Errorf("groups %v", labelsOf(g))
	}
	// One name: the differing keys label the lines, numbers sorted as numbers.
	runs = []*Run{
		run("s", "optimizer.lr", "0.1", "train.batch_size", "32"),
		run("s", "optimizer.lr", "0.01", "train.batch_size", "32"),
		run("s", "optimizer.lr", "1", "train.batch_size", "64"),
	}
	if got := labelsOf(groupRuns(runs, nil, true)); !slices.Equal(got, []string{"lr=0.01, batch_size=32", "lr=0.1, batch_size=32", "lr=1, batch_size=64"}) {
		t.Errorf("labels %v", got)
	}
	if got := labelsOf(groupRuns(runs, []string{"train.batch_size"}, false)); !slices.Equal(got, []string{"batch_size=32", "batch_size=64"}) {
		t.Errorf("--group labels %v", got)
	}
	if got := labelsOf(groupRuns(runs, nil, false)); !slices.Equal(got, []string{"s"}) {
		t.Errorf("one group %v", got)
	}
	// A sweep names every run by its run id, seeds included: the swept
	// values label the lines, not the id of a group's first run.
	runs = []*Run{
		run("adam-lr0.1-s1-aaaa", "optimizer.name", "adam", "optimizer.lr", "0.1", "seed", "1"),
		run("adam-lr0.1-s2-bbbb", "optimizer.name", "adam", "optimizer.lr", "0.1", "seed", "2"),
		run("sgd-lr0.1-s1-cccc", "optimizer.name", "sgd", "optimizer.lr", "0.1", "seed", "1"),
		run("sgd-lr0.1-s2-dddd", "optimizer.name", "sgd", "optimizer.lr", "0.1", "seed", "2"),
	}
	if got := labelsOf(groupRuns(runs, nil, true)); !slices.Equal(got, []string{"adam", "sgd"}) {
		t.Errorf("sweep labels %v, want the optimizer names", got)
	}
}

func labelsOf(gs []*Group) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.Label)
	}
	return out
}

func TestTicks(t *testing.T) {
	var labels []string
	for _, tk := range (niceTicks{}).Ticks(0, 0.3) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if !slices.Equal(labels, []string{"0", "0.05", "0.1", "0.15", "0.2", "0.25", "0.3"}) {
		t.Errorf("linear labels %v", labels)
	}
	labels = nil
	for _, tk := range (logTicks{}).Ticks(1e-7, 10) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if !slices.Equal(labels, []string{"1e-07", "1e-06", "1e-05", "1e-04", "0.001", "0.01", "0.1", "1", "10"}) {
		t.Errorf("log labels %v", labels)
	}
}

func TestZoomPastStart(t *testing.T) {
	a, b := &Run{}, &Run{}
	curves := map[*Run]Curve{
		a: {X: []float64{0, 1, 2, 3}, Y: []float64{10, 1, 0.9, 0.8}},
		b: {X: []float64{0, 1, 2, 3}, Y: []float64{10, 1.2, 0.7, 0.6}},
	}
	curve := func(r *Run) Curve { return curves[r] }
	if lo, hi := zoomPastStart([]*Run{a, b}, curve, 0.6, 10, false, "test_loss"); lo != 0.6 || hi != 1.2 {
		t.Errorf("loss range [%v, %v], want [0.6, 1.2]", lo, hi)
	}
	curves[a] = Curve{X: []float64{0, 1, 2}, Y: []float64{0.1, 0.9, 0.95}}
	curves[b] = Curve{X: []float64{0, 1, 2}, Y: []float64{0.1, 0.88, 0.93}}
	if lo, hi := zoomPastStart([]*Run{a, b}, curve, 0.1, 0.95, false, "test_acc"); lo != 0.88 || hi != 0.95 {
		t.Errorf("accuracy range [%v, %v], want [0.88, 0.95]", lo, hi)
	}
	// A gentle start is kept in range.
	curves[a] = Curve{X: []float64{0, 1, 2}, Y: []float64{2, 1.5, 1}}
	if lo, hi := zoomPastStart([]*Run{a}, curve, 1, 2, false, "train_loss"); lo != 1 || hi != 2 {
		t.Errorf("range [%v, %v], want [1, 2]", lo, hi)
	}
}

func TestStraightAlphaForPDF(t *testing.T) {
	band := transparent(OkabeIto[0], 0.22)
	r, g, b, a := straightAlpha{band}.RGBA()
	if r>>8 != 0x00 || g>>8 < 0x71 || g>>8 > 0x72 || b>>8 < 0xB1 || b>>8 > 0xB2 || a>>8 != 56 {
		t.Errorf("straight components %x %x %x %x, want the palette blue at alpha 56", r>>8, g>>8, b>>8, a>>8)
	}
	if r, g, b, a := (straightAlpha{OkabeIto[1]}).RGBA(); r>>8 != 0xD5 || g>>8 != 0x5E || b != 0 || a != 0xffff {
		t.Errorf("an opaque colour changed: %x %x %x %x", r, g, b, a)
	}
}
