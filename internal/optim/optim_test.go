package optim

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/optimbench/optimbench/internal/param"
)

// optimizersUnderTest is the shared table of optimizers run against the same problems (optax's
// _OPTIMIZERS_UNDER_TEST): every name of Names with its defaults, plus variants that exercise
// optional branches. set overrides the defaults; quadLR and rosenLR are learning rates that
// converge on the quadratic and on Rosenbrock.
var optimizersUnderTest = []struct {
	name            string
	set             map[string]any
	quadLR, rosenLR float64
}{
	{name: "sgd", quadLR: 0.03, rosenLR: 0.001},
	{name: "momentum", quadLR: 0.01, rosenLR: 0.001},
	{name: "nesterov", quadLR: 0.01, rosenLR: 0.001},
	{name: "adagrad", quadLR: 0.3, rosenLR: 0.5},
	{name: "rmsprop", quadLR: 0.01, rosenLR: 0.001},
	{name: "rmsprop", set: map[string]any{"centered": true, "momentum": 0.5}, quadLR: 0.002, rosenLR: 0.002},
	{name: "adadelta", quadLR: 0.1, rosenLR: 0.05},
	{name: "adam", quadLR: 0.03, rosenLR: 0.03},
	{name: "amsgrad", quadLR: 0.03, rosenLR: 0.1},
	{name: "adamw", quadLR: 0.03, rosenLR: 0.003},
	{name: "adamax", quadLR: 0.1, rosenLR: 0.1},
	{name: "nadam", quadLR: 0.03, rosenLR: 0.01},
}

// testName names a row of optimizersUnderTest for subtests.
func testName(name string, set map[string]any) string {
	for _, k := range slices.Sorted(maps.Keys(set)) {
		name += fmt.Sprintf("/%s=%v", k, set[k])
	}
	return name
}

// newFor builds optimizer name for n parameters from its defaults with set applied.
func newFor(t testing.TB, name string, set map[string]any, n int) Optimizer {
	t.Helper()
	opt, err := New(name, set, Flat(n))
	if err != nil {
		t.Fatalf("New(%q): %v", name, err)
	}
	return opt
}

func TestNames(t *testing.T) {
	want := []string{"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta",
		"adam", "amsgrad", "adamw", "adamax", "nadam",
		"radam", "rprop", "asgd", "lbfgs",
		"lion", "signum", "adabelief", "yogi", "adopt", "lars", "lamb",
		"sgd_schedulefree", "adamw_schedulefree", "muon", "adafactor", "prodigy"}
	got := Names()
	if !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	got[0] = "changed"
	if Names()[0] != "sgd" {
		t.Error("Names returns its internal slice")
	}
	tested := map[string]bool{}
	for _, o := range optimizersUnderTest {
		tested[o.name] = true
	}
	for _, name := range want {
		if !tested[name] {
			t.Errorf("%s is missing from optimizersUnderTest", name)
		}
	}
}

func TestDefaults(t *testing.T) {
	adam := map[string]any{"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0}
	tests := map[string]struct {
		lr   float64
		want map[string]any
	}{
		"sgd":      {0.001, map[string]any{"weight_decay": 0.0}},
		"momentum": {0.001, map[string]any{"momentum": 0.9, "dampening": 0.0, "weight_decay": 0.0}},
		"nesterov": {0.001, map[string]any{"momentum": 0.9, "dampening": 0.0, "weight_decay": 0.0}},
		"adagrad": {0.01, map[string]any{"eps": 1e-10, "lr_decay": 0.0, "initial_accumulator": 0.0,
			"weight_decay": 0.0}},
		"rmsprop": {0.01, map[string]any{"rho": 0.99, "eps": 1e-8, "momentum": 0.0, "centered": false,
			"weight_decay": 0.0}},
		"adadelta": {1.0, map[string]any{"rho": 0.9, "eps": 1e-6, "weight_decay": 0.0}},
		"adam":     {0.001, adam},
		"amsgrad":  {0.001, adam},
		"adamw": {0.001, map[string]any{"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01,
			"amsgrad": false}},
		"adamax": {0.002, adam},
		"nadam": {0.002, map[string]any{"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "momentum_decay": 0.004,
			"weight_decay": 0.0, "decoupled_weight_decay": false}},
		"radam": {0.001, map[string]any{"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0,
			"decoupled_weight_decay": false}},
		"rprop": {0.01, map[string]any{"eta_minus": 0.5, "eta_plus": 1.2, "step_min": 1e-6, "step_max": 50.0,
			"weight_decay": 0.0}},
		"asgd": {0.01, map[string]any{"lambd": 1e-4, "alpha": 0.75, "t0": 1e6, "weight_decay": 0.0}},
		"lbfgs": {1.0, map[string]any{"max_iter": 20, "max_eval": 0, "tolerance_grad": 1e-7,
			"tolerance_change": 1e-9, "history_size": 100, "line_search": "none"}},
		"lion":   {1e-4, map[string]any{"beta1": 0.9, "beta2": 0.99, "weight_decay": 0.0}},
		"signum": {0.01, map[string]any{"momentum": 0.9, "weight_decay": 0.0}},
		"adabelief": {0.001, map[string]any{"beta1": 0.9, "beta2": 0.999, "eps": 1e-16, "weight_decay": 0.0,
			"decoupled_weight_decay": true, "fixed_decay": false, "rectify": true, "degenerated_to_sgd": true,
			"amsgrad": false}},
		"yogi": {0.01, map[string]any{"beta1": 0.9, "beta2": 0.999, "eps": 1e-3, "initial_accumulator": 1e-6,
			"weight_decay": 0.0}},
		"adopt": {0.001, map[string]any{"beta1": 0.9, "beta2": 0.9999, "eps": 1e-6, "weight_decay": 0.0,
			"decoupled_weight_decay": false, "clip": true, "clip_exponent": 0.25}},
		"lars": {0.1, map[string]any{"momentum": 0.9, "weight_decay": 0.0, "trust_coefficient": 0.001,
			"eps": 1e-8, "exclude_bias": false}},
		"lamb": {0.001, map[string]any{"beta1": 0.9, "beta2": 0.999, "eps": 1e-6, "weight_decay": 0.0,
			"exclude_bias": false}},
		"sgd_schedulefree": {1.0, map[string]any{"momentum": 0.9, "weight_decay": 0.0, "warmup_steps": 0,
			"r": 0.0, "weight_lr_power": 2.0}},
		"adamw_schedulefree": {0.0025, map[string]any{"beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
			"weight_decay": 0.0, "warmup_steps": 0, "r": 0.0, "weight_lr_power": 2.0}},
		"muon": {0.001, map[string]any{"momentum": 0.95, "nesterov": true, "ns_steps": 5, "eps": 1e-7,
			"weight_decay": 0.1, "adjust_lr_fn": "original", "aux_lr": 3e-4, "aux_beta1": 0.9,
			"aux_beta2": 0.95, "aux_eps": 1e-10, "aux_weight_decay": 0.0}},
		"adafactor": {0.01, map[string]any{"beta2_decay": -0.8, "eps1": 2.220446049250313e-16, "eps2": 1e-3,
			"d": 1.0, "weight_decay": 0.0}},
		"prodigy": {1.0, map[string]any{"beta1": 0.9, "beta2": 0.999, "beta3": 0.0, "eps": 1e-8,
			"weight_decay": 0.0, "decouple": true, "use_bias_correction": false, "safeguard_warmup": false,
			"d0": 1e-6, "d_coef": 1.0, "growth_rate": math.MaxFloat64}},
	}
	if len(tests) != len(Names()) {
		t.Fatalf("test table has %d optimizers, Names has %d", len(tests), len(Names()))
	}
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			got := Defaults(name)
			if !maps.Equal(got, tests[name].want) {
				t.Errorf("Defaults(%q) = %v, want %v", name, got, tests[name].want)
			}
			e, err := Lookup(name)
			if err != nil {
				t.Fatal(err)
			}
			if e.LR != tests[name].lr {
				t.Errorf("default lr %v, want %v", e.LR, tests[name].lr)
			}
			if _, err := New(name, got, Flat(3)); err != nil {
				t.Errorf("New with the defaults: %v", err)
			}
			got["weight_decay"] = -1.0
			if again := Defaults(name); again["weight_decay"] == -1.0 {
				t.Error("Defaults returns a shared map")
			}
		})
	}
}

// Every key of every optimizer is declared with a default of its type, a doc line and, for
// numbers, a range; the shared keys keep one meaning everywhere.
func TestRegistryDeclarations(t *testing.T) {
	seen := map[string]param.Spec{}
	for _, e := range Entries() {
		if e.Doc == "" || e.Build.f64 == nil || e.Build.f32 == nil || !(e.LR > 0) {
			t.Errorf("%s: entry needs a doc, a builder and a default lr > 0", e.Name)
		}
		for _, s := range e.Params {
			if s.Default == nil || s.Doc == "" {
				t.Errorf("%s.%s: needs a default and a doc", e.Name, s.Key)
			}
			if s.Type == param.Float && s.Range.String() == "" {
				t.Errorf("%s.%s: a number without a range", e.Name, s.Key)
			}
			if err := s.Check(s.Default); err != nil {
				t.Errorf("%s.%s: the default is invalid: %v", e.Name, s.Key, err)
			}
			if prev, ok := seen[s.Key]; ok && (prev.Type != s.Type || prev.Range != s.Range) {
				t.Errorf("%s.%s: declared with type %v range %q here, %v %q elsewhere", e.Name, s.Key, s.Type, s.Range, prev.Type, prev.Range)
			}
			seen[s.Key] = s
		}
	}
}

func TestUnknownOptimizer(t *testing.T) {
	const want = `unknown optimizer "sgdd"`
	_, err := Lookup("sgdd")
	if err == nil || err.Error() != want || !errors.Is(err, ErrUnknownOptimizer) {
		t.Errorf("Lookup: error %v, want %s", err, want)
	}
	if Defaults("sgdd") != nil {
		t.Error("Defaults of an unknown optimizer is not nil")
	}
	_, err = New("sgdd", nil, Flat(3))
	if err == nil || err.Error() != want || !errors.Is(err, ErrUnknownOptimizer) {
		t.Errorf("New: error %v, want %s", err, want)
	}
	_, err = New("sgd", map[string]any{"beta1": 0.9}, Flat(3))
	if !errors.Is(err, ErrUnknownKey) || !strings.HasPrefix(fmt.Sprint(err), "beta1: ") {
		t.Errorf("New with a key of another optimizer: error %v, want beta1: %v", err, ErrUnknownKey)
	}
}

func TestNewInvalid(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name string
		set  map[string]any
		key  string
	}{
		{"sgd", map[string]any{"weight_decay": -0.1}, "weight_decay"},
		{"sgd", map[string]any{"weight_decay": inf}, "weight_decay"},
		{"momentum", map[string]any{"momentum": -0.5}, "momentum"},
		{"nesterov", map[string]any{"momentum": 0.0}, "momentum"},
		{"nesterov", map[string]any{"momentum": -0.9}, "momentum"},
		{"adagrad", map[string]any{"lr_decay": -1.0}, "lr_decay"},
		{"adagrad", map[string]any{"initial_accumulator": -0.1}, "initial_accumulator"},
		{"adagrad", map[string]any{"eps": -1e-10}, "eps"},
		{"rmsprop", map[string]any{"rho": 1.5}, "rho"},
		{"rmsprop", map[string]any{"rho": -0.1}, "rho"},
		{"rmsprop", map[string]any{"momentum": -1.0}, "momentum"},
		{"rmsprop", map[string]any{"eps": nan}, "eps"},
		{"rmsprop", map[string]any{"centered": 1.0}, "centered"},
		{"adadelta", map[string]any{"rho": 1.01}, "rho"},
		{"adam", map[string]any{"beta1": 1.0}, "beta1"},
		{"adam", map[string]any{"beta1": -0.1}, "beta1"},
		{"adam", map[string]any{"beta2": 1.0}, "beta2"},
		{"adam", map[string]any{"eps": -1e-8}, "eps"},
		{"amsgrad", map[string]any{"beta2": nan}, "beta2"},
		{"adamw", map[string]any{"weight_decay": -0.01}, "weight_decay"},
		{"adamax", map[string]any{"beta1": 1.5}, "beta1"},
		{"adamax", map[string]any{"beta2": "0.9"}, "beta2"},
		{"sgd", map[string]any{"weight_decay": 1}, "weight_decay"}, // a float key takes a float64
		{"nadam", map[string]any{"momentum_decay": -0.004}, "momentum_decay"},
		{"nadam", map[string]any{"beta2": inf}, "beta2"},
	}
	for _, tc := range tests {
		t.Run(testName(tc.name, tc.set), func(t *testing.T) {
			opt, err := New(tc.name, tc.set, Flat(3))
			var ve *param.ValueError
			if !errors.As(err, &ve) || ve.Key != tc.key {
				t.Fatalf("New: got (%v, %v), want a *param.ValueError for %s", opt, err, tc.key)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, tc.key+": must be ") {
				t.Errorf("message %q does not start with %q", msg, tc.key+": must be ")
			}
		})
	}
}

// TestNewMessages pins the wording that callers show after their "optimizer." prefix.
func TestNewMessages(t *testing.T) {
	tests := []struct {
		name string
		set  map[string]any
		want string
	}{
		{"sgd", map[string]any{"weight_decay": -1.0}, "weight_decay: must be >= 0, got -1"},
		{"adam", map[string]any{"beta2": 1.0}, "beta2: must be in [0, 1), got 1"},
		{"nesterov", map[string]any{"momentum": 0.0}, "momentum: must be > 0 for nesterov, got 0"},
		{"adadelta", map[string]any{"rho": 2.0}, "rho: must be in [0, 1], got 2"},
		{"sgd", map[string]any{"weight_decay": math.Inf(1)}, "weight_decay: must be finite, got +Inf"},
	}
	for _, tc := range tests {
		_, err := New(tc.name, tc.set, Flat(1))
		if got := fmt.Sprint(err); got != tc.want {
			t.Errorf("New(%q, %v): got error %q, want %q", tc.name, tc.set, got, tc.want)
		}
	}
}

func TestNewValidEdges(t *testing.T) {
	tests := []struct {
		name string
		set  map[string]any
	}{
		{"adam", map[string]any{"beta1": 0.0, "beta2": 0.0}}, // betas in [0, 1)
		{"adadelta", map[string]any{"rho": 1.0}},             // rho in [0, 1]
		{"rmsprop", map[string]any{"rho": 0.0, "eps": 0.0}},  // eps >= 0
		{"momentum", map[string]any{"momentum": 0.0}},        // only nesterov needs μ > 0
		{"adagrad", map[string]any{"initial_accumulator": 0.1}},
		{"nadam", map[string]any{"momentum_decay": 0.0}},
		{"adamw", map[string]any{"weight_decay": 0.0}},
	}
	for _, tc := range tests {
		if _, err := New(tc.name, tc.set, Flat(2)); err != nil {
			t.Errorf("New(%s): %v", testName(tc.name, tc.set), err)
		}
	}
}

// quadratic is f(x) = ½ Σ aᵢxᵢ² with a = (1, 3, 10); it writes ∇f into grad.
func quadratic(x, grad []float64) float64 {
	a := [...]float64{1, 3, 10}
	f := 0.0
	for i, xi := range x {
		grad[i] = a[i] * xi
		f += 0.5 * a[i] * xi * xi
	}
	return f
}

// rosenbrock is f(x, y) = (1 − x)² + 100(y − x²)²; it writes ∇f into grad.
func rosenbrock(x, grad []float64) float64 {
	u, v := 1-x[0], x[1]-x[0]*x[0]
	grad[0] = -2*u - 400*x[0]*v
	grad[1] = 200 * v
	return u*u + 100*v*v
}

func TestConvergence(t *testing.T) {
	problems := []struct {
		name      string
		f         func(x, grad []float64) float64
		start, at []float64
		steps     int
		lr        func(quadLR, rosenLR float64) float64
	}{
		{"quadratic", quadratic, []float64{1, -2, 0.5}, []float64{0, 0, 0}, 5000,
			func(q, _ float64) float64 { return q }},
		{"rosenbrock", rosenbrock, []float64{-1.5, 2}, []float64{1, 1}, 20000,
			func(_, r float64) float64 { return r }},
	}
	for _, o := range optimizersUnderTest {
		for _, p := range problems {
			t.Run(testName(o.name, o.set)+"/"+p.name, func(t *testing.T) {
				x := slices.Clone(p.start)
				grad := make([]float64, len(x))
				opt := newFor(t, o.name, o.set, len(x))
				lr := p.lr(o.quadLR, o.rosenLR)
				for step := 1; step <= p.steps; step++ {
					p.f(x, grad)
					opt.Step(x, grad, step, lr)
				}
				// The tolerance of optax's test_optimizers: rtol = atol = 1e-2.
				for i := range x {
					if !(math.Abs(x[i]-p.at[i]) <= 1e-2+1e-2*math.Abs(p.at[i])) {
						t.Fatalf("after %d steps at lr %g: x = %v, want %v", p.steps, lr, x, p.at)
					}
				}
			})
		}
	}
}

// TestStepAllocs checks that Step allocates nothing, on every branch (weight decay included).
func TestStepAllocs(t *testing.T) {
	const n = 64
	for _, o := range optimizersUnderTest {
		for _, wd := range []float64{0, 0.01} {
			set := maps.Clone(o.set)
			if set == nil {
				set = map[string]any{}
			}
			if e, _ := Lookup(o.name); param.Find(e.Params, "weight_decay") != nil {
				set["weight_decay"] = wd
			} else if wd != 0 {
				continue // no weight decay to exercise (lbfgs)
			}
			t.Run(testName(o.name, set), func(t *testing.T) {
				opt := newFor(t, o.name, set, n)
				params, grad := make([]float64, n), make([]float64, n)
				for i := range params {
					params[i] = float64(i%7) - 3
				}
				step := 0
				allocs := testing.AllocsPerRun(100, func() {
					step++
					quadraticN(params, grad)
					opt.Step(params, grad, step, 1e-3)
				})
				if allocs != 0 {
					t.Errorf("Step allocates %v times per call", allocs)
				}
			})
		}
	}
}

// quadraticN writes the gradient of ½ Σ (1 + i mod 10) xᵢ² into grad.
func quadraticN(x, grad []float64) {
	for i, xi := range x {
		grad[i] = float64(1+i%10) * xi
	}
}

func TestStepPanicsOnMisuse(t *testing.T) {
	for _, name := range Names() {
		opt := newFor(t, name, nil, 3)
		for _, tc := range []struct {
			what         string
			params, grad []float64
			step         int
		}{
			{"short params", make([]float64, 2), make([]float64, 3), 1},
			{"long grad", make([]float64, 3), make([]float64, 4), 1},
			{"step 0", make([]float64, 3), make([]float64, 3), 0},
		} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s: Step with %s did not panic", name, tc.what)
					}
				}()
				opt.Step(tc.params, tc.grad, tc.step, 0.1)
			}()
		}
	}
}

// TestLearningRateIsPerStep checks that Step uses the lr it is given: with lr = 0 nothing moves
// (adamw's decay included).
func TestLearningRateIsPerStep(t *testing.T) {
	for _, o := range optimizersUnderTest {
		t.Run(testName(o.name, o.set), func(t *testing.T) {
			opt := newFor(t, o.name, o.set, 3)
			x := []float64{1, -2, 0.5}
			grad := make([]float64, 3)
			for step := 1; step <= 5; step++ {
				quadratic(x, grad)
				opt.Step(x, grad, step, 0)
			}
			if want := []float64{1, -2, 0.5}; !slices.Equal(x, want) {
				t.Errorf("x = %v after steps with lr 0, want %v", x, want)
			}
		})
	}
}

func BenchmarkStep(b *testing.B) {
	const n = 100_000
	for _, name := range Names() {
		b.Run(name, func(b *testing.B) {
			opt := newFor(b, name, nil, n)
			params, grad := make([]float64, n), make([]float64, n)
			for i := range params {
				params[i] = float64(i%7) - 3
				grad[i] = 1e-3 * float64(i%5-2)
			}
			b.ReportAllocs()
			step := 0
			for b.Loop() {
				step++
				opt.Step(params, grad, step, 1e-3)
			}
		})
	}
}
