package cmd

import (
	"bytes"
	"context"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/optimbench/optimbench/internal/plot"
)

func TestPlotFlags(t *testing.T) {
	var got *plotOptions
	cmd := newCmdPlot(func(_ context.Context, o *plotOptions, _, _ io.Writer) error {
		got = o
		return nil
	})
	cmd.SetArgs([]string{"a", "b", "--out", "f.svg", "--kind", "sensitivity", "--x", "optimizer.lr",
		"--metric", "best_test_loss", "--group", "optimizer.name", "--band", "sem", "--logx", "--logy=false",
		"--title", "T", "--size", "8x6", "--dpi", "300"})
	cmd.SetOut(io.Discard)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	want := plot.Options{Kind: "sensitivity", Out: "f.svg", Metric: "best_test_loss", X: "optimizer.lr",
		Group: "optimizer.name", Band: "sem", LogX: plot.ScaleLog, LogY: plot.ScaleLinear, Title: "T",
		Width: 8 * vg.Centimeter, Height: 6 * vg.Centimeter, DPI: 300}
	if got == nil || !reflect.DeepEqual(got.Options, want) || strings.Join(got.Paths, ",") != "a,b" {
		t.Errorf("options %+v, want %+v", got, want)
	}
	// Without --logx/--logy the scales are automatic.
	cmd = newCmdPlot(func(_ context.Context, o *plotOptions, _, _ io.Writer) error { got = o; return nil })
	cmd.SetArgs([]string{"a", "--out", "f.png"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.LogX != plot.ScaleAuto || got.LogY != plot.ScaleAuto || got.Kind != "curves" || got.Band != "std" {
		t.Errorf("defaults %+v", got.Options)
	}
}

func TestLRFindThenPlot(t *testing.T) {
	dir := t.TempDir()
	cfg := write(t, dir, "good.yaml", good)
	out := filepath.Join(dir, "lf")
	code, stdout, stderr := runCLI(t, "lrfind", "--config", cfg, "--out", out, "--min", "1e-4", "--max", "100", "--steps", "50")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.TrimSpace(stdout) != out || !strings.Contains(stderr, "suggested learning rate") {
		t.Errorf("stdout %q stderr %q", stdout, stderr)
	}
	first, _ := os.ReadFile(filepath.Join(out, "lrfind.csv"))
	// The same config again gives the same file; the folder is not reused.
	out2 := filepath.Join(dir, "lf2")
	if code, _, stderr = runCLI(t, "lrfind", "--config", cfg, "--out", out2, "--min", "1e-4", "--max", "100", "--steps", "50"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	second, _ := os.ReadFile(filepath.Join(out2, "lrfind.csv"))
	if len(first) == 0 || !bytes.Equal(first, second) {
		t.Error("two range tests of the same config differ")
	}
	if code, _, stderr = runCLI(t, "lrfind", "--config", cfg, "--out", out); code != 2 || !strings.Contains(stderr, "already holds") {
		t.Errorf("reuse of a folder: exit %d %q", code, stderr)
	}

	fig := filepath.Join(dir, "lr.png")
	code, stdout, stderr = runCLI(t, "plot", out, "--kind", "lrfind", "--out", fig)
	if code != 0 || strings.TrimSpace(stdout) != fig {
		t.Fatalf("plot: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	f, err := os.Open(fig)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 945 || b.Dy() != 591 {
		t.Errorf("figure %v, want 945x591 (16x10 cm at 150 dpi)", b)
	}
}

func TestPlotCurvesOfATrainRun(t *testing.T) {
	dir := t.TempDir()
	cfg := write(t, dir, "good.yaml", good)
	run := filepath.Join(dir, "run")
	if code, _, stderr := runCLI(t, "train", "-q", "--config", cfg, "--out", run); code != 0 {
		t.Fatalf("train: exit %d %s", code, stderr)
	}
	for _, name := range []string{"c.png", "c.svg", "c.pdf"} {
		out := filepath.Join(dir, "figs", name)
		if code, _, stderr := runCLI(t, "plot", run, "--out", out, "--metric", "train_acc", "--title", "accuracy"); code != 0 {
			t.Fatalf("plot %s: exit %d %s", name, code, stderr)
		}
		if st, err := os.Stat(out); err != nil || st.Size() < 500 {
			t.Errorf("%s: %v", name, err)
		}
	}
	sched := filepath.Join(dir, "s.png")
	if code, _, stderr := runCLI(t, "plot", cfg, "--kind", "schedule", "--out", sched); code != 0 {
		t.Fatalf("schedule: exit %d %s", code, stderr)
	}
}

func TestPlotAndLRFindBadUsage(t *testing.T) {
	dir := t.TempDir()
	cfg := write(t, dir, "good.yaml", good)
	run := filepath.Join(dir, "run")
	if code, _, stderr := runCLI(t, "train", "-q", "--config", cfg, "--out", run); code != 0 {
		t.Fatalf("train: exit %d %s", code, stderr)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"plot", "--out", "x.png"}, "at least one PATH"},
		{[]string{"plot", filepath.Join(dir, "missing"), "--out", "x.png"}, "no such file"},
		{[]string{"plot", run, "--out", "x.png", "--kind", "bars"}, "--kind"},
		{[]string{"plot", run, "--out", "x.gif"}, "unsupported format"},
		{[]string{"plot", run, "--out", "x.png", "--metric", "loss"}, "--metric loss"},
		{[]string{"plot", run, "--out", "x.png", "--kind", "sensitivity", "--x", "optimizer.momentum"}, "--x optimizer.momentum"},
		{[]string{"plot", run, "--out", "x.png", "--size", "big"}, "--size"},
		{[]string{"plot", run, "--out", "x.png", "--dpi", "5"}, "--dpi"},
		{[]string{"lrfind"}, "--config FILE is required"},
		{[]string{"lrfind", "--config", cfg, "--min", "0"}, "--min"},
		{[]string{"lrfind", "--config", cfg, "--min", "1", "--max", "0.5"}, "--max"},
		{[]string{"lrfind", "--config", cfg, "--steps", "2"}, "--steps"},
		{[]string{"lrfind", "--config", filepath.Join(dir, "none.yaml")}, "no such file"},
	} {
		code, stdout, stderr := runCLI(t, tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 || stdout != "" {
			t.Errorf("%v: exit %d, stderr %q (want one line with %q)", tc.args, code, stderr, tc.want)
		}
	}
}
