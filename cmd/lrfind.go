package cmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/optimbench/optimbench/internal/report"
	"github.com/optimbench/optimbench/internal/train"
)

// lrfindOptions are the flags of `optimbench lrfind`.
type lrfindOptions struct {
	Config  string
	Out     string
	Sets    []string
	Seed    uint64
	SeedSet bool
	Range   train.LRFindOptions
	Limits  train.Limits
}

// newCmdLRFind builds the lrfind command; runF replaces runLRFind in tests
// that only check flag parsing.
func newCmdLRFind(runF func(context.Context, *lrfindOptions, io.Writer, io.Writer) error) *cobra.Command {
	opts := &lrfindOptions{}
	cmd := &cobra.Command{
		Use:   "lrfind --config FILE",
		Short: "Run a learning-rate range test and suggest a learning rate",
		Long: `Smith's learning-rate range test: starting from the config's initial
parameters, make --steps minibatch updates with the config's optimizer while the
learning rate grows exponentially from --min to --max (cycling through the
training set if the steps outnumber its batches; the config's schedules are not
used). The loss is smoothed (exponential average, beta 0.98, bias-corrected) and
the test stops once the smoothed loss exceeds 4 times its best value.

The suggested learning rate is where the smoothed loss falls fastest against
log(lr) (slope across half a decade), before its minimum; when the loss falls
by less than 10% before its minimum, a tenth of the lr at the minimum. The
same config and seed give the same result.

Writes lrfind.csv (lr,loss,smoothed_loss) and lrfind.json (the suggestion) into
--out, prints the folder and the suggestion, and changes nothing else. Draw it
with 'optimbench plot DIR --kind lrfind --out lr.png'.`,
		Example: `  optimbench lrfind --config configs/adam.yaml --out lrfind/adam
  optimbench lrfind --config configs/sgd.yaml --min 1e-5 --max 1 --steps 200`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Config == "" {
				return usageError("lrfind: --config FILE is required")
			}
			opts.SeedSet = cmd.Flags().Changed("seed")
			if runF != nil {
				return runF(cmd.Context(), opts, cmd.OutOrStdout(), cmd.ErrOrStderr())
			}
			return runLRFind(cmd.Context(), opts, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	configVar(cmd, &opts.Config, "experiment config `FILE` (YAML)")
	f.StringVarP(&opts.Out, "out", "o", "", "output folder (default lrfind/<name>/<UTC timestamp>)")
	f.StringArrayVar(&opts.Sets, "set", nil, "override a config key, e.g. --set optimizer.name=sgd (repeatable)")
	f.Uint64Var(&opts.Seed, "seed", 0, "override the config's seed")
	f.Float64Var(&opts.Range.Min, "min", 1e-7, "first learning rate of the ramp")
	f.Float64Var(&opts.Range.Max, "max", 10, "last learning rate of the ramp")
	f.IntVar(&opts.Range.Steps, "steps", 100, "number of updates (points of the ramp)")
	memoryVar(cmd, &opts.Limits)
	_ = cmd.MarkFlagFilename("config", "yaml", "yml")
	return cmd
}

func runLRFind(ctx context.Context, opts *lrfindOptions, stdout, stderr io.Writer) error {
	if err := opts.Range.Validate(); err != nil {
		return err
	}
	cfg, run, err := setupRun(ctx, stderr, false, opts.Limits, opts.Config, opts.Sets, opts.Seed, opts.SeedSet)
	if err != nil {
		return err
	}
	dir := opts.Out
	if dir == "" {
		dir = defaultOut("lrfind", cfg.Name, time.Now())
	}
	if err := checkOutDir(dir); err != nil {
		return err
	}
	for _, f := range report.LRFindFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return usageError("output folder %s already holds a range test (%s); choose another --out", dir, f)
		}
	}
	res, err := run.LRFind(ctx, opts.Range)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("lrfind interrupted; nothing written")
		}
		return err
	}
	if err := report.WriteLRFind(dir, res.Points, &res.Summary); err != nil {
		return fmt.Errorf("lrfind %s: %w", dir, err)
	}
	s := res.Summary
	if s.Stopped != "" {
		fmt.Fprintf(stderr, "stopped after %d of %d steps: %s\n", s.Points, s.Steps, s.Stopped)
	}
	fmt.Fprintf(stderr, "suggested learning rate %.3g (%s; smoothed loss lowest at %.3g)\n", s.Suggested, s.Method, s.MinLossLR)
	fmt.Fprintln(stdout, dir)
	return nil
}
