package train

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/optimbench/optimbench/internal/report"
)

const lrfindDoc = `
seed: 3
data: {source: synthetic, generator: blobs, n: 400, features: 2, classes: 3, noise: 0.5}
model: {kind: mlp, hidden: [8]}
optimizer: {name: sgd, lr: 0.1}
train: {epochs: 2, batch_size: 16}
`

func TestLRFind(t *testing.T) {
	o := LRFindOptions{Min: 1e-5, Max: 1e3, Steps: 60}
	res, err := setup(t, lrfindDoc).LRFind(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	pts := res.Points
	s := res.Summary
	if s.Stopped == "" || len(pts) >= o.Steps {
		t.Errorf("lr up to 1000 should diverge: %d points, stopped %q", len(pts), s.Stopped)
	}
	if pts[0].LR != o.Min || math.Abs(pts[0].Smoothed-pts[0].Loss) > 1e-12*pts[0].Loss {
		t.Errorf("first point %+v: lr = min and the bias-corrected average = the loss", pts[0])
	}
	ratio := math.Pow(o.Max/o.Min, 1/float64(o.Steps-1))
	avg := 0.0
	for i, p := range pts {
		if i > 0 && math.Abs(p.LR/pts[i-1].LR-ratio) > 1e-9 {
			t.Fatalf("lr %d: ramp ratio %v, want %v", i, p.LR/pts[i-1].LR, ratio)
		}
		avg = 0.98*avg + 0.02*p.Loss
		if want := avg / (1 - math.Pow(0.98, float64(i+1))); math.Abs(p.Smoothed-want) > 1e-12*want {
			t.Fatalf("smoothed %d: %v, want %v", i, p.Smoothed, want)
		}
	}
	last := pts[len(pts)-1]
	best := slices.MinFunc(pts[:len(pts)-1], func(a, b report.LRFindPoint) int { return cmpFloat(a.Smoothed, b.Smoothed) })
	if !strings.Contains(s.Stopped, "exceeded") || last.Smoothed <= 4*best.Smoothed {
		t.Errorf("stopped %q at smoothed %v, best %v", s.Stopped, last.Smoothed, best.Smoothed)
	}
	if !(s.Suggested > o.Min && s.Suggested < s.MinLossLR) || s.Method != "steepest" {
		t.Errorf("suggested %v (%s), minimum at %v", s.Suggested, s.Method, s.MinLossLR)
	}

	// Deterministic: the same config gives the same points.
	again, err := setup(t, lrfindDoc).LRFind(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(again.Points, res.Points) || again.Summary != res.Summary {
		t.Error("two range tests of the same config differ")
	}
	other, _ := setup(t, lrfindDoc, "seed=4").LRFind(context.Background(), o)
	if slices.Equal(other.Points, res.Points) {
		t.Error("another seed gave the same points")
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestLRFindCyclesBatches(t *testing.T) {
	// 80 training samples in batches of 16: 5 per pass; 40 steps = 8 passes.
	doc := `
data: {source: synthetic, generator: linear, n: 100, features: 2}
model: {kind: linear}
optimizer: {name: adam, lr: 0.1}
train: {batch_size: 16}
`
	res, err := setup(t, doc).LRFind(context.Background(), LRFindOptions{Min: 1e-6, Max: 1e-2, Steps: 40})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Points) != 40 || res.Summary.Stopped != "" || res.Points[39].LR != 1e-2 || res.Summary.BatchSize != 16 {
		t.Errorf("%d points, stopped %q, last lr %v, batch %d", len(res.Points), res.Summary.Stopped, res.Points[len(res.Points)-1].LR, res.Summary.BatchSize)
	}
}

func TestLRFindProblem(t *testing.T) {
	doc := `
problem: {function: rosenbrock}
optimizer: {name: adam, lr: 0.01}
train: {epochs: 10}
`
	res, err := setup(t, doc).LRFind(context.Background(), LRFindOptions{Min: 1e-4, Max: 10, Steps: 100})
	if err != nil {
		t.Fatal(err)
	}
	if res.Points[0].Loss != 12.5 || res.Summary.BatchSize != -1 {
		t.Errorf("first loss %v (rosenbrock at the default start is 12.5), batch %d", res.Points[0].Loss, res.Summary.BatchSize)
	}
}

func TestSuggestLR(t *testing.T) {
	ramp := func(f func(logLR float64) float64) []report.LRFindPoint {
		var pts []report.LRFindPoint
		for i := range 81 {
			l := -6 + 8*float64(i)/80
			pts = append(pts, report.LRFindPoint{LR: math.Pow(10, l), Smoothed: f(l)})
		}
		return pts
	}
	// A sigmoid descent centred at 1e-3, then a rise after 1e-1.
	pts := ramp(func(l float64) float64 {
		v := 1 + 1/(1+math.Exp(3*(l+3)))
		if l > -1 {
			v += (l + 1) * (l + 1)
		}
		return v
	})
	lr, method, minLR := suggestLR(pts)
	if method != "steepest" || math.Abs(math.Log10(lr)+3) > 0.11 || minLR < 1e-2 || minLR > 0.2 {
		t.Errorf("suggested %v (%s), minimum at %v; want steepest at 1e-3", lr, method, minLR)
	}
	// Barely falling: no clear descent, a tenth of the minimum.
	pts = ramp(func(l float64) float64 { return 1 - 0.01*math.Min(l, 0)/-6 + math.Max(l, 0) })
	if lr, method, minLR := suggestLR(pts); method != "minimum/10" || lr != minLR/10 {
		t.Errorf("flat curve: %v (%s), minimum at %v", lr, method, minLR)
	}
}

func TestLRFindOptionsAndFiles(t *testing.T) {
	for _, tc := range []struct {
		o     LRFindOptions
		field string
	}{
		{LRFindOptions{0, 1, 10}, "Min"}, {LRFindOptions{1, 1, 10}, "Max"}, {LRFindOptions{1e-3, math.Inf(1), 10}, "Max"},
		{LRFindOptions{1e-3, 1, 4}, "Steps"}, {LRFindOptions{1e-3, 1, MaxLRFindSteps + 1}, "Steps"}, {LRFindOptions{math.NaN(), 1, 10}, "Min"},
	} {
		err := tc.o.Validate()
		if !errors.Is(err, report.ErrBadInput) {
			t.Errorf("%+v: %v, want bad input", tc.o, err)
		}
		// The error names the field, not a flag (the command maps it to its flag).
		var oe *report.OptionError
		if !errors.As(err, &oe) || oe.Option != tc.field || strings.Contains(err.Error(), "--") {
			t.Errorf("%+v: %v, want an *OptionError for %s without flag names", tc.o, err, tc.field)
		}
	}
	res, err := setup(t, lrfindDoc).LRFind(context.Background(), LRFindOptions{Min: 1e-4, Max: 1, Steps: 20})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "lf")
	if f := holdsLRFind(dir); f != "" {
		t.Fatalf("a new folder holds %s", f)
	}
	if err := report.WriteLRFind(dir, res.Points, &res.Summary); err != nil {
		t.Fatal(err)
	}
	tab, err := report.ReadTable(filepath.Join(dir, "lrfind.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tab.Header, []string{"lr", "loss", "smoothed_loss"}) || tab.Rows != len(res.Points) || tab.Cols["smoothed_loss"][5] != res.Points[5].Smoothed {
		t.Errorf("lrfind.csv: header %v, %d rows", tab.Header, tab.Rows)
	}
	s, err := report.ReadLRFindSummary(filepath.Join(dir, "lrfind.json"))
	if err != nil || *s != res.Summary {
		t.Errorf("lrfind.json read back %+v, %v", s, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("the folder holds %d files, want lrfind.csv and lrfind.json only", len(entries))
	}
	if f := holdsLRFind(dir); f == "" {
		t.Errorf("a second range test into the same folder would not be refused")
	}
	if _, err := setup(t, lrfindDoc).LRFind(context.Background(), LRFindOptions{Min: 1, Max: 0.1, Steps: 20}); !errors.Is(err, report.ErrBadInput) {
		t.Errorf("LRFind with bad options: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := setup(t, lrfindDoc).LRFind(ctx, LRFindOptions{Min: 1e-4, Max: 1, Steps: 20}); err == nil {
		t.Error("a cancelled range test returned no error")
	}
}

// holdsLRFind is the check of `optimbench lrfind` (which refuses a folder holding a range test):
// the first of report.LRFindFiles in dir, or "".
func holdsLRFind(dir string) string {
	for _, f := range report.LRFindFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return f
		}
	}
	return ""
}
