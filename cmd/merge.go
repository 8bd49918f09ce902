package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/optimbench/optimbench/internal/sweep"
)

// mergeOptions are the flags of `optimbench merge`.
type mergeOptions struct {
	Dir   string
	Count int
	Quiet bool
}

// newCmdMerge builds the merge command; runF replaces runMerge in tests
// that only check flag parsing.
func newCmdMerge(runF func(context.Context, *mergeOptions, io.Writer, io.Writer) error) *cobra.Command {
	opts := &mergeOptions{}
	cmd := &cobra.Command{
		Use:   "merge DIR",
		Short: "Merge the shards of a sharded sweep into results.csv",
		Long: `Check that the shard files in DIR/shards cover every point of the sweep in
DIR/sweep.yaml, all from the same sweep fingerprint, and write DIR/results.csv
(rows in point order, as a one-machine sweep writes it).

When shards are missing (or hold another sweep's results) nothing is written: merge
names them, prints the sbatch line that resubmits just those shards, and exits 1.
A folder that is not a sweep is exit status 2. --shard-count defaults to the count
the shard files agree on.`,
		Example: `  optimbench merge /shared/sweeps/lr --shard-count 8`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError("merge: want one sweep folder DIR, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = args[0]
			if cmd.Flags().Changed("shard-count") && opts.Count < 1 {
				return usageError("merge: --shard-count must be >= 1, got %d", opts.Count)
			}
			if runF != nil {
				return runF(cmd.Context(), opts, cmd.OutOrStdout(), cmd.ErrOrStderr())
			}
			return runMerge(cmd.Context(), opts, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.Count, "shard-count", 0, "number of shards `N` the sweep was split into")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "print nothing but errors and the results file")
	return cmd
}

// resubmission is the sbatch line that reruns the given shards.
func resubmission(dir string, d *sweep.SweepDescription, count int, shards []int) string {
	bin, err := os.Executable()
	if err != nil {
		bin = "optimbench"
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	sub := submission{Binary: bin, Config: d.Config, Sets: d.Sets, Out: dir, Name: d.Name, Shards: count}
	return sub.SbatchArray(shards)
}

func runMerge(ctx context.Context, opts *mergeOptions, stdout, stderr io.Writer) error {
	if st, err := os.Stat(opts.Dir); err != nil || !st.IsDir() {
		return usageError("merge: %s is not a folder (give the sweep folder)", opts.Dir)
	}
	out, err := sweep.Merge(opts.Dir, opts.Count)
	var inc *sweep.IncompleteError
	if errors.As(err, &inc) {
		return fmt.Errorf("%w; resubmit them with: %s (Kubernetes: rerun indices %s of the Indexed Job)",
			err, resubmission(opts.Dir, inc.Sweep, inc.Count, inc.Missing), sweep.ArrayRange(inc.Missing))
	}
	var none *sweep.NoShardsError
	if errors.As(err, &none) {
		return fmt.Errorf("%w (--shard-count N)", err)
	}
	if err != nil {
		return err
	}
	if !opts.Quiet {
		fmt.Fprintf(stderr, "merged %d runs from %d shards: %d done, %d diverged, %d failed\n",
			out.Done+out.Diverged+out.Failed+out.Pending, out.Count, out.Done, out.Diverged, out.Failed)
		if len(out.FailedShards) > 0 {
			fmt.Fprintf(stderr, "runs failed in shards %s; to retry them: %s\n",
				sweep.ArrayRange(out.FailedShards), resubmission(opts.Dir, out.Sweep, out.Count, out.FailedShards))
		}
	}
	fmt.Fprintln(stdout, out.File)
	return nil
}
