package optim

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
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

// hyperFor returns the defaults of name with set applied.
func hyperFor(t testing.TB, name string, set map[string]any) Hyper {
	t.Helper()
	defaults, err := Defaults(name)
	if err != nil {
		t.Fatal(err)
	}
	var h Hyper
	for _, m := range []map[string]any{defaults, set} {
		for k, v := range m {
			if err := h.Apply(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	return h
}

// newFor builds optimizer name for n parameters from its defaults with set applied.
func newFor(t testing.TB, name string, set map[string]any, n int) Optimizer {
	t.Helper()
	opt, err := New(name, hyperFor(t, name, set), n)
	if err != nil {
		t.Fatalf("New(%q): %v", name, err)
	}
	return opt
}

func TestNames(t *testing.T) {
	want := []string{"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta",
		"adam", "amsgrad", "adamw", "adamax", "nadam"}
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
	adam := map[string]any{"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0}
	tests := map[string]map[string]any{
		"sgd":      {"lr": 0.001, "weight_decay": 0.0},
		"momentum": {"lr": 0.001, "momentum": 0.9, "weight_decay": 0.0},
		"nesterov": {"lr": 0.001, "momentum": 0.9, "weight_decay": 0.0},
		"adagrad": {"lr": 0.01, "eps": 1e-10, "lr_decay": 0.0, "initial_accumulator": 0.0,
			"weight_decay": 0.0},
		"rmsprop": {"lr": 0.01, "rho": 0.99, "eps": 1e-8, "momentum": 0.0, "centered": false,
			"weight_decay": 0.0},
		"adadelta": {"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0.0},
		"adam":     adam,
		"amsgrad":  adam,
		"adamw":    {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01},
		"adamax":   {"lr": 0.002, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
		"nadam": {"lr": 0.002, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "momentum_decay": 0.004,
			"weight_decay": 0.0},
	}
	if len(tests) != len(Names()) {
		t.Fatalf("test table has %d optimizers, Names has %d", len(tests), len(Names()))
	}
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			got, err := Defaults(name)
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, tests[name]) {
				t.Errorf("Defaults(%q) = %v, want %v", name, got, tests[name])
			}
			var h Hyper
			for k, v := range got {
				if err := h.Apply(k, v); err != nil {
					t.Errorf("Apply(%q, %v): %v", k, v, err)
				}
			}
			if _, err := New(name, h, 3); err != nil {
				t.Errorf("New with the defaults: %v", err)
			}
			got["lr"] = -1.0
			if again, _ := Defaults(name); again["lr"] == -1.0 {
				t.Error("Defaults returns a shared map")
			}
		})
	}
}

func TestUnknownOptimizer(t *testing.T) {
	const want = `unknown optimizer "sgdd"`
	_, err := Defaults("sgdd")
	if err == nil || err.Error() != want || !errors.Is(err, ErrUnknownOptimizer) {
		t.Errorf("Defaults: error %v, want %s", err, want)
	}
	_, err = New("sgdd", Hyper{LR: 0.1}, 3)
	if err == nil || err.Error() != want || !errors.Is(err, ErrUnknownOptimizer) {
		t.Errorf("New: error %v, want %s", err, want)
	}
}

func TestApply(t *testing.T) {
	var h Hyper
	for key, v := range map[string]any{
		"lr": 0.5, "momentum": 0.25, "beta1": 0.125, "beta2": 2.0, "eps": 3.0, "rho": 4.0,
		"weight_decay": 5.0, "lr_decay": 6.0, "initial_accumulator": 7.0, "momentum_decay": int(8),
		"centered": true,
	} {
		if err := h.Apply(key, v); err != nil {
			t.Fatalf("Apply(%q, %v): %v", key, v, err)
		}
	}
	want := Hyper{LR: 0.5, Momentum: 0.25, Beta1: 0.125, Beta2: 2, Eps: 3, Rho: 4, WeightDecay: 5,
		LRDecay: 6, InitialAccumulator: 7, MomentumDecay: 8, Centered: true}
	if h != want {
		t.Errorf("got %+v, want %+v", h, want)
	}

	err := h.Apply("learning_rate", 0.1)
	if !errors.Is(err, ErrUnknownKey) || !strings.HasPrefix(fmt.Sprint(err), "learning_rate: ") {
		t.Errorf("unknown key: got error %v, want learning_rate: %v", err, ErrUnknownKey)
	}
	for _, tc := range []struct {
		key string
		v   any
	}{
		{"lr", "0.1"},
		{"lr", true},
		{"lr", nil},
		{"centered", 1.0},
		{"centered", "true"},
	} {
		err := h.Apply(tc.key, tc.v)
		var ve *ValueError
		if !errors.As(err, &ve) || ve.Key != tc.key {
			t.Errorf("Apply(%q, %#v): got error %v, want a *ValueError for %s", tc.key, tc.v, err, tc.key)
		}
	}
	if h != want {
		t.Errorf("failed Apply changed h to %+v", h)
	}
}

func TestNewInvalid(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name string
		set  map[string]any
		key  string
	}{
		{"sgd", map[string]any{"lr": -1.0}, "lr"},
		{"sgd", map[string]any{"lr": nan}, "lr"},
		{"sgd", map[string]any{"lr": inf}, "lr"},
		{"sgd", map[string]any{"weight_decay": -0.1}, "weight_decay"},
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
		{"adadelta", map[string]any{"rho": 1.01}, "rho"},
		{"adadelta", map[string]any{"lr": -1e-3}, "lr"},
		{"adam", map[string]any{"beta1": 1.0}, "beta1"},
		{"adam", map[string]any{"beta1": -0.1}, "beta1"},
		{"adam", map[string]any{"beta2": 1.0}, "beta2"},
		{"adam", map[string]any{"eps": -1e-8}, "eps"},
		{"amsgrad", map[string]any{"beta2": nan}, "beta2"},
		{"adamw", map[string]any{"weight_decay": -0.01}, "weight_decay"},
		{"adamax", map[string]any{"beta1": 1.5}, "beta1"},
		{"adamax", map[string]any{"lr": inf}, "lr"},
		{"nadam", map[string]any{"momentum_decay": -0.004}, "momentum_decay"},
		{"nadam", map[string]any{"beta2": inf}, "beta2"},
	}
	for _, tc := range tests {
		t.Run(testName(tc.name, tc.set), func(t *testing.T) {
			opt, err := New(tc.name, hyperFor(t, tc.name, tc.set), 3)
			var ve *ValueError
			if !errors.As(err, &ve) || ve.Key != tc.key {
				t.Fatalf("New: got (%v, %v), want a *ValueError for %s", opt, err, tc.key)
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
		h    Hyper
		want string
	}{
		{"sgd", Hyper{LR: -1}, "lr: must be >= 0, got -1"},
		{"adam", Hyper{LR: 0.1, Beta1: 0.9, Beta2: 1}, "beta2: must be in [0, 1), got 1"},
		{"nesterov", Hyper{LR: 0.1}, "momentum: must be > 0 for nesterov, got 0"},
		{"adadelta", Hyper{LR: 1, Rho: 2}, "rho: must be in [0, 1], got 2"},
		{"sgd", Hyper{LR: math.Inf(1)}, "lr: must be finite, got +Inf"},
	}
	for _, tc := range tests {
		_, err := New(tc.name, tc.h, 1)
		if got := fmt.Sprint(err); got != tc.want {
			t.Errorf("New(%q, %+v): got error %q, want %q", tc.name, tc.h, got, tc.want)
		}
	}
}

func TestNewValidEdges(t *testing.T) {
	tests := []struct {
		name string
		set  map[string]any
	}{
		{"sgd", map[string]any{"lr": 0.0}},                   // PyTorch allows lr = 0
		{"adam", map[string]any{"beta1": 0.0, "beta2": 0.0}}, // betas in [0, 1)
		{"adadelta", map[string]any{"rho": 1.0}},             // rho in [0, 1]
		{"rmsprop", map[string]any{"rho": 0.0, "eps": 0.0}},  // eps >= 0
		{"momentum", map[string]any{"momentum": 0.0}},        // only nesterov needs μ > 0
		{"adagrad", map[string]any{"initial_accumulator": 0.1}},
		{"nadam", map[string]any{"momentum_decay": 0.0}},
		{"adamw", map[string]any{"weight_decay": 0.0, "lr": 10}},
	}
	for _, tc := range tests {
		if _, err := New(tc.name, hyperFor(t, tc.name, tc.set), 2); err != nil {
			t.Errorf("New(%s): %v", testName(tc.name, tc.set), err)
		}
	}
	// Fields that do not apply to an optimizer are not validated.
	if _, err := New("sgd", Hyper{LR: 0.1, Beta1: 7, Rho: -1, Eps: -1}, 2); err != nil {
		t.Errorf("sgd with unused invalid fields: %v", err)
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
			set["weight_decay"] = wd
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

// TestLearningRateIsPerStep checks that Step uses the lr it is given, not Hyper.LR: with lr = 0
// nothing moves (adamw's decay included), whatever the configured lr.
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
