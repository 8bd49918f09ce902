package cmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"gonum.org/v1/plot/vg"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/plot"
	"github.com/optimbench/optimbench/internal/train"
)

// plotOptions are the flags and arguments of `optimbench plot`.
type plotOptions struct {
	Paths []string
	plot.Options
	Size string // WxH in centimetres
}

// plotLong is the plot command's help.
const plotLong = `Draw a figure from what train, sweep and lrfind wrote; plot never trains.
PATHs are run folders, sweep folders (results.csv and runs/), folders holding
several run folders, config files (--kind schedule) or lrfind folders
(--kind lrfind). The format follows the extension of --out: .png, .svg or .pdf.

Kinds:
  curves       --metric (a metrics.csv column; default test_loss, or train_loss
               without a test set) against --x epoch|step|examples|seconds.
               Runs that differ only in their seed form one line, their mean on
               a common x-axis with a band (--band std|sem|minmax|none), "(n=3)"
               in the legend; --group KEY[,KEY] groups by config keys instead.
               A diverged run leaves its group's mean and band from its
               divergence on and is drawn alone, a cross at the divergence
               point; the legend says how many diverged. The legend lists the best
               final value first. When the first evaluation (before any
               update) would squash the curves, the y-range leaves it out.
  sensitivity  the final or best --metric (a results.csv column, default
               final_test_loss) against the config key --x (default
               optimizer.lr), one line per other swept key with seed bands;
               diverged runs are crosses on the top edge (bottom for
               accuracies). Learning rates get a log x-axis.
  schedule     learning rate and batch size over the run of each config,
               computed by the training code without training.
  trajectory   the paths of test-function runs over the function's contours
               (log-spaced levels), start and minimum marked; --animate
               FILE.gif also writes them as an animation.
  lrfind       the smoothed loss of 'optimbench lrfind' against the learning
               rate, the suggested learning rate marked.

Axes: --logx/--logy force a log scale and --logy=false a linear one; without
them a loss spanning two decades or more is drawn on a log y-axis.`

const plotExample = `  optimbench plot sweeps/mnist/20250101T120000Z --group optimizer.name --out loss.png
  optimbench plot runs/adam/* --metric test_acc --x seconds --band minmax --out acc.pdf
  optimbench plot SWEEP --kind sensitivity --x optimizer.lr --metric best_test_loss --out lr.svg
  optimbench plot configs/schedules/*.yaml --kind schedule --out schedules.png
  optimbench plot runs/rosenbrock-adam/* --kind trajectory --out path.png --animate path.gif
  optimbench plot lrfind/adam --kind lrfind --out lrfind.png`

// newCmdPlot builds the plot command; runF replaces runPlot in tests that
// only check flag parsing.
func newCmdPlot(runF func(context.Context, *plotOptions, io.Writer, io.Writer) error) *cobra.Command {
	opts := &plotOptions{}
	var logx, logy bool
	cmd := &cobra.Command{
		Use:     "plot PATH... --out FILE",
		Short:   "Draw figures from run folders, sweep folders, configs or range tests",
		Long:    plotLong,
		Example: plotExample,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if len(args) == 0 {
				return usageError("plot: give at least one PATH (run folder, sweep folder, config or lrfind folder)")
			}
			if err := checkKindFlags(cmd, opts.Kind); err != nil {
				return err
			}
			if f := cmd.Flags(); f.Changed("logx") {
				opts.LogX = scaleOf(logx)
			}
			if f := cmd.Flags(); f.Changed("logy") {
				opts.LogY = scaleOf(logy)
			}
			if opts.Size != "" {
				w, h, err := parseSize(opts.Size)
				if err != nil {
					return err
				}
				opts.Width, opts.Height = w, h
			}
			if runF != nil {
				return runF(cmd.Context(), opts, cmd.OutOrStdout(), cmd.ErrOrStderr())
			}
			return runPlot(cmd.Context(), opts, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Out, "out", "o", "", "figure `FILE` (.png, .svg or .pdf)")
	f.StringVarP(&opts.Kind, "kind", "k", plot.KindCurves, "figure: "+strings.Join(plot.Kinds, "|"))
	f.StringVarP(&opts.Metric, "metric", "m", "", "metrics.csv column (curves) or results.csv column (sensitivity)")
	f.StringVarP(&opts.X, "x", "x", "", "x-axis: epoch|step|examples|seconds (curves, schedule) or a config key (sensitivity)")
	f.StringVarP(&opts.Group, "group", "g", "", "config key(s), comma-separated, whose values make the lines (default: runs differing only in seed)")
	f.StringVar(&opts.Band, "band", plot.BandStd, "band around a group's mean: "+strings.Join(plot.Bands, "|"))
	f.BoolVar(&logx, "logx", false, "logarithmic x-axis (--logx=false: linear)")
	f.BoolVar(&logy, "logy", false, "logarithmic y-axis (--logy=false: linear, no automatic log)")
	f.StringVarP(&opts.Title, "title", "t", "", "figure title")
	f.StringVar(&opts.Animate, "animate", "", "trajectory: also write an animated `FILE.gif` of the paths")
	f.StringVar(&opts.Size, "size", "", "figure size WxH in cm (default 16x10)")
	f.IntVar(&opts.DPI, "dpi", plot.DefaultDPI, "PNG resolution in dots per inch")
	return cmd
}

// kindFlags are the flags each kind of figure reads, beyond --out, --kind, --title, --size
// and --dpi, which all read.
var kindFlags = map[string][]string{
	plot.KindCurves:      {"metric", "x", "group", "band", "logx", "logy"},
	plot.KindSensitivity: {"metric", "x", "group", "band", "logx", "logy"},
	plot.KindSchedule:    {"x", "logx", "logy"},
	plot.KindTrajectory:  {"animate"},
	plot.KindLRFind:      {"logy"},
}

// checkKindFlags refuses a flag given that the kind of figure does not read.
func checkKindFlags(cmd *cobra.Command, kind string) error {
	takes, ok := kindFlags[kind]
	if !ok {
		return nil // an unknown kind: plot.Options.Check says so
	}
	var err error
	cmd.Flags().Visit(func(f *pflag.Flag) {
		switch f.Name {
		case "out", "kind", "title", "size", "dpi":
			return
		}
		if err == nil && !slices.Contains(takes, f.Name) {
			err = usageError("plot: --%s does not apply to --kind %s (it takes --%s)", f.Name, kind, strings.Join(takes, ", --"))
		}
	})
	return err
}

func scaleOf(log bool) plot.Scale {
	if log {
		return plot.ScaleLog
	}
	return plot.ScaleLinear
}

// parseSize reads WxH in centimetres, e.g. 16x10 or 8.5x6.
func parseSize(s string) (w, h vg.Length, err error) {
	ws, hs, ok := strings.Cut(strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), "cm")), "x")
	wf, err1 := strconv.ParseFloat(strings.TrimSpace(ws), 64)
	hf, err2 := strconv.ParseFloat(strings.TrimSpace(hs), 64)
	if !ok || err1 != nil || err2 != nil || wf <= 0 || hf <= 0 {
		return 0, 0, usageError("plot: --size %q: want WxH in centimetres, e.g. 16x10", s)
	}
	return vg.Length(wf) * vg.Centimeter, vg.Length(hf) * vg.Centimeter, nil
}

func runPlot(ctx context.Context, opts *plotOptions, stdout, stderr io.Writer) error {
	if opts.Kind == plot.KindSchedule {
		var err error
		if opts.Schedules, err = schedulePreviews(ctx, opts.Paths); err != nil {
			return err
		}
	}
	if err := plot.Render(opts.Paths, opts.Options); err != nil {
		return err
	}
	for _, f := range []string{opts.Out, opts.Animate} {
		if f != "" {
			fmt.Fprintln(stdout, f)
		}
	}
	return nil
}

// schedulePreviews reads each config (a YAML file, or a run folder's config.yaml) and
// previews its learning rate and batch size over the run, knowing of the data only how many
// training examples there are (no data is loaded, no f* computed).
func schedulePreviews(ctx context.Context, paths []string) ([]plot.Schedule, error) {
	var out []plot.Schedule
	for _, p := range paths {
		file := p
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			file = filepath.Join(p, "config.yaml")
			if _, err := os.Stat(file); err != nil {
				return nil, usageError("plot: --kind schedule takes config files; %s is a folder without config.yaml", p)
			}
		}
		c, err := config.Load(file, nil)
		if err != nil {
			return nil, err
		}
		n, err := train.TrainExamples(c)
		if err != nil {
			return nil, err
		}
		pv, err := train.Preview(ctx, c, n)
		if err != nil {
			return nil, err
		}
		out = append(out, plot.Schedule{Preview: pv, File: file})
	}
	return out, nil
}
