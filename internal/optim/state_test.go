package optim

import (
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// stateCase is an optimizer and its values as the state tests run it.
type stateCase struct {
	name string
	set  map[string]any
	lr   float64 // the base rate; each step takes a varying multiple of it
}

// stateExtras are variants beyond the shared table that reach more of the state: a ring
// buffer that wraps within a few updates, the line search, the options of the matrix paths.
var stateExtras = []stateCase{
	{name: "lbfgs", set: map[string]any{"history_size": 2, "max_iter": 4}, lr: 0.5},
	{name: "lbfgs", set: map[string]any{"history_size": 3, "line_search": "strong_wolfe"}, lr: 1},
	{name: "lbfgs", set: map[string]any{"history_size": 2, "max_iter": 3, "line_search": "strong_wolfe"}, lr: 0.8},
	{name: "muon", set: map[string]any{"nesterov": false, "adjust_lr_fn": "match_rms_adamw", "aux_weight_decay": 0.01}, lr: 0.05},
	{name: "lars", set: map[string]any{"exclude_bias": true, "weight_decay": 0.01}, lr: 0.5},
	{name: "adafactor", set: map[string]any{"weight_decay": 0.01}, lr: 0.01},
	{name: "adabelief", set: map[string]any{"fixed_decay": true, "weight_decay": 0.01}, lr: 0.01},
	{name: "adopt", set: map[string]any{"decoupled_weight_decay": true, "weight_decay": 0.01}, lr: 0.01},
	{name: "rmsprop", set: map[string]any{"centered": true}, lr: 0.01},
	{name: "adamw_schedulefree", set: map[string]any{"warmup_steps": 10, "weight_decay": 0.01}, lr: 0.01},
	{name: "signum", set: map[string]any{"momentum": 0.0, "weight_decay": 0.01}, lr: 0.001},
	{name: "asgd", set: map[string]any{"t0": 3.0, "lambd": 0.01}, lr: 0.03},
}

// stateCases is every row of optimizersUnderTest, the extras, and every registry name at its
// defaults.
func stateCases() []stateCase {
	var cs []stateCase
	atDefaults := map[string]bool{}
	for _, o := range optimizersUnderTest {
		cs = append(cs, stateCase{o.name, o.set, o.quadLR})
		if len(o.set) == 0 {
			atDefaults[o.name] = true
		}
	}
	cs = append(cs, stateExtras...)
	for _, name := range Names() {
		if !atDefaults[name] {
			e, _ := Lookup(name)
			cs = append(cs, stateCase{name: name, lr: e.LR})
		}
	}
	return cs
}

// stateProblem is an objective whose minimizer moves with the step (a stand-in for the
// minibatches): f_t(θ) is a fixed quadratic plus a linear term of step t.
type stateProblem struct {
	name   string
	layout Layout
	start  []float64
	f      func(x, grad []float64, t int) float64
}

// stateLayout is two layers as a model lays them out: a tall 4×3 weight matrix and its bias,
// a wide 2×4 one and its bias, so that the matrix paths of lars, lamb, muon and adafactor run
// (both orientations for muon).
var stateLayout = Layout{Size: 26, Tensors: []Tensor{
	{Name: "layers.0.weight", Offset: 0, Rows: 4, Cols: 3, Matrix: true},
	{Name: "layers.0.bias", Offset: 12, Rows: 4, Cols: 1},
	{Name: "layers.1.weight", Offset: 16, Rows: 2, Cols: 4, Matrix: true},
	{Name: "layers.1.bias", Offset: 24, Rows: 2, Cols: 1},
}}

func stateProblems() []stateProblem {
	shift := func(i, t int) float64 { return 0.1 * math.Sin(float64(3*t+i)) }
	quad := stateProblem{name: "quadratic", layout: Flat(3), start: []float64{1, -2, 0.5},
		f: func(x, grad []float64, t int) float64 {
			f := quadratic(x, grad)
			for i := range x {
				grad[i] += shift(i, t)
				f += shift(i, t) * x[i]
			}
			return f
		}}
	n := stateLayout.Size
	start := make([]float64, n)
	for i := range start {
		start[i] = 0.5*math.Sin(1.3*float64(i)+0.7) + 0.1
	}
	// ½ Σ aᵢθᵢ² + c Σ θᵢθᵢ₊₁ + Σ bᵢ(t)θᵢ, positive definite (aᵢ ≥ 1 > 2c).
	layered := stateProblem{name: "layers", layout: stateLayout, start: start,
		f: func(x, grad []float64, t int) float64 {
			const c = 0.2
			f := 0.0
			for i, xi := range x {
				a := float64(1 + i%5)
				b := shift(i, t) - 0.3
				grad[i] = a*xi + b
				f += 0.5*a*xi*xi + b*xi
				if i+1 < len(x) {
					grad[i] += c * x[i+1]
					f += c * xi * x[i+1]
				}
				if i > 0 {
					grad[i] += c * x[i-1]
				}
			}
			return f
		}}
	return []stateProblem{quad, layered}
}

// stateRun drives an optimizer as the training loop does: a varying rate, the momentum of a
// schedule when momentum is set, the closure when closure is set.
type stateRun struct {
	c         stateCase
	p         stateProblem
	baseLR    bool // tell a BaseRater its base rate, as the loop does
	momentum  bool // drive a MomentumSetter's momentum, as a cycling schedule does
	closure   bool // StepClosure instead of Step
	saveAfter int
	steps     int
}

func (r stateRun) String() string {
	s := testName(r.c.name, r.c.set) + "/" + r.p.name
	if r.baseLR {
		s += "/base_lr"
	}
	if r.momentum {
		s += "/momentum"
	}
	if r.closure {
		s += "/closure"
	}
	return s
}

// lr varies from step to step, its largest value (step 6) before the checkpoint.
func (r stateRun) lr(t int) float64 { return r.c.lr * (1 + 0.25*math.Cos(float64(t))) }

func (r stateRun) momentumAt(t int) float64 { return 0.85 + 0.02*float64(t%4) }

// build is a fresh optimizer, told its base rate when the run says so.
func (r stateRun) build(t *testing.T) Optimizer {
	t.Helper()
	opt, err := New(r.c.name, r.c.set, r.p.layout)
	if err != nil {
		t.Fatalf("New(%s): %v", testName(r.c.name, r.c.set), err)
	}
	if br, ok := opt.(BaseRater); ok && r.baseLR {
		br.SetBaseLR(r.c.lr * 0.9)
	}
	return opt
}

// step makes update t of opt at params.
func (r stateRun) step(opt Optimizer, params, grad []float64, t int) {
	if ms, ok := opt.(MomentumSetter); ok && r.momentum {
		ms.SetMomentum(r.momentumAt(t))
	}
	loss := r.p.f(params, grad, t)
	if cs, ok := opt.(ClosureStepper); ok && r.closure {
		cs.StepClosure(params, grad, loss, t, r.lr(t), func(x, g []float64) float64 { return r.p.f(x, g, t) })
		return
	}
	opt.Step(params, grad, t, r.lr(t))
}

// stateRuns lists every run of every case on every problem.
func stateRuns() []stateRun {
	var runs []stateRun
	for _, c := range stateCases() {
		e, _ := Lookup(c.name)
		probe := e.Build.f64(Defaults(c.name), Flat(1))
		_, baseRater := probe.(BaseRater)
		_, closure := probe.(ClosureStepper)
		for _, p := range stateProblems() {
			for _, base := range []bool{false, true} {
				if base && !baseRater {
					continue
				}
				for _, mom := range []bool{false, true} {
					if mom && e.Cycles == "" {
						continue
					}
					for _, cl := range []bool{false, true} {
						if cl && !closure {
							continue
						}
						runs = append(runs, stateRun{c: c, p: p, baseLR: base, momentum: mom, closure: cl,
							saveAfter: 7, steps: 13})
					}
				}
			}
		}
	}
	return runs
}

// sameBits fails t unless got and want hold the same float64 values, bit for bit.
func sameBits(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			t.Fatalf("%s: [%d] = %.17g, want %.17g bit for bit\ngot  %v\nwant %v", what, i, got[i], want[i], got, want)
		}
	}
}

func sameRows(a, b [][]float64) bool {
	return slices.EqualFunc(a, b, func(x, y []float64) bool {
		return slices.EqualFunc(x, y, func(u, v float64) bool { return math.Float64bits(u) == math.Float64bits(v) })
	})
}

func cloneRows(rows [][]float64) [][]float64 {
	out := make([][]float64, len(rows))
	for i, r := range rows {
		out[i] = slices.Clone(r)
	}
	return out
}

// evalPoint is the point the loop evaluates: an Evaluator's, or params.
func evalPoint(opt Optimizer, params []float64) []float64 {
	if ev, ok := opt.(Evaluator); ok {
		return slices.Clone(ev.EvalParams(params))
	}
	return slices.Clone(params)
}

// TestEveryOptimizerIsStateful checks that every optimizer of the registry has a State of
// the declared kinds, into the optimizer (the same pointers on every call, no two elements
// sharing memory), of lengths that steps do not change.
func TestEveryOptimizerIsStateful(t *testing.T) {
	for _, c := range stateCases() {
		for _, p := range stateProblems() {
			t.Run(testName(c.name, c.set)+"/"+p.name, func(t *testing.T) {
				opt, err := New(c.name, c.set, p.layout)
				if err != nil {
					t.Fatal(err)
				}
				st, ok := opt.(Stateful)
				if !ok {
					t.Fatalf("%s (%T) does not implement Stateful", c.name, opt)
				}
				if n, ok := opt.(named); !ok || n.entryHeader() == nil {
					t.Fatalf("%s (%T): New recorded no name for its checkpoints", c.name, opt)
				}
				shape := func(elems []any) string {
					var b strings.Builder
					for _, e := range elems {
						switch x := e.(type) {
						case *float64, *int, *bool:
							fmt.Fprintf(&b, "%T ", x)
						case []float64:
							fmt.Fprintf(&b, "[%d] ", len(x))
						default:
							t.Fatalf("a state element of type %T", e)
						}
					}
					return b.String()
				}
				first := st.State()
				want := shape(first)
				again := st.State()
				for i := range first {
					switch x := first[i].(type) {
					case []float64:
						y := again[i].([]float64)
						if len(x) > 0 && &x[0] != &y[0] {
							t.Errorf("element %d: State returns a copy, not the optimizer's slice", i)
						}
					default:
						if first[i] != again[i] {
							t.Errorf("element %d: State returns another pointer on each call", i)
						}
					}
				}
				// No two elements share memory (a buffer listed twice would be saved twice and
				// restored in whichever order).
				seen := map[any]int{}
				for i, e := range first {
					var key any = e
					if x, ok := e.([]float64); ok {
						if len(x) == 0 {
							continue
						}
						key = &x[0]
					}
					if j, dup := seen[key]; dup {
						t.Errorf("elements %d and %d share memory", j, i)
					}
					seen[key] = i
				}
				r := stateRun{c: c, p: p, closure: true}
				params, grad := slices.Clone(p.start), make([]float64, len(p.start))
				for step := 1; step <= 5; step++ {
					r.step(opt, params, grad, step)
				}
				if got := shape(st.State()); got != want {
					t.Errorf("State after 5 steps is %s, before %s", got, want)
				}
				if fresh := shape(newStateful(t, c, p).State()); fresh != want {
					t.Errorf("State of another optimizer built alike is %s, this one's %s", fresh, want)
				}
			})
		}
	}
	for _, name := range Names() { // the guard: every name of the registry, at its defaults
		opt, err := New(name, nil, Flat(2))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := opt.(Stateful); !ok {
			t.Errorf("%s (%T) does not implement Stateful", name, opt)
		}
	}
}

func newStateful(t *testing.T, c stateCase, p stateProblem) Stateful {
	t.Helper()
	opt, err := New(c.name, c.set, p.layout)
	if err != nil {
		t.Fatal(err)
	}
	return opt.(Stateful)
}

// TestStateResume checks that a run saved after step 7 and resumed in a fresh optimizer makes
// the same 6 steps after it, bit for bit, as the run that went on: parameters, evaluation
// point, and the state itself.
func TestStateResume(t *testing.T) {
	for _, r := range stateRuns() {
		t.Run(r.String(), func(t *testing.T) {
			n := len(r.p.start)
			grad := make([]float64, n)

			// The run that goes on.
			opt := r.build(t)
			params := slices.Clone(r.p.start)
			for step := 1; step <= r.saveAfter; step++ {
				r.step(opt, params, grad, step)
			}
			saved, err := SaveState(opt)
			if err != nil {
				t.Fatal(err)
			}
			at := slices.Clone(params)
			evalAt := evalPoint(opt, params)
			for step := r.saveAfter + 1; step <= r.steps; step++ {
				r.step(opt, params, grad, step)
			}
			a, evalA := params, evalPoint(opt, params)
			stateA, _ := SaveState(opt)

			// The resumed run.
			res := r.build(t)
			if err := RestoreState(res, saved); err != nil {
				t.Fatalf("RestoreState: %v", err)
			}
			if again, _ := SaveState(res); !sameRows(again, saved) {
				t.Fatalf("the restored optimizer saves %v, the checkpoint is %v", again, saved)
			}
			b := slices.Clone(at)
			sameBits(t, "evaluation point at the checkpoint", evalPoint(res, b), evalAt)
			for step := r.saveAfter + 1; step <= r.steps; step++ {
				r.step(res, b, grad, step)
			}
			sameBits(t, fmt.Sprintf("params after step %d", r.steps), b, a)
			sameBits(t, fmt.Sprintf("evaluation point after step %d", r.steps), evalPoint(res, b), evalA)
			if stateB, _ := SaveState(res); !sameRows(stateB, stateA) {
				t.Errorf("the state after step %d differs: resumed %v, went on %v", r.steps, stateB, stateA)
			}
			for _, x := range a {
				if math.IsNaN(x) || math.IsInf(x, 0) {
					t.Fatalf("the run diverged (%v): the comparison says little", a)
				}
			}
			if slices.Equal(a, at) {
				t.Fatalf("the last %d steps did not move the parameters: the comparison says little", r.steps-r.saveAfter)
			}

			// Without the restore the run goes elsewhere (for the sign methods, lion and
			// signum, often only in the state: the signs of their steps do not change),
			// unless the state is still the initial one (sgd has none; signSGD never writes
			// its momentum): the state saved is the state that matters.
			cold := r.build(t)
			if initial, _ := SaveState(cold); !sameRows(initial, saved) {
				c := slices.Clone(at)
				for step := r.saveAfter + 1; step <= r.steps; step++ {
					r.step(cold, c, grad, step)
				}
				stateC, _ := SaveState(cold)
				if slices.Equal(c, a) && slices.Equal(evalPoint(cold, c), evalA) && sameRows(stateC, stateA) {
					t.Errorf("a fresh optimizer without the checkpoint makes the same steps to the same state")
				}
			}
		})
	}
}

// TestSaveStateDoesNotAlias checks that a checkpoint is a copy: neither later steps nor writes
// through State change it, and a restored optimizer does not hold the checkpoint's slices.
func TestSaveStateDoesNotAlias(t *testing.T) {
	for _, c := range stateCases() {
		for _, p := range stateProblems() {
			t.Run(testName(c.name, c.set)+"/"+p.name, func(t *testing.T) {
				r := stateRun{c: c, p: p, closure: true}
				opt := r.build(t)
				params, grad := slices.Clone(p.start), make([]float64, len(p.start))
				for step := 1; step <= 4; step++ {
					r.step(opt, params, grad, step)
				}
				saved, err := SaveState(opt)
				if err != nil {
					t.Fatal(err)
				}
				kept := cloneRows(saved)
				for step := 5; step <= 8; step++ {
					r.step(opt, params, grad, step)
				}
				scribble(opt.(Stateful))
				if !sameRows(saved, kept) {
					t.Fatalf("the checkpoint changed with the optimizer:\nnow  %v\nthen %v", saved, kept)
				}
				res := r.build(t)
				if err := RestoreState(res, saved); err != nil {
					t.Fatal(err)
				}
				for _, row := range saved[1:] {
					for i := range row {
						row[i] = -7
					}
				}
				if got, _ := SaveState(res); !sameRows(got, kept) {
					t.Fatalf("the restored optimizer changed with the checkpoint:\nnow  %v\nthen %v", got, kept)
				}
			})
		}
	}
}

// scribble overwrites every element of a state.
func scribble(st Stateful) {
	for _, e := range st.State() {
		switch x := e.(type) {
		case *float64:
			*x = 42.5
		case *int:
			*x = 4242
		case *bool:
			*x = !*x
		case []float64:
			for i := range x {
				x[i] = 42.5
			}
		}
	}
}

// TestRestoreStateMismatch checks that a checkpoint of another optimizer, another size,
// another layout or history length, or a damaged one is an error, and leaves the optimizer
// as it was.
func TestRestoreStateMismatch(t *testing.T) {
	stepped := func(t *testing.T, name string, set map[string]any, l Layout) Optimizer {
		t.Helper()
		opt, err := New(name, set, l)
		if err != nil {
			t.Fatal(err)
		}
		params, grad := make([]float64, l.Size), make([]float64, l.Size)
		for i := range params {
			params[i] = 0.3*float64(i%4) - 0.5
		}
		for step := 1; step <= 3; step++ {
			quadraticN(params, grad)
			opt.Step(params, grad, step, 0.01)
		}
		return opt
	}
	refuses := func(t *testing.T, what string, opt Optimizer, saved [][]float64) {
		t.Helper()
		before, err := SaveState(opt)
		if err != nil {
			t.Fatal(err)
		}
		var rerr error
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("%s: RestoreState panics: %v", what, p)
				}
			}()
			rerr = RestoreState(opt, saved)
		}()
		if rerr == nil {
			t.Errorf("%s: RestoreState accepts it", what)
		} else if !strings.HasPrefix(rerr.Error(), "optim: ") {
			t.Errorf("%s: error %q", what, rerr)
		}
		if after, _ := SaveState(opt); !sameRows(after, before) {
			t.Errorf("%s: the failed RestoreState changed the optimizer", what)
		}
	}
	names := Names()
	for _, from := range names {
		saved, err := SaveState(stepped(t, from, nil, Flat(3)))
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range names {
			opt := stepped(t, to, nil, Flat(3))
			if from == to {
				if err := RestoreState(opt, saved); err != nil {
					t.Errorf("%s: its own checkpoint: %v", from, err)
				}
				continue
			}
			refuses(t, from+"'s checkpoint into "+to, opt, saved)
		}
		refuses(t, from+" for 3 parameters into 4", stepped(t, from, nil, Flat(4)), saved)
		refuses(t, from+" for 3 parameters into 2", stepped(t, from, nil, Flat(2)), saved)
		wide := Layout{Size: 3, Tensors: []Tensor{{Name: "w", Rows: 1, Cols: 3, Matrix: true}}}
		refuses(t, from+" flat into a 1×3 matrix", stepped(t, from, nil, wide), saved)
	}
	refuses(t, "lbfgs history 5 into 3", stepped(t, "lbfgs", map[string]any{"history_size": 3}, Flat(3)),
		must(SaveState(stepped(t, "lbfgs", map[string]any{"history_size": 5}, Flat(3)))))
	refuses(t, "amsgrad adamw into adamw", stepped(t, "adamw", nil, Flat(3)),
		must(SaveState(stepped(t, "adamw", map[string]any{"amsgrad": true}, Flat(3)))))

	// Damaged checkpoints.
	for _, name := range []string{"adam", "lbfgs", "prodigy", "sgd", "momentum", "asgd"} {
		opt := stepped(t, name, nil, Flat(3))
		good := must(SaveState(opt))
		damage := map[string]func(s [][]float64) [][]float64{
			"nil":            func([][]float64) [][]float64 { return nil },
			"empty":          func([][]float64) [][]float64 { return [][]float64{} },
			"no header":      func(s [][]float64) [][]float64 { return s[1:] },
			"empty header":   func(s [][]float64) [][]float64 { s[0] = nil; return s },
			"another format": func(s [][]float64) [][]float64 { s[0][0] = 2; return s },
			"name too long":  func(s [][]float64) [][]float64 { s[0][2] = 1e9; return s },
			"bad rune":       func(s [][]float64) [][]float64 { s[0][3] = 0.5; return s },
			"negative rune":  func(s [][]float64) [][]float64 { s[0][3] = -1; return s },
			"NaN header":     func(s [][]float64) [][]float64 { s[0][1] = math.NaN(); return s },
			"extra row":      func(s [][]float64) [][]float64 { return append(s, []float64{1}) },
		}
		if len(good) > 1 {
			damage["missing row"] = func(s [][]float64) [][]float64 { return s[:len(s)-1] }
			damage["short row"] = func(s [][]float64) [][]float64 {
				last := len(s) - 1
				s[last] = s[last][:max(len(s[last])-1, 0)]
				if len(good[last]) == 0 {
					s[last] = []float64{1}
				}
				return s
			}
			damage["long first row"] = func(s [][]float64) [][]float64 { s[1] = append(s[1], 1); return s }
		}
		for i, e := range opt.(Stateful).State() {
			i := i + 1
			switch e.(type) {
			case *int:
				damage[fmt.Sprintf("row %d a fraction", i)] = func(s [][]float64) [][]float64 { s[i][0] = 2.5; return s }
				damage[fmt.Sprintf("row %d NaN", i)] = func(s [][]float64) [][]float64 { s[i][0] = math.NaN(); return s }
				damage[fmt.Sprintf("row %d huge", i)] = func(s [][]float64) [][]float64 { s[i][0] = 1e300; return s }
			case *bool:
				damage[fmt.Sprintf("row %d flag 2", i)] = func(s [][]float64) [][]float64 { s[i][0] = 2; return s }
			}
		}
		for _, what := range slices.Sorted(maps.Keys(damage)) {
			refuses(t, name+": "+what, opt, damage[what](cloneRows(good)))
		}
	}

	// An optimizer without State.
	if _, err := SaveState(stateless{}); err == nil {
		t.Error("SaveState of an optimizer without State: no error")
	}
	if err := RestoreState(stateless{}, [][]float64{{1}}); err == nil {
		t.Error("RestoreState of an optimizer without State: no error")
	}
}

func must(rows [][]float64, err error) [][]float64 {
	if err != nil {
		panic(err)
	}
	return rows
}

type stateless struct{}

func (stateless) Step(params, grad []float64, t int, lr float64) {}

// stateScratch names, per optimizer type, the fields an update writes before it reads them:
// the only fields that may change in a Step without being part of State.
var stateScratch = map[string][]string{
	"lbfgs": {"grad", "y", "s", "x", "g0", "gNew", "gOld", "bg", "al"}, // flat_grad, the candidate pair, strong_wolfe's vectors, the two-loop α
	"muon":  {"x", "xNext", "gram", "gram2"},                           // the Newton–Schulz iterates
	// The scalars of the current update, which begin sets before part reads them (rangedOf).
	"sgd":       {"lr"},
	"heavyBall": {"c", "flags"},
	"adagrad":   {"clr"},
	"rmsprop":   {"lr"},
	"adadelta":  {"lr"},
	"adam":      {"c", "lr", "flags"},
	"adamax":    {"clr"},
	"nadam":     {"lr", "bc2", "cg", "cm"},
}

// TestStateCoversEveryChange looks at the fields of each optimizer (by reflection): every
// field a Step changes must be in State, or be scratch (stateScratch), so that no state is
// forgotten, even where the resumed steps of TestStateResume would not show it.
func TestStateCoversEveryChange(t *testing.T) {
	for _, c := range stateCases() {
		for _, p := range stateProblems() {
			t.Run(testName(c.name, c.set)+"/"+p.name, func(t *testing.T) {
				r := stateRun{c: c, p: p, closure: true}
				opt := r.build(t)
				v := reflect.ValueOf(opt).Elem()
				typ := v.Type()
				field := func(i int) reflect.Value {
					f := v.Field(i)
					return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
				}
				snapshot := func() []reflect.Value {
					snap := make([]reflect.Value, v.NumField())
					for i := range snap {
						snap[i] = deepClone(field(i))
					}
					return snap
				}
				changed := map[int]bool{}
				params, grad := slices.Clone(p.start), make([]float64, len(p.start))
				for step := 1; step <= 8; step++ {
					before := snapshot()
					r.step(opt, params, grad, step)
					after := snapshot()
					for i := range before {
						if !sameValue(before[i], after[i]) {
							changed[i] = true
						}
					}
				}
				cover := newCoverage(opt.(Stateful).State())
				scratch := stateScratch[strings.Split(typ.Name(), "[")[0]] // lbfgs[float64]: lbfgs
				for i := range v.NumField() {
					sf := typ.Field(i)
					if sf.Anonymous || !changed[i] || slices.Contains(scratch, sf.Name) {
						continue
					}
					if !cover.covers(field(i)) {
						t.Errorf("%s.%s changes in Step but is not in State", typ.Name(), sf.Name)
					}
				}
				for _, name := range scratch {
					if f := v.FieldByName(name); !f.IsValid() {
						t.Errorf("stateScratch names %s.%s, which does not exist", typ.Name(), name)
					} else if f := reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem(); !f.IsZero() && !(f.Kind() == reflect.Slice && f.Len() == 0) && cover.covers(f) {
						t.Errorf("%s.%s is in State and in stateScratch", typ.Name(), name)
					}
				}
			})
		}
	}
}

// deepClone copies v with the contents of its slices and arrays.
func deepClone(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			c.Index(i).Set(deepClone(v.Index(i)))
		}
		return c
	case reflect.Array:
		c := reflect.New(v.Type()).Elem()
		for i := range v.Len() {
			c.Index(i).Set(deepClone(v.Index(i)))
		}
		return c
	}
	c := reflect.New(v.Type()).Elem()
	c.Set(v)
	return c
}

// sameValue is deep equality with float64 compared bit for bit (a NaN equals itself).
func sameValue(a, b reflect.Value) bool {
	switch a.Kind() {
	case reflect.Float64:
		return math.Float64bits(a.Float()) == math.Float64bits(b.Float())
	case reflect.Int:
		return a.Int() == b.Int()
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.String:
		return a.String() == b.String()
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !sameValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := range a.NumField() {
			if !sameValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	}
	panic(fmt.Sprintf("sameValue: a field of kind %v", a.Kind()))
}

// coverage is the memory a State points into: its scalars and the spans of its slices.
type coverage struct {
	scalars map[uintptr]bool
	spans   [][2]uintptr
}

func newCoverage(elems []any) *coverage {
	c := &coverage{scalars: map[uintptr]bool{}}
	for _, e := range elems {
		switch x := e.(type) {
		case []float64:
			if len(x) > 0 {
				lo := uintptr(unsafe.Pointer(&x[0]))
				c.spans = append(c.spans, [2]uintptr{lo, lo + uintptr(len(x))*8})
			}
		default:
			c.scalars[reflect.ValueOf(e).Pointer()] = true
		}
	}
	return c
}

// covers reports whether all of field f (an addressable value) lies in the State's memory.
func (c *coverage) covers(f reflect.Value) bool {
	switch f.Kind() {
	case reflect.Float64, reflect.Int, reflect.Bool:
		return c.scalars[f.UnsafeAddr()]
	case reflect.Slice:
		if f.Type().Elem().Kind() == reflect.Float64 {
			if f.Len() == 0 {
				return true
			}
			lo := f.Index(0).UnsafeAddr()
			hi := lo + uintptr(f.Len())*8
			for _, s := range c.spans {
				if s[0] <= lo && hi <= s[1] {
					return true
				}
			}
			return false
		}
		fallthrough
	case reflect.Array:
		for i := range f.Len() {
			if !c.covers(f.Index(i)) {
				return false
			}
		}
		return true
	}
	return false
}
