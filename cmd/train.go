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

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/model"
	"github.com/optimbench/optimbench/internal/report"
	"github.com/optimbench/optimbench/internal/train"
)

// trainOptions are the flags of `optimbench train`.
type trainOptions struct {
	Config  string
	Out     string
	Resume  string // a run folder to go on with, instead of Config
	Sets    []string
	Seed    uint64
	SeedSet bool
	Quiet   bool
	Limits  train.Limits
}

// newCmdTrain builds the train command; runF replaces runTrain in tests
// that only check flag parsing.
func newCmdTrain(runF func(context.Context, *trainOptions, io.Writer, io.Writer) error) *cobra.Command {
	opts := &trainOptions{}
	cmd := &cobra.Command{
		Use:   "train --config FILE",
		Short: "Train one experiment and write metrics.csv and summary.json",
		Long: `Train one experiment described by a YAML config. The run folder receives
config.yaml (fully resolved), metrics.csv (one row per evaluation, written as
it happens), summary.json and, for test-function problems, trajectory.csv.
The run folder's path is printed on stdout when the run ends.`,
		Example: `  optimbench train --config configs/adam.yaml
  optimbench train --config configs/adam.yaml --set optimizer.lr=0.01 --seed 3 --out runs/try`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case opts.Resume != "" && (opts.Config != "" || opts.Out != "" || len(opts.Sets) > 0 || cmd.Flags().Changed("seed")):
				return usageError("train: --resume DIR takes the run's own config.yaml and folder: give no --config, --out, --set or --seed")
			case opts.Config == "" && opts.Resume == "":
				return usageError("train: --config FILE is required (or --resume DIR)")
			}
			opts.SeedSet = cmd.Flags().Changed("seed")
			if runF != nil {
				return runF(cmd.Context(), opts, cmd.OutOrStdout(), cmd.ErrOrStderr())
			}
			return runTrain(cmd.Context(), opts, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	configVar(cmd, &opts.Config, "experiment config `FILE` (YAML)")
	f.StringVarP(&opts.Out, "out", "o", "", "run folder (default runs/<name>/<UTC timestamp>)")
	f.StringVar(&opts.Resume, "resume", "", "go on with the killed run in `DIR` from its last checkpoint (train.checkpoint_every)")
	f.StringArrayVar(&opts.Sets, "set", nil, "override a config key, e.g. --set optimizer.lr=0.1 (repeatable)")
	f.Uint64Var(&opts.Seed, "seed", 0, "override the config's seed")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "print nothing but errors and the run folder")
	memoryVar(cmd, &opts.Limits)
	_ = cmd.MarkFlagFilename("config", "yaml", "yml")
	return cmd
}

// loadConfig reads a train config with its --set and --seed overrides.
func loadConfig(file string, sets []string, seed uint64, seedSet bool) (*config.Config, error) {
	if err := checkSets(sets); err != nil {
		return nil, err
	}
	if seedSet {
		sets = append(sets[:len(sets):len(sets)], "seed="+strconv.FormatUint(seed, 10))
	}
	return config.Load(file, sets)
}

// checkSets reports a malformed --set before anything is read.
func checkSets(sets []string) error {
	for _, kv := range sets {
		if _, _, err := config.ParseSet(kv); err != nil {
			return report.BadInput(fmt.Errorf("--set: %w", err))
		}
	}
	return nil
}

// setupRun reads a train config with its --set and --seed overrides and
// prepares the run: every input error surfaces here, before anything is written.
// A setup still running after a second says so on stderr (unless quiet).
func setupRun(ctx context.Context, stderr io.Writer, quiet bool, lim train.Limits, file string, sets []string, seed uint64, seedSet bool) (*config.Config, *train.Run, error) {
	cfg, err := loadConfig(file, sets, seed, seedSet)
	if err != nil {
		return nil, nil, err
	}
	var run *train.Run
	err = slowly(stderr, quiet, "reading the data and setting up the run", func() (err error) {
		run, err = train.Setup(ctx, cfg, lim)
		return err
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, fmt.Errorf("interrupted while setting up; nothing written")
		}
		return nil, nil, err
	}
	return cfg, run, nil
}

func runTrain(ctx context.Context, opts *trainOptions, stdout, stderr io.Writer) error {
	file, dir := opts.Config, opts.Out
	if opts.Resume != "" {
		dir, file = opts.Resume, filepath.Join(opts.Resume, "config.yaml")
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return usageError("train: --resume %s: not a run folder", dir)
		}
	}
	cfg, run, err := setupRun(ctx, stderr, opts.Quiet, opts.Limits, file, opts.Sets, opts.Seed, opts.SeedSet)
	if err != nil {
		return err
	}
	if dir == "" {
		dir = defaultOut("runs", cfg.Name, time.Now())
	}
	if err := checkOutDir(dir); err != nil {
		return err
	}
	if f := train.HoldsRun(dir); f != "" && opts.Resume == "" {
		return usageError("output folder %s already holds a run (%s); choose another --out, or go on with it with --resume %s", dir, f, dir)
	}
	var p train.Recorder
	if !opts.Quiet {
		if w := model.BLAS().Warning; w != "" {
			fmt.Fprintln(stderr, "optimbench: warning: "+w)
		}
		p = newRunProgress(stderr, cfg.Name, isTerminal(stderr))
	}
	execute := run.Execute
	if opts.Resume != "" {
		execute = run.Resume
	}
	s, err := execute(ctx, dir, p)
	if errors.Is(err, train.ErrNothingToResume) {
		return usageError("train: --resume %s: %v", dir, err)
	}
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted; partial results kept in %s", dir)
		}
		return fmt.Errorf("run %s: %w", dir, err)
	}
	if !opts.Quiet && s.Reason != "" {
		fmt.Fprintf(stderr, "%s: %s\n", s.Status, s.Reason)
	}
	fmt.Fprintln(stdout, dir)
	return nil
}

// defaultOut returns base/name/<UTC timestamp>, made unique with a suffix
// when a run started in the same second. The name is made a safe folder name
// (pathName): a config's name never leads out of base.
func defaultOut(base, name string, now time.Time) string {
	name = pathName(name)
	dir := filepath.Join(base, name, now.UTC().Format("20060102T150405Z"))
	for i := 2; ; i++ {
		if _, err := os.Stat(dir); os.IsNotExist(err) {
			return dir
		}
		dir = filepath.Join(base, name, now.UTC().Format("20060102T150405Z")+"-"+strconv.Itoa(i))
	}
}

// pathName makes a config's name one safe folder name: letters, digits and ._+- are kept,
// everything else (separators, spaces, control characters) becomes _, and so do leading
// dots (no . or .., no hidden folder); at most 100 bytes are kept.
func pathName(name string) string {
	b := []byte(name)
	lead := true
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._+-", c) >= 0
		if !ok || lead && c == '.' {
			b[i] = '_'
		}
		lead = lead && c == '.'
	}
	if len(b) > 100 {
		b = b[:100]
	}
	if len(b) == 0 {
		return "_"
	}
	return string(b)
}

// checkOutDir refuses an --out that exists and is not a folder.
func checkOutDir(dir string) error {
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return usageError("--out %s is a file, not a folder", dir)
	}
	return nil
}
