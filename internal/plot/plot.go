// Package plot draws the figures of `optimbench plot` from the files that
// train, sweep and lrfind wrote (SPEC §3), read back through package report:
// it reads run folders and sweep folders, never trains and never reads a
// config's data (a schedule preview comes in computed). It is the only
// package that imports gonum/plot.
//
// The data behind a figure (curves, seed bands, groups) are plain values
// with Len/XY (series.go), built from the files read back (runs.go); the
// figure builders (curves.go, sensitivity.go, schedule.go, trajectory.go,
// lrfind.go) turn them into gonum/plot plots, written as PNG, SVG or PDF by
// the extension of the output file.
//
// Conventions shared by the figures:
//   - Lines take the Okabe–Ito palette, colour-blind safe, without its
//     yellow (faint on white): seven colours, then the colours repeat
//     dashed, dotted and dash-dotted, so that no two lines look alike.
//   - Runs are told apart by their folder (resolved: absolute, symbolic
//     links followed): a run reached twice (plot R R, a sweep and one of its
//     runs, ./R and R/) counts once.
//   - Runs that differ only in their seed form one group, drawn as the mean
//     on a common x-axis with a band (--band std|sem|minmax|none); the
//     legend gives the number of runs and of those that diverged,
//     "adam (n=3)", "adam (n=6, 2 diverged)".
//   - A diverged run counts in its group's mean and band up to its
//     divergence point, the row its run folder says it diverged at
//     (Run.divergedAt: summary.json's status and the step of its reason, or
//     the first row whose training loss is not finite or exceeds
//     train.diverge_factor × the first row's). From there on it is out of
//     them: it is drawn on its own thin line in its group's colour over the
//     whole run, with a × at its divergence point. A × is drawn wholly inside
//     the data area, on its edge when its value is off the chart; a cross
//     that would fall on another is set beside it, in the runs' order and
//     with no jitter.
//   - Curves: the x-axis spans every row of every run (also rows whose
//     metric is not finite). When the first evaluation (before any update)
//     would squash the rest of the curves into under a third of the height,
//     the y-range leaves it out and its segment enters from the edge; the
//     legend lists the best final value first.
//   - Log axes: --logx/--logy force them (--logy=false forbids); without the
//     flag, a loss spanning two decades or more gets a log y-axis, and a
//     learning-rate key (or any positive key spanning two decades) a log
//     x-axis in sensitivity plots. A log y-axis of curves reaches up to the
//     divergence points; its labels thin out to every second, third… power
//     of ten over many decades.
//   - The legend never covers data: it goes in a corner of the data area
//     (or the middle of its top or bottom edge) that no line, band or marker
//     reaches, else beside the axes on the right or below them in columns,
//     whichever leaves the plot more room (beside the panels of a schedule
//     preview), the plot area shrunk to make room.
//   - Schedule previews: every line lies within labelled ticks; a log
//     batch-size axis is labelled at the batch sizes drawn.
//   - Sensitivity: a diverged run has no value to draw; its × stands in a
//     shaded strip along the top edge (bottom for accuracies) that the
//     y-axis leaves unlabelled, in its group's column at its x. --x must be
//     a key the runs differ in (a swept key): one that every run shares is
//     an error naming the swept keys.
package plot

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"gonum.org/v1/plot/vg"

	"github.com/optimbench/optimbench/internal/report"
)

// Kinds of figure (--kind).
const (
	KindCurves      = "curves"
	KindSensitivity = "sensitivity"
	KindSchedule    = "schedule"
	KindTrajectory  = "trajectory"
	KindLRFind      = "lrfind"
)

// Kinds lists the --kind values.
var Kinds = []string{KindCurves, KindSensitivity, KindSchedule, KindTrajectory, KindLRFind}

// CurveAxes are the --x values of curves (and schedule previews).
var CurveAxes = []string{"epoch", "step", "examples", "seconds"}

// Scale is an axis scale choice.
type Scale int

// Scale choices: automatic (see the package doc), or forced.
const (
	ScaleAuto Scale = iota
	ScaleLinear
	ScaleLog
)

// Options are the flags of `optimbench plot`.
type Options struct {
	Kind    string // curves (default) | sensitivity | schedule | trajectory | lrfind
	Out     string // figure file: .png, .svg or .pdf
	Animate string // trajectory: also an animated GIF
	Metric  string // curves: metrics.csv column; sensitivity: results.csv column
	X       string // curves: epoch|step|examples|seconds; sensitivity: config key
	Group   string // config key(s), comma-separated; "" = runs differing only in seed
	Band    string // std (default) | sem | minmax | none
	LogX    Scale
	LogY    Scale
	Title   string
	Width   vg.Length // default DefaultWidth
	Height  vg.Length // default DefaultHeight
	DPI     int       // PNG resolution, default DefaultDPI
	Frames  int       // GIF frames, default 60
	// Schedules are the previews a schedule figure draws, one per config (computed by the
	// caller from the configs: plot never reads a config's data).
	Schedules []Schedule
}

// Check validates the options that do not depend on the files, filling
// in defaults.
func (o *Options) Check() error {
	if o.Kind == "" {
		o.Kind = KindCurves
	}
	if !slices.Contains(Kinds, o.Kind) {
		return optErr("Kind", "%q: unknown (one of %s)%s", o.Kind, strings.Join(Kinds, ", "), suggest(o.Kind, Kinds))
	}
	if o.Out == "" && o.Animate == "" {
		return optErr("Out", "FILE is required (.png, .svg or .pdf)")
	}
	if o.Out != "" {
		if ext, ok := format(o.Out); !ok {
			return optErr("Out", "%s: unsupported format %q (use .png, .svg or .pdf)", o.Out, ext)
		}
	}
	if o.Animate != "" {
		if o.Kind != KindTrajectory {
			return optErr("Animate", "is only for trajectory figures")
		}
		if !strings.EqualFold(extOf(o.Animate), ".gif") {
			return optErr("Animate", "%s: must be a .gif file", o.Animate)
		}
	}
	if o.Band == "" {
		o.Band = BandStd
	}
	if !slices.Contains(Bands, o.Band) {
		return optErr("Band", "%q: unknown (one of %s)", o.Band, strings.Join(Bands, ", "))
	}
	if o.Kind == KindCurves || o.Kind == KindSchedule {
		if o.X != "" && !slices.Contains(CurveAxes, o.X) {
			return optErr("X", "%q: %s plots take one of %s", o.X, o.Kind, strings.Join(CurveAxes, ", "))
		}
		if o.Kind == KindSchedule && o.X == "seconds" {
			return optErr("X", "seconds: a schedule preview has no wall-clock time (use epoch, step or examples)")
		}
	}
	if o.Width == 0 {
		o.Width = DefaultWidth
	}
	if o.Height == 0 {
		o.Height = DefaultHeight
	}
	if o.Width < 4*vg.Centimeter || o.Height < 3*vg.Centimeter || o.Width > 200*vg.Centimeter || o.Height > 200*vg.Centimeter {
		return report.BadInput(fmt.Errorf("plot: figure size %.3gx%.3g cm: must be between 4x3 and 200x200 cm", o.Width.Dots(1)/vg.Centimeter.Dots(1), o.Height.Dots(1)/vg.Centimeter.Dots(1)))
	}
	if o.DPI == 0 {
		o.DPI = DefaultDPI
	}
	if o.DPI < 30 || o.DPI > 1200 {
		return optErr("DPI", "%d: must be between 30 and 1200", o.DPI)
	}
	if o.Frames == 0 {
		o.Frames = 60
	}
	return nil
}

// optErr is a bad value of option (an Options field): the command names its flag.
func optErr(option, format string, args ...any) error {
	return &report.OptionError{Scope: "plot", Option: option, Msg: fmt.Sprintf(format, args...)}
}

func extOf(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 && !strings.ContainsAny(path[i:], `/\`) {
		return path[i:]
	}
	return ""
}

// groupKeys splits --group into keys.
func (o *Options) groupKeys() []string {
	var keys []string
	for _, k := range strings.Split(o.Group, ",") {
		if k = strings.TrimSpace(k); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

// Render reads paths and writes the figure of o.Kind to o.Out (and, for an
// animated trajectory, the GIF to o.Animate). Errors in what the user gave
// (flags, paths, files) match report.ErrBadInput.
func Render(paths []string, o Options) error {
	if err := o.Check(); err != nil {
		return err
	}
	if len(paths) == 0 {
		return report.BadInput(errors.New("plot: no PATH given"))
	}
	var f *figure
	var err error
	switch o.Kind {
	case KindSchedule:
		return renderSchedule(&o)
	case KindLRFind:
		f, err = lrfindFigure(paths, &o)
	default:
		runs, cerr := Collect(paths)
		if cerr != nil {
			return cerr
		}
		switch o.Kind {
		case KindCurves:
			f, err = curvesFigure(runs, &o)
		case KindSensitivity:
			f, err = sensitivityFigure(runs, &o)
		case KindTrajectory:
			return renderTrajectory(runs, &o)
		}
	}
	if err != nil {
		return err
	}
	return f.save(&o)
}

// save writes the figure to o.Out.
func (f *figure) save(o *Options) error {
	b, err := render(o.Out, o.Width, o.Height, o.DPI, f.draw)
	if err != nil {
		return err
	}
	return writeFile(o.Out, b)
}
