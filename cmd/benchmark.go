package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/optimbench/optimbench/internal/bench"
	"github.com/optimbench/optimbench/internal/benchmark"
	"github.com/optimbench/optimbench/internal/sweep"
	"github.com/optimbench/optimbench/internal/train"
)

// benchmarkOptions are the flags of `optimbench benchmark`.
type benchmarkOptions struct {
	Config     string
	Out        string
	Workers    int
	WorkersSet bool
	Limits     train.Limits
	Shard      shardFlags
	Force      bool
	Quiet      bool
	Emit       string
}

// newCmdBenchmark builds the benchmark command; runF replaces runBenchmark in tests that only
// check flag parsing.
func newCmdBenchmark(runF func(context.Context, *benchmarkOptions, io.Writer, io.Writer) error) *cobra.Command {
	opts := &benchmarkOptions{}
	cmd := &cobra.Command{
		Use:   "benchmark --config FILE",
		Short: "Tune optimizers on test problems, rerun the best settings over seeds, and compare (DeepOBS's protocol)",
		Long: `Run the tuning protocol of a benchmark file (SPEC §10) — DeepOBS's: tune every
optimizer on one seed (a grid over the lr, random or Halton trials, or successive halving
over them), pick each one's best setting per problem by the rule, rerun it on every seed,
compare — and write DIR/analysis.json: performance, speed to the best baseline's final
test loss, lr sensitivity, AlgoPerf's performance profile and Crowded Valley's
tuning-budget curve. Baselines (sgd, momentum, adam) live in a store keyed by the
problem's content hash and are reused by every benchmark that shares them.

Every step is a sweep: rerunning the same command with the same --out resumes and
makes the same decisions. Shard k of n (--shard-index/--shard-count, or a Slurm array
task) runs its part of each step and waits for the other shards before the next;
--emit slurm prints a submission script and runs nothing.`,
		Example: `  optimbench benchmark --config configs/benchmark/tiny.yaml --out benchmarks/tiny
  optimbench benchmark --config configs/benchmark/tiny.yaml --emit slurm --shard-count 4 --out /shared/tiny > submit.sh`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Config == "" {
				return usageError("benchmark: --config FILE is required")
			}
			f := cmd.Flags()
			opts.WorkersSet = f.Changed("workers")
			opts.Shard.IndexSet = f.Changed("shard-index")
			opts.Shard.CountSet = f.Changed("shard-count")
			if runF != nil {
				return runF(cmd.Context(), opts, cmd.OutOrStdout(), cmd.ErrOrStderr())
			}
			return runBenchmark(cmd.Context(), opts, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	configVar(cmd, &opts.Config, "benchmark `FILE` (YAML)")
	f.StringVarP(&opts.Out, "out", "o", "", "benchmark folder (default benchmarks/<name>/<UTC timestamp>); pass it again to resume")
	f.IntVarP(&opts.Workers, "workers", "w", 0, "runs in parallel (default SLURM_CPUS_PER_TASK, else the number of CPUs)")
	memoryVar(cmd, &opts.Limits)
	f.IntVar(&opts.Shard.Index, "shard-index", 0, "run only shard `I` (0-based) of --shard-count of every step")
	f.IntVar(&opts.Shard.Count, "shard-count", 0, "number of shards `N` each step is split into")
	f.BoolVar(&opts.Force, "force", false, "reuse step folders that hold different sweeps")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "print nothing but errors and the benchmark folder")
	f.StringVar(&opts.Emit, "emit", "", "print, instead of running, a `KIND` of submission: slurm (array job script)")
	_ = cmd.MarkFlagFilename("config", "yaml", "yml")
	return cmd
}

func runBenchmark(ctx context.Context, opts *benchmarkOptions, stdout, stderr io.Writer) error {
	if opts.WorkersSet && opts.Workers < 1 {
		return usageError("benchmark: --workers must be >= 1, got %d", opts.Workers)
	}
	if opts.Emit != "" && opts.Emit != "slurm" {
		return usageError("benchmark: --emit must be slurm, got %q", opts.Emit)
	}
	b, err := benchmark.Read(opts.Config)
	if err != nil {
		return err
	}
	dir := opts.Out
	if opts.Emit != "" {
		return emitBenchmark(opts, b, stdout)
	}
	shard, err := detectShard(opts.Shard, os.Getenv)
	if err != nil {
		return err
	}
	if dir == "" {
		if shard.Count > 0 {
			return usageError("benchmark: a sharded benchmark needs --out, the folder every shard shares")
		}
		dir = defaultOut("benchmarks", b.Name, time.Now())
	}
	if err := checkOutDir(dir); err != nil {
		return err
	}
	workers := sweepWorkers(&sweepOptions{Workers: opts.Workers, WorkersSet: opts.WorkersSet})
	o := benchmark.Options{Dir: dir, Workers: workers, Shard: shard, Limits: opts.Limits, Force: opts.Force, CPU: bench.CPUName()}
	if !opts.Quiet {
		o.Log = stderr
		o.Progress = func(step string) sweep.Progress { return newSweepProgress(stderr, step, isTerminal(stderr)) }
		fmt.Fprintf(stderr, "benchmark %s: %d problems × %d optimizers on %d workers in %s\n",
			b.Name, len(b.Problems), len(b.Optimizers), workers, dir)
	}
	out, err := benchmark.Run(ctx, b, o)
	if errors.Is(err, sweep.ErrChanged) {
		return fmt.Errorf("%w; choose another --out, or pass --force to reuse it (finished runs whose configuration is unchanged are kept)", err)
	}
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted: finished runs are kept in %s; rerun with --out %s to resume", dir, dir)
		}
		return err
	}
	if !opts.Quiet {
		fmt.Fprintf(stderr, "benchmark %s: %d runs now; %s\n", b.Name, out.Ran, filepath.Join(dir, benchmark.AnalysisFile))
	}
	fmt.Fprintln(stdout, dir)
	return nil
}

// emitBenchmark prints a Slurm script that runs the benchmark as an array of shards; each
// task runs its part of every step and waits for the others, so no merge job is needed.
func emitBenchmark(opts *benchmarkOptions, b *benchmark.Benchmark, stdout io.Writer) error {
	if opts.Shard.IndexSet {
		return usageError("benchmark: --emit takes --shard-count, not --shard-index: every shard gets its index from the scheduler")
	}
	shards := opts.Shard.Count
	if !opts.Shard.CountSet {
		shards = 4
	}
	if shards < 1 || shards > 1000 {
		return usageError("benchmark: --shard-count must be in [1, 1000], got %d", shards)
	}
	out := opts.Out
	if out == "" {
		out = defaultOut("benchmarks", b.Name, time.Now())
	}
	bin, err := os.Executable()
	if err != nil {
		bin = "optimbench"
	}
	conf, err := filepath.Abs(opts.Config)
	if err != nil {
		return err
	}
	if out, err = filepath.Abs(out); err != nil {
		return err
	}
	fmt.Fprint(stdout, benchmarkScript(b.Name, bin, conf, out, shards, opts.Workers))
	return nil
}

// benchmarkScript is the Slurm submission of a sharded benchmark.
func benchmarkScript(name, bin, conf, out string, shards, workers int) string {
	args := []string{bin, "benchmark", "--config", conf, "--out", out, "--quiet"}
	cpus := 1
	if workers > 0 {
		args = append(args, "--workers", strconv.Itoa(workers))
		cpus = workers
	}
	args = append(args, "--shard-count", strconv.Itoa(shards))
	var b strings.Builder
	fmt.Fprintf(&b, `#!/usr/bin/env bash
# optimbench benchmark %s in %d shards: each array task runs its part of every step of the
# protocol and waits for the other tasks before the next step, so all tasks must run at once
# (an array of %d tasks with enough nodes); each writes %s/analysis.json at the end.
# Submit with: bash THIS_FILE. The folder must be on storage all nodes share. A failed or
# preempted task: resubmit the same array index (finished runs are kept).
set -euo pipefail
mkdir -p %s
%s
`, name, shards, shards, out, ShellQuote(out+"/logs"), sbatchArrayLine(name, fmt.Sprintf("0-%d", shards-1), cpus, out, args))
	return b.String()
}
