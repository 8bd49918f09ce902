package cmd

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/optimbench/optimbench/internal/report"
	"github.com/optimbench/optimbench/internal/sweep"
)

// shardFlags are the --shard-index/--shard-count flags as given.
type shardFlags struct {
	Index, Count       int
	IndexSet, CountSet bool
}

// detectShard works out which shard this process is, in this order:
//  1. the flags --shard-index and --shard-count;
//  2. OPTIMBENCH_SHARD_INDEX and OPTIMBENCH_SHARD_COUNT;
//  3. Slurm's SLURM_ARRAY_TASK_ID for the index, the count from the flag,
//     OPTIMBENCH_SHARD_COUNT, or SLURM_ARRAY_TASK_COUNT when the array is a
//     plain 0..n−1 (SLURM_ARRAY_TASK_MIN 0, step 1, MAX = COUNT−1; a
//     resubmission such as --array=3,7 has a count of 2 and must pass
//     --shard-count);
//  4. a Kubernetes Indexed Job's JOB_COMPLETION_INDEX, the count from the
//     flag or OPTIMBENCH_SHARD_COUNT (Kubernetes does not expose it).
//
// Neither index nor count anywhere means the whole sweep (Shard{}).
func detectShard(f shardFlags, getenv func(string) string) (sweep.Shard, error) {
	envInt := func(name string) (int, bool, error) {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return 0, false, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, false, report.BadInput(fmt.Errorf("environment variable %s=%q is not an integer", name, v))
		}
		return n, true, nil
	}
	sh := sweep.Shard{}
	indexSet := false
	switch {
	case f.IndexSet:
		sh.Index, sh.Source, indexSet = f.Index, "--shard-index", true
	default:
		for _, name := range []string{"OPTIMBENCH_SHARD_INDEX", "SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"} {
			n, ok, err := envInt(name)
			if err != nil {
				return sweep.Shard{}, err
			}
			if ok {
				sh.Index, sh.Source, indexSet = n, name, true
				break
			}
		}
	}
	countSet := false
	if f.CountSet {
		sh.Count, countSet = f.Count, true
	} else if n, ok, err := envInt("OPTIMBENCH_SHARD_COUNT"); err != nil {
		return sweep.Shard{}, err
	} else if ok {
		sh.Count, countSet = n, true
	}
	switch {
	case !indexSet && !countSet:
		return sweep.Shard{}, nil
	case !indexSet:
		return sweep.Shard{}, report.BadInput(fmt.Errorf("a shard count of %d needs a shard index: pass --shard-index, or run as a Slurm array task (SLURM_ARRAY_TASK_ID) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX)", sh.Count))
	case !countSet && sh.Source == "SLURM_ARRAY_TASK_ID":
		count, okC, err := envInt("SLURM_ARRAY_TASK_COUNT")
		if err != nil {
			return sweep.Shard{}, err
		}
		lo, okMin, _ := envInt("SLURM_ARRAY_TASK_MIN")
		hi, okMax, _ := envInt("SLURM_ARRAY_TASK_MAX")
		step, okStep, _ := envInt("SLURM_ARRAY_TASK_STEP")
		if !okStep {
			step = 1
		}
		if !okC || !okMin || !okMax || lo != 0 || step != 1 || hi != count-1 {
			return sweep.Shard{}, report.BadInput(fmt.Errorf("the Slurm array %s-%s:%s (count %s) is not 0..n-1, so it does not tell the shard count; pass --shard-count or set OPTIMBENCH_SHARD_COUNT",
				getenv("SLURM_ARRAY_TASK_MIN"), getenv("SLURM_ARRAY_TASK_MAX"), strconv.Itoa(step), getenv("SLURM_ARRAY_TASK_COUNT")))
		}
		sh.Count = count
	case !countSet:
		return sweep.Shard{}, report.BadInput(fmt.Errorf("shard index %d from %s needs the shard count: pass --shard-count or set OPTIMBENCH_SHARD_COUNT", sh.Index, sh.Source))
	}
	if sh.Count < 1 {
		return sweep.Shard{}, report.BadInput(fmt.Errorf("shard count must be >= 1, got %d", sh.Count))
	}
	if err := sh.Validate(); err != nil {
		return sweep.Shard{}, err
	}
	return sh, nil
}

// submission describes a sharded sweep for --emit and for merge's
// resubmission hint.
type submission struct {
	Binary  string   // the optimbench executable
	Config  string   // the sweep file
	Sets    []string // --set overrides
	Out     string   // the sweep folder, on storage every node shares
	Name    string   // the sweep's name
	Runs    int      // points in the sweep
	Shards  int      // shard count
	CPUs    int      // CPUs per shard
	Workers int      // --workers of each shard (0: not given, the shard takes SLURM_CPUS_PER_TASK)
	Image   string   // container image (k8s)
	Workdir string   // working directory inside the container (k8s)
}

// ShardArgs is the command line of one shard (its index comes from the
// scheduler's environment).
func (s submission) ShardArgs() []string {
	args := []string{s.Binary, "sweep", "--config", s.Config, "--out", s.Out}
	for _, kv := range s.Sets {
		args = append(args, "--set", kv)
	}
	if s.Workers > 0 {
		args = append(args, "--workers", strconv.Itoa(s.Workers))
	}
	return append(args, "--shard-count", strconv.Itoa(s.Shards))
}

// MergeArgs is the command line of the merge step.
func (s submission) MergeArgs() []string {
	return []string{s.Binary, "merge", s.Out, "--shard-count", strconv.Itoa(s.Shards)}
}

// ShellQuote quotes a word for sh when it needs it.
func ShellQuote(w string) string {
	if w != "" && strings.Trim(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == "" {
		return w
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = ShellQuote(a)
	}
	return strings.Join(q, " ")
}

// SbatchArray is the sbatch command that (re)submits the given shards.
func (s submission) SbatchArray(shards []int) string {
	return sbatchArrayLine(s.Name, sweep.ArrayRange(shards), max(s.CPUs, 1), s.Out, s.ShardArgs())
}

// sbatchArrayLine is the sbatch command of an array job named after name: the tasks array
// (sbatch's --array syntax), cpus each, logs under out/logs, each running args.
func sbatchArrayLine(name, array string, cpus int, out string, args []string) string {
	return fmt.Sprintf("sbatch --parsable --job-name=%s --array=%s --cpus-per-task=%d -o %s --wrap %s",
		ShellQuote("optimbench-"+name), array, cpus, ShellQuote(out+"/logs/shard-%A_%a.out"), ShellQuote(shellJoin(args)))
}

// SlurmScript is a bash script that submits the sweep as a Slurm array job
// of Shards tasks and a merge job that runs after all of them (afterany:
// merge itself checks that every shard finished).
func (s submission) SlurmScript() string {
	all := make([]int, s.Shards)
	for i := range all {
		all[i] = i
	}
	var b strings.Builder
	fmt.Fprintf(&b, `#!/usr/bin/env bash
# optimbench sweep %s: %d runs in %d shards, shard k running points k, k+%d, …
# Submit with: bash THIS_FILE. The sweep folder must be on storage all nodes share.
# sbatch reads SBATCH_PARTITION, SBATCH_TIMELIMIT, SBATCH_ACCOUNT… from the environment.
# A failed or preempted shard: rerun it with the same array index (finished runs are kept);
# optimbench merge names the missing shards with the sbatch line to resubmit them.
set -euo pipefail
mkdir -p %s
array=$(%s)
merge=$(sbatch --parsable --job-name=%s --dependency=afterany:"$array" -o %s --wrap %s)
echo "submitted array job $array (%d shards) and merge job $merge; results: %s"
`, s.Name, s.Runs, s.Shards, s.Shards, ShellQuote(s.Out+"/logs"), s.SbatchArray(all),
		ShellQuote("optimbench-"+s.Name+"-merge"), ShellQuote(s.Out+"/logs/merge-%j.out"),
		ShellQuote(shellJoin(s.MergeArgs())), s.Shards, s.Out+"/results.csv")
	return b.String()
}

// K8sManifest is a Kubernetes Indexed Job running the shards, followed (as
// comments) by the merge step.
func (s submission) K8sManifest() string {
	quote := func(a []string) string {
		q := make([]string, len(a))
		for i, w := range a {
			q[i] = strconv.Quote(w)
		}
		return "[" + strings.Join(q, ", ") + "]"
	}
	args := s.ShardArgs()
	name := k8sName("optimbench-" + s.Name)
	var b strings.Builder
	fmt.Fprintf(&b, `# optimbench sweep %s: %d runs in %d shards as a Kubernetes Indexed Job.
# Each pod runs the points with index ≡ JOB_COMPLETION_INDEX (mod %d); a failed pod is
# retried with the same index and skips the runs it already finished.
# The volume "data" (a ReadWriteMany claim) holds the config files and receives the sweep folder.
# Then merge:
#   kubectl wait --for=condition=complete job/%s --timeout=24h
#   and run, where the volume is mounted: %s
apiVersion: batch/v1
kind: Job
metadata:
  name: %s
spec:
  completionMode: Indexed
  completions: %d
  parallelism: %d
  backoffLimit: %d
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: shard
        image: %s
        workingDir: %s
        command: [%q]
        args: %s
        env:
        - name: OPTIMBENCH_SHARD_COUNT
          value: "%d"
        resources:
          requests:
            cpu: "%d"
        volumeMounts:
        - name: data
          mountPath: %s
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: optimbench-data
`, s.Name, s.Runs, s.Shards, s.Shards, name, shellJoin(s.MergeArgs()), name, s.Shards, s.Shards,
		3*s.Shards, s.Image, s.Workdir, args[0], quote(args[1:]), s.Shards, max(s.CPUs, 1), s.Workdir)
	return b.String()
}

// k8sName makes a valid Kubernetes object name (lower-case RFC 1123 label).
func k8sName(n string) string {
	b := []byte(strings.ToLower(n))
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			b[i] = '-'
		}
	}
	s := strings.Trim(string(b), "-")
	if len(s) > 63 {
		s = strings.TrimRight(s[:63], "-")
	}
	return s
}
