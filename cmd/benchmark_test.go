package cmd

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/optimbench/optimbench/internal/benchmark"
	"github.com/optimbench/optimbench/internal/datasets"
)

func TestBenchmarkFlags(t *testing.T) {
	var got *benchmarkOptions
	cmd := newCmdBenchmark(func(_ context.Context, o *benchmarkOptions, _, _ io.Writer) error { got = o; return nil })
	cmd.SetArgs([]string{"--config", "b.yaml", "--out", "d", "-w", "3", "--shard-index", "1", "--shard-count", "2", "--max-memory", "1GiB", "--emit", "slurm"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Config != "b.yaml" || got.Out != "d" || got.Workers != 3 || !got.WorkersSet || got.Shard.Index != 1 ||
		!got.Shard.IndexSet || got.Shard.Count != 2 || got.Limits.Memory != 1<<30 || got.Emit != "slurm" {
		t.Errorf("options %+v", got)
	}
}

// A bad benchmark file or flag is exit status 2 with one line naming the file and key.
func TestBenchmarkBadInput(t *testing.T) {
	dir := t.TempDir()
	good := write(t, dir, "good.yaml", "problems: {p: {data: {source: synthetic, n: 60}, model: {kind: linear}, train: {epochs: 2}}}\noptimizers: {adam: {search: {lr: [0.01]}}}\nbaselines: {optimizers: []}\nseeds: 1\n")
	for _, c := range []struct {
		body string
		args []string
		want string
	}{
		{body: "problems: {p: {data: {source: synthetic}}}\noptimizers: {nadam: {search: {method: halving, eta: 0}}}\n", want: "optimizers.nadam.search.eta: must be >= 2"},
		{body: "problems: {p: {data: {source: synthetic}, model: {kind: linear}, train: {epochs: 0}}}\n", want: "problems.p with optimizers.sgd"},
		{body: "problems: {p: nofile.yaml}\n", want: "problems.p: cannot read"},
		{body: "optimizers: {adam: {}}\n", want: "problems: required"},
		{args: []string{"benchmark", "--config", good, "--workers", "0"}, want: "--workers must be >= 1"},
		{args: []string{"benchmark", "--config", good, "--emit", "k8s"}, want: "--emit must be slurm"},
		{args: []string{"benchmark", "--config", good, "--shard-count", "2", "--shard-index", "0"}, want: "needs --out"},
	} {
		args := c.args
		if args == nil {
			args = []string{"benchmark", "-q", "--config", write(t, dir, "bad.yaml", c.body), "--out", filepath.Join(dir, "out")}
		}
		code, _, stderr := runCLI(t, args...)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line with %q", args, code, stderr, c.want)
		}
	}
}

func TestBenchmarkEmitSlurm(t *testing.T) {
	code, stdout, stderr := runCLI(t, "benchmark", "--config", "../configs/benchmark/tiny.yaml", "--emit", "slurm", "--shard-count", "3", "--out", "/shared/tiny")
	if code != 0 {
		t.Fatal(stderr)
	}
	for _, want := range []string{"--array=0-2", "benchmark --config ", "--out /shared/tiny", "--shard-count 3"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("script lacks %q:\n%s", want, stdout)
		}
	}
}

// Every shipped benchmark runs to an analysis.
func TestShippedBenchmarks(t *testing.T) {
	files, _ := filepath.Glob("../configs/benchmark/*.yaml")
	if len(files) == 0 {
		t.Fatal("no benchmark in configs/benchmark")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if !strings.HasSuffix(f, "tiny.yaml") {
				// The DeepOBS benchmarks take tens of minutes: read them (every problem,
				// candidate and dataset checked), run only tiny.yaml.
				if os.Getenv("OPTIMBENCH_DATA") == "" {
					t.Setenv("OPTIMBENCH_DATA", filepath.Join("..", "data")) // tests run in cmd/
				}
				for _, d := range []string{"mnist", "fashion-mnist"} {
					if _, err := datasets.Locate(d, ""); err != nil {
						t.Skipf("%v (at the repository root: go run . data get %s)", err, d)
					}
				}
				if _, err := benchmark.Read(f); err != nil {
					t.Fatal(err)
				}
				return
			}
			out := filepath.Join(t.TempDir(), "b")
			if code, _, stderr := runCLI(t, "benchmark", "-q", "--config", f, "--out", out, "-w", "2"); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			a, err := benchmark.ReadAnalysis(out)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range a.Results {
				if r.Chosen < 0 || len(r.Seeds) == 0 {
					t.Errorf("%s/%s: nothing chosen", r.Problem, r.Optimizer)
				}
			}
		})
	}
}
