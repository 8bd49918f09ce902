package train

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/optimbench/optimbench/internal/config"
	"github.com/optimbench/optimbench/internal/report"
)

// base is a valid configuration the tests start from.
const base = `
name: t
seed: 3
data: {source: synthetic, generator: blobs, n: 100, features: 2, classes: 3}
model: {kind: mlp, hidden: [8], activation: tanh}
optimizer: {name: adam, lr: 0.01}
schedule: {name: step, factor: 0.5, every: 2}
train: {epochs: 3, batch_size: 16}
`

func parse(t *testing.T, doc string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatalf("test YAML: %v", err)
	}
	return m
}

// withSets applies --set style overrides to a parsed document.
func withSets(t *testing.T, m map[string]any, sets ...string) map[string]any {
	t.Helper()
	for _, kv := range sets {
		key, val, err := config.ParseSet(kv)
		if err != nil {
			t.Fatalf("ParseSet(%q): %v", kv, err)
		}
		parts := strings.Split(key, ".")
		cur := m
		for _, p := range parts[:len(parts)-1] {
			next, ok := cur[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				cur[p] = next
			}
			cur = next
		}
		if val == "<delete>" {
			delete(cur, parts[len(parts)-1])
		} else {
			cur[parts[len(parts)-1]] = val
		}
	}
	return m
}

func setup(t *testing.T, doc string, sets ...string) *Run {
	t.Helper()
	c, err := config.Decode(withSets(t, parse(t, doc), sets...), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Setup(context.Background(), c, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func runIn(t *testing.T, r *Run, dir string) *report.Summary {
	t.Helper()
	s, err := r.Execute(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// stripSeconds drops the seconds column, the only one allowed to differ
// between two runs of the same config.
func stripSeconds(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if i := strings.LastIndex(line, ","); i >= 0 {
			line = line[:i]
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func TestDeterminism(t *testing.T) {
	for _, doc := range []string{base, `
data: {source: synthetic, generator: spirals, n: 300, noise: 0.3, standardize: true}
model: {kind: mlp, hidden: [16, 8], activation: relu}
optimizer: {name: momentum, lr: 0.05}
schedule: {name: triangular, unit: step, half_cycle: 7}
train: {epochs: 4, batch_size: 24, batch_schedule: {name: step, every: 2, factor: 2, max: 64}}
`, `
problem: {function: rastrigin, start: [2.5, -1.5, 0.5], noise: 0.5}
optimizer: {name: adam, lr: 0.1}
train: {epochs: 40, eval_every: 7}
`} {
		a, b := t.TempDir(), t.TempDir()
		runIn(t, setup(t, doc), a)
		runIn(t, setup(t, doc), b)
		if x, y := stripSeconds(t, filepath.Join(a, "metrics.csv")), stripSeconds(t, filepath.Join(b, "metrics.csv")); x != y {
			t.Errorf("same config and seed gave different metrics:\n%s\n---\n%s", x, y)
		}
		c := t.TempDir()
		runIn(t, setup(t, doc, "seed=12345"), c)
		if x, y := stripSeconds(t, filepath.Join(a, "metrics.csv")), stripSeconds(t, filepath.Join(c, "metrics.csv")); x == y {
			t.Errorf("a different seed gave identical metrics")
		}
	}
}

func TestOutputs(t *testing.T) {
	dir := t.TempDir()
	s := runIn(t, setup(t, base), dir)
	m, err := report.ReadTable(filepath.Join(dir, "metrics.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(m.Header, ","), "epoch,step,examples,lr,batch_size,train_loss,test_loss,train_acc,test_acc,seconds"; got != want {
		t.Errorf("header %q, want %q", got, want)
	}
	// 100 samples, 20 held out: 80 training samples in batches of 16 → 5 steps an epoch.
	if m.Rows != 4 {
		t.Fatalf("%d rows, want 4 (epoch 0 and 3 epochs)", m.Rows)
	}
	for i := 0; i < m.Rows; i++ {
		if m.Cols["epoch"][i] != float64(i) || m.Cols["step"][i] != float64(5*i) || m.Cols["examples"][i] != float64(80*i) {
			t.Errorf("row %d: epoch %v step %v examples %v", i, m.Cols["epoch"][i], m.Cols["step"][i], m.Cols["examples"][i])
		}
		if acc := m.Cols["test_acc"][i]; !(acc >= 0 && acc <= 1) {
			t.Errorf("row %d: test_acc %v", i, acc)
		}
	}
	// step schedule 0.01 halved every 2 epochs: the lr used in epochs 1, 2, 3.
	for i, want := range []float64{0.01, 0.01, 0.01, 0.005} {
		if got := m.Cols["lr"][i]; got != want {
			t.Errorf("row %d: lr %v, want %v", i, got, want)
		}
	}
	if s.Status != report.StatusDone || s.Epochs != 3 || s.Steps != 15 || s.Final.TestAcc == nil {
		t.Errorf("summary %+v", s)
	}
	got, err := report.ReadSummary(filepath.Join(dir, "summary.json"))
	if err != nil || got.Status != "done" || got.Seed != 3 || got.Version == "" || got.GoVersion == "" {
		t.Errorf("summary.json %+v, %v", got, err)
	}
	cfg, err := os.ReadFile(filepath.Join(dir, "config.yaml"))
	if err != nil || !bytes.Contains(cfg, []byte("beta2: 0.999")) {
		t.Errorf("config.yaml lacks the resolved defaults:\n%s", cfg)
	}
	if f := HoldsRun(dir); f == "" {
		t.Error("HoldsRun found no run in a folder holding one")
	}
	if f := HoldsRun(t.TempDir()); f != "" {
		t.Errorf("HoldsRun found %s in an empty folder", f)
	}
}

func TestRegressionCells(t *testing.T) {
	dir := t.TempDir()
	runIn(t, setup(t, `
data: {source: synthetic, generator: linear, n: 200, features: 3, test_fraction: 0}
model: {kind: linear}
optimizer: {name: sgd, lr: 0.1}
train: {epochs: 2, batch_size: full}
`), dir)
	b, _ := os.ReadFile(filepath.Join(dir, "metrics.csv"))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for _, l := range lines[1:] {
		cells := strings.Split(l, ",")
		// no test set, no accuracy: test_loss, train_acc, test_acc are empty.
		if cells[6] != "" || cells[7] != "" || cells[8] != "" || cells[4] != "200" {
			t.Errorf("row %q: want empty test and accuracy cells and batch_size 200", l)
		}
	}
}

func TestDivergence(t *testing.T) {
	for _, onDiverge := range []string{"stop", "continue"} {
		t.Run(onDiverge, func(t *testing.T) {
			dir := t.TempDir()
			s := runIn(t, setup(t, `
data: {source: synthetic, generator: linear, n: 100, features: 5, noise: 0.1}
model: {kind: linear}
optimizer: {name: sgd, lr: 10}
train: {epochs: 30, batch_size: 10}
`, "train.on_diverge="+onDiverge), dir)
			if s.Status != report.StatusDiverged || s.Reason == "" {
				t.Fatalf("status %q reason %q, want diverged", s.Status, s.Reason)
			}
			m, err := report.ReadTable(filepath.Join(dir, "metrics.csv"))
			if err != nil {
				t.Fatal(err)
			}
			last := m.Cols["epoch"][m.Rows-1]
			if onDiverge == "stop" && last >= 30 {
				t.Errorf("stop: ran to epoch %v", last)
			}
			if onDiverge == "continue" && last != 30 {
				t.Errorf("continue: stopped at epoch %v", last)
			}
		})
	}
	// A problem run diverges the same way.
	s := runIn(t, setup(t, `
problem: {function: quadratic, scales: [1, 100], start: [1, 1]}
optimizer: {name: sgd, lr: 0.05}
train: {epochs: 100}
`), t.TempDir())
	if s.Status != report.StatusDiverged || s.Steps >= 100 {
		t.Errorf("quadratic with lr above 2/L: status %s after %d steps", s.Status, s.Steps)
	}
}

func TestBatchScheduleColumns(t *testing.T) {
	dir := t.TempDir()
	runIn(t, setup(t, `
data: {source: synthetic, generator: blobs, n: 500, features: 2, classes: 2, test_fraction: 0}
model: {kind: linear}
optimizer: {name: sgd, lr: 0.1}
train: {epochs: 8, batch_size: 50, batch_schedule: {name: step, factor: 2, every: 2, max: 200}}
`), dir)
	m, err := report.ReadTable(filepath.Join(dir, "metrics.csv"))
	if err != nil {
		t.Fatal(err)
	}
	wantBatch := []float64{50, 50, 50, 100, 100, 200, 200, 200, 200}
	wantLR := []float64{0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05}
	for i := range wantBatch {
		if m.Cols["batch_size"][i] != wantBatch[i] || math.Abs(m.Cols["lr"][i]-wantLR[i]) > 1e-15 {
			t.Errorf("epoch %d: batch %v lr %v, want %v %v", i, m.Cols["batch_size"][i], m.Cols["lr"][i], wantBatch[i], wantLR[i])
		}
	}
	// examples counts samples seen: 500 an epoch whatever the batch size.
	if got := m.Cols["examples"][8]; got != 4000 {
		t.Errorf("examples after 8 epochs %v, want 4000", got)
	}
	// steps: 10+10, 5+5, 3·4 (ceil(500/200))
	if got := m.Cols["step"][8]; got != 42 {
		t.Errorf("steps after 8 epochs %v, want 42", got)
	}
}

func TestInterrupted(t *testing.T) {
	r := setup(t, base, "train.epochs=50")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	s, err := r.Execute(ctx, dir, nil)
	if err == nil || s.Status != report.StatusFailed {
		t.Fatalf("cancelled run: err %v status %s", err, s.Status)
	}
	got, err := report.ReadSummary(filepath.Join(dir, "summary.json"))
	if err != nil || got.Status != report.StatusFailed || !strings.Contains(got.Reason, "interrupted") {
		t.Errorf("summary.json after interruption: %+v %v", got, err)
	}
}

// The training loop allocates nothing per step: a run of 50 epochs makes as
// many allocations as a run of 2 (evaluations only at the start and end).
func TestTrainingLoopAllocations(t *testing.T) {
	const doc = `
data: {source: synthetic, generator: spirals, n: 400}
model: {kind: mlp, hidden: [16, 16]}
optimizer: {name: nadam}
schedule: {name: sgdr, unit: step, period: 7}
train: {epochs: 2, batch_size: 16, eval_every: 1000, batch_schedule: {name: step, every: 10, max: 64}}
`
	allocs := func(epochs string) uint64 {
		r := setup(t, doc, "train.epochs="+epochs)
		dir := t.TempDir()
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		runIn(t, r, dir)
		runtime.ReadMemStats(&after)
		return after.Mallocs - before.Mallocs
	}
	short, long := allocs("2"), allocs("50")
	// 48 more epochs are over 1,000 more steps; allow a little noise from the runtime.
	t.Logf("allocs: %d vs %d", short, long)
	if long > short+20 {
		t.Errorf("50 epochs made %d allocations, 2 epochs %d: the loop allocates per step or epoch", long, short)
	}
}

func TestDivergenceRows(t *testing.T) {
	// on_diverge continue: the first divergence forces a row, later steps
	// keep to eval_every (rosenbrock with lr 0.01 overflows within steps).
	dir := t.TempDir()
	runIn(t, setup(t, `
problem: {function: rosenbrock, start: [-1.5, 2]}
optimizer: {name: sgd, lr: 0.01}
train: {epochs: 100, eval_every: 50, on_diverge: continue}
`), dir)
	m, err := report.ReadTable(filepath.Join(dir, "metrics.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Rows != 4 {
		t.Errorf("%d rows (steps %v), want 4: start, first divergence, 50, 100", m.Rows, m.Cols["step"])
	}

	// on_diverge stop: the stop row's lr is the rate of the last update
	// actually made (the step schedule halves it every 3 updates).
	dir = t.TempDir()
	s := runIn(t, setup(t, `
data: {source: synthetic, generator: linear, n: 500, features: 5, test_fraction: 0}
model: {kind: linear}
optimizer: {name: sgd, lr: 5}
schedule: {name: step, unit: step, every: 3, factor: 0.5}
train: {epochs: 10, batch_size: 50, eval_every: 5}
`), dir)
	if s.Status != report.StatusDiverged {
		t.Fatalf("status %s, want diverged", s.Status)
	}
	m, err = report.ReadTable(filepath.Join(dir, "metrics.csv"))
	if err != nil {
		t.Fatal(err)
	}
	last := m.Rows - 1
	steps := m.Cols["step"][last]
	want := 5 * math.Pow(0.5, math.Floor((steps-1)/3))
	if got := m.Cols["lr"][last]; got != want {
		t.Errorf("stop row after %v updates: lr %v, want %v (the last update's)", steps, got, want)
	}
}

// Ctrl-C during an evaluation stops it at its next chunk and writes no row of it: the
// initial evaluation of 200,000 rows is interrupted after 50 ms, and metrics.csv holds its
// header only (before, the whole evaluation ran and its row was written).
func TestInterruptedEvaluation(t *testing.T) {
	if testing.Short() {
		t.Skip("an evaluation of 200,000 rows")
	}
	c := decodeDoc(t, "data: {source: synthetic, n: 200000, features: 64, test_fraction: 0.5}\n"+
		"model: {kind: mlp, hidden: [512, 512]}\noptimizer: {name: sgd}\ntrain: {epochs: 1, threads: 1}\n")
	r, err := Setup(context.Background(), c, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	dir := t.TempDir()
	start := time.Now()
	_, err = r.Execute(ctx, dir, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want interrupted", err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "metrics.csv"))
	if rows := strings.Count(string(b), "\n"); rows > 1 {
		t.Errorf("metrics.csv has %d lines after %v, want the header only:\n%s", rows, time.Since(start), b)
	}
}
