package cmd

import (
	"context"
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/optimbench/optimbench/internal/report"
	"github.com/optimbench/optimbench/internal/sweep"
)

// The tests of shard detection and of the submission scripts, which moved here from package
// experiment with detectShard and submission.

func TestEmit(t *testing.T) {
	sub := submission{Binary: "/usr/local/bin/optimbench", Config: "/data/cfg's.yaml", Sets: []string{"train.epochs=5"},
		Out: "/data/out", Name: "lr-sweep", Runs: 18, Shards: 8, CPUs: 2, Image: "optimbench:latest", Workdir: "/data"}
	script := sub.SlurmScript()
	for _, want := range []string{"--array=0-7 ", "--cpus-per-task=2", "--dependency=afterany:\"$array\"",
		"--shard-count 8", "merge /data/out --shard-count 8", `'\''`, "--set train.epochs=5"} {
		if !strings.Contains(script, want) {
			t.Errorf("slurm script lacks %q:\n%s", want, script)
		}
	}
	if path, err := exec.LookPath("bash"); err == nil {
		f := write(t, t.TempDir(), "s.sh", script)
		if out, err := exec.Command(path, "-n", f).CombinedOutput(); err != nil {
			t.Errorf("bash -n: %v %s", err, out)
		}
	}
	k8s := sub.K8sManifest()
	var job struct {
		Kind string
		Spec struct{ Completions int }
	}
	if err := yaml.Unmarshal([]byte(k8s), &job); err != nil || job.Kind != "Job" || job.Spec.Completions != 8 {
		t.Errorf("manifest does not parse as an 8-completion Job: %+v %v", job, err)
	}
	for _, want := range []string{"completionMode: Indexed", "completions: 8", "OPTIMBENCH_SHARD_COUNT", `value: "8"`, "name: optimbench-lr-sweep"} {
		if !strings.Contains(k8s, want) {
			t.Errorf("manifest lacks %q:\n%s", want, k8s)
		}
	}
}

func TestDetectShard(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flags shardFlags
		env   map[string]string
		want  sweep.Shard
		bad   bool
	}{
		{"nothing", shardFlags{}, nil, sweep.Shard{}, false},
		{"flags", shardFlags{Index: 2, Count: 4, IndexSet: true, CountSet: true}, nil, sweep.Shard{Index: 2, Count: 4, Source: "--shard-index"}, false},
		{"flags beat env", shardFlags{Index: 1, Count: 4, IndexSet: true, CountSet: true}, map[string]string{"SLURM_ARRAY_TASK_ID": "3"}, sweep.Shard{Index: 1, Count: 4, Source: "--shard-index"}, false},
		{"optimbench env", shardFlags{}, map[string]string{"OPTIMBENCH_SHARD_INDEX": "0", "OPTIMBENCH_SHARD_COUNT": "2"}, sweep.Shard{Index: 0, Count: 2, Source: "OPTIMBENCH_SHARD_INDEX"}, false},
		{"slurm 0-7", shardFlags{}, slurm("5", "0", "7", "1", "8"), sweep.Shard{Index: 5, Count: 8, Source: "SLURM_ARRAY_TASK_ID"}, false},
		{"slurm 3,7 with count flag", shardFlags{Count: 8, CountSet: true}, slurm("7", "3", "7", "", "2"), sweep.Shard{Index: 7, Count: 8, Source: "SLURM_ARRAY_TASK_ID"}, false},
		{"slurm 3,7 without count", shardFlags{}, slurm("7", "3", "7", "", "2"), sweep.Shard{}, true},
		{"slurm 1-4 is 1-based", shardFlags{}, slurm("4", "1", "4", "1", "4"), sweep.Shard{}, true},
		{"slurm 0-10:5", shardFlags{}, slurm("5", "0", "10", "5", "3"), sweep.Shard{}, true},
		{"slurm count from env", shardFlags{}, mergeEnv(slurm("2", "2", "2", "1", "1"), map[string]string{"OPTIMBENCH_SHARD_COUNT": "3"}), sweep.Shard{Index: 2, Count: 3, Source: "SLURM_ARRAY_TASK_ID"}, false},
		{"k8s with count", shardFlags{}, map[string]string{"JOB_COMPLETION_INDEX": "3", "OPTIMBENCH_SHARD_COUNT": "4"}, sweep.Shard{Index: 3, Count: 4, Source: "JOB_COMPLETION_INDEX"}, false},
		{"k8s without count", shardFlags{}, map[string]string{"JOB_COMPLETION_INDEX": "3"}, sweep.Shard{}, true},
		{"index out of range", shardFlags{Index: 4, Count: 4, IndexSet: true, CountSet: true}, nil, sweep.Shard{}, true},
		{"count without index", shardFlags{Count: 4, CountSet: true}, nil, sweep.Shard{}, true},
		{"zero count", shardFlags{Index: 0, Count: 0, IndexSet: true, CountSet: true}, nil, sweep.Shard{}, true},
		{"env not a number", shardFlags{}, map[string]string{"SLURM_ARRAY_TASK_ID": "x"}, sweep.Shard{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := detectShard(tc.flags, func(k string) string { return tc.env[k] })
			if tc.bad {
				if !errors.Is(err, report.ErrBadInput) {
					t.Errorf("got %+v, %v; want bad input", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func slurm(id, lo, hi, step, count string) map[string]string {
	m := map[string]string{"SLURM_ARRAY_TASK_ID": id, "SLURM_ARRAY_TASK_MIN": lo, "SLURM_ARRAY_TASK_MAX": hi, "SLURM_ARRAY_TASK_COUNT": count}
	if step != "" {
		m["SLURM_ARRAY_TASK_STEP"] = step
	}
	return m
}

func mergeEnv(a, b map[string]string) map[string]string {
	for k, v := range b {
		a[k] = v
	}
	return a
}

// merge's resubmission hint: the sbatch line that resubmits the shards a merge lacks (the
// rest of this test, from package experiment's TestMergeMissing, is sweep's TestMergeMissing).
func TestMergeResubmission(t *testing.T) {
	dir := t.TempDir()
	s, err := sweep.Load(context.Background(), write(t, t.TempDir(), "sweep.yaml", `
name: tiny
base:
  data: {source: synthetic, generator: blobs, n: 60, features: 2, classes: 3}
  model: {kind: linear}
  optimizer: {name: sgd}
  train: {epochs: 1, batch_size: 16}
grid:
  optimizer.lr: [0.01, 0.1, 0.2, 0.3, 0.4]
`), sweep.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{0, 2, 4} {
		if _, err := s.Execute(context.Background(), sweep.Options{Dir: dir, Workers: 2, Shard: sweep.Shard{Index: k, Count: 5, Source: "test"}}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = sweep.Merge(dir, 0)
	var inc *sweep.IncompleteError
	if !errors.As(err, &inc) || !slices.Equal(inc.Missing, []int{1, 3}) {
		t.Fatalf("err %v, want *IncompleteError missing 1,3", err)
	}
	sub := submission{Binary: "optimbench", Config: s.File, Out: dir, Name: s.Name, Shards: 5}
	if cmd := sub.SbatchArray(inc.Missing); !strings.Contains(cmd, "--array=1,3 ") || !strings.Contains(cmd, "--shard-count 5") {
		t.Errorf("resubmission %q", cmd)
	}
}
