package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const tinySweep = `
name: tiny
base:
  data: {source: synthetic, generator: blobs, n: 100, features: 2, classes: 2}
  model: {kind: linear}
  optimizer: {name: sgd}
  train: {epochs: 2, batch_size: 20}
grid:
  optimizer.name: [sgd, adam]
  optimizer.lr: [0.1, 1.0e+6]
seeds: [1, 2]
`

// dropColumn removes the seconds column (the last but one) of a results.csv.
func dropSeconds(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for i, l := range lines {
		c := strings.Split(l, ",")
		lines[i] = strings.Join(append(c[:len(c)-2:len(c)-2], c[len(c)-1]), ",")
	}
	return strings.Join(lines, "\n")
}

// noShardEnv clears the scheduler variables that would make every sweep of
// a test a shard (when the tests themselves run in a Slurm array or an
// Indexed Job).
func noShardEnv(t *testing.T) {
	t.Helper()
	for _, k := range []string{"SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX", "OPTIMBENCH_SHARD_INDEX", "OPTIMBENCH_SHARD_COUNT"} {
		t.Setenv(k, "")
	}
}

func TestSweepCommand(t *testing.T) {
	noShardEnv(t)
	dir := t.TempDir()
	cfg := write(t, dir, "tiny.yaml", tinySweep)
	out := filepath.Join(dir, "sw")
	code, stdout, stderr := runCLI(t, "sweep", "--config", cfg, "--out", out, "--workers", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.TrimSpace(stdout) != out {
		t.Errorf("stdout %q, want the sweep folder", stdout)
	}
	if !strings.Contains(stderr, "[8/8] ") || !strings.Contains(stderr, "4 done, 4 diverged, 0 failed") {
		t.Errorf("stderr lacks per-run lines or the tally:\n%s", stderr)
	}
	want := dropSeconds(t, filepath.Join(out, "results.csv"))
	if n := strings.Count(want, "\n"); n != 8 {
		t.Errorf("results.csv has %d rows, want 8", n)
	}
	// resume: nothing to run
	code, _, stderr = runCLI(t, "sweep", "--config", cfg, "--out", out)
	if code != 0 || !strings.Contains(stderr, "0 run now, 8 finished earlier") {
		t.Errorf("rerun: exit %d\n%s", code, stderr)
	}
	// a changed sweep is refused, then accepted with --force
	code, _, stderr = runCLI(t, "sweep", "--config", cfg, "--out", out, "--set", "train.epochs=3")
	if code != 2 || !strings.Contains(stderr, "different sweep") {
		t.Errorf("changed sweep: exit %d %s", code, stderr)
	}
	if code, _, stderr = runCLI(t, "sweep", "-q", "--config", cfg, "--out", out, "--set", "train.epochs=3", "--force"); code != 0 || stderr != "" {
		t.Errorf("--force -q: exit %d %q", code, stderr)
	}

	// three shards (one from Slurm's environment) and merge equal the one-machine sweep
	sharded := filepath.Join(dir, "sharded")
	for k := range 3 {
		args := []string{"sweep", "-q", "--config", cfg, "--out", sharded, "--shard-count", "3"}
		if k == 1 {
			t.Setenv("SLURM_ARRAY_TASK_ID", "1")
		} else {
			args = append(args, "--shard-index", strconv.Itoa(k))
		}
		if code, _, stderr := runCLI(t, args...); code != 0 {
			t.Fatalf("shard %d: exit %d %s", k, code, stderr)
		}
		t.Setenv("SLURM_ARRAY_TASK_ID", "")
	}
	for k := range 3 {
		if _, err := os.Stat(filepath.Join(sharded, "shards", "shard-"+strconv.Itoa(k)+"-of-3.csv")); err != nil {
			t.Errorf("shard %d: %v", k, err)
		}
	}
	os.Rename(filepath.Join(sharded, "shards", "shard-1-of-3.csv"), filepath.Join(dir, "keep.csv"))
	code, stdout, stderr = runCLI(t, "merge", sharded)
	if code != 1 || !strings.Contains(stderr, "missing shards 1 of 3") || !strings.Contains(stderr, "sbatch ") ||
		!strings.Contains(stderr, "--array=1 ") || !strings.Contains(stderr, "--shard-count 3") || stdout != "" {
		t.Errorf("merge with a missing shard: exit %d stdout %q\n%s", code, stdout, stderr)
	}
	os.Rename(filepath.Join(dir, "keep.csv"), filepath.Join(sharded, "shards", "shard-1-of-3.csv"))
	code, stdout, stderr = runCLI(t, "merge", sharded, "--shard-count", "3")
	if code != 0 || strings.TrimSpace(stdout) != filepath.Join(sharded, "results.csv") {
		t.Fatalf("merge: exit %d %q %s", code, stdout, stderr)
	}
	if got := dropSeconds(t, filepath.Join(sharded, "results.csv")); got != want {
		t.Errorf("merged results\n%s\nwant\n%s", got, want)
	}
}

func TestSweepEmit(t *testing.T) {
	noShardEnv(t)
	dir := t.TempDir()
	cfg := write(t, dir, "tiny.yaml", tinySweep)
	out := filepath.Join(dir, "sw")
	code, stdout, stderr := runCLI(t, "sweep", "--config", cfg, "--out", out, "--emit", "slurm", "--shard-count", "3", "--workers", "2")
	if code != 0 {
		t.Fatalf("exit %d %s", code, stderr)
	}
	for _, want := range []string{"--array=0-2 ", "--cpus-per-task=2", "--dependency=afterany:", "merge " + out + " --shard-count 3", "--shard-count 3"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("script lacks %q:\n%s", want, stdout)
		}
	}
	if path, err := exec.LookPath("bash"); err == nil {
		if b, err := exec.Command(path, "-n", write(t, dir, "s.sh", stdout)).CombinedOutput(); err != nil {
			t.Errorf("bash -n: %v %s", err, b)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("--emit created the sweep folder")
	}
	code, stdout, _ = runCLI(t, "sweep", "--config", cfg, "--out", "sweeps/x", "--emit", "k8s", "--shard-count", "4")
	if code != 0 || !strings.Contains(stdout, "completions: 4") || !strings.Contains(stdout, "completionMode: Indexed") {
		t.Errorf("k8s: exit %d\n%s", code, stdout)
	}
}

// A run that fails is recorded and the others go on; the exit status is 1.
func TestSweepFailedRun(t *testing.T) {
	noShardEnv(t)
	dir := t.TempDir()
	good := write(t, dir, "good.csv", "a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n")
	// bad past the rows a sweep checks up front: found when its run loads it
	late := write(t, dir, "late.csv", "a,b,y\n"+strings.Repeat("1,2,0\n3,4,1\n", 600)+"5,x,0\n")
	sweep := func(bad string) string {
		return write(t, dir, "s.yaml", `
base:
  data: {source: csv, path: `+good+`, test_fraction: 0}
  model: {kind: linear}
  optimizer: {name: sgd, lr: 0.1}
  train: {epochs: 2, batch_size: 2}
grid:
  data.path: [`+good+`, `+bad+`]
  optimizer.lr: [0.1, 0.2]
`)
	}
	out := filepath.Join(dir, "sw")
	code, _, stderr := runCLI(t, "sweep", "--config", sweep(late), "--out", out, "--workers", "2")
	if code != 1 || !strings.Contains(stderr, "2 of 4 runs failed") {
		t.Errorf("exit %d, want 1:\n%s", code, stderr)
	}
	b, _ := os.ReadFile(filepath.Join(out, "results.csv"))
	if strings.Count(string(b), ",done,") != 2 || strings.Count(string(b), ",failed,") != 2 || !strings.Contains(string(b), "late.csv:1202") {
		t.Errorf("results.csv:\n%s", b)
	}
	// A file that is not there is found before anything runs: exit 2, nothing written.
	out2 := filepath.Join(dir, "sw2")
	code, _, stderr = runCLI(t, "sweep", "--config", sweep(filepath.Join(dir, "gone.csv")), "--out", out2, "--workers", "2")
	if _, err := os.Stat(out2); code != 2 || !strings.Contains(stderr, "point 2 (") || !strings.Contains(stderr, "gone.csv") || !os.IsNotExist(err) {
		t.Errorf("a missing data file: exit %d (want 2), %v:\n%s", code, err, stderr)
	}
}

func TestSweepBadInput(t *testing.T) {
	noShardEnv(t)
	dir := t.TempDir()
	cfg := write(t, dir, "tiny.yaml", tinySweep)
	typo := write(t, dir, "typo.yaml", tinySweep+"gird: {optimizer.lr: [1]}\n")
	badPoint := write(t, dir, "bad.yaml", strings.Replace(tinySweep, "[0.1, 1.0e+6]", "[0.1, -1]", 1))
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no config", []string{"sweep"}, "--config"},
		{"unknown key", []string{"sweep", "--config", typo}, `gird: unknown key (did you mean "grid"?)`},
		{"bad point", []string{"sweep", "--config", badPoint}, "optimizer.lr=-1"},
		{"workers 0", []string{"sweep", "--config", cfg, "--workers", "0"}, "--workers"},
		{"bad emit", []string{"sweep", "--config", cfg, "--emit", "pbs"}, "--emit"},
		{"shard out of range", []string{"sweep", "--config", cfg, "--shard-index", "3", "--shard-count", "3"}, "shard index 3"},
		{"shard index without count", []string{"sweep", "--config", cfg, "--shard-index", "1"}, "shard count"},
		{"merge no folder", []string{"merge"}, "merge"},
		{"merge not a sweep", []string{"merge", dir}, "not a sweep folder"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			code, stdout, stderr := runCLI(t, tc.args...)
			if code != 2 || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want 2 naming %q", code, stderr, tc.want)
			}
			if stdout != "" {
				t.Errorf("stdout %q", stdout)
			}
			if _, err := os.Stat("sweeps"); err == nil {
				t.Errorf("bad input created a sweep folder")
			}
		})
	}
}

// Every shipped sweep config runs (cut to 3 epochs per run) without a failure.
func TestShippedSweeps(t *testing.T) {
	noShardEnv(t)
	_, files := shippedConfigs(t)
	if len(files) < 2 {
		t.Fatalf("found %d sweep configs", len(files))
	}
	for _, f := range files {
		t.Run(strings.TrimPrefix(f, "../configs/"), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "sw")
			args := append([]string{"sweep", "-q", "--config", f, "--out", out, "--set", "train.epochs=3"}, realDataArgs(t, f)...)
			code, _, stderr := runCLI(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			b, err := os.ReadFile(filepath.Join(out, "results.csv"))
			if err != nil || strings.Contains(string(b), ",failed,") {
				t.Fatalf("results.csv: %v\n%s", err, b)
			}
			if strings.HasSuffix(f, "lr-sweep.yaml") && !strings.Contains(string(b), ",diverged,") {
				t.Errorf("lr-sweep.yaml: no run diverged:\n%s", b)
			}
		})
	}
}
