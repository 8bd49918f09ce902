package optim

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/optimbench/optimbench/internal/param"
)

// The PyTorch-1.13 zoo (radam, rprop, asgd) and the options added to the lecture's optimizers,
// in the shared table.
func init() {
	optimizersUnderTest = append(optimizersUnderTest, []struct {
		name            string
		set             map[string]any
		quadLR, rosenLR float64
	}{
		{name: "radam", quadLR: 0.03, rosenLR: 0.001},
		{name: "radam", set: map[string]any{"decoupled_weight_decay": true, "beta2": 0.99}, quadLR: 0.03, rosenLR: 0.001},
		{name: "rprop", quadLR: 0.01, rosenLR: 0.01},
		{name: "asgd", quadLR: 0.03, rosenLR: 0.001},
		{name: "asgd", set: map[string]any{"t0": 10.0, "lambd": 0.001}, quadLR: 0.03, rosenLR: 0.001},
		{name: "momentum", set: map[string]any{"dampening": 0.5}, quadLR: 0.01, rosenLR: 0.001},
		{name: "adamw", set: map[string]any{"amsgrad": true, "weight_decay": 0.0}, quadLR: 0.03, rosenLR: 0.1},
		{name: "nadam", set: map[string]any{"decoupled_weight_decay": true}, quadLR: 0.03, rosenLR: 0.01},
	}...)
}

// torchZooFile is testdata/golden_torchzoo.json as this file reads it: beyond the shared
// schema, the asgd cases record PyTorch's average after each step, and the momentum cases the
// momentum (β₁) a schedule set before each step.
type torchZooFile struct {
	Problems map[string]goldenProblem `json:"problems"`
	Cases    []torchZooCase           `json:"cases"`
	Momentum []torchZooCase           `json:"momentum_cases"`
}

type torchZooCase struct {
	goldenCase
	Momenta []float64   `json:"momentum"`
	AX      [][]float64 `json:"ax"`
}

func loadTorchZoo(t *testing.T) *torchZooFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "golden_torchzoo.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f torchZooFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) == 0 || len(f.Momentum) == 0 {
		t.Fatal("golden_torchzoo.json has no cases")
	}
	return &f
}

// replay feeds the case's gradients to a new optimizer, setting the recorded momentum before
// each step when the case has one, and calls check after every step. It returns the largest
// error relative to max(1, |PyTorch's value|).
func replay(t *testing.T, f *torchZooFile, c torchZooCase, check func(k int, opt Optimizer)) float64 {
	t.Helper()
	hyper := maps.Clone(c.Hyper)
	delete(hyper, "lr")
	prob := f.Problems[c.Problem]
	params := slices.Clone(prob.Init)
	opt, err := New(c.Optimizer, hyper, prob.layout(len(params)))
	if err != nil {
		t.Fatalf("New(%q, %v): %v", c.Optimizer, hyper, err)
	}
	if br, ok := opt.(BaseRater); ok {
		br.SetBaseLR(c.Hyper["lr"].(float64))
	}
	worst := 0.0
	grad := make([]float64, len(params))
	for k := range c.Grads {
		if c.Momenta != nil {
			opt.(MomentumSetter).SetMomentum(c.Momenta[k])
		}
		copy(grad, c.Grads[k])
		opt.Step(params, grad, k+1, c.LR[k])
		checkClose(t, fmt.Sprintf("step %d params", k+1), params, c.Params[k])
		for i, p := range params {
			worst = math.Max(worst, math.Abs(p-c.Params[k][i])/math.Max(1, math.Abs(c.Params[k][i])))
		}
		if check != nil {
			check(k, opt)
		}
	}
	return worst
}

// TestGoldenMomentumSchedule replays PyTorch runs whose momentum (β₁) changes before every step,
// as OneCycleLR and CyclicLR set group["momentum"] or group["betas"][0], through SetMomentum;
// the sequences include a step with μ = 0 for the optimizers that have a branch for it.
func TestGoldenMomentumSchedule(t *testing.T) {
	f := loadTorchZoo(t)
	covered := map[string]bool{}
	worst := 0.0
	for _, c := range f.Momentum {
		covered[c.Optimizer] = true
		t.Run(c.Name, func(t *testing.T) { worst = math.Max(worst, replay(t, f, c, nil)) })
	}
	t.Logf("largest relative difference from PyTorch: %.3g", worst)
	for _, e := range torchEntriesAndClassics() {
		if e.Cycles != "" && !covered[e.Name] {
			t.Errorf("%s: no golden case with a momentum schedule", e.Name)
		}
	}
}

// TestGoldenASGDAverage compares asgd's average with PyTorch's state["ax"] after every step.
func TestGoldenASGDAverage(t *testing.T) {
	f := loadTorchZoo(t)
	n := 0
	for _, c := range f.Cases {
		if c.Optimizer != "asgd" {
			continue
		}
		n++
		t.Run(c.Name, func(t *testing.T) {
			replay(t, f, c, func(k int, opt Optimizer) {
				checkClose(t, fmt.Sprintf("step %d average", k+1), opt.(*asgd[float64]).ax, c.AX[k])
			})
		})
	}
	if n == 0 {
		t.Fatal("no asgd cases")
	}
}

// torchEntriesAndClassics are the entries this file's tests own: the lecture's and the torch zoo's.
func torchEntriesAndClassics() []Entry { return slices.Concat(classicEntries, torchEntries) }

// TestCycles checks that Entry.Cycles names a key of the entry and that the optimizer then
// implements MomentumSetter, and only then, for every entry of the registry.
func TestCycles(t *testing.T) {
	want := map[string]string{"momentum": "momentum", "nesterov": "momentum", "rmsprop": "momentum",
		"adam": "beta1", "amsgrad": "beta1", "adamw": "beta1", "adamax": "beta1", "nadam": "beta1", "radam": "beta1"}
	for _, e := range torchEntriesAndClassics() {
		if e.Cycles != want[e.Name] {
			t.Errorf("%s: Cycles %q, want %q", e.Name, e.Cycles, want[e.Name])
		}
	}
	for _, e := range Entries() {
		opt, err := New(e.Name, nil, Flat(3))
		if err != nil {
			t.Fatalf("New(%q): %v", e.Name, err)
		}
		_, setter := opt.(MomentumSetter)
		switch {
		case e.Cycles != "" && !setter:
			t.Errorf("%s: Cycles %q, but the optimizer is not a MomentumSetter", e.Name, e.Cycles)
		case e.Cycles == "" && setter:
			t.Errorf("%s: a MomentumSetter with an empty Cycles", e.Name)
		case e.Cycles != "" && param.Find(e.Params, e.Cycles) == nil:
			t.Errorf("%s: Cycles %q is not one of its keys", e.Name, e.Cycles)
		}
	}
}

// TestSetMomentumIsRebuild checks that an optimizer built with one momentum (β₁) and set to
// another before every step follows, bit for bit, the optimizer built with the other: the
// value set is read at the next step exactly where the configured one would be. (With a
// momentum that changes between steps there is no rebuilt equivalent, since the state would
// be lost; TestGoldenMomentumSchedule checks those runs against PyTorch.)
func TestSetMomentumIsRebuild(t *testing.T) {
	sets := []map[string]any{nil, {"weight_decay": 0.01}}
	extra := map[string][]map[string]any{
		"momentum": {{"dampening": 0.3}},
		"rmsprop":  {{"centered": true}},
		"adamw":    {{"amsgrad": true}},
		"nadam":    {{"decoupled_weight_decay": true, "weight_decay": 0.1}},
		"radam":    {{"decoupled_weight_decay": true, "weight_decay": 0.1, "beta2": 0.9}},
	}
	for _, e := range torchEntriesAndClassics() {
		if e.Cycles == "" {
			continue
		}
		for _, set := range append(sets, extra[e.Name]...) {
			t.Run(testName(e.Name, set), func(t *testing.T) {
				from, to := maps.Clone(set), maps.Clone(set)
				if from == nil {
					from, to = map[string]any{}, map[string]any{}
				}
				from[e.Cycles], to[e.Cycles] = 0.5, 0.8
				a, b := newFor(t, e.Name, from, 5), newFor(t, e.Name, to, 5)
				x, y := []float64{1, -2, 0.5, 3, -0.1}, []float64{1, -2, 0.5, 3, -0.1}
				gx, gy := make([]float64, 5), make([]float64, 5)
				for step := 1; step <= 40; step++ {
					quadraticN(x, gx)
					quadraticN(y, gy)
					a.(MomentumSetter).SetMomentum(0.8)
					a.Step(x, gx, step, 0.01)
					b.Step(y, gy, step, 0.01)
					if !slices.Equal(x, y) {
						t.Fatalf("step %d: set to 0.8 %v, built with 0.8 %v", step, x, y)
					}
				}
			})
		}
	}
}

// TestSetMomentumAllocs checks that SetMomentum and the Step after it allocate nothing.
func TestSetMomentumAllocs(t *testing.T) {
	const n = 64
	for _, e := range Entries() {
		if e.Cycles == "" {
			continue
		}
		t.Run(e.Name, func(t *testing.T) {
			opt := newFor(t, e.Name, nil, n)
			params, grad := make([]float64, n), make([]float64, n)
			for i := range params {
				params[i] = float64(i%7) - 3
			}
			step := 0
			allocs := testing.AllocsPerRun(100, func() {
				step++
				quadraticN(params, grad)
				opt.(MomentumSetter).SetMomentum(0.85 + 0.1*float64(step%2))
				opt.Step(params, grad, step, 1e-3)
			})
			if allocs != 0 {
				t.Errorf("SetMomentum and Step allocate %v times per call", allocs)
			}
		})
	}
}

// TestAddedKeysKeepRunIDs checks that the keys added to the lecture's optimizers stay out of
// config.yaml at their defaults (so earlier runs keep their ids) and that the new keys of the
// torch zoo are listed.
func TestAddedKeysKeepRunIDs(t *testing.T) {
	added := map[string][]string{"momentum": {"dampening"}, "nesterov": {"dampening"},
		"adamw": {"amsgrad"}, "nadam": {"decoupled_weight_decay"}}
	for _, e := range torchEntriesAndClassics() {
		for _, s := range e.Params {
			if want := slices.Contains(added[e.Name], s.Key); s.OmitIfDefault != want {
				t.Errorf("%s.%s: OmitIfDefault %v, want %v", e.Name, s.Key, s.OmitIfDefault, want)
			}
		}
	}
}

func TestTorchZooInvalid(t *testing.T) {
	tests := []struct {
		name string
		set  map[string]any
		key  string
	}{
		{"nesterov", map[string]any{"dampening": 0.5}, "dampening"}, // PyTorch refuses it too
		{"momentum", map[string]any{"dampening": -0.1}, "dampening"},
		{"momentum", map[string]any{"dampening": 1.5}, "dampening"},
		{"adamw", map[string]any{"amsgrad": 1.0}, "amsgrad"},
		{"nadam", map[string]any{"decoupled_weight_decay": "yes"}, "decoupled_weight_decay"},
		{"radam", map[string]any{"beta2": 1.0}, "beta2"},
		{"radam", map[string]any{"weight_decay": -0.1}, "weight_decay"},
		{"rprop", map[string]any{"eta_minus": 1.0}, "eta_minus"},
		{"rprop", map[string]any{"eta_minus": 0.0}, "eta_minus"},
		{"rprop", map[string]any{"eta_plus": 1.0}, "eta_plus"},
		{"rprop", map[string]any{"step_min": -1e-6}, "step_min"},
		{"rprop", map[string]any{"step_max": 0.0}, "step_max"},
		{"rprop", map[string]any{"step_min": 1.0, "step_max": 0.5}, "step_max"},
		{"asgd", map[string]any{"lambd": -1e-4}, "lambd"},
		{"asgd", map[string]any{"alpha": -0.75}, "alpha"},
		{"asgd", map[string]any{"t0": -1.0}, "t0"},
		{"asgd", map[string]any{"weight_decay": math.Inf(1)}, "weight_decay"},
	}
	for _, tc := range tests {
		t.Run(testName(tc.name, tc.set), func(t *testing.T) {
			opt, err := New(tc.name, tc.set, Flat(3))
			var ve *param.ValueError
			if !errors.As(err, &ve) || ve.Key != tc.key {
				t.Fatalf("New: got (%v, %v), want a *param.ValueError for %s", opt, err, tc.key)
			}
		})
	}
	_, err := New("nesterov", map[string]any{"dampening": 0.5}, Flat(1))
	if got, want := fmt.Sprint(err), "dampening: must be 0 for nesterov, got 0.5"; got != want {
		t.Errorf("nesterov with dampening: error %q, want %q", got, want)
	}
	_, err = New("rprop", map[string]any{"step_min": 1.0, "step_max": 0.5}, Flat(1))
	if got, want := fmt.Sprint(err), "step_max: must be >= step_min (1), got 0.5"; got != want {
		t.Errorf("rprop with step_min > step_max: error %q, want %q", got, want)
	}
	for _, set := range []map[string]any{{"step_min": 0.5, "step_max": 0.5}, {"step_min": 0.0}} {
		if _, err := New("rprop", set, Flat(1)); err != nil {
			t.Errorf("New(rprop, %v): %v", set, err)
		}
	}
}

// TestRpropRate checks how Rprop takes the schedule's rate: the step sizes evolve from lr₀ as
// PyTorch's do whatever the rate, and each move is scaled by lr/lr₀.
func TestRpropRate(t *testing.T) {
	const lr0 = 0.01
	run := func(rate func(step int) float64, base bool) (path [][]float64, sizes []float64) {
		opt := newFor(t, "rprop", nil, 3)
		if base {
			opt.(BaseRater).SetBaseLR(lr0)
		}
		x, g := []float64{1, -2, 0.5}, make([]float64, 3)
		for step := 1; step <= 30; step++ {
			quadratic(x, g)
			before := slices.Clone(x)
			opt.Step(x, g, step, rate(step))
			for i := range x {
				before[i] = x[i] - before[i]
			}
			path = append(path, before)
		}
		return path, opt.(*rprop[float64]).s
	}
	constant, sConst := run(func(int) float64 { return lr0 }, true)
	noBase, _ := run(func(int) float64 { return lr0 }, false)
	if !slices.EqualFunc(constant, noBase, slices.Equal) {
		t.Error("without SetBaseLR, lr₀ is not the first step's rate")
	}
	// Half the rate on odd steps halves those moves only. The moves differ, so the gradients
	// and the step sizes differ after the first step; compare the first two moves.
	halved, _ := run(func(step int) float64 { return lr0 / float64(1+step%2) }, true)
	for i := range 3 {
		if got, want := halved[0][i], constant[0][i]/2; math.Abs(got-want) > 1e-12*math.Abs(want) {
			t.Errorf("step 1, x[%d] moved %g at lr₀/2, want %g", i, got, want)
		}
	}
	zero, sZero := run(func(int) float64 { return 0 }, true)
	for k, move := range zero {
		if slices.ContainsFunc(move, func(d float64) bool { return d != 0 }) {
			t.Fatalf("step %d moved %v at lr 0", k+1, move)
		}
	}
	if slices.Equal(sZero, []float64{lr0, lr0, lr0}) || slices.Equal(sConst, sZero) {
		t.Errorf("step sizes %v at lr 0 (at lr₀: %v): they should evolve from lr₀ with a fixed gradient", sZero, sConst)
	}
}

// TestRpropFirstStepsByHand pins the iRprop− rule on one coordinate: the size grows while the
// sign holds, and after a sign change it shrinks and that step does not move.
func TestRpropFirstStepsByHand(t *testing.T) {
	opt := newFor(t, "rprop", map[string]any{"step_max": 0.1}, 1)
	x := []float64{0}
	grads := []float64{1, 2, 3, -1, -1, 0, 4}
	moves := []float64{-0.01, -0.012, -0.0144, 0, 0.0072, 0, -0.0072}
	for k, g := range grads {
		before := x[0]
		opt.Step(x, []float64{g}, k+1, 0.01)
		if d := x[0] - before; math.Abs(d-moves[k]) > 1e-15 {
			t.Errorf("step %d (g = %g): moved %.17g, want %g", k+1, g, d, moves[k])
		}
	}
}
