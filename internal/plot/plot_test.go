package plot

import (
	"bytes"
	"context"
	"errors"
	"image"
	stddraw "image/draw"
	"image/gif"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/report"
	"github.com/optimbench/optimbench/internal/train"
)

func TestCurvesFromSweep(t *testing.T) {
	sweep := makeSweep(t)
	runs, err := Collect([]string{sweep})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 12 {
		t.Fatalf("collected %d runs, want 12", len(runs))
	}
	out := filepath.Join(t.TempDir(), "curves.png")
	o := Options{Out: out, Group: "optimizer.name"}
	if err := o.Check(); err != nil {
		t.Fatal(err)
	}
	f, err := curvesFigure(runs, &o)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.save(&o); err != nil {
		t.Fatal(err)
	}
	img := readPNG(t, out)
	checkPicture(t, img, 2)
	checkLegend(t, f, img, 2)
	if len(f.items) != 3 { // adam (n=6), sgd (n=6), diverged
		t.Errorf("%d legend entries, want 3", len(f.items))
	}
	if !strings.HasPrefix(f.title, "blobs: test loss") {
		t.Errorf("title %q", f.title)
	}

	// Default grouping: runs that differ only in the seed form one line,
	// labelled by the swept values.
	o = Options{Out: out}
	o.Check()
	groups := groupRuns(runs, nil, true)
	if len(groups) != 6 {
		t.Fatalf("%d default groups, want 6 (2 optimizers × 3 lr)", len(groups))
	}
	var labels []string
	for _, g := range groups {
		labels = append(labels, g.Label)
		if len(g.Runs) != 2 {
			t.Errorf("group %s has %d runs, want the 2 seeds", g.Label, len(g.Runs))
		}
	}
	if got := strings.Join(labels, "; "); got != "adam, lr=0.01; adam, lr=0.1; adam, lr=50; sgd, lr=0.01; sgd, lr=0.1; sgd, lr=50" {
		t.Errorf("labels %s", got)
	}
	if err := Render([]string{sweep}, Options{Out: out, X: "examples", Metric: "test_acc", Band: BandMinMax}); err != nil {
		t.Fatal(err)
	}
	checkPicture(t, readPNG(t, out), 6)
}

// A sweep folder reused with --force keeps the run folders of the earlier
// sweep; they are not this sweep's runs and are left out.
func TestSweepIgnoresStaleRunFolders(t *testing.T) {
	sweep := makeSweep(t)
	src := filepath.Join(sweep, "runs", "sgd-lr0.1-s1-0123abcd")
	stale := filepath.Join(sweep, "runs", "sgd-lr0.1-s1-ffffffff")
	if err := os.CopyFS(stale, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	runs, err := Collect([]string{sweep})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 12 {
		t.Fatalf("collected %d runs, want the 12 results.csv lists", len(runs))
	}
	// Without results.csv (a sweep still running for the first time), the
	// points of sweep.yaml decide.
	os.Remove(filepath.Join(sweep, "results.csv"))
	doc := "points:\n  - {index: 0, id: sgd-lr0.1-s1-0123abcd}\n  - {index: 1, id: adam-lr0.1-s1-0123abcd}\n"
	if err := os.WriteFile(filepath.Join(sweep, "sweep.yaml"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if runs, err = Collect([]string{sweep}); err != nil || len(runs) != 2 {
		t.Fatalf("collected %d runs (%v), want the 2 sweep.yaml lists", len(runs), err)
	}
}

func TestCurvesDivergedMarker(t *testing.T) {
	sweep := makeSweep(t)
	out := filepath.Join(t.TempDir(), "d.png")
	runs, _ := Collect([]string{filepath.Join(sweep, "runs", "sgd-lr50-s1-0123abcd"), filepath.Join(sweep, "runs", "sgd-lr0.1-s1-0123abcd")})
	o := Options{Out: out, Metric: "train_loss", LogY: ScaleLinear}
	o.Check()
	f, err := curvesFigure(runs, &o)
	if err != nil {
		t.Fatal(err)
	}
	crosses := 0
	for _, pl := range f.plotters {
		if m, ok := pl.(*divergeMarks); ok {
			crosses += len(m.marks)
		}
	}
	if crosses != 1 {
		t.Errorf("%d diverged markers, want 1", crosses)
	}
	if err := f.save(&o); err != nil {
		t.Fatal(err)
	}
	checkPicture(t, readPNG(t, out), 2)
}

func TestSensitivity(t *testing.T) {
	sweep := makeSweep(t)
	runs, _ := Collect([]string{sweep})
	out := filepath.Join(t.TempDir(), "sens.png")
	o := Options{Out: out, Kind: KindSensitivity}
	o.Check()
	f, err := sensitivityFigure(runs, &o)
	if err != nil {
		t.Fatal(err)
	}
	if f.p.X.Label.Text != "learning rate (optimizer.lr)" {
		t.Errorf("x axis %q", f.p.X.Label.Text)
	}
	if !isLog(f.p.X.Scale) {
		t.Error("learning rate axis is not logarithmic")
	}
	var top int
	for _, pl := range f.plotters {
		if m, ok := pl.(*divergeMarks); ok {
			for _, mk := range m.marks {
				if mk.edge(f.p) == 1 {
					top++
				}
			}
		}
	}
	if top != 4 { // sgd and adam at lr 50, two seeds each
		t.Errorf("%d diverged marks on the top edge, want 4", top)
	}
	if err := f.save(&o); err != nil {
		t.Fatal(err)
	}
	img := readPNG(t, out)
	checkPicture(t, img, 2)
	checkLegend(t, f, img, 2)

	// Categorical x and a results column from the results.csv.
	if err := Render([]string{sweep}, Options{Out: out, Kind: KindSensitivity, X: "optimizer.name", Metric: "best_test_acc"}); err != nil {
		t.Fatal(err)
	}
	checkPicture(t, readPNG(t, out), 1)
}

func TestFormats(t *testing.T) {
	sweep := makeSweep(t)
	dir := t.TempDir()
	for ext, header := range map[string]string{".svg": "<?xml", ".pdf": "%PDF-"} {
		out := filepath.Join(dir, "f"+ext)
		if err := Render([]string{sweep}, Options{Out: out, Group: "optimizer.name"}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) < 1000 || !bytes.HasPrefix(b, []byte(header)) {
			t.Errorf("%s: %d bytes starting %q", ext, len(b), b[:min(len(b), 10)])
		}
		if ext == ".svg" && !bytes.Contains(b, []byte("adam (n=6, 2 diverged)")) {
			t.Errorf("svg lacks the legend text")
		}
	}
}

func TestTrajectoryAndAnimation(t *testing.T) {
	dirs := makeProblems(t)
	out := filepath.Join(t.TempDir(), "traj.png")
	anim := filepath.Join(t.TempDir(), "traj.gif")
	runs, err := Collect(dirs)
	if err != nil {
		t.Fatal(err)
	}
	s, err := trajectoryPaths(runs)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.minima) != 1 || s.minima[0].X != 1 || s.minima[0].Y != 1 {
		t.Errorf("minima %v, want rosenbrock's (1, 1)", s.minima)
	}
	_, levels := s.contours()
	for i := 2; i < len(levels); i++ { // log-spaced: constant ratio
		r1, r0 := levels[i]/levels[i-1], levels[i-1]/levels[i-2]
		if math.Abs(r1-r0) > 1e-9*r0 {
			t.Fatalf("levels not log-spaced: %v", levels)
		}
	}
	o := Options{Out: out, Kind: KindTrajectory, Animate: anim, Frames: 8}
	o.Check()
	f, err := s.plot(&o, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.save(&o); err != nil {
		t.Fatal(err)
	}
	img := readPNG(t, out)
	checkPicture(t, img, 2)
	checkLegend(t, f, img, 2)
	b, err := s.animate(&o)
	if err != nil {
		t.Fatal(err)
	}
	g, err := gif.DecodeAll(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Image) != 8 {
		t.Fatalf("%d frames, want 8", len(g.Image))
	}
	if g.Config.Width != 630 || g.Config.Height != 394 {
		t.Errorf("gif %dx%d, want 630x394 (16x10 cm at 100 dpi)", g.Config.Width, g.Config.Height)
	}
	// Frames after the first hold what changed; put them together.
	canvas := image.NewRGBA(image.Rect(0, 0, g.Config.Width, g.Config.Height))
	var drawn []int
	for _, fr := range g.Image {
		stddraw.Draw(canvas, fr.Bounds(), fr, fr.Bounds().Min, stddraw.Over)
		drawn = append(drawn, count(canvas, image.Rectangle{}, OkabeIto[1]))
	}
	if drawn[len(drawn)-1] <= drawn[0]+20 || drawn[len(drawn)/2] <= drawn[0] {
		t.Errorf("the momentum path does not grow over the frames: %v pixels", drawn)
	}
	if nonWhite(canvas) < 630*394/50 {
		t.Error("the last frame is nearly blank")
	}
	// Through Render, both files.
	if err := Render(dirs, Options{Out: out, Kind: KindTrajectory, Animate: anim, Frames: 3}); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(anim); err != nil || st.Size() == 0 {
		t.Errorf("gif not written: %v", err)
	}
}

func TestSchedulePreviewFigure(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "growth.yaml")
	os.WriteFile(cfg, []byte(`
name: growth
data: {source: synthetic, generator: blobs, n: 200, features: 2, classes: 2}
model: {kind: linear}
optimizer: {name: sgd, lr: 0.1}
schedule: {name: cosine, warmup: 2}
train: {epochs: 12, batch_size: 10, batch_schedule: {name: step, factor: 2, every: 3, max: 40}}
`), 0o644)
	prob := filepath.Join(dir, "prob.yaml")
	os.WriteFile(prob, []byte(`
name: prob
problem: {function: saddle}
optimizer: {name: momentum, lr: 0.05}
schedule: {name: step, every: 30}
train: {epochs: 100}
`), 0o644)
	out := filepath.Join(dir, "sched.png")
	if err := Render([]string{cfg, prob}, Options{Out: out, Kind: KindSchedule, Schedules: previews(t, cfg, prob)}); err != nil {
		t.Fatal(err)
	}
	checkPicture(t, readPNG(t, out), 2)

	pv := previews(t, cfg)[0].Preview
	lr, batch := scheduleCurves(pv, "epoch")
	if lr.Len() != len(pv.Steps) || batch.Len() != lr.Len() {
		t.Fatalf("curves of %d and %d points for %d steps", lr.Len(), batch.Len(), len(pv.Steps))
	}
	if lr.X[lr.Len()-1] != 12 || batch.Y[0] != 10 || batch.Y[batch.Len()-1] != 40 {
		t.Errorf("x ends at %v, batch %v → %v", lr.X[lr.Len()-1], batch.Y[0], batch.Y[batch.Len()-1])
	}
}

func TestLRFindFigure(t *testing.T) {
	dir := t.TempDir()
	var raw = map[string]any{
		"data":      map[string]any{"source": "synthetic", "generator": "blobs", "n": 300, "features": 2, "classes": 3},
		"model":     map[string]any{"kind": "linear"},
		"optimizer": map[string]any{"name": "sgd", "lr": 0.1},
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
	out := filepath.Join(t.TempDir(), "lr.png")
	o := Options{Out: out, Kind: KindLRFind}
	o.Check()
	f, err := lrfindFigure([]string{dir}, &o)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, pl := range f.plotters {
		if v, ok := pl.(*vline); ok && v.x == res.Summary.Suggested {
			found = true
		}
	}
	if !found {
		t.Error("the suggested learning rate is not marked")
	}
	if !isLog(f.p.X.Scale) {
		t.Error("learning-rate axis not logarithmic")
	}
	if err := f.save(&o); err != nil {
		t.Fatal(err)
	}
	img := readPNG(t, out)
	checkPicture(t, img, 1)
	checkLegend(t, f, img, 1)
}

func TestBadInput(t *testing.T) {
	sweep := makeSweep(t)
	probs := makeProblems(t)
	out := filepath.Join(t.TempDir(), "x.png")
	for _, tc := range []struct {
		name  string
		paths []string
		o     Options
		want  string
	}{
		{"missing path", []string{filepath.Join(sweep, "nope")}, Options{Out: out}, "no such file"},
		{"not a run", []string{t.TempDir()}, Options{Out: out}, "neither a run folder"},
		{"no out", []string{sweep}, Options{}, "out FILE is required"},
		{"bad kind", []string{sweep}, Options{Out: out, Kind: "curve"}, `did you mean "curves"`},
		{"bad extension", []string{sweep}, Options{Out: "x.jpg"}, "unsupported format"},
		{"bad band", []string{sweep}, Options{Out: out, Band: "iqr"}, `band "iqr"`},
		{"bad x axis", []string{sweep}, Options{Out: out, X: "time"}, `x "time"`},
		{"unknown metric", []string{sweep}, Options{Out: out, Metric: "test_los"}, `did you mean "test_loss"`},
		{"empty metric", probs, Options{Out: out, Metric: "test_acc"}, "column is empty"},
		{"examples of a problem", probs, Options{Out: out, X: "examples"}, "no examples"},
		{"unknown group", []string{sweep}, Options{Out: out, Group: "optimizer.nam"}, `did you mean "optimizer.name"`},
		{"sensitivity x", []string{sweep}, Options{Out: out, Kind: KindSensitivity, X: "optimizer.momentum"}, "no run has this config key"},
		{"sensitivity x not swept", []string{sweep}, Options{Out: out, Kind: KindSensitivity, X: "train.epochs"}, "not swept"},
		{"sensitivity metric", []string{sweep}, Options{Out: out, Kind: KindSensitivity, Metric: "test_loss"}, "not a results column"},
		{"animate kind", []string{sweep}, Options{Out: out, Animate: "a.gif"}, "only for trajectory figures"},
		{"animate ext", probs, Options{Out: out, Kind: KindTrajectory, Animate: "a.png"}, ".gif"},
		{"trajectory of data", []string{sweep}, Options{Out: out, Kind: KindTrajectory}, "not a test-function run"},
		{"schedule without previews", []string{t.TempDir()}, Options{Out: out, Kind: KindSchedule}, "no config to preview"},
		{"lrfind of run", probs[:1], Options{Out: out, Kind: KindLRFind}, "no lrfind.csv"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Render(tc.paths, tc.o)
			if !errors.Is(err, report.ErrBadInput) {
				t.Fatalf("err %v, want bad input", err)
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("err %q, want one line with %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "--") { // the flags are the command line's to name
				t.Errorf("err %q names a flag", err)
			}
		})
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed plot wrote its output")
	}
}

func isLog(s plot.Normalizer) bool {
	_, ok := s.(plot.LogScale)
	return ok
}

// A figure and its animation are written all or none: an animation that cannot be written
// leaves no figure behind, and the error names the file, not a temporary one.
func TestTrajectoryWritesAllOrNone(t *testing.T) {
	dirs := makeProblems(t)
	dir := t.TempDir()
	blocker := filepath.Join(dir, "afile")
	if err := os.WriteFile(blocker, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "t.png")
	err := Render(dirs, Options{Out: out, Kind: KindTrajectory, Animate: filepath.Join(blocker, "t.gif"), Frames: 2})
	if !errors.Is(err, report.ErrBadInput) || strings.Contains(err.Error(), ".tmp") {
		t.Errorf("error %v: want bad input naming no temporary file", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("t.png was written although the animation failed")
	}
}

// A schedule that drives momentum gets a momentum panel, and reduce-on-plateau says that the
// preview shows it before any reduction.
func TestSchedulePreviewMomentumPanel(t *testing.T) {
	dir := t.TempDir()
	oc := filepath.Join(dir, "oc.yaml")
	os.WriteFile(oc, []byte("name: oc\ndata: {source: synthetic, n: 100}\nmodel: {kind: linear}\noptimizer: {name: momentum, lr: 0.1}\nschedule: {name: onecycle}\ntrain: {epochs: 6, batch_size: 20}\n"), 0o644)
	pl := filepath.Join(dir, "pl.yaml")
	os.WriteFile(pl, []byte("name: pl\ndata: {source: synthetic, n: 100}\nmodel: {kind: linear}\noptimizer: {name: sgd, lr: 0.1}\nschedule: {name: plateau}\ntrain: {epochs: 6, batch_size: 20}\n"), 0o644)
	o := Options{Out: filepath.Join(dir, "s.png"), Kind: KindSchedule, Schedules: previews(t, oc, pl)}
	if err := o.Check(); err != nil {
		t.Fatal(err)
	}
	sp, err := newSchedulePlan(&o)
	if err != nil {
		t.Fatal(err)
	}
	sp.newPanels()
	if !sp.showMom || len(sp.panels()) != 3 || sp.title() != "Learning rate, momentum and batch size" {
		t.Errorf("momentum panel %v, %d panels, title %q", sp.showMom, len(sp.panels()), sp.title())
	}
	if err := Render(nil, o); err != nil && !strings.Contains(err.Error(), "PATH") {
		t.Fatal(err)
	}
	if err := Render([]string{oc, pl}, o); err != nil {
		t.Fatal(err)
	}
	checkPicture(t, readPNG(t, o.Out), 2)
	if !o.Schedules[1].Preview.Observes || o.Schedules[0].Preview.Observes {
		t.Error("only the plateau preview observes evaluations")
	}
}
