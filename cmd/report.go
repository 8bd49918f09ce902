package cmd

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/optimbench/optimbench/internal/verdict"
)

// reportOptions are the flags and argument of `optimbench report`.
type reportOptions struct {
	Dir  string
	Outs []string
}

const reportLong = `Draw the report of a benchmark folder from its analysis.json alone (nothing
is trained or re-read): the verdict per problem, a table of performance, speed
and tuneability with the winner of each column marked (★) and values within seed
noise of it (≈: Welch's t-test over the rerun seeds, p ≥ 0.05), DeepOBS's
performance plot, the learning-rate sensitivity, AlgoPerf's performance profile
and the tuning-budget curve, stamped with the version, commit, Go, CPU, dtype,
threads and date of the benchmark. Where the protocol departs from DeepOBS's
defaults, the first screen says so.

The format follows the extension of --out: .html is one self-contained page
(inline SVG figures, no network fetches); .md is Markdown with PNG figures in
FILE_files/ beside it. Give --out more than once to write both; every file is
written atomically, all or none. Default: DIR/report.html.`

const reportExample = `  optimbench report benchmarks/small --out report.html
  optimbench report benchmarks/small --out docs/benchmark/report.md --out report.html`

// newCmdReport builds the report command; runF replaces runReport in tests that only check
// flag parsing.
func newCmdReport(runF func(context.Context, *reportOptions, io.Writer) error) *cobra.Command {
	opts := &reportOptions{}
	cmd := &cobra.Command{
		Use:     "report DIR [--out FILE]...",
		Short:   "Draw a benchmark's report (HTML or Markdown) from its analysis",
		Long:    reportLong,
		Example: reportExample,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError("report: give one DIR (a benchmark folder with analysis.json), got %d arguments", len(args))
			}
			opts.Dir = args[0]
			if len(opts.Outs) == 0 {
				opts.Outs = []string{filepath.Join(opts.Dir, "report.html")}
			}
			if runF != nil {
				return runF(cmd.Context(), opts, cmd.OutOrStdout())
			}
			return runReport(cmd.Context(), opts, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringArrayVarP(&opts.Outs, "out", "o", nil, "report `FILE` (.html or .md); repeat for both")
	return cmd
}

func runReport(_ context.Context, opts *reportOptions, stdout io.Writer) error {
	if err := verdict.Write(opts.Dir, opts.Outs); err != nil {
		return err
	}
	for _, out := range opts.Outs {
		fmt.Fprintln(stdout, out)
	}
	return nil
}
