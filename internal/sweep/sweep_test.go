package sweep

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/report"
)

// sweep18 is the acceptance sweep of issue 4: 3 optimizers × 3 learning
// rates × 2 seeds, the largest rate diverging for every optimizer.
const sweep18 = `
name: tiny
base:
  data: {source: synthetic, generator: blobs, n: 120, features: 2, classes: 3}
  model: {kind: linear}
  optimizer: {name: sgd}
  train: {epochs: 3, batch_size: 16}
grid:
  optimizer.name: [sgd, momentum, adam]
  optimizer.lr: [0.01, 0.1, 1.0e+6]
seeds: [1, 2]
`

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func loadSweep(t *testing.T, body string, sets ...string) *Sweep {
	t.Helper()
	s, err := Load(context.Background(), writeFile(t, t.TempDir(), "sweep.yaml", body), LoadOptions{Sets: sets})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func execSweep(t *testing.T, s *Sweep, dir string, opts Options) *Outcome {
	t.Helper()
	opts.Dir = dir
	out, err := s.Execute(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// withoutColumn reads a csv file and drops the named column (seconds).
func withoutColumn(t *testing.T, path, col string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	idx := slices.Index(strings.Split(lines[0], ","), col)
	if idx < 0 {
		t.Fatalf("%s has no column %s", path, col)
	}
	for i, l := range lines {
		cells := strings.Split(l, ",")
		if idx < len(cells) {
			cells = slices.Delete(cells, idx, idx+1)
		}
		lines[i] = strings.Join(cells, ",")
	}
	return strings.Join(lines, "\n")
}

// sweepState is everything a sweep folder says apart from timings.
func sweepState(t *testing.T, s *Sweep, dir, results string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(withoutColumn(t, results, "seconds"))
	for _, p := range s.Points {
		b.WriteString("\n" + p.ID + "\n")
		b.WriteString(withoutColumn(t, filepath.Join(RunDir(dir, p), "metrics.csv"), "seconds"))
		cfg, err := os.ReadFile(filepath.Join(RunDir(dir, p), "config.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		b.Write(cfg)
	}
	return b.String()
}

func TestSweep18(t *testing.T) {
	s := loadSweep(t, sweep18)
	if len(s.Points) != 18 {
		t.Fatalf("%d points, want 18", len(s.Points))
	}
	if got, want := formatSet(s.Points[1].Set), "optimizer.name=sgd optimizer.lr=0.01 seed=2"; got != want {
		t.Errorf("point 1 is %q, want %q (seeds vary fastest)", got, want)
	}
	if got := s.Points[2].ID; !strings.HasPrefix(got, "sgd-lr0.1-s1-") || len(got) != len("sgd-lr0.1-s1-")+8 {
		t.Errorf("run id %q, want sgd-lr0.1-s1-<8 hex>", got)
	}
	dir := t.TempDir()
	out := execSweep(t, s, dir, Options{Workers: 2})
	if out.Ran != 18 || out.Done != 12 || out.Diverged != 6 || out.Failed != 0 {
		t.Fatalf("outcome %+v, want 18 runs: 12 done, 6 diverged", out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "results.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if want := "run_id,status,seed,optimizer.name,optimizer.lr,epochs,steps,final_train_loss,final_test_loss,best_test_loss,final_test_acc,best_test_acc,seconds,reason"; lines[0] != want {
		t.Errorf("header\n%s\nwant\n%s", lines[0], want)
	}
	if len(lines) != 19 {
		t.Fatalf("%d rows, want 18", len(lines)-1)
	}
	for i, p := range s.Points {
		cells := strings.Split(lines[i+1], ",")
		want := "done"
		if strings.Contains(p.ID, "lr1e+06") {
			want = "diverged"
		}
		if cells[0] != p.ID || cells[1] != want {
			t.Errorf("row %d: %s %s, want %s %s", i, cells[0], cells[1], p.ID, want)
		}
	}
	before := sweepState(t, s, dir, filepath.Join(dir, "results.csv"))

	// A rerun executes nothing and writes the same results.
	again := execSweep(t, loadSweep(t, sweep18), dir, Options{Workers: 2})
	if again.Ran != 0 || again.Skipped != 18 {
		t.Errorf("rerun ran %d, skipped %d; want 0 and 18", again.Ran, again.Skipped)
	}
	if after := sweepState(t, s, dir, filepath.Join(dir, "results.csv")); after != before {
		t.Errorf("rerun changed the results")
	}
}

// --workers 1, --workers 2 and 3 shards plus merge give the same results and
// metrics.
func TestSweepWorkersAndShards(t *testing.T) {
	s := loadSweep(t, sweep18)
	one, two, sharded := t.TempDir(), t.TempDir(), t.TempDir()
	execSweep(t, s, one, Options{Workers: 1})
	execSweep(t, s, two, Options{Workers: 2})
	for k := 2; k >= 0; k-- {
		out := execSweep(t, s, sharded, Options{Workers: 2, Shard: Shard{Index: k, Count: 3, Source: "test"}})
		if len(out.Results) != 6 || filepath.Base(out.File) != fmt.Sprintf("shard-%d-of-3.csv", k) {
			t.Fatalf("shard %d: %d points, file %s", k, len(out.Results), out.File)
		}
		for _, r := range out.Results {
			if r.Point.Index%3 != k {
				t.Errorf("shard %d ran point %d", k, r.Point.Index)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(sharded, "results.csv")); err == nil {
		t.Errorf("a shard wrote results.csv")
	}
	m, err := Merge(sharded, 0)
	if err != nil {
		t.Fatal(err)
	}
	if m.Count != 3 || m.Done != 12 || m.Diverged != 6 {
		t.Errorf("merge outcome %+v", m)
	}
	want := sweepState(t, s, one, filepath.Join(one, "results.csv"))
	if got := sweepState(t, s, two, filepath.Join(two, "results.csv")); got != want {
		t.Errorf("--workers 2 differs from --workers 1")
	}
	if got := sweepState(t, s, sharded, filepath.Join(sharded, "results.csv")); got != want {
		t.Errorf("3 shards + merge differ from --workers 1:\n%s\n----\n%s", got[:400], want[:400])
	}
}

// A sweep killed mid-way (a summary lost, a metrics.csv cut short, temporary
// files left behind) ends, once rerun, with the uninterrupted results.
func TestSweepResume(t *testing.T) {
	s := loadSweep(t, sweep18)
	dir := t.TempDir()
	execSweep(t, s, dir, Options{Workers: 2})
	want := sweepState(t, s, dir, filepath.Join(dir, "results.csv"))

	a, b, c := RunDir(dir, s.Points[0]), RunDir(dir, s.Points[5]), RunDir(dir, s.Points[17])
	os.Remove(filepath.Join(a, "summary.json"))
	os.Remove(filepath.Join(b, "summary.json"))
	if err := os.Truncate(filepath.Join(b, "metrics.csv"), 100); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(c, "summary.json"))
	writeFile(t, c, ".summary.json.tmp123", `{"status": "do`)
	writeFile(t, dir, ".results.csv.tmp456", "run_id")
	os.Remove(filepath.Join(dir, "results.csv"))

	out := execSweep(t, s, dir, Options{Workers: 2})
	if out.Ran != 3 || out.Skipped != 15 {
		t.Errorf("resume ran %d, skipped %d; want 3 and 15", out.Ran, out.Skipped)
	}
	if got := sweepState(t, s, dir, filepath.Join(dir, "results.csv")); got != want {
		t.Errorf("resumed sweep differs from the uninterrupted one")
	}
	for _, pat := range []string{filepath.Join(dir, ".*tmp*"), filepath.Join(c, ".*tmp*")} {
		if left, _ := filepath.Glob(pat); len(left) > 0 {
			t.Errorf("temporary files left: %v", left)
		}
	}
}

// Cancelling (Ctrl-C) keeps the finished runs, lists the others as pending,
// and a rerun completes the sweep with the same results.
func TestSweepInterrupt(t *testing.T) {
	s := loadSweep(t, sweep18)
	ref := t.TempDir()
	execSweep(t, s, ref, Options{Workers: 1})
	want := sweepState(t, s, ref, filepath.Join(ref, "results.csv"))

	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	p := &cancelAfter{n: 5, cancel: cancel}
	out, err := s.Execute(ctx, Options{Dir: dir, Workers: 2, Progress: p})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if out.Pending == 0 || out.Done+out.Diverged < 5 {
		t.Errorf("interrupted outcome %+v", out)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "results.csv"))
	if !strings.Contains(string(b), ",pending,") {
		t.Errorf("results.csv of an interrupted sweep lists no pending point")
	}
	execSweep(t, s, dir, Options{Workers: 2})
	if got := sweepState(t, s, dir, filepath.Join(dir, "results.csv")); got != want {
		t.Errorf("resumed sweep differs from the uninterrupted one")
	}
}

type cancelAfter struct {
	n, seen int
	cancel  func()
}

func (c *cancelAfter) Start(total, finished int) {}
func (c *cancelAfter) Done(r Result) {
	if c.seen++; c.seen == c.n {
		c.cancel()
	}
}

// The SIGKILL test runs the sweep in a child process (this test binary).
func TestMain(m *testing.M) {
	if dir := os.Getenv("OPTIMBENCH_TEST_SWEEP_CHILD"); dir != "" {
		s, err := Load(context.Background(), os.Getenv("OPTIMBENCH_TEST_SWEEP_FILE"), LoadOptions{})
		if err == nil {
			_, err = s.Execute(context.Background(), Options{Dir: dir, Workers: 2})
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// A point killed after a checkpoint goes on from it: the rows written before the checkpoint
// are kept (here: a marked row survives), those after it are computed again.
func TestSweepResumeFromCheckpoint(t *testing.T) {
	s := loadSweep(t, strings.Replace(sweep18, "epochs: 3,", "epochs: 3, checkpoint_every: 2,", 1))
	dir := t.TempDir()
	execSweep(t, s, dir, Options{Workers: 2})
	want := sweepState(t, s, dir, filepath.Join(dir, "results.csv"))

	a := RunDir(dir, s.Points[0])
	metrics := filepath.Join(a, "metrics.csv")
	b, err := os.ReadFile(metrics)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n") // header, epochs 0..3
	lines[1] = strings.TrimSuffix(lines[1], lines[1][strings.LastIndex(lines[1], ","):]) + ",12345"
	lines[4] = "torn"
	writeFile(t, a, "metrics.csv", strings.Join(lines[:5], "\n"))
	os.Remove(filepath.Join(a, "summary.json"))

	if out := execSweep(t, s, dir, Options{Workers: 2}); out.Ran != 1 {
		t.Errorf("resume ran %d points, want 1", out.Ran)
	}
	b, _ = os.ReadFile(metrics)
	got := strings.Split(string(b), "\n")
	if !strings.HasSuffix(got[1], ",12345") {
		t.Errorf("the point started over instead of going on from its checkpoint: row 1 %q", got[1])
	}
	if got := sweepState(t, s, dir, filepath.Join(dir, "results.csv")); got != want {
		t.Errorf("the point resumed from its checkpoint differs from the uninterrupted one")
	}
}

func TestSweepSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	for _, every := range []int{0, 7} {
		t.Run(fmt.Sprintf("checkpoint_every=%d", every), func(t *testing.T) { sweepSIGKILL(t, every) })
	}
}

// sweepSIGKILL kills a sweep (whose runs write a checkpoint every so many epochs) 4 times,
// then finishes it, and compares it with one never stopped.
func sweepSIGKILL(t *testing.T, every int) {
	body := strings.NewReplacer("epochs: 3,", fmt.Sprintf("epochs: 300, checkpoint_every: %d,", every),
		"n: 120", "n: 1000", "{kind: linear}", "{kind: mlp, hidden: [16]}").Replace(sweep18)
	file := writeFile(t, t.TempDir(), "kill.yaml", body)
	s, err := Load(context.Background(), file, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ref := t.TempDir()
	start := time.Now()
	execSweep(t, s, ref, Options{Workers: 2})
	took := time.Since(start)
	want := sweepState(t, s, ref, filepath.Join(ref, "results.csv"))

	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(7, 7))
	child := func(kill time.Duration) error {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "OPTIMBENCH_TEST_SWEEP_CHILD="+dir, "OPTIMBENCH_TEST_SWEEP_FILE="+file)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if kill > 0 {
			time.Sleep(kill)
			cmd.Process.Signal(syscall.SIGKILL)
		}
		err := cmd.Wait()
		t.Logf("child killed after %v: %v", kill, err)
		return err
	}
	killed := 0
	for range 4 {
		// kill between 10% and 80% of an uninterrupted sweep's time (plus start-up)
		if child(10*time.Millisecond+time.Duration(float64(took)*(0.1+0.7*rng.Float64()))) != nil {
			killed++
		}
	}
	if killed < 1 {
		t.Errorf("none of the 4 children was killed before finishing (%d): make the sweep longer", killed)
	}
	if err := child(0); err != nil {
		t.Fatalf("final run: %v", err)
	}
	if got := sweepState(t, s, dir, filepath.Join(dir, "results.csv")); got != want {
		t.Errorf("sweep killed 4 times then finished differs from an uninterrupted one")
	}
}

func TestSweepChanged(t *testing.T) {
	dir := t.TempDir()
	execSweep(t, loadSweep(t, strings.Replace(sweep18, "seeds: [1, 2]", "seeds: [1]", 1)), dir, Options{Workers: 2})
	changed := loadSweep(t, strings.Replace(sweep18, "seeds: [1, 2]", "seeds: [1, 3]", 1))
	_, err := changed.Execute(context.Background(), Options{Dir: dir, Workers: 2})
	if !errors.Is(err, ErrChanged) || !errors.Is(err, report.ErrBadInput) {
		t.Fatalf("changed sweep: err %v, want ErrChanged (bad input)", err)
	}
	// The message names the folder and the fingerprints, no flag: the command adds those.
	var ce *ChangedError
	if !errors.As(err, &ce) || ce.Dir != dir || ce.New != changed.Fingerprint || ce.Old == ce.New || strings.Contains(err.Error(), "--") {
		t.Errorf("changed sweep: %v, want a *ChangedError for %s without flag names", err, dir)
	}
	out := execSweep(t, changed, dir, Options{Workers: 2, Force: true})
	// the seed-1 runs are the same configurations: kept
	if out.Skipped != 9 || out.Ran != 9 {
		t.Errorf("--force: ran %d, skipped %d; want 9 and 9", out.Ran, out.Skipped)
	}
}

// Invalid sweep configurations are bad input naming the key at fault.
func TestSweepInvalid(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "base.yaml", "data: {source: synthetic}\nmodel: {kind: linear}\noptimizer: {name: sgd}\ntrain: {epochs: 1}\n")
	const b = "base: base.yaml\n"
	for _, tc := range []struct{ name, body, key string }{
		{"unknown key", b + "grdi: {optimizer.lr: [0.1]}\n", "grdi"},
		{"train key at top", b + "optimizer: {name: sgd}\n", "optimizer"},
		{"no base", "grid: {optimizer.lr: [0.1]}\n", "base"},
		{"missing base file", "base: nope.yaml\n", "base"},
		{"base not a mapping", "base: [1, 2]\n", "base"},
		{"grid not a list", b + "grid: {optimizer.lr: 0.1}\n", "grid.optimizer.lr"},
		{"empty grid list", b + "grid: {optimizer.lr: []}\n", "grid.optimizer.lr"},
		{"grid seed", b + "grid: {seed: [1, 2]}\n", "grid.seed"},
		{"bad point value", b + "grid: {optimizer.lr: [0.1, -1]}\n", "optimizer.lr"},
		{"unknown point key", b + "grid: {optimizer.lrr: [0.1]}\n", "optimizer.lrr"},
		{"key not for optimizer", b + "grid: {optimizer.beta1: [0.9]}\n", "optimizer.beta1"},
		{"random without trials", b + "random: {space: {optimizer.lr: {uniform: [0, 1]}}}\n", "random.trials"},
		{"random zero trials", b + "random: {trials: 0, space: {optimizer.lr: {uniform: [0, 1]}}}\n", "random.trials"},
		{"random unknown key", b + "random: {trials: 2, spaec: {}}\n", "random.spaec"},
		{"unknown distribution", b + "random: {trials: 2, space: {optimizer.lr: {log_unform: [1, 2]}}}\n", "random.space.optimizer.lr.log_unform"},
		{"log_uniform at zero", b + "random: {trials: 2, space: {optimizer.lr: {log_uniform: [0, 1]}}}\n", "random.space.optimizer.lr.log_uniform"},
		{"bounds reversed", b + "random: {trials: 2, space: {optimizer.lr: {uniform: [1, 0.5]}}}\n", "random.space.optimizer.lr.uniform"},
		{"three bounds", b + "random: {trials: 2, space: {optimizer.lr: {uniform: [1, 2, 3]}}}\n", "random.space.optimizer.lr.uniform"},
		{"int_uniform floats", b + "random: {trials: 2, space: {train.batch_size: {int_uniform: [1.5, 3]}}}\n", "random.space.train.batch_size.int_uniform"},
		{"swept twice", b + "grid: {optimizer.lr: [0.1]}\nrandom: {trials: 2, space: {optimizer.lr: {uniform: [0.1, 1]}}}\n", "random.space.optimizer.lr"},
		{"negative seed", b + "seeds: [1, -2]\n", "seeds"},
		{"duplicate seed", b + "seeds: [1, 1]\n", "seeds"},
		{"duplicate point", b + "grid: {optimizer.lr: [0.1, 0.1]}\n", ""},
		{"bad sweep seed", b + "seed: x\n", "seed"},
		{"too many points", b + "random: {trials: 2000000000, space: {optimizer.lr: {uniform: [0.1, 1]}}}\n", ""},
		{"space smaller than trials", b + "random: {trials: 3, space: {model.init: {choice: [zeros, normal]}}}\n", "random.trials"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(context.Background(), writeFile(t, dir, "s.yaml", tc.body), LoadOptions{})
			if !errors.Is(err, report.ErrBadInput) {
				t.Fatalf("err %v, want bad input", err)
			}
			var ce *config.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("err %v is not a ConfigError", err)
			}
			if tc.key != "" && ce.Key != tc.key && !(ce.Key == "" && strings.Contains(ce.Msg, tc.key+": ")) {
				t.Errorf("key %q, want %q (%v)", ce.Key, tc.key, err)
			}
		})
	}
	// a bad point names its overrides
	_, err := Load(context.Background(), writeFile(t, dir, "s.yaml", b+"grid: {optimizer.name: [sgd, adam], optimizer.lr: [0.1, -1]}\n"), LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "point 1 (optimizer.name=sgd optimizer.lr=-1)") {
		t.Errorf("bad point error %v does not name the point", err)
	}
}

// A sweep whose grid names bad data files is refused, exit 2, before anything is trained or
// written, wherever the bad points are (not only the first pending one); the message names
// the point and the file.
func TestSweepChecksEveryPointsData(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.csv", "x1,x2,y\n"+strings.Repeat("0.5,1,0\n1,0.5,1\n", 20))
	writeFile(t, dir, "nan.csv", "x1,x2,y\n0.5,1,0\n1,nan,1\n")
	writeFile(t, dir, "dup.csv", "x1,x1,y\n0.5,1,0\n")
	for _, tc := range []struct{ paths, point, want string }{
		{"[a.csv, missing.csv]", "point 2", "missing.csv"},
		{"[a.csv, a.csv2, nan.csv]", "point 2", "a.csv2"},
		{"[a.csv, nan.csv]", "point 2", `nan.csv:3: column "x2"`},
		{"[a.csv, dup.csv]", "point 2", "appears twice"},
	} {
		t.Run(tc.paths, func(t *testing.T) {
			paths := strings.ReplaceAll(strings.ReplaceAll(tc.paths, "[", "["+dir+"/"), ", ", ", "+dir+"/")
			body := "base:\n  data: {source: csv, path: a.csv}\n  model: {kind: linear}\n  optimizer: {name: sgd}\n" +
				"  train: {epochs: 1, batch_size: 8}\ngrid:\n  data.path: " + paths + "\n  optimizer.lr: [0.1, 0.2]\n"
			s, err := Load(context.Background(), writeFile(t, dir, "s.yaml", body), LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "out")
			_, err = s.Execute(context.Background(), Options{Dir: out, Workers: 2})
			if !errors.Is(err, report.ErrBadInput) || !strings.Contains(err.Error(), tc.point) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v; want bad input naming %s and %q", err, tc.point, tc.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("the refused sweep wrote %s (%v)", out, err)
			}
		})
	}
}

// Each point's schedule is validated against the point's own optimizer.lr: a min_lr that
// suits the first rate but lies above the second refuses the sweep at its second point.
func TestSweepPointScheduleLR(t *testing.T) {
	const body = `
base:
  data: {source: synthetic, generator: blobs, n: 120, features: 2, classes: 3}
  model: {kind: linear}
  optimizer: {name: sgd}
  schedule: {name: cosine, min_lr: 0.0005}
  train: {epochs: 3, batch_size: 16}
grid:
  optimizer.lr: [0.001, 0.0001]
`
	_, err := Load(context.Background(), writeFile(t, t.TempDir(), "s.yaml", body), LoadOptions{})
	var ce *config.ConfigError
	if !errors.As(err, &ce) || !errors.Is(err, report.ErrBadInput) {
		t.Fatalf("err %v, want a *config.ConfigError (bad input)", err)
	}
	if msg := err.Error(); ce.Key != "schedule.min_lr" || !strings.Contains(msg, "point 1 (optimizer.lr=0.0001)") || !strings.Contains(msg, "schedule.min_lr") {
		t.Errorf("err %q (key %q), want it to name point 1 (optimizer.lr=0.0001) and schedule.min_lr", msg, ce.Key)
	}
	// the first rate alone is fine
	if _, err := Load(context.Background(), writeFile(t, t.TempDir(), "s.yaml", strings.Replace(body, "[0.001, 0.0001]", "[0.001]", 1)), LoadOptions{}); err != nil {
		t.Errorf("min_lr 0.0005 under lr 0.001: %v", err)
	}
}

const randomSweep = `
base:
  problem: {function: quadratic}
  optimizer: {name: momentum}
  train: {epochs: 5}
seed: 42
random:
  trials: 50
  space:
    optimizer.lr: {log_uniform: [1.0e-4, 0.1]}
    optimizer.momentum: {uniform: [0.5, 0.99]}
    train.eval_every: {int_uniform: [1, 3]}
    schedule.name: {choice: [constant, cosine]}
seeds: [1, 2]
`

// Discrete spaces draw repeats; a repeated trial is drawn again rather than
// refusing the sweep.
func TestRandomRedrawsRepeats(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "base.yaml", "data: {source: synthetic}\nmodel: {kind: linear}\noptimizer: {name: sgd}\ntrain: {epochs: 1}\n")
	path := writeFile(t, dir, "s.yaml", "base: base.yaml\nrandom: {trials: 20, space: {train.batch_size: {int_uniform: [16, 40]}, model.init: {choice: [zeros, normal]}}}\n")
	s, err := Load(context.Background(), path, LoadOptions{})
	if err != nil {
		t.Fatalf("a 50-point space with 20 trials: %v", err)
	}
	if len(s.Points) != 20 {
		t.Errorf("%d points, want 20", len(s.Points))
	}
}

func TestRandomReproducible(t *testing.T) {
	a, b := loadSweep(t, randomSweep), loadSweep(t, randomSweep)
	if len(a.Points) != 100 {
		t.Fatalf("%d points, want 50 trials × 2 seeds", len(a.Points))
	}
	if a.Fingerprint != b.Fingerprint {
		t.Fatalf("same sweep, fingerprints %s and %s", a.Fingerprint, b.Fingerprint)
	}
	seen := map[any]bool{}
	for i, p := range a.Points {
		if got, want := formatSet(p.Set), formatSet(b.Points[i].Set); got != want {
			t.Fatalf("point %d: %s then %s", i, got, want)
		}
		lr := p.Set[0].Value.(float64)
		mom := p.Set[1].Value.(float64)
		ev := p.Set[2].Value.(int)
		if lr < 1e-4 || lr > 0.1 || mom < 0.5 || mom > 0.99 || ev < 1 || ev > 3 {
			t.Errorf("point %d out of its space: %s", i, formatSet(p.Set))
		}
		seen[p.Set[3].Value] = true
		seen[ev] = true
		if i%2 == 1 && formatSet(p.Set[:4]) != formatSet(a.Points[i-1].Set[:4]) {
			t.Errorf("points %d and %d should be one trial over two seeds", i-1, i)
		}
	}
	for _, v := range []any{"constant", "cosine", 1, 2, 3} {
		if !seen[v] {
			t.Errorf("value %v never sampled in 50 trials", v)
		}
	}
	// log-uniform: about half the samples below the geometric midpoint 0.00316
	below := 0
	for i := 0; i < 100; i += 2 {
		if a.Points[i].Set[0].Value.(float64) < math.Sqrt(1e-4*0.1) {
			below++
		}
	}
	if below < 15 || below > 35 {
		t.Errorf("%d of 50 log-uniform samples below the geometric midpoint", below)
	}
	other := loadSweep(t, strings.Replace(randomSweep, "seed: 42", "seed: 43", 1))
	if other.Fingerprint == a.Fingerprint || formatSet(other.Points[0].Set) == formatSet(a.Points[0].Set) {
		t.Errorf("another seed gave the same samples")
	}
	// the samples are fixed by the seed and the PCG generator alone
	if got, want := strconv.FormatFloat(a.Points[0].Set[0].Value.(float64), 'g', 6, 64), randomFirstLR; got != want {
		t.Errorf("first sampled lr %s, want %s", got, want)
	}
}

// randomFirstLR pins the first sample of randomSweep.
const randomFirstLR = "0.0015199"

// merge refuses a folder that a sweep or shard is still writing into.
func TestMergeWhileLocked(t *testing.T) {
	s := loadSweep(t, sweep18)
	dir := t.TempDir()
	execSweep(t, s, dir, Options{Workers: 2, Shard: Shard{Index: 0, Count: 1, Source: "test"}})
	unlock, err := lockFile(filepath.Join(dir, ".lock"), false) // a shard at work
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Merge(dir, 0); err == nil || !strings.Contains(err.Error(), "lock") {
		t.Errorf("merge during a shard run: %v, want a lock error", err)
	}
	unlock()
	if m, err := Merge(dir, 0); err != nil || m.Done+m.Diverged != 18 {
		t.Errorf("merge after the shard: %+v %v", m, err)
	}
}

func TestMergeMissing(t *testing.T) {
	s := loadSweep(t, sweep18)
	dir := t.TempDir()
	for _, k := range []int{0, 2, 4} {
		execSweep(t, s, dir, Options{Workers: 2, Shard: Shard{Index: k, Count: 5, Source: "test"}})
	}
	_, err := Merge(dir, 0)
	var inc *IncompleteError
	if !errors.As(err, &inc) {
		t.Fatalf("err %v, want *IncompleteError", err)
	}
	if !slices.Equal(inc.Missing, []int{1, 3}) || !strings.Contains(err.Error(), "missing shards 1,3 of 5") {
		t.Errorf("missing %v (%v), want 1,3", inc.Missing, err)
	}
	// the sbatch line that resubmits inc.Missing is tested in cmd (TestMergeResubmission)
	if _, err := os.Stat(filepath.Join(dir, "results.csv")); err == nil {
		t.Errorf("an incomplete merge wrote results.csv")
	}
	// a shard file from another sweep counts as missing
	for _, k := range []int{1, 3} {
		execSweep(t, s, dir, Options{Workers: 2, Shard: Shard{Index: k, Count: 5, Source: "test"}})
	}
	f := filepath.Join(dir, "shards", "shard-3-of-5.csv")
	b, _ := os.ReadFile(f)
	os.WriteFile(f, []byte(strings.ReplaceAll(string(b), s.Fingerprint, "0123456789abcdef")), 0o644)
	if _, err := Merge(dir, 5); !errors.As(err, &inc) || !slices.Equal(inc.Missing, []int{3}) || !strings.Contains(err.Error(), "another sweep") {
		t.Errorf("stale shard: %v", err)
	}
	execSweep(t, s, dir, Options{Workers: 2, Shard: Shard{Index: 3, Count: 5, Source: "test"}})
	if m, err := Merge(dir, 5); err != nil || m.Done+m.Diverged != 18 {
		t.Errorf("complete merge: %+v %v", m, err)
	}
	if _, err := Merge(t.TempDir(), 0); !errors.Is(err, report.ErrBadInput) {
		t.Errorf("merge of a non-sweep folder: %v", err)
	}
}

func TestArrayRange(t *testing.T) {
	for _, tc := range []struct {
		in   []int
		want string
	}{
		{[]int{3, 7}, "3,7"}, {[]int{0, 1, 2, 3, 7}, "0-3,7"}, {[]int{5}, "5"}, {[]int{1, 2, 4, 5, 6}, "1,2,4-6"},
	} {
		if got := ArrayRange(tc.in); got != tc.want {
			t.Errorf("ArrayRange(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// sweep.yaml records the points with their ids and overrides.
func TestSweepYAML(t *testing.T) {
	s := loadSweep(t, sweep18)
	dir := t.TempDir()
	if err := s.prepare(dir, false); err != nil {
		t.Fatal(err)
	}
	sf, err := report.ReadSweepFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	if sf.Fingerprint != s.Fingerprint || len(sf.Points) != 18 || sf.Points[17].ID != s.Points[17].ID || !slices.Equal(sf.Keys, s.Keys) {
		t.Errorf("sweep.yaml read back: %+v", sf)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "sweep.yaml"))
	if !strings.Contains(string(b), "set: {optimizer.name: adam, optimizer.lr: 1e+06, seed: 2}") {
		t.Errorf("sweep.yaml lacks the last point's overrides:\n%s", b)
	}
	_ = report.StatusDone
}

// BenchmarkSweep times the runs of configs/bench/small-mlp-sweep.yaml (the
// first 24 of its 120) on 1 and 2 workers; ns/run is wall time per run.
func BenchmarkSweep(b *testing.B) {
	s, err := Load(context.Background(), "../../configs/bench/small-mlp-sweep.yaml", LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	s.Points = s.Points[:24]
	for _, w := range []int{1, 2} {
		b.Run("workers="+strconv.Itoa(w), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Execute(context.Background(), Options{Dir: b.TempDir(), Workers: w}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(s.Points)), "ns/run")
		})
	}
}

// Two processes never run the same sweep (or the same shard) in one folder.
func TestSweepLock(t *testing.T) {
	s := loadSweep(t, sweep18)
	dir := t.TempDir()
	execSweep(t, s, dir, Options{Workers: 1, Shard: Shard{Index: 0, Count: 9, Source: "test"}})
	// what a running shard 1 holds
	unlock, err := lockFile(filepath.Join(dir, "shards", ".shard-1-of-9.lock"), true)
	if err != nil {
		t.Fatal(err)
	}
	unlockDir, err := lockFile(filepath.Join(dir, ".lock"), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Execute(context.Background(), Options{Dir: dir, Workers: 1, Shard: Shard{Index: 1, Count: 9, Source: "test"}}); !errors.Is(err, errLocked) {
		t.Errorf("shard 1 while shard 1 runs: %v, want errLocked", err)
	}
	execSweep(t, s, dir, Options{Workers: 1, Shard: Shard{Index: 2, Count: 9, Source: "test"}}) // another shard may run
	if _, err := s.Execute(context.Background(), Options{Dir: dir, Workers: 1}); !errors.Is(err, errLocked) {
		t.Errorf("whole sweep while a shard runs: %v, want errLocked", err)
	}
	unlock()
	unlockDir()
	execSweep(t, s, dir, Options{Workers: 1})
}
