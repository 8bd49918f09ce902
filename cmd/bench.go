package cmd

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/optimbench/optimbench/internal/bench"
	"github.com/optimbench/optimbench/internal/data"
	"github.com/optimbench/optimbench/internal/model"
	"github.com/optimbench/optimbench/internal/report"
)

// benchOptions are the flags of `optimbench bench`.
type benchOptions struct {
	Models      []string
	Optimizers  []string
	Steps       int
	NoTorch     bool
	JSON        bool
	Python      string
	TorchScript string
	Data        string
	Rows        int
	CoreType    string
	Rounds      int
	Threads     int
	TorchThr    int // PyTorch's threads (0: Threads)
	TorchBLAS   int // PyTorch's OpenBLAS threads (0: its threads)
	Dtype       string
}

// loadMNIST reads the MNIST training set from a folder of IDX files.
func loadMNIST(dir string) (*data.Set, error) {
	train, _, err := data.ReadMNIST(dir)
	return train, err
}

func newCmdBench() *cobra.Command {
	opts := &benchOptions{}
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Time training steps of the anchor models against PyTorch",
		Long: `Time the training step of optimbench (batching, loss and gradient, optimizer
update; float64 or --dtype float32, one thread or --threads) on the anchor models: softmax regression 784→10,
the MLPs 784-256-10 and 784-1000-1000-10 and DeepOBS's 2c2d convolutional net
at batch 128 on MNIST (real MNIST from ./data/mnist or $OPTIMBENCH_DATA/mnist
when present, otherwise random data of the same shape), and the tiny 2-16-1
MLP at batch 32.

When /usr/bin/python3 can import torch, scripts/bench_torch.py trains the same
models with PyTorch (same shapes, dtype, threads; OPENBLAS_CORETYPE set to the
fastest kernels for this CPU, see --torch-coretype) and the table shows both.
The steps run in --rounds rounds that alternate optimbench and PyTorch, and
each side reports its fastest round, so that both are measured side by side
on a machine that other work may slow down.`,
		Example: `  optimbench bench
  optimbench bench --models mlp256,tiny --steps 200 --no-torch
  optimbench bench --dtype float32 --threads 2
  optimbench bench --json > bench.json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBench(cmd.Context(), opts, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&opts.Models, "models", nil, "models to time: softmax, mlp256, mlp1000, 2c2d, tiny (default all)")
	f.StringSliceVar(&opts.Optimizers, "optimizers", bench.Optimizers, "optimizers to time")
	f.IntVar(&opts.Steps, "steps", 0, "timed steps per model and optimizer (default: per model, about a second each)")
	f.IntVar(&opts.Rounds, "rounds", 3, "rounds the steps are split into, alternating optimbench and PyTorch; each keeps its fastest")
	f.IntVar(&opts.Threads, "threads", 1, "threads of the matrix products, optimbench's and PyTorch's")
	f.StringVar(&opts.Dtype, "dtype", "float64", "precision of both sides: float64 or float32 (train.dtype)")
	f.IntVar(&opts.TorchThr, "torch-threads", 0, "PyTorch's threads (default --threads)")
	f.IntVar(&opts.TorchBLAS, "torch-blas-threads", 0, "PyTorch's OpenBLAS threads (default --torch-threads; 1 torch thread with 2 BLAS threads is often its best on 2 cores)")
	f.BoolVar(&opts.NoTorch, "no-torch", false, "do not run PyTorch")
	f.BoolVar(&opts.JSON, "json", false, "print the report as JSON")
	f.StringVar(&opts.Python, "python", "/usr/bin/python3", "Python with torch")
	f.StringVar(&opts.TorchScript, "torch-script", "", "path of bench_torch.py (default scripts/bench_torch.py)")
	f.StringVar(&opts.Data, "data", "", "folder of the MNIST IDX files (default ./data/mnist or $OPTIMBENCH_DATA/mnist)")
	f.IntVar(&opts.Rows, "rows", 10000, "rows of random MNIST-shaped data when MNIST is absent")
	f.StringVar(&opts.CoreType, "torch-coretype", bench.FastCoreType(), "OPENBLAS_CORETYPE for PyTorch (\"\" keeps the environment's)")
	return cmd
}

func runBench(ctx context.Context, opts *benchOptions, stdout, stderr io.Writer) error {
	models, err := bench.Select(opts.Models)
	if err != nil {
		return usageError("bench: --models: %v", err)
	}
	if err := opts.check(); err != nil {
		return err
	}
	rep := &bench.Report{Rounds: opts.Rounds, Threads: opts.Threads, CPU: bench.CPUName(), Dtype: opts.Dtype}
	info := backend(opts.Dtype)
	rep.BLAS, rep.BLASCore = info.Name, info.Core
	if info.Warning != "" {
		rep.Warnings = append(rep.Warnings, info.Warning)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	var mnistSet *data.Set
	mnistDir := ""
	rep.Data = "random"
	if slices.ContainsFunc(models, func(m bench.Model) bool { return m.MNIST }) {
		if mnistSet, mnistDir, rep.Data, err = benchMNIST(opts, rng); err != nil {
			return err
		}
	}
	tiny := bench.TinyData(320, rng)

	// PyTorch, when there, times each case right after optimbench, so that both see the same
	// moment of a shared machine.
	var torch *bench.Torch
	if opts.NoTorch {
		rep.TorchNote = "not run (--no-torch)"
	} else if torch, rep.TorchNote, err = startTorch(ctx, opts, mnistDir, stderr); err != nil {
		return err
	}
	defer func() {
		if torch != nil {
			torch.Close()
		}
	}()
	var torchResults []bench.Result
	for _, m := range models {
		set := tiny
		if m.MNIST {
			set = mnistSet
		}
		for _, o := range opts.Optimizers {
			best, tbest, err := timeCase(ctx, opts, m, o, set, torch, stderr)
			if err != nil {
				return err
			}
			rep.Rows = append(rep.Rows, bench.Row{Result: best, Title: m.Title})
			if torch != nil {
				torchResults = append(torchResults, tbest)
			}
		}
	}
	rep.MaxRSSKiB = maxRSS()
	if torch != nil {
		err := torch.Close()
		info := torch.Info
		torch = nil
		if err != nil {
			return fmt.Errorf("bench: pytorch: %w", err)
		}
		rep.AddTorch(info, torchResults)
	}
	if opts.JSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return rep.WriteTable(stdout)
}

// backend is the matrix-product backend of dtype's products: the float32 kernel for float32.
func backend(dtype string) model.BLASInfo {
	if dtype == "float32" {
		return model.BLAS32()
	}
	return model.BLAS()
}

// check validates the numeric flags.
func (opts *benchOptions) check() error {
	switch {
	case len(opts.Optimizers) == 0:
		return usageError("bench: --optimizers: none given")
	case opts.Steps < 0:
		return usageError("bench: --steps: must be >= 0, got %d", opts.Steps)
	case opts.Rounds < 1:
		return usageError("bench: --rounds: must be >= 1, got %d", opts.Rounds)
	case opts.Dtype != "float64" && opts.Dtype != "float32":
		return usageError("bench: --dtype: want float64 or float32, got %q", opts.Dtype)
	case opts.Threads < 1:
		return usageError("bench: --threads: must be >= 1, got %d", opts.Threads)
	case opts.TorchThr < 0:
		return usageError("bench: --torch-threads: must be >= 0, got %d", opts.TorchThr)
	case opts.TorchBLAS < 0:
		return usageError("bench: --torch-blas-threads: must be >= 0, got %d", opts.TorchBLAS)
	case opts.Rows < 1:
		return usageError("bench: --rows: must be >= 1, got %d", opts.Rows)
	}
	return nil
}

// timeCase times model m with optimizer o in opts.Rounds rounds that alternate optimbench and
// PyTorch (when torch is running); each side keeps its fastest round, the one least
// disturbed by whatever else runs on the machine.
func timeCase(ctx context.Context, opts *benchOptions, m bench.Model, o string, set *data.Set, torch *bench.Torch, stderr io.Writer) (best, tbest bench.Result, err error) {
	if err := ctx.Err(); err != nil {
		return best, tbest, fmt.Errorf("bench: interrupted: %w", err)
	}
	steps := m.Steps
	if opts.Steps > 0 {
		steps = opts.Steps
	}
	fmt.Fprintf(stderr, "optimbench: timing %s with %s, %d steps\n", m.Name, o, steps)
	per := max(1, steps/opts.Rounds)
	for range opts.Rounds {
		res, err := bench.TimeIn(opts.Dtype, m, o, set, per, 1, opts.Threads)
		if err != nil {
			return best, tbest, usageError("bench: %v", err)
		}
		if res.SamplesPerSec > best.SamplesPerSec {
			best = res
		}
		if torch == nil {
			continue
		}
		tres, err := torch.Time(m, o, per)
		if err != nil {
			if ctx.Err() != nil {
				return best, tbest, fmt.Errorf("bench: interrupted: %w", ctx.Err())
			}
			return best, tbest, fmt.Errorf("bench: pytorch: %w", err)
		}
		if tres.SamplesPerSec > tbest.SamplesPerSec {
			tbest = tres
		}
	}
	return best, tbest, nil
}

// startTorch starts scripts/bench_torch.py in serve mode; without the script, Python or torch
// it returns a nil *bench.Torch and the reason for the report.
func startTorch(ctx context.Context, opts *benchOptions, mnistDir string, stderr io.Writer) (*bench.Torch, string, error) {
	script, err := findTorchScript(opts.TorchScript)
	if err != nil {
		if errors.Is(err, report.ErrBadInput) {
			return nil, "", err
		}
		return nil, err.Error(), nil
	}
	if _, err := os.Stat(opts.Python); err != nil {
		return nil, fmt.Sprintf("not run: %s not found", opts.Python), nil
	}
	fmt.Fprintf(stderr, "optimbench: starting %s %s\n", opts.Python, script)
	t, err := bench.StartTorch(ctx, bench.TorchOptions{
		Python: opts.Python, Script: script, Threads: cmp.Or(opts.TorchThr, opts.Threads), BLASThreads: opts.TorchBLAS, CoreType: opts.CoreType, Dtype: opts.Dtype,
		MNIST: mnistDir, Rows: opts.Rows,
	})
	switch {
	case errors.Is(err, bench.ErrNoTorch):
		return nil, fmt.Sprintf("not run: %s cannot import torch (Debian: apt-get install python3-torch)", opts.Python), nil
	case err != nil:
		return nil, "", fmt.Errorf("bench: pytorch: %w", err)
	}
	return t, "", nil
}

// benchMNIST returns the MNIST training set when its folder is there, otherwise opts.Rows rows of random data of MNIST's shape; with the folder passed to the
// PyTorch script ("" for random data) and a description for the report.
func benchMNIST(opts *benchOptions, rng *rand.Rand) (set *data.Set, dir, desc string, err error) {
	dir = opts.Data
	if dir == "" {
		dir = filepath.Join("data", "mnist")
		if env := os.Getenv("OPTIMBENCH_DATA"); env != "" {
			if _, err := os.Stat(filepath.Join(env, "mnist")); err == nil {
				dir = filepath.Join(env, "mnist")
			}
		}
	}
	_, statErr := os.Stat(dir)
	switch {
	case statErr != nil && opts.Data != "":
		return nil, "", "", usageError("bench: --data: %v", statErr)
	case statErr == nil:
		set, err := loadMNIST(dir)
		if err != nil {
			if opts.Data != "" {
				return nil, "", "", usageError("bench: --data %s: %v", dir, err)
			}
			return nil, "", "", usageError("bench: MNIST in %s: %v (fetch it again with: optimbench data get mnist)", dir, err)
		}
		return set, dir, fmt.Sprintf("MNIST from %s (%d images)", dir, set.N), nil
	}
	desc = fmt.Sprintf("random, MNIST-shaped (%d×784, 10 classes; no MNIST in %s)", opts.Rows, dir)
	return bench.RandomMNIST(opts.Rows, rng), "", desc, nil
}

// findTorchScript returns path, or scripts/bench_torch.py under the working directory or
// beside the executable.
func findTorchScript(path string) (string, error) {
	if path != "" {
		if _, err := os.Stat(path); err != nil {
			return "", usageError("bench: --torch-script: %v", err)
		}
		return path, nil
	}
	cands := []string{filepath.Join("scripts", "bench_torch.py")}
	if exe, err := os.Executable(); err == nil {
		cands = append(cands, filepath.Join(filepath.Dir(exe), "scripts", "bench_torch.py"))
	}
	for _, c := range cands {
		if _, err := os.Stat(c); err == nil {
			return c, nil
		}
	}
	return "", fmt.Errorf("not run: scripts/bench_torch.py not found (run from the repository root or pass --torch-script)")
}

// maxRSS is the peak resident memory of this process in KiB.
func maxRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss
}
