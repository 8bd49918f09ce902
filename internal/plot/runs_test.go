package plot

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/optimbench/optimbench/internal/report"
)

// The same run given twice is one run: the figure's counts and bands are
// those of the runs, not of the paths given.
func TestCollectCountsEachRunOnce(t *testing.T) {
	sweep := makeSweep(t)
	id := "sgd-lr0.1-s1-0123abcd"
	run := filepath.Join(sweep, "runs", id)
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(run, link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		paths []string
		want  int
	}{
		{"a run twice", []string{run, run}, 1},
		{"a run and a link to it", []string{run, link}, 1},
		{"a run with a trailing slash", []string{run, run + "/", filepath.Join(run, ".")}, 1},
		{"a sweep twice", []string{sweep, sweep}, 12},
		{"a sweep and one of its runs", []string{sweep, run}, 12},
		{"a run and then its sweep", []string{run, sweep}, 12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runs, err := Collect(tc.paths)
			if err != nil {
				t.Fatal(err)
			}
			if len(runs) != tc.want {
				t.Errorf("%d runs, want %d", len(runs), tc.want)
			}
		})
	}

	// First occurrence order; what the sweep knows completes a run given
	// before it.
	runs, err := Collect([]string{run, sweep})
	if err != nil {
		t.Fatal(err)
	}
	if runs[0].Dir != run || len(runs[0].Swept) == 0 {
		t.Errorf("first run %s (swept %v), want %s with the sweep's swept keys", runs[0].Dir, runs[0].Swept, run)
	}

	// Relative spellings of one folder.
	t.Chdir(filepath.Join(sweep, "runs"))
	if runs, err := Collect([]string{"./" + id, id + "/"}); err != nil || len(runs) != 1 {
		t.Errorf("./R R/: %d runs (%v), want 1", len(runs), err)
	}

	// The legend counts each run once.
	out := filepath.Join(t.TempDir(), "twice.svg")
	if err := Render([]string{sweep, sweep}, Options{Out: out, Group: "optimizer.name"}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("adam (n=6")) || bytes.Contains(b, []byte("n=12")) {
		t.Error("the legend does not count the sweep's runs once: want adam (n=6, …)")
	}
}

// divergedAt follows what the run folder says: the step of summary.json's
// reason, else the first row past diverge_factor × the first row's loss (or
// not finite), and nothing for a run that finished.
func TestDivergedAt(t *testing.T) {
	table := func(loss ...float64) *report.Table {
		tb := &report.Table{Cols: map[string][]float64{}, Rows: len(loss)}
		for i := range loss {
			tb.Cols["step"] = append(tb.Cols["step"], float64(10*i))
		}
		tb.Cols["train_loss"] = loss
		return tb
	}
	nan := math.NaN()
	for _, tc := range []struct {
		name  string
		run   Run
		table *report.Table
		want  int
	}{
		{"reason's step", Run{Status: "diverged", Reason: "loss 3e+06 exceeded 10000 × the initial loss 2 at step 35"},
			table(2, 1, 1, 1, 1, 1), 4},
		{"reason's step past the last row", Run{Status: "diverged", Reason: "loss became NaN at step 99"}, table(2, 1, 3), 2},
		{"no step: the factor of config.yaml", Run{Status: "diverged", Params: map[string]string{"train.diverge_factor": "1000"}},
			table(2, 3, 15000, nan), 2},
		{"no step: the default factor", Run{Status: "diverged"}, table(2, 3, 15000, nan), 3},
		{"no step, no sign: the last row", Run{Status: "diverged"}, table(2, 3, 4), 2},
		{"no summary: the rows decide", Run{Params: map[string]string{"train.diverge_factor": "1000"}}, table(2, 3, 15000, 1), 2},
		{"no summary, no sign", Run{}, table(2, 3, 4), -1},
		{"done", Run{Status: "done"}, table(2, nan, 1e9), -1},
		{"failed", Run{Status: "failed"}, table(2, nan), -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.run.divergedAt(tc.table); got != tc.want {
				t.Errorf("diverged at row %d, want %d", got, tc.want)
			}
		})
	}
}

// A sensitivity plot against a key that was not swept is an error naming
// the keys that were.
func TestSensitivityKeyNotSwept(t *testing.T) {
	sweep := makeSweep(t)
	err := Render([]string{sweep}, Options{Out: filepath.Join(t.TempDir(), "s.png"), Kind: KindSensitivity, X: "train.epochs"})
	var oe *report.OptionError
	if !errors.As(err, &oe) || oe.Option != "X" || !errors.Is(err, report.ErrBadInput) {
		t.Fatalf("err %v, want an OptionError of X", err)
	}
	for _, want := range []string{"train.epochs", "not swept", "optimizer.lr", "optimizer.name"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err %q lacks %q", err, want)
		}
	}
}

// A range test given twice is drawn once.
func TestRangeTestGivenTwice(t *testing.T) {
	dir := makeRangeTest(t, "sgd", 0.1)
	o := Options{Out: filepath.Join(t.TempDir(), "lr.png"), Kind: KindLRFind}
	o.Check()
	f, err := lrfindFigure([]string{dir, dir + "/", filepath.Join(dir, "lrfind.csv")}, &o)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.items) == 0 || f.items[0].label != "smoothed loss" {
		t.Errorf("legend %v, want the one range test's", f.items)
	}
}
