package plot

import (
	"context"
	"encoding/csv"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"go.yaml.in/yaml/v3"
	"gonum.org/v1/plot/vg"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/report"
	"github.com/optimbench/optimbench/internal/train"
)

// previews computes the schedule previews of config files, as the plot command does.
func previews(t *testing.T, files ...string) []Schedule {
	t.Helper()
	var out []Schedule
	for _, f := range files {
		c, err := config.Load(f, nil)
		if err != nil {
			t.Fatal(err)
		}
		n, err := train.TrainExamples(c)
		if err != nil {
			t.Fatal(err)
		}
		pv, err := train.Preview(context.Background(), c, n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, Schedule{Preview: pv, File: f})
	}
	return out
}

// The fixtures are tiny real trainings written by package train, so
// the figures are tested on the files train and sweep really write.

const blobs = `
name: blobs
data: {source: synthetic, generator: blobs, n: 120, features: 2, classes: 3, noise: 0.5}
model: {kind: linear}
optimizer: {name: %s, lr: %g}
train: {epochs: 6, batch_size: 20, diverge_factor: 3}
seed: %d
`

const rosenbrock = `
name: %s
problem: {function: rosenbrock, start: [-1.5, 2.0]}
optimizer: {name: %s, lr: %g}
train: {epochs: 150, eval_every: 10}
`

// trainRun runs one experiment described by doc into dir.
func trainRun(t *testing.T, dir, doc string) {
	t.Helper()
	var raw map[string]any
	if err := yaml.Unmarshal([]byte(doc), &raw); err != nil {
		t.Fatal(err)
	}
	c, err := config.Decode(raw, "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := train.Setup(context.Background(), c, train.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Execute(context.Background(), dir, nil); err != nil {
		t.Fatal(err)
	}
}

// sweepPoint is one run of the test sweep.
type sweepPoint struct {
	opt  string
	lr   float64
	seed int
}

// makeSweep writes a sweep folder as SPEC §3 lays it out: runs/<run_id>/
// folders written by real trainings, and a results.csv written here by hand
// with the SPEC's columns (swept keys optimizer.name and optimizer.lr, and a
// trailing reason column as the sweep command writes). The
// learning rate 50 makes sgd diverge.
func makeSweep(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var pts []sweepPoint
	for _, opt := range []string{"sgd", "adam"} {
		for _, lr := range []float64{0.01, 0.1, 50} {
			for seed := 1; seed <= 2; seed++ {
				pts = append(pts, sweepPoint{opt, lr, seed})
			}
		}
	}
	f, err := os.Create(filepath.Join(dir, "results.csv"))
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	w.Write([]string{"run_id", "status", "seed", "optimizer.name", "optimizer.lr", "epochs", "steps",
		"final_train_loss", "final_test_loss", "best_test_loss", "final_test_acc", "best_test_acc", "seconds", "reason"})
	cell := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'g', -1, 64)
	}
	for _, p := range pts {
		id := fmt.Sprintf("%s-lr%g-s%d-0123abcd", p.opt, p.lr, p.seed)
		rd := filepath.Join(dir, "runs", id)
		trainRun(t, rd, fmt.Sprintf(blobs, p.opt, p.lr, p.seed))
		s, err := report.ReadSummary(filepath.Join(rd, "summary.json"))
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]string{id, s.Status, strconv.Itoa(p.seed), p.opt, strconv.FormatFloat(p.lr, 'g', -1, 64),
			strconv.Itoa(s.Epochs), strconv.Itoa(s.Steps), cell(s.Final.TrainLoss), cell(s.Final.TestLoss),
			cell(s.Best.TestLoss), cell(s.Final.TestAcc), cell(s.Best.TestAcc), strconv.FormatFloat(s.Seconds, 'g', -1, 64), s.Reason})
	}
	// A point of an interrupted sweep: listed, never run, no folder.
	w.Write([]string{"adam-lr1-s1-89abcdef", "pending", "1", "adam", "1", "", "", "", "", "", "", "", "", ""})
	w.Flush()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// makeProblems writes two rosenbrock runs (adam and momentum).
func makeProblems(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	var dirs []string
	for _, r := range []struct {
		opt string
		lr  float64
	}{{"adam", 0.05}, {"momentum", 0.001}} {
		d := filepath.Join(dir, r.opt)
		trainRun(t, d, fmt.Sprintf(rosenbrock, "rb-"+r.opt, r.opt, r.lr))
		dirs = append(dirs, d)
	}
	return dirs
}

// readPNG decodes a PNG file.
func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// wantSize checks the pixel size of the default figure at the default dpi.
func wantSize(t *testing.T, img image.Image) {
	t.Helper()
	w := int(math.Round(DefaultWidth.Dots(DefaultDPI)))
	h := int(math.Round(DefaultHeight.Dots(DefaultDPI)))
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Errorf("size %dx%d, want %dx%d", b.Dx(), b.Dy(), w, h)
	}
}

// near tells whether c is within tol of want in every channel.
func near(c color.Color, want color.RGBA, tol int) bool {
	r, g, b, _ := c.RGBA()
	d := func(x uint32, y uint8) bool { return int(x>>8)-int(y) <= tol && int(y)-int(x>>8) <= tol }
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}

// count counts the pixels of r (the whole image when empty) near colour c.
func count(img image.Image, r image.Rectangle, c color.RGBA) int {
	if r.Empty() {
		r = img.Bounds()
	}
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if near(img.At(x, y), c, 12) {
				n++
			}
		}
	}
	return n
}

// nonWhite counts the pixels that are not white.
func nonWhite(img image.Image) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if !near(img.At(x, y), color.RGBA{255, 255, 255, 255}, 3) {
				n++
			}
		}
	}
	return n
}

// checkPicture checks a figure PNG: default size, not blank, and each of
// the first n palette colours drawn.
func checkPicture(t *testing.T, img image.Image, n int) {
	t.Helper()
	wantSize(t, img)
	if nw, all := nonWhite(img), img.Bounds().Dx()*img.Bounds().Dy(); nw < all/50 {
		t.Errorf("nearly blank: %d of %d pixels drawn", nw, all)
	}
	for i := range n {
		if c := count(img, image.Rectangle{}, OkabeIto[i]); c < 30 {
			t.Errorf("palette colour %d (%v) drawn on %d pixels only", i, OkabeIto[i], c)
		}
	}
}

// legendPixels returns the legend's rectangle in image pixels.
func legendPixels(f *figure, img image.Image) image.Rectangle {
	scale := float64(DefaultDPI) / 72
	h := img.Bounds().Dy()
	r := f.legendBox
	px := func(l vg.Length) int { return int(math.Round(float64(l.Points()) * scale)) }
	return image.Rect(px(r.Min.X), h-px(r.Max.Y), px(r.Max.X), h-px(r.Min.Y))
}

// checkLegend checks that the legend box holds the first n palette colours
// (its thumbnails) and dark text.
func checkLegend(t *testing.T, f *figure, img image.Image, n int) {
	t.Helper()
	r := legendPixels(f, img)
	if r.Dx() < 40 || r.Dy() < 10 {
		t.Fatalf("legend box %v too small or missing", r)
	}
	for i := range n {
		if c := count(img, r, OkabeIto[i]); c < 10 {
			t.Errorf("legend lacks palette colour %d: %d pixels in %v", i, c, r)
		}
	}
	if c := count(img, r, color.RGBA{0, 0, 0, 255}); c < 40 {
		t.Errorf("legend has no text: %d dark pixels in %v", c, r)
	}
}
