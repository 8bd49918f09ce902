package plot

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot"

	"github.com/optimbench/optimbench/internal/report"
)

// writeRun writes a run folder as train writes it with on_diverge
// continue: config.yaml, metrics.csv (an epoch of 10 updates a row, the
// training loss given, the test loss 10% above) and, unless status is "",
// summary.json.
func writeRun(t *testing.T, dir, opt string, seed int, loss []float64, status, reason string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	epochs := len(loss) - 1
	cfg := fmt.Sprintf("name: div\noptimizer:\n  name: %s\n  lr: 0.1\ntrain:\n  epochs: %d\n  diverge_factor: 10000\n  on_diverge: continue\nseed: %d\n", opt, epochs, seed)
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("epoch,step,examples,lr,batch_size,train_loss,test_loss,train_acc,test_acc,seconds\n")
	for e, l := range loss {
		f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
		fmt.Fprintf(&b, "%d,%d,%d,0.1,10,%s,%s,,,%g\n", e, 10*e, 100*e, f(l), f(l*1.1), 0.001*float64(e))
	}
	if err := os.WriteFile(filepath.Join(dir, "metrics.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if status == "" {
		return
	}
	s := report.Summary{Name: "div", Status: status, Reason: reason, Epochs: epochs, Steps: 10 * epochs, Seed: uint64(seed)}
	if err := report.WriteJSON(filepath.Join(dir, "summary.json"), s); err != nil {
		t.Fatal(err)
	}
}

// divergedLoss is a loss that follows healthy up to epoch at, then jumps
// to jump × the initial loss and grows 10⁸-fold an epoch up to 1e129,
// +Inf from epoch inf on.
func divergedLoss(healthy []float64, at int, jump float64, inf int) []float64 {
	loss := append([]float64(nil), healthy...)
	v := jump * healthy[0]
	for e := at; e < len(loss); e++ {
		loss[e] = math.Min(v, 1e129)
		if e >= inf {
			loss[e] = math.Inf(1)
		}
		v *= 1e8
	}
	return loss
}

// makeDiverged writes six adam runs, two of which diverge at epoch 4 (the
// step of their reason), and two sgd runs that both diverge at epoch 2 and
// whose loss becomes infinite at epoch 10; 30 epochs each. It returns the
// adam and the sgd run folders.
func makeDiverged(t *testing.T) (adam, sgd []string) {
	dir := t.TempDir()
	healthy := func(s int) []float64 {
		loss := make([]float64, 31)
		for e := range loss {
			loss[e] = (2 + 0.1*float64(s)) * math.Pow(0.9, float64(e))
		}
		return loss
	}
	for s := 1; s <= 6; s++ {
		d := filepath.Join(dir, fmt.Sprintf("adam-%d", s))
		if s <= 4 {
			writeRun(t, d, "adam", s, healthy(s), "done", "")
		} else {
			writeRun(t, d, "adam", s, divergedLoss(healthy(s), 4, 1e6+float64(s), 20), "diverged",
				"loss 2.5e+06 exceeded 10000 × the initial loss 2.5 at step 35")
		}
		adam = append(adam, d)
	}
	for s := 1; s <= 2; s++ {
		d := filepath.Join(dir, fmt.Sprintf("sgd-%d", s))
		writeRun(t, d, "sgd", s, divergedLoss(healthy(s), 2, 3e4, 10), "diverged",
			"loss 6e+04 exceeded 10000 × the initial loss 2.1 at step 12")
		sgd = append(sgd, d)
	}
	return adam, sgd
}

// Diverged runs with on_diverge continue: the whole run on the x-axis, a
// real log axis up to the divergence points, the diverged runs out of their
// group's mean and band from their divergence on, each with its own ×
// (visible, apart from the other's at the same place), and legend counts
// that say so.
func TestCurvesDivergedRuns(t *testing.T) {
	adam, sgd := makeDiverged(t)
	runs, err := Collect(append(append([]string(nil), adam...), sgd...))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	o := Options{Out: filepath.Join(dir, "div.png"), Group: "optimizer.name", Metric: "train_loss", LogY: ScaleLog}
	if err := o.Check(); err != nil {
		t.Fatal(err)
	}
	f, err := curvesFigure(runs, &o)
	if err != nil {
		t.Fatal(err)
	}
	p := f.p
	if p.X.Max < 30 {
		t.Errorf("x-axis ends at %v, want the runs' 30 epochs", p.X.Max)
	}
	if !isLog(p.Y.Scale) {
		t.Fatal("forced log y-axis is not logarithmic")
	}
	if p.Y.Max < 2.5e6 || p.Y.Min > 2.1*math.Pow(0.9, 30) {
		t.Errorf("log y-axis over [%g, %g], want the healthy runs and the divergence points (≥ 2.5e6)", p.Y.Min, p.Y.Max)
	}
	checkLogTicks(t, p.Y.Tick.Marker.Ticks(p.Y.Min, p.Y.Max))

	// The mean and band of adam hold the four runs that did not diverge
	// from epoch 4 on.
	cp, err := newCurvesPlan(runs, &o)
	if err != nil {
		t.Fatal(err)
	}
	if err := cp.yRange(); err != nil {
		t.Fatal(err)
	}
	cgs := cp.curveGroups(groupRuns(runs, []string{"optimizer.name"}, false))
	if len(cgs) != 2 {
		t.Fatalf("%d groups, want adam and sgd", len(cgs))
	}
	b := cgs[0].band
	for i, x := range b.X {
		want := 6
		if x >= 4 {
			want = 4
		}
		if b.N[i] != want {
			t.Errorf("adam at epoch %v: mean over %d runs, want %d", x, b.N[i], want)
		}
		if x == 10 {
			m := 0.0
			for s := 1; s <= 4; s++ {
				m += (2 + 0.1*float64(s)) * math.Pow(0.9, 10) / 4
			}
			if !close(b.Mean[i], m) {
				t.Errorf("adam's mean at epoch 10 is %v, want %v (the runs that did not diverge)", b.Mean[i], m)
			}
		}
	}

	// The legend counts the runs and those that diverged.
	svg := filepath.Join(dir, "div.svg")
	if err := Render(append(append([]string(nil), adam...), sgd...), Options{Out: svg, Group: "optimizer.name", Metric: "train_loss", LogY: ScaleLog}); err != nil {
		t.Fatal(err)
	}
	text, _ := os.ReadFile(svg)
	for _, want := range []string{"adam (n=6, 2 diverged)", "sgd (n=2, 2 diverged)"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("legend lacks %q", want)
		}
	}

	// One × per diverged run at its divergence point, inside the data
	// area, apart from the other run's at the same place.
	if err := f.save(&o); err != nil {
		t.Fatal(err)
	}
	img := readPNG(t, o.Out)
	checkPicture(t, img, 2)
	marks := divergeMarksIn(f)
	if marks == nil || len(marks.marks) != 4 {
		t.Fatalf("diverged marks %v, want one for each of the 4 diverged runs", marks)
	}
	dc := f.dataArea
	trX, trY := p.Transforms(&dc)
	pos := marks.positions(dc, p)
	for i, m := range marks.marks {
		at := map[bool]float64{true: 4, false: 2}[i < 2]
		if m.x != at {
			t.Errorf("mark %d at epoch %v, want %v, the divergence point", i, m.x, at)
		}
		q := pos[i]
		if q.X-markRadius < dc.Min.X || q.X+markRadius > dc.Max.X || q.Y-markRadius < dc.Min.Y || q.Y+markRadius > dc.Max.Y {
			t.Errorf("mark %d at %v is clipped by the data area %v", i, q, dc.Rectangle)
		}
		if d := math.Abs(float64(q.X - trX(at))); d > float64(markStep)+0.01 { // at most one cross aside
			t.Errorf("mark %d drawn %.1f pt from its epoch", i, d)
		}
		if i < 2 && math.Abs(float64(q.Y-trY(m.y))) > 1 {
			t.Errorf("mark %d at height %v, want its value %g at %v", i, q.Y, m.y, trY(m.y))
		}
	}
	for _, pair := range [][2]int{{0, 1}, {2, 3}} {
		a, b := pos[pair[0]], pos[pair[1]]
		if d := math.Hypot(float64(a.X-b.X), float64(a.Y-b.Y)); d < 1.8*float64(markRadius) {
			t.Errorf("marks %v of runs diverged at the same place overlap: %.1f pt apart", pair, d)
		}
	}
}

// A group whose runs all diverged is still drawn, over the whole run, and
// a forced log axis reaches its divergence points.
func TestCurvesAllDiverged(t *testing.T) {
	_, sgd := makeDiverged(t)
	runs, err := Collect(sgd)
	if err != nil {
		t.Fatal(err)
	}
	for _, logY := range []Scale{ScaleAuto, ScaleLog} {
		o := Options{Out: filepath.Join(t.TempDir(), "all.png"), Metric: "train_loss", LogY: logY}
		o.Check()
		f, err := curvesFigure(runs, &o)
		if err != nil {
			t.Fatal(err)
		}
		if f.p.X.Max != 30 {
			t.Errorf("logy %v: x-axis ends at %v, want 30 (the loss is infinite from epoch 10, the run goes on)", logY, f.p.X.Max)
		}
		if logY == ScaleLog {
			if !isLog(f.p.Y.Scale) || f.p.Y.Max < 3e4*2.1 {
				t.Errorf("forced log axis over [%g, %g], want it to reach the divergence points (6.3e4)", f.p.Y.Min, f.p.Y.Max)
			}
			checkLogTicks(t, f.p.Y.Tick.Marker.Ticks(f.p.Y.Min, f.p.Y.Max))
		}
		var labels []string
		for _, e := range f.items {
			labels = append(labels, e.label)
		}
		if len(labels) != 2 || labels[0] != "div (n=2, 2 diverged)" || labels[1] != "diverged" {
			t.Errorf("legend %q", labels)
		}
		if err := f.save(&o); err != nil {
			t.Fatal(err)
		}
		checkPicture(t, readPNG(t, o.Out), 1)
		marks := divergeMarksIn(f)
		if marks == nil || len(marks.marks) != 2 {
			t.Fatalf("marks %v, want 2", marks)
		}
		pos := marks.positions(f.dataArea, f.p)
		if d := math.Abs(float64(pos[0].X - pos[1].X)); d < 1.8*float64(markRadius) {
			t.Errorf("the two runs' × overlap (%.1f pt apart)", d)
		}
	}
}

// checkLogTicks checks the labelled ticks of a log axis: three to ten,
// powers of ten (or 2× and 5×) in increasing order.
func checkLogTicks(t *testing.T, ticks []plot.Tick) {
	t.Helper()
	var vals []float64
	for _, tk := range ticks {
		if tk.Label != "" {
			vals = append(vals, tk.Value)
		}
	}
	if len(vals) < 3 || len(vals) > 10 {
		t.Errorf("%d labelled ticks %v, want 3 to 10", len(vals), vals)
	}
	for i, v := range vals {
		m := v / math.Pow(10, math.Floor(math.Log10(v)+1e-9))
		if math.Abs(m-1) > 1e-6 && math.Abs(m-2) > 1e-6 && math.Abs(m-5) > 1e-6 {
			t.Errorf("tick %g is not 1, 2 or 5 × a power of ten", v)
		}
		if i > 0 && !(v > vals[i-1]) {
			t.Errorf("ticks out of order: %v", vals)
		}
	}
}

// In a sensitivity plot each diverged run has its own × in the strip off
// the chart's scale, in its group's column at its x, none hiding another.
func TestSensitivityDivergedMarks(t *testing.T) {
	sweep := makeSweep(t)
	runs, err := Collect([]string{sweep})
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Out: filepath.Join(t.TempDir(), "s.png"), Kind: KindSensitivity}
	o.Check()
	f, err := sensitivityFigure(runs, &o)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.save(&o); err != nil {
		t.Fatal(err)
	}
	marks := divergeMarksIn(f)
	if marks == nil || len(marks.marks) != 4 {
		t.Fatalf("marks %v, want the 4 runs at lr 50", marks)
	}
	var strip *offStrip
	for _, pl := range f.plotters {
		if s, ok := pl.(*offStrip); ok {
			strip = s
		}
	}
	if strip == nil || !strip.top {
		t.Fatal("no strip on the top edge for the diverged runs")
	}
	dc := f.dataArea
	trX, trY := f.p.Transforms(&dc)
	pos := marks.positions(dc, f.p)
	for i, q := range pos {
		if d := math.Abs(float64(q.X - trX(50))); d > float64(markStep) {
			t.Errorf("mark %d %.1f pt from lr 50", i, d)
		}
		if q.Y-markRadius < trY(strip.at) || q.Y+markRadius > dc.Max.Y {
			t.Errorf("mark %d at %v is not inside the strip above %v", i, q.Y, trY(strip.at))
		}
		for j := range i {
			if d := math.Hypot(float64(q.X-pos[j].X), float64(q.Y-pos[j].Y)); d < 1.8*float64(markRadius) {
				t.Errorf("marks %d and %d overlap (%.1f pt apart)", j, i, d)
			}
		}
	}
	for _, tk := range f.p.Y.Tick.Marker.Ticks(f.p.Y.Min, f.p.Y.Max) {
		if tk.Label != "" && tk.Value > strip.at {
			t.Errorf("tick %s labels the strip", tk.Label)
		}
	}
}
