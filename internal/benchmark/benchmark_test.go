package benchmark

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/report"
	"github.com/optimbench/optimbench/internal/sweep"
	"github.com/optimbench/optimbench/internal/train"
)

// tinyProblems are two small synthetic problems (a classifier and a regression).
const tinyProblems = `
problems:
  blobs:
    data: {source: synthetic, generator: blobs, n: 240, features: 4, classes: 3, noise: 1.0}
    model: {kind: mlp, hidden: [8], loss: cross_entropy}
    train: {epochs: 8, batch_size: 32}
  linreg:
    data: {source: synthetic, generator: linear, n: 240, features: 4, noise: 0.5, standardize: true}
    model: {kind: linear, loss: mse}
    train: {epochs: 8, batch_size: 32}
`

// tinyBench writes a benchmark file with the tiny problems, top-level keys top (baselines
// included) and the optimizers block opts, and returns its path.
func tinyBench(t *testing.T, top, opts string) string {
	t.Helper()
	body := "name: t\n" + top + tinyProblems
	if !strings.Contains(top, "seeds:") {
		body += "seeds: 2\n"
	}
	if opts != "" {
		body += "optimizers:" + opts + "\n"
	}
	if !strings.Contains(top, "baselines:") {
		body += "baselines: {optimizers: []}\n"
	}
	f := filepath.Join(t.TempDir(), "bench.yaml")
	if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

func readBench(t *testing.T, file string) *Benchmark {
	t.Helper()
	b, err := Read(file)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func runBench(t *testing.T, b *Benchmark, dir string) *Outcome {
	t.Helper()
	out, err := Run(context.Background(), b, Options{Dir: dir, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The protocol on tiny problems: every candidate recorded (a diverging one too, never
// chosen), the best by the rule chosen, rerun on every seed; analysis.json reads back.
func TestProtocol(t *testing.T) {
	b := readBench(t, tinyBench(t, "baselines: {optimizers: [sgd], search: {lr: [0.01, 0.1, 1000.0]}}\n", `
  adam:
    search: {lr: [0.001, 0.01, 0.1]}`))
	dir := t.TempDir()
	out := runBench(t, b, dir)
	a := out.Analysis
	// each pair: 3 tuning runs, 2 seeds of which seed 1 is the chosen tuning run
	if len(a.Results) != 4 || out.Ran != 2*(3+1)*2 {
		t.Fatalf("%d results, %d runs; want 4 and 16", len(a.Results), out.Ran)
	}
	for _, res := range a.Results {
		if len(res.Tuning) != 3 || len(res.Seeds) != 2 {
			t.Fatalf("%s/%s: %d trials, %d seeds", res.Problem, res.Optimizer, len(res.Tuning), len(res.Seeds))
		}
		best := -1
		for i, tr := range res.Tuning {
			if tr.Score.OK() && (best < 0 || tr.Score < res.Tuning[best].Score) {
				best = i
			}
		}
		if res.Chosen != best {
			t.Errorf("%s/%s: chose %d, the lowest final test loss is %d", res.Problem, res.Optimizer, res.Chosen, best)
		}
		for i, s := range res.Seeds {
			dir := res.Dir + "/rerun/runs/"
			if s.Seed == b.TuneSeed {
				dir = res.Dir + "/tune/runs/" // the chosen tuning run (TestRerunReusesTuning)
			}
			if s.Seed != uint64(i+1) || len(s.Curve.Epoch) != 9 || !strings.HasPrefix(s.Dir, dir) {
				t.Errorf("%s/%s: seed run %+v", res.Problem, res.Optimizer, s)
			}
		}
		if !res.Performance.FinalTestLoss.Mean.OK() || res.Performance.FinalTestLoss.N != 2 {
			t.Errorf("%s/%s: performance %+v", res.Problem, res.Optimizer, res.Performance.FinalTestLoss)
		}
	}
	sgd := a.Get("blobs", "sgd")
	if d := sgd.Tuning[2]; d.Status != report.StatusDiverged || d.Score.OK() || sgd.Chosen == 2 {
		t.Errorf("lr 1000: %+v, chosen %d; want diverged, recorded, not chosen", d, sgd.Chosen)
	}
	if !sgd.Baseline || !strings.HasPrefix(sgd.Dir, "baselines/sgd-") {
		t.Errorf("the baseline's folder %s is not in the store", sgd.Dir)
	}
	// the target is the (only) baseline's mean final test loss, which it reaches at the end
	if p := a.Problems[0]; p.TargetFrom != "sgd" || p.Target != sgd.Performance.FinalTestLoss.Mean || sgd.Speed.Epochs != 8 {
		t.Errorf("target %v from %s, sgd's mean %v; sgd reaches it at %v", p.Target, p.TargetFrom, sgd.Performance.FinalTestLoss.Mean, sgd.Speed.Epochs)
	}
	if len(sgd.Sensitivity.Points) != 3 || sgd.Sensitivity.Points[2].LR != 1000 || len(sgd.Budget.Points) != 3 {
		t.Errorf("sensitivity %+v, budget %d points", sgd.Sensitivity.Points, len(sgd.Budget.Points))
	}
	if r, q := a.Profile.Ratios[0], a.Profile.Ratios[1]; r.Optimizer != "sgd" || q.Optimizer != "adam" ||
		r.Ratio != r.Time/min(r.Time, q.Time) || q.Ratio != q.Time/min(r.Time, q.Time) {
		t.Errorf("profile ratios %+v %+v: want times over the fastest", r, q)
	}
	back, err := ReadAnalysis(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := mustJSON(t, back), mustJSON(t, a); got != want {
		t.Errorf("analysis.json does not read back as written")
	}
	// a rerun of the same command runs nothing and decides the same
	again := runBench(t, b, dir)
	if again.Ran != 0 || stable(t, again.Analysis) != stable(t, a) {
		t.Errorf("rerun ran %d runs (want 0) or changed the analysis", again.Ran)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// stable is the analysis without what changes from one execution to the next: times, the
// date and the number of workers.
func stable(t *testing.T, a *Analysis) string {
	t.Helper()
	var m any
	if err := json.Unmarshal([]byte(mustJSON(t, a)), &m); err != nil {
		t.Fatal(err)
	}
	var strip func(v any)
	strip = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, k := range []string{"seconds", "tune_seconds", "date", "workers"} {
				delete(x, k)
			}
			for _, e := range x {
				strip(e)
			}
		case []any:
			for _, e := range x {
				strip(e)
			}
		}
	}
	strip(m)
	return mustJSON(t, m)
}

const halvingOpt = `
  adamw:
    optimizer: {name: adamw}
    search: {method: halving, eta: 2, min_epochs: 2, lr: {min: 1.0e-3, max: 0.3, num: 8}}`

// Successive halving: each rung keeps the best half by the rule at that rung, a promoted
// run goes on from its checkpoint, and the chosen candidate's longest run equals a run of
// that length never stopped.
func TestHalving(t *testing.T) {
	b := readBench(t, tinyBench(t, "", halvingOpt))
	dir := t.TempDir()
	a := runBench(t, b, dir).Analysis
	res := a.Get("blobs", "adamw")
	if len(res.Rungs) != 3 || res.Rungs[0].Epochs != 2 || res.Rungs[1].Epochs != 4 || res.Rungs[2].Epochs != 8 {
		t.Fatalf("rungs %+v, want 2, 4, 8 epochs", res.Rungs)
	}
	for k, rung := range res.Rungs {
		scores := make([]Num, len(rung.Ranked))
		alive := slices.Sorted(slices.Values(rung.Ranked))
		for j, c := range alive {
			scores[j] = res.Tuning[c].Scores[k]
		}
		var want []int
		for _, j := range rank(scores, false)[:max(len(alive)/2, 1)] {
			want = append(want, alive[j])
		}
		if !slices.Equal(rung.Promoted, want) {
			t.Errorf("rung %d: promoted %v, want %v (the best half of %v by %v)", k, rung.Promoted, want, alive, scores)
		}
		if k > 0 && !slices.Equal(alive, slices.Sorted(slices.Values(res.Rungs[k-1].Promoted))) {
			t.Errorf("rung %d ran %v, rung %d promoted %v", k, alive, k-1, res.Rungs[k-1].Promoted)
		}
	}
	if len(res.Rungs[0].Ranked) != 8 || res.Chosen != res.Rungs[2].Promoted[0] {
		t.Errorf("rung 0 ranked %v; chosen %d", res.Rungs[0].Ranked, res.Chosen)
	}
	// 8×2 + 4×(4−1) + 2×(8−3) epochs: each promoted run redoes one epoch
	if res.TuneEpochs != 38 || res.FullGridEpochs != 64 {
		t.Errorf("tuning trained %d epochs (want 38), the full grid %d (want 64)", res.TuneEpochs, res.FullGridEpochs)
	}
	chosen := res.Tuning[res.Chosen]
	if _, err := os.Stat(filepath.Join(dir, chosen.Dir, "seeded.json")); err != nil {
		t.Errorf("the chosen run did not go on from its previous rung: %v", err)
	}
	got := metricsWithoutSeconds(t, filepath.Join(dir, chosen.Dir, "metrics.csv"))
	if want := unbroken(t, b, "blobs", chosen); got != want {
		t.Errorf("the run continued over rungs differs from one never stopped:\n%s\nwant\n%s", got, want)
	}
}

// unbroken trains the candidate of trial tr of adamw on problem prob for its full length in
// one go and returns its metrics without the seconds.
func unbroken(t *testing.T, b *Benchmark, prob string, tr Trial) string {
	t.Helper()
	i := slices.IndexFunc(b.Problems, func(p Problem) bool { return p.Name == prob })
	raw := problemBase(b.Problems[i], b.Optimizers[len(b.Optimizers)-1], b.TuneSeed)
	for _, kv := range tr.Set {
		if err := config.SetPath(raw, kv.Key, kv.Value); err != nil {
			t.Fatal(err)
		}
	}
	c, err := config.Decode(raw, "")
	if err != nil {
		t.Fatal(err)
	}
	r, err := train.Setup(context.Background(), c, train.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := r.Execute(context.Background(), dir, nil); err != nil {
		t.Fatal(err)
	}
	return metricsWithoutSeconds(t, filepath.Join(dir, "metrics.csv"))
}

func metricsWithoutSeconds(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		cells := strings.Split(line, ",")
		out = append(out, strings.Join(cells[:len(cells)-1], ","))
	}
	return strings.Join(out, "\n")
}

// With a schedule that depends on the run's length, a rung's run is not the start of a
// longer one: promoted candidates start over (no seeded.json), and still decide the same.
func TestHalvingLengthDependentSchedule(t *testing.T) {
	file := tinyBench(t, "", halvingOpt)
	body, _ := os.ReadFile(file)
	os.WriteFile(file, []byte(strings.ReplaceAll(string(body), "train: {epochs: 8,", "schedule: {name: cosine}\n    train: {epochs: 8,")), 0o644)
	b := readBench(t, file)
	dir := t.TempDir()
	res := runBench(t, b, dir).Analysis.Get("blobs", "adamw")
	if res.TuneEpochs != 16+16+16 {
		t.Errorf("tuning trained %d epochs, want 48 (every rung from the start)", res.TuneEpochs)
	}
	seeded, _ := filepath.Glob(filepath.Join(dir, "blobs", "adamw", "tune", "*", "runs", "*", "seeded.json"))
	if len(seeded) != 0 {
		t.Errorf("runs continued across rungs of a cosine schedule: %v", seeded)
	}
}

// Baselines are kept in the store by problem hash and protocol: a second benchmark with the
// same problems reuses them (runs only its own optimizer), a changed problem does not.
func TestBaselineReuse(t *testing.T) {
	store := t.TempDir()
	top := fmt.Sprintf("baselines: {dir: %s, optimizers: [sgd, adam], search: {lr: [0.01, 0.1]}}\n", store)
	a := readBench(t, tinyBench(t, top, "\n  nadam: {search: {lr: [0.01]}}"))
	if out := runBench(t, a, t.TempDir()); out.Ran != 2*(2*(2+1)+(1+1)) {
		t.Fatalf("first benchmark ran %d runs, want 16", out.Ran)
	}
	b := readBench(t, tinyBench(t, top, "\n  adamw: {search: {lr: [0.01, 0.1]}}"))
	outB := runBench(t, b, t.TempDir())
	if outB.Ran != 2*(2+1) {
		t.Errorf("second benchmark ran %d runs, want 6 (adamw only: the baselines are reused)", outB.Ran)
	}
	if got := outB.Analysis.Get("linreg", "sgd"); got.Chosen < 0 || len(got.Seeds) != 2 {
		t.Errorf("the reused baseline has no result: %+v", got)
	}
	changed := tinyBench(t, top, "\n  adamw: {search: {lr: [0.01, 0.1]}}")
	body, _ := os.ReadFile(changed)
	os.WriteFile(changed, []byte(strings.Replace(string(body), "n: 240, features: 4, noise", "n: 200, features: 4, noise", 1)), 0o644)
	if out := runBench(t, readBench(t, changed), t.TempDir()); out.Ran != 2*(2+1)+2*(2+1) {
		t.Errorf("a changed problem ran %d runs, want 12 (its baselines anew, and adamw)", out.Ran)
	}
}

// Shards run their part of each step and wait for each other; together they give the
// analysis of an unsharded benchmark.
func TestShards(t *testing.T) {
	b := readBench(t, tinyBench(t, "", halvingOpt))
	ref := runBench(t, b, t.TempDir()).Analysis
	dir := t.TempDir()
	errs := make(chan error, 2)
	for i := range 2 {
		go func() {
			_, err := Run(context.Background(), b, Options{Dir: dir, Workers: 1, Shard: sweep.Shard{Index: i, Count: 2}, Poll: 20 * time.Millisecond})
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	got, err := ReadAnalysis(dir)
	if err != nil {
		t.Fatal(err)
	}
	if stable(t, got) != stable(t, ref) {
		t.Errorf("the sharded benchmark's analysis differs from the unsharded one")
	}
}

// A test function has no test set: the rule and the target read the training loss.
func TestFunctionProblem(t *testing.T) {
	f := filepath.Join(t.TempDir(), "f.yaml")
	os.WriteFile(f, []byte(`seeds: 2
problems:
  rosen: {problem: {function: rosenbrock, start: [-1.5, 2.0], noise: 0.1}, train: {epochs: 30}}
baselines: {optimizers: [sgd], search: {lr: [0.0001, 0.001]}}
optimizers:
  adam: {search: {method: halving, eta: 2, min_epochs: 10, lr: [0.001, 0.01, 0.1, 1.0]}}
`), 0o644)
	a := runBench(t, readBench(t, f), t.TempDir()).Analysis
	p := a.Problems[0]
	if p.HasTest || p.TargetFrom != "sgd" || !p.Target.OK() {
		t.Fatalf("problem %+v", p)
	}
	for _, res := range a.Results {
		if res.Chosen < 0 || !res.Tuning[res.Chosen].Score.OK() || res.Speed.Metric != "train_loss" {
			t.Errorf("%s: chosen %d, speed metric %q", res.Optimizer, res.Chosen, res.Speed.Metric)
		}
	}
	if res := a.Get("rosen", "adam"); res.TuneEpochs >= res.FullGridEpochs {
		t.Errorf("halving trained %d steps, the full grid %d", res.TuneEpochs, res.FullGridEpochs)
	}
}

func TestReadAnalysisErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadAnalysis(dir); !errors.Is(err, os.ErrNotExist) || !errors.Is(err, report.ErrBadInput) {
		t.Errorf("missing: %v", err)
	}
	os.WriteFile(filepath.Join(dir, AnalysisFile), []byte(`{"schema": 99}`), 0o644)
	if _, err := ReadAnalysis(dir); !errors.Is(err, report.ErrBadInput) {
		t.Errorf("newer schema: %v", err)
	}
}

// Bad benchmark files are bad input naming the key at fault.
func TestBadBenchmark(t *testing.T) {
	for _, c := range []struct{ top, opts, want string }{
		{"rule: final_test_los\n", "", "rule: unknown rule"},
		{"seeds: 0\n", "", "seeds: must be a count"},
		{"bootstrap: -1\n", "", "bootstrap"},
		{"colour: 1\n", "", "colour: unknown key"},
		{"", "\n  adam: {search: {method: halving, eta: 1}}", "optimizers.adam.search.eta: must be >= 2"},
		{"", "\n  adam: {search: {method: grid, trials: 3}}", "optimizers.adam.search.trials"},
		{"", "\n  adam: {search: {method: random, trials: 3}}", "optimizers.adam.search.space: required"},
		{"", "\n  adam: {search: {method: halton, trials: 2, space: {optimizer.lr: {normal: [1, 2]}}}}", "space.optimizer.lr.normal: unknown key"},
		{"", "\n  adam: {search: {lr: {min: 0, max: 1, num: 3}}}", "optimizers.adam.search.lr.min: must be > 0"},
		{"", "\n  adam: {optimizer: {name: adam, betta1: 0.9}}", "optimizers.adam"},
		{"", "\n  adam: {search: {method: halton, trials: 2, space: {optimizer.alpha: {uniform: [0.1, 0.2]}}}}", "optimizers.adam.search: candidate 0"},
		{"", "\n  Bad/Name: {}", "a name must be"},
		{"baselines: {optimizers: [sgd]}\n", "\n  sgd: {}", "optimizers.sgd: is also a baseline"},
		{"baselines: {optimizers: [lion]}\n", "", "baselines.optimizers: element 0 must be one of sgd, momentum, adam"},
		{"baselines: {optimizers: [sgd, sgd]}\n", "", "baselines.optimizers: element 1: sgd is listed twice"},
	} {
		_, err := Read(tinyBench(t, c.top, c.opts))
		if !errors.Is(err, report.ErrBadInput) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q %q: err %v, want bad input with %q", c.top, c.opts, err, c.want)
		}
	}
}

// The SIGKILL test runs the benchmark in a child process (this test binary).
func TestMain(m *testing.M) {
	if dir := os.Getenv("OPTIMBENCH_TEST_BENCHMARK_CHILD"); dir != "" {
		b, err := Read(os.Getenv("OPTIMBENCH_TEST_BENCHMARK_FILE"))
		if err == nil {
			_, err = Run(context.Background(), b, Options{Dir: dir, Workers: 2})
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// A benchmark killed with SIGKILL 4 times, then finished, ends with the analysis of one
// never stopped.
func TestSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	file := tinyBench(t, "baselines: {optimizers: [sgd], search: {lr: [0.01, 0.1]}}\n", `
  adamw:
    optimizer: {name: adamw}
    search: {method: halving, eta: 2, min_epochs: 10, lr: [0.001, 0.003, 0.01, 0.03]}`)
	body, _ := os.ReadFile(file)
	os.WriteFile(file, []byte(strings.NewReplacer("n: 240", "n: 1000", "epochs: 8,", "epochs: 40,").Replace(string(body))), 0o644)
	b := readBench(t, file)
	start := time.Now()
	want := stable(t, runBench(t, b, t.TempDir()).Analysis)
	took := time.Since(start)

	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(7, 7))
	child := func(kill time.Duration) error {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "OPTIMBENCH_TEST_BENCHMARK_CHILD="+dir, "OPTIMBENCH_TEST_BENCHMARK_FILE="+file)
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
		if child(10*time.Millisecond+time.Duration(float64(took)*(0.1+0.7*rng.Float64()))) != nil {
			killed++
		}
	}
	if killed < 1 {
		t.Errorf("none of the 4 children was killed before finishing: make the benchmark longer (took %v)", took)
	}
	if err := child(0); err != nil {
		t.Fatalf("final run: %v", err)
	}
	got, err := ReadAnalysis(dir)
	if err != nil {
		t.Fatal(err)
	}
	if stable(t, got) != want {
		t.Errorf("the benchmark killed 4 times then finished differs from one never stopped")
	}
}

// An accuracy rule over a problem without accuracies (linreg) scores that problem by its
// loss, lower being better, as DeepOBS's analyzer falls back; the problems' metrics come from
// their configuration, not from runs that may all have diverged.
func TestRuleFallsBackToLoss(t *testing.T) {
	b := readBench(t, tinyBench(t, "rule: best_test_acc\nseeds: 1\n", `
  adam: {search: {lr: [0.001, 0.01, 0.1]}}`))
	a := runBench(t, b, t.TempDir()).Analysis
	for _, c := range []struct {
		problem, rule string
		acc           bool
	}{{"blobs", "best_test_acc", true}, {"linreg", "best_test_loss", false}} {
		res := a.Get(c.problem, "adam")
		if res.Rule != c.rule || res.Chosen < 0 || len(res.Seeds) != 1 {
			t.Fatalf("%s: rule %q, chosen %d, %d seeds; want %s and a rerun", c.problem, res.Rule, res.Chosen, len(res.Seeds), c.rule)
		}
		best := res.Tuning[res.Chosen].Score
		for _, tr := range res.Tuning {
			if tr.Score.OK() && better(tr.Score, best, c.acc) {
				t.Errorf("%s: chose %v, but %v is better by %s", c.problem, best, tr.Score, c.rule)
			}
		}
		for _, p := range a.Problems {
			if p.Name == c.problem && (!p.HasTest || p.HasAcc != c.acc) {
				t.Errorf("%s: has_test %v has_acc %v", c.problem, p.HasTest, p.HasAcc)
			}
		}
	}
}

// A problem whose data is missing is refused when the file is read, before the problems
// listed before it train.
func TestMissingDataRefused(t *testing.T) {
	f := filepath.Join(t.TempDir(), "b.yaml")
	os.WriteFile(f, []byte(tinyProblems[:len(tinyProblems)-1]+`
  gone:
    data: {source: csv, path: /nonexistent/x.csv, target: y}
    model: {kind: linear, loss: mse}
baselines: {optimizers: [sgd]}
`), 0o644)
	_, err := Read(f)
	if !errors.Is(err, report.ErrBadInput) || !strings.Contains(err.Error(), "problems.gone") || !strings.Contains(err.Error(), "/nonexistent/x.csv") {
		t.Errorf("err %v, want bad input naming problems.gone and the file", err)
	}
}
