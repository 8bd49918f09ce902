package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/optimbench/optimbench/internal/report"
	"github.com/optimbench/optimbench/internal/sweep"
	"github.com/optimbench/optimbench/internal/train"
)

// sweepOptions are the flags of `optimbench sweep`.
type sweepOptions struct {
	Config     string
	Out        string
	Sets       []string
	Workers    int
	WorkersSet bool
	Limits     train.Limits
	Shard      shardFlags
	Force      bool
	Quiet      bool
	Emit       string
	Image      string
}

// newCmdSweep builds the sweep command; runF replaces runSweep in tests
// that only check flag parsing.
func newCmdSweep(runF func(context.Context, *sweepOptions, io.Writer, io.Writer) error) *cobra.Command {
	opts := &sweepOptions{}
	cmd := &cobra.Command{
		Use:   "sweep --config FILE",
		Short: "Run a grid or random sweep over seeds, resumably, in parallel or sharded",
		Long: `Run every point of a sweep configuration (SPEC §2): a base train config, a grid
(Cartesian product, the first key varying slowest), random trials sampled from the
sweep's seed, and seeds as the innermost repeat axis. Every point is validated before
anything runs. Each run goes to DIR/runs/<run id>, the id being a readable prefix and
a hash of the resolved configuration; DIR/sweep.yaml lists the points and
DIR/results.csv has one row per point, in point order.

Rerunning the same command with the same --out resumes: runs whose summary says done
or diverged are skipped, failed or interrupted ones are redone. A changed sweep in the
same folder is refused unless --force. A failed or diverged run does not stop the
others; the exit status is 1 if any run failed.

Beyond one machine, shard k of n (--shard-index/--shard-count, or SLURM_ARRAY_TASK_ID,
or JOB_COMPLETION_INDEX with the count from --shard-count or OPTIMBENCH_SHARD_COUNT)
runs the points with index ≡ k (mod n) and writes DIR/shards/shard-k-of-n.csv;
'optimbench merge DIR' then writes results.csv. --emit slurm|k8s prints a ready
submission script (array job + merge job) or an Indexed Job manifest and runs nothing.`,
		Example: `  optimbench sweep --config configs/lr-sweep.yaml --out sweeps/lr
  optimbench sweep --config configs/lr-sweep.yaml --out sweeps/lr          # resume
  optimbench sweep --config configs/lr-sweep.yaml --emit slurm --shard-count 8 --out /shared/lr > submit.sh`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Config == "" {
				return usageError("sweep: --config FILE is required")
			}
			f := cmd.Flags()
			opts.WorkersSet = f.Changed("workers")
			opts.Shard.IndexSet = f.Changed("shard-index")
			opts.Shard.CountSet = f.Changed("shard-count")
			if runF != nil {
				return runF(cmd.Context(), opts, cmd.OutOrStdout(), cmd.ErrOrStderr())
			}
			return runSweep(cmd.Context(), opts, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	configVar(cmd, &opts.Config, "sweep config `FILE` (YAML)")
	f.StringVarP(&opts.Out, "out", "o", "", "sweep folder (default sweeps/<name>/<UTC timestamp>); pass it again to resume")
	f.StringArrayVar(&opts.Sets, "set", nil, "override a key of the base config, e.g. --set train.epochs=5 (repeatable)")
	f.IntVarP(&opts.Workers, "workers", "w", 0, "runs in parallel (default SLURM_CPUS_PER_TASK, else the number of CPUs)")
	memoryVar(cmd, &opts.Limits)
	f.IntVar(&opts.Shard.Index, "shard-index", 0, "run only shard `I` (0-based) of --shard-count")
	f.IntVar(&opts.Shard.Count, "shard-count", 0, "number of shards `N` the sweep is split into")
	f.BoolVar(&opts.Force, "force", false, "reuse a folder that holds a different sweep")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "print nothing but errors and the sweep folder")
	f.StringVar(&opts.Emit, "emit", "", "print, instead of running, a `KIND` of submission: slurm (array job + merge job script) or k8s (Indexed Job manifest)")
	f.StringVar(&opts.Image, "image", "optimbench:latest", "container image for --emit k8s")
	_ = cmd.MarkFlagFilename("config", "yaml", "yml")
	return cmd
}

func runSweep(ctx context.Context, opts *sweepOptions, stdout, stderr io.Writer) error {
	if opts.WorkersSet && opts.Workers < 1 {
		return usageError("sweep: --workers must be >= 1, got %d", opts.Workers)
	}
	if opts.Emit != "" && opts.Emit != "slurm" && opts.Emit != "k8s" {
		return usageError("sweep: --emit must be slurm or k8s, got %q", opts.Emit)
	}
	if err := checkSets(opts.Sets); err != nil {
		return err
	}
	s, shard, err := loadSweep(ctx, opts, stderr)
	if err != nil {
		return err
	}
	if opts.Emit != "" {
		return emitSweep(opts, s, stdout)
	}
	workers := sweepWorkers(opts)
	dir := opts.Out
	if dir == "" {
		if shard.Count > 0 {
			return usageError("sweep: a sharded sweep needs --out, the folder every shard shares")
		}
		dir = defaultOut("sweeps", s.Name, time.Now())
	}
	if err := checkOutDir(dir); err != nil {
		return err
	}
	mine := len(s.Points)
	if shard.Count > 0 {
		mine = (len(s.Points) - shard.Index + shard.Count - 1) / shard.Count
	}
	if !opts.Quiet {
		what := fmt.Sprintf("%d runs", len(s.Points))
		if shard.Count > 0 {
			what += fmt.Sprintf(", %s: %d runs", shard, mine)
		}
		fmt.Fprintf(stderr, "sweep %s: %s on %d workers in %s\n", s.Name, what, workers, dir)
	}
	var p sweep.Progress
	if !opts.Quiet {
		p = newSweepProgress(stderr, s.Name, isTerminal(stderr))
	}
	out, err := s.Execute(ctx, sweep.Options{Dir: dir, Workers: workers, Shard: shard, Force: opts.Force, Progress: p, Limits: opts.Limits})
	if errors.Is(err, sweep.ErrChanged) {
		return fmt.Errorf("%w; choose another --out, or pass --force to reuse it (finished runs whose configuration is unchanged are kept)", err)
	}
	if err != nil {
		if out != nil && ctx.Err() != nil {
			return fmt.Errorf("interrupted: %d of %d runs finished, kept in %s; rerun with --out %s to resume",
				len(out.Results)-out.Pending, len(out.Results), dir, dir)
		}
		return err
	}
	if !opts.Quiet {
		fmt.Fprintf(stderr, "%d runs: %d done, %d diverged, %d failed (%d run now, %d finished earlier); %s\n",
			len(out.Results), out.Done, out.Diverged, out.Failed, out.Ran, out.Skipped, out.File)
	}
	fmt.Fprintln(stdout, dir)
	if out.Failed > 0 {
		return fmt.Errorf("sweep %s: %d of %d runs failed (reasons in %s); rerun the same command to retry them",
			dir, out.Failed, len(out.Results), out.File)
	}
	return nil
}

// loadSweep works out the shard (unless emitting: the scheduler gives each its index) and
// loads and validates the sweep, with progress unless --quiet.
func loadSweep(ctx context.Context, opts *sweepOptions, stderr io.Writer) (*sweep.Sweep, sweep.Shard, error) {
	var progress func(done, total int)
	if !opts.Quiet {
		progress = func(done, total int) {
			fmt.Fprintf(stderr, "sweep: validating its points: %d of %d\n", done, total)
		}
	}
	var shard sweep.Shard
	if opts.Emit == "" {
		var err error
		if shard, err = detectShard(opts.Shard, os.Getenv); err != nil {
			return nil, shard, err
		}
	}
	s, err := sweep.Load(ctx, opts.Config, sweep.LoadOptions{Sets: opts.Sets, Progress: progress, Dir: opts.Out, Shard: shard})
	if err != nil && ctx.Err() != nil {
		return nil, shard, fmt.Errorf("interrupted while validating the sweep; nothing was run or written")
	}
	return s, shard, err
}

// sweepWorkers is --workers, else SLURM_CPUS_PER_TASK, else the number of CPUs.
func sweepWorkers(opts *sweepOptions) int {
	if opts.WorkersSet {
		return opts.Workers
	}
	if n, err := strconv.Atoi(os.Getenv("SLURM_CPUS_PER_TASK")); err == nil && n > 0 {
		return n
	}
	return runtime.NumCPU()
}

// emitSweep prints the Slurm script or Kubernetes manifest of a sharded sweep.
func emitSweep(opts *sweepOptions, s *sweep.Sweep, stdout io.Writer) error {
	if opts.Shard.IndexSet {
		return usageError("sweep: --emit takes --shard-count, not --shard-index: every shard gets its index from the scheduler")
	}
	shards := opts.Shard.Count
	if !opts.Shard.CountSet {
		// about ten runs per shard, at most 1000 shards (Slurm's default MaxArraySize)
		shards = min(max((len(s.Points)+9)/10, 1), 1000)
	}
	if shards < 1 {
		return usageError("sweep: --shard-count must be >= 1, got %d", shards)
	}
	cpus, workers := 1, 0
	if opts.WorkersSet {
		cpus, workers = opts.Workers, opts.Workers
	}
	out := opts.Out
	if out == "" {
		out = defaultOut("sweeps", s.Name, time.Now())
	}
	sub := submission{Name: s.Name, Runs: len(s.Points), Shards: min(shards, len(s.Points)),
		Sets: opts.Sets, CPUs: cpus, Workers: workers, Image: opts.Image, Workdir: "/data"}
	if opts.Emit == "k8s" {
		// paths inside the container, relative to the volume mounted at /data
		sub.Binary, sub.Config, sub.Out = "optimbench", filepath.ToSlash(opts.Config), filepath.ToSlash(out)
		fmt.Fprint(stdout, sub.K8sManifest())
		return nil
	}
	var err error
	if sub.Binary, err = os.Executable(); err != nil {
		sub.Binary = "optimbench"
	}
	if sub.Config, err = filepath.Abs(opts.Config); err != nil {
		return err
	}
	if sub.Out, err = filepath.Abs(out); err != nil {
		return err
	}
	fmt.Fprint(stdout, sub.SlurmScript())
	return nil
}

// sweepProgress shows a sweep's runs: a bar of runs done / total with an
// ETA on a terminal, one line per finished run otherwise.
type sweepProgress struct {
	w         io.Writer
	name      string
	bar       *progressbar.ProgressBar
	total     int
	count     int // finished, including earlier invocations
	ranNow    int
	start     time.Time
	remaining int
}

func newSweepProgress(w io.Writer, name string, tty bool) *sweepProgress {
	p := &sweepProgress{w: w, name: name}
	if tty {
		p.bar = newBar(w, name, false) // its rate would count runs finished earlier
	}
	return p
}

func (p *sweepProgress) Start(total, finished int) {
	p.total, p.count, p.start = total, finished, time.Now()
	p.remaining = total - finished
	if p.bar != nil {
		p.bar.ChangeMax(max(total, 1))
		_ = p.bar.Set(finished)
	} else if finished > 0 {
		fmt.Fprintf(p.w, "%s: %d of %d runs finished earlier, skipped\n", p.name, finished, total)
	}
}

// eta extrapolates the time per run of this invocation to the runs left.
func (p *sweepProgress) eta() string {
	if p.ranNow == 0 {
		return "?"
	}
	left := p.remaining - p.ranNow
	d := time.Duration(float64(time.Since(p.start)) / float64(p.ranNow) * float64(left))
	return d.Round(time.Second).String()
}

func (p *sweepProgress) Done(r sweep.Result) {
	if r.Summary == nil { // interrupted
		return
	}
	p.count++
	p.ranNow++
	if p.bar != nil {
		p.bar.Describe(fmt.Sprintf("%s  ETA %s", p.name, p.eta()))
		_ = p.bar.Set(p.count)
		if p.count == p.total {
			_ = p.bar.Finish()
		}
		return
	}
	fmt.Fprintf(p.w, "[%d/%d] %s %s\n", p.count, p.total, r.Point.ID, describeRun(r.Summary))
}

// describeRun is one finished run in a few words.
func describeRun(s *report.Summary) string {
	var b strings.Builder
	b.WriteString(s.Status)
	if s.Final.TrainLoss != nil {
		fmt.Fprintf(&b, "  train_loss %.5g", *s.Final.TrainLoss)
	}
	if s.Final.TestAcc != nil && !math.IsNaN(*s.Final.TestAcc) {
		fmt.Fprintf(&b, "  test_acc %.4f", *s.Final.TestAcc)
	}
	fmt.Fprintf(&b, "  %.1fs", s.Seconds)
	if s.Reason != "" {
		b.WriteString("  (" + s.Reason + ")")
	}
	return b.String()
}
