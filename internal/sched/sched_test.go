package sched

import (
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/optimbench/optimbench/internal/param"
)

func TestNamesAndKeys(t *testing.T) {
	want := []string{"constant", "time", "exponential", "step", "multistep", "cosine", "sgdr",
		"triangular", "triangular2", "exp_range", "linear", "constant_factor", "polynomial", "onecycle",
		"wsd", "plateau", "sequential"}
	if got := Names(); !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	keys := map[string][]string{
		"constant":        {},
		"time":            {"k"},
		"exponential":     {"k"},
		"step":            {"factor", "every"},
		"multistep":       {"factor", "milestones"},
		"cosine":          {"period", "min_lr"},
		"sgdr":            {"period", "mult", "min_lr", "peak_decay"},
		"triangular":      {"half_cycle", "min_lr", "half_cycle_down", "cycle_momentum", "base_momentum", "max_momentum"},
		"triangular2":     {"half_cycle", "min_lr", "half_cycle_down", "cycle_momentum", "base_momentum", "max_momentum"},
		"exp_range":       {"half_cycle", "min_lr", "gamma", "half_cycle_down", "cycle_momentum", "base_momentum", "max_momentum"},
		"linear":          {"start_factor", "end_factor", "iters"},
		"constant_factor": {"factor", "iters"},
		"polynomial":      {"iters", "power"},
		"onecycle": {"pct_start", "anneal", "div_factor", "final_div_factor", "three_phase", "total",
			"cycle_momentum", "base_momentum", "max_momentum"},
		"wsd":        {"decay_fraction", "decay_shape", "min_lr"},
		"plateau":    {"monitor", "mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lr", "eps"},
		"sequential": {"schedules", "milestones"},
	}
	for _, name := range want {
		got, err := Keys(name)
		if err != nil {
			t.Errorf("Keys(%q): %v", name, err)
			continue
		}
		if !slices.Equal(got, keys[name]) {
			t.Errorf("Keys(%q) = %v, want %v", name, got, keys[name])
		}
	}
	// The returned slices are the caller's.
	k, _ := Keys("sgdr")
	k[0] = "changed"
	if k2, _ := Keys("sgdr"); k2[0] != "period" {
		t.Errorf("Keys shares its slice with callers")
	}
	for _, name := range []string{"x", "Cosine"} {
		_, err := Keys(name)
		if !errors.Is(err, ErrUnknown) {
			t.Errorf("Keys(%q) error = %v, want ErrUnknown", name, err)
		}
		if _, err := Resolve(Config{Name: name, LR: 0.1}, 10); !errors.Is(err, ErrUnknown) {
			t.Errorf("Resolve(%q) error = %v, want ErrUnknown", name, err)
		}
	}
	if _, err := Keys("x"); err == nil || err.Error() != `unknown schedule "x"` {
		t.Errorf(`Keys("x") error = %v, want unknown schedule "x"`, err)
	}
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name, unit string
		want       param.Values
	}{
		{"constant", "", param.Values{}},
		{"time", "epoch", param.Values{"k": 0.01}},
		{"exponential", "step", param.Values{"k": 0.05}},
		{"step", "epoch", param.Values{"factor": 0.5, "every": 10}},
		{"multistep", "epoch", param.Values{"factor": 0.1}},
		{"cosine", "step", param.Values{"period": 50, "min_lr": 0.0}},
		{"sgdr", "epoch", param.Values{"period": 10, "mult": 1, "min_lr": 0.0, "peak_decay": 1.0}},
		{"triangular", "epoch", withCyclic(param.Values{"half_cycle": 4, "min_lr": 0.02})},
		{"triangular2", "step", withCyclic(param.Values{"half_cycle": 2000, "min_lr": 0.02})},
		{"exp_range", "", withCyclic(param.Values{"half_cycle": 4, "min_lr": 0.02, "gamma": 0.99994})},
		{"linear", "", param.Values{"start_factor": 1.0 / 3, "end_factor": 1.0, "iters": 5}},
		{"constant_factor", "", param.Values{"factor": 1.0 / 3, "iters": 5}},
		{"polynomial", "step", param.Values{"iters": 5, "power": 1.0}},
		{"onecycle", "step", param.Values{"pct_start": 0.3, "anneal": "cos", "div_factor": 25.0,
			"final_div_factor": 1e4, "three_phase": false, "total": 50, "cycle_momentum": true,
			"base_momentum": 0.85, "max_momentum": 0.95}},
		{"wsd", "", param.Values{"decay_fraction": 0.2, "decay_shape": "linear", "min_lr": 0.0}},
		{"plateau", "epoch", param.Values{"mode": "min", "factor": 0.1, "patience": 10, "threshold": 1e-4,
			"threshold_mode": "rel", "cooldown": 0, "min_lr": 0.0, "eps": 1e-8}},
		{"sequential", "", param.Values{}},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.unit, func(t *testing.T) {
			c := Config{Name: tt.name, Unit: tt.unit, LR: 0.2}
			got, err := Resolve(c, 50)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Resolve = %v, want %v", got, tt.want)
			}
			_, err = New(c, 50)
			if required := map[string]string{"multistep": "milestones", "sequential": "schedules"}[tt.name]; required != "" {
				var ke *KeyError
				if !errors.As(err, &ke) || ke.Key != required {
					t.Errorf("New(defaults) error = %v, want a %s error", err, required)
				}
			} else if err != nil {
				t.Errorf("New(defaults): %v", err)
			}
		})
	}
	// A cosine's period is the run less the warm-up; keys set are kept.
	got, _ := Resolve(Config{Name: "cosine", Warmup: 5, LR: 1}, 50)
	if got.Int("period") != 45 {
		t.Errorf("cosine period with a warm-up of 5 in 50 units: %d, want 45", got.Int("period"))
	}
	got, _ = Resolve(Config{Name: "triangular", LR: 1, Params: param.Values{"min_lr": 0.5}}, 50)
	if got.Float("min_lr") != 0.5 {
		t.Errorf("min_lr set to 0.5 resolved to %v", got.Float("min_lr"))
	}
	var ke *KeyError
	if _, err := New(Config{Name: "cosine", Unit: "x", LR: 0.1}, 10); !errors.As(err, &ke) || ke.Key != "unit" {
		t.Errorf(`New(unit "x") error = %v, want a unit error`, err)
	}
}

// withCyclic adds the plain defaults of the keys the cyclical schedules gained with the zoo
// (half_cycle_down stays unset: it is then half_cycle).
func withCyclic(p param.Values) param.Values {
	p["cycle_momentum"], p["base_momentum"], p["max_momentum"] = false, 0.8, 0.9
	return p
}

// TestValues checks hand-computed values, including behaviour PyTorch does not share
// (cosine holds min_lr after period; t < 0 is t = 0).
func TestValues(t *testing.T) {
	type point struct {
		t    int
		want float64
	}
	tests := []struct {
		name   string
		c      Config
		lr0    float64
		points []point
	}{
		{"constant zero config", Config{}, 0.3, []point{{0, 0.3}, {1000, 0.3}}},
		{"time", Config{Name: "time", Params: param.Values{"k": 1.0}}, 1, []point{{0, 1}, {1, 0.5}, {3, 0.25}, {-5, 1}}},
		{"exponential", Config{Name: "exponential", Params: param.Values{"k": 0.5}}, 2, []point{{0, 2}, {4, 2 * math.Exp(-2)}}},
		{"step", Config{Name: "step", Params: param.Values{"factor": 0.5, "every": 2}}, 1, []point{{0, 1}, {1, 1}, {2, 0.5}, {5, 0.25}, {-1, 1}}},
		{"multistep", Config{Name: "multistep", Params: param.Values{"factor": 0.1, "milestones": []int{2, 4}}}, 1,
			[]point{{1, 1}, {2, 0.1}, {3, 0.1}, {4, 0.01}, {100, 0.01}}},
		{"cosine clamps after period", Config{Name: "cosine", Params: param.Values{"period": 4, "min_lr": 0.1}}, 1,
			[]point{{0, 1}, {2, 0.55}, {4, 0.1}, {5, 0.1}, {1000, 0.1}}},
		{"sgdr mult 2", Config{Name: "sgdr", Params: param.Values{"period": 2, "mult": 2}}, 1,
			[]point{{0, 1}, {1, 0.5}, {2, 1}, {3, 0.5 * (1 + math.Sqrt2/2)}, {4, 0.5}, {6, 1}, {10, 0.5}, {14, 1}}},
		{"sgdr huge t", Config{Name: "sgdr", Params: param.Values{"period": 1, "mult": 2}}, 1, []point{{1<<62 - 1, 1}, {math.MaxInt, 1}, {math.MaxInt - 1, 0.5 * (1 + math.Cos(math.Pi*(1<<62-1)/(1<<62)))}}},
		{"triangular", Config{Name: "triangular", Params: param.Values{"half_cycle": 2, "min_lr": 0.0}}, 1,
			[]point{{0, 0}, {1, 0.5}, {2, 1}, {3, 0.5}, {4, 0}, {6, 1}}},
		{"triangular2", Config{Name: "triangular2", Params: param.Values{"half_cycle": 2, "min_lr": 0.0}}, 1,
			[]point{{2, 1}, {6, 0.5}, {10, 0.25}, {9, 0.125}}},
		{"exp_range", Config{Name: "exp_range", Params: param.Values{"half_cycle": 2, "min_lr": 0.0, "gamma": 0.5}}, 1,
			[]point{{0, 0}, {1, 0.25}, {2, 0.25}, {6, 1.0 / 64}}},
		{"warmup constant", Config{Warmup: 4}, 1, []point{{-1, 0.25}, {0, 0.25}, {1, 0.5}, {3, 1}, {4, 1}}},
		{"warmup step", Config{Name: "step", Warmup: 2, Params: param.Values{"factor": 0.5, "every": 2}}, 1,
			[]point{{0, 0.5}, {1, 1}, {2, 1}, {3, 1}, {4, 0.5}}},
		{"warmup triangular starts from lr_s(0)", Config{Name: "triangular", Warmup: 2, Params: param.Values{"half_cycle": 2, "min_lr": 0.2}}, 1,
			[]point{{0, 0.1}, {1, 0.2}, {2, 0.2}, {4, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			c.LR = tt.lr0
			s, err := New(c, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range tt.points {
				if got := s(p.t); !closeTo(got, p.want) {
					t.Errorf("lr(%d) = %.17g, want %.17g", p.t, got, p.want)
				}
			}
		})
	}
}

func TestMilestonesCopied(t *testing.T) {
	ms := []int{2, 4}
	s, err := New(Config{Name: "multistep", LR: 1, Params: param.Values{"factor": 0.5, "milestones": ms}}, 10)
	if err != nil {
		t.Fatal(err)
	}
	ms[0] = 100
	if got := s(3); got != 0.5 {
		t.Errorf("after the caller changed Milestones, lr(3) = %v, want 0.5", got)
	}
}

func TestNewInvalid(t *testing.T) {
	tests := []struct {
		name string
		c    Config
		lr0  float64
		key  string
		msg  string // the whole message, when pinned
	}{
		{"unknown name", Config{Name: "x"}, 0.1, "name", `name: unknown schedule "x"`},
		{"unit", Config{Name: "constant", Unit: "x"}, 0.1, "unit", `unit: must be epoch or step, got "x"`},
		{"warmup", Config{Warmup: -1}, 0.1, "warmup", "warmup: must be >= 0, got -1"},
		{"lr negative", Config{}, -0.1, "lr", ""},
		{"lr nan", Config{}, math.NaN(), "lr", ""},
		{"time k", Config{Name: "time", Params: param.Values{"k": -1.0}}, 0.1, "k", "k: must be >= 0, got -1"},
		{"exponential k inf", Config{Name: "exponential", Params: param.Values{"k": math.Inf(1)}}, 0.1, "k", ""},
		{"step factor", Config{Name: "step", Params: param.Values{"factor": 0.0, "every": 1}}, 0.1, "factor", "factor: must be > 0, got 0"},
		{"step every", Config{Name: "step", Params: param.Values{"factor": 0.5, "every": 0}}, 0.1, "every", "every: must be > 0, got 0"},
		{"multistep required", Config{Name: "multistep", Params: param.Values{"factor": 0.1}}, 0.1, "milestones", "milestones: required"},
		{"multistep order", Config{Name: "multistep", Params: param.Values{"factor": 0.1, "milestones": []int{5, 3}}}, 0.1, "milestones",
			"milestones: must be increasing, got [5 3]"},
		{"multistep repeat", Config{Name: "multistep", Params: param.Values{"factor": 0.1, "milestones": []int{3, 3}}}, 0.1, "milestones", ""},
		{"multistep zero", Config{Name: "multistep", Params: param.Values{"factor": 0.1, "milestones": []int{0, 3}}}, 0.1, "milestones", ""},
		{"multistep factor", Config{Name: "multistep", Params: param.Values{"factor": math.NaN(), "milestones": []int{3}}}, 0.1, "factor", ""},
		{"cosine period", Config{Name: "cosine", Params: param.Values{"period": 0}}, 0.1, "period", "period: must be > 0, got 0"},
		{"cosine min_lr negative", Config{Name: "cosine", Params: param.Values{"period": 5, "min_lr": -1.0}}, 0.1, "min_lr", ""},
		{"cosine min_lr above lr", Config{Name: "cosine", Params: param.Values{"period": 5, "min_lr": 0.5}}, 0.1, "min_lr", ""},
		{"sgdr mult", Config{Name: "sgdr", Params: param.Values{"period": 10, "mult": 0}}, 0.1, "mult", "mult: must be >= 1, got 0"},
		{"sgdr period", Config{Name: "sgdr", Params: param.Values{"period": -1, "mult": 1}}, 0.1, "period", ""},
		{"triangular half_cycle", Config{Name: "triangular", Params: param.Values{"min_lr": 0.01, "half_cycle": 0}}, 0.1, "half_cycle", "half_cycle: must be > 0, got 0"},
		{"triangular min_lr", Config{Name: "triangular", Params: param.Values{"half_cycle": 4, "min_lr": 0.5}}, 0.1, "min_lr",
			"min_lr: must be <= lr (0.1), got 0.5"},
		{"triangular2 min_lr", Config{Name: "triangular2", Params: param.Values{"half_cycle": 4, "min_lr": 0.5}}, 0.1, "min_lr", ""},
		{"exp_range gamma zero", Config{Name: "exp_range", Params: param.Values{"half_cycle": 4, "min_lr": 0.01, "gamma": 0.0}}, 0.1, "gamma", "gamma: must be in (0, 1], got 0"},
		{"exp_range gamma above 1", Config{Name: "exp_range", Params: param.Values{"half_cycle": 4, "min_lr": 0.01, "gamma": 1.5}}, 0.1, "gamma", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			c.LR = tt.lr0
			s, err := New(c, 10)
			if err == nil {
				t.Fatalf("New(%+v, %v) = schedule, want an error", tt.c, tt.lr0)
			}
			if s != nil {
				t.Errorf("New returned a schedule with the error %v", err)
			}
			var ke *KeyError
			if !errors.As(err, &ke) {
				t.Fatalf("error %v (%T) is not a *KeyError", err, err)
			}
			if ke.Key != tt.key {
				t.Errorf("key = %q, want %q (error %v)", ke.Key, tt.key, err)
			}
			if !strings.HasPrefix(err.Error(), tt.key+": ") {
				t.Errorf("error %q does not start with %q", err, tt.key+": ")
			}
			if tt.msg != "" && err.Error() != tt.msg {
				t.Errorf("error = %q, want %q", err, tt.msg)
			}
		})
	}
	// A key of another schedule is refused.
	var ke *KeyError
	if _, err := New(Config{Name: "constant", LR: 0.1, Params: param.Values{"k": 1.0}}, 10); !errors.As(err, &ke) || ke.Key != "k" {
		t.Errorf("a key of another schedule: error %v, want a KeyError for k", err)
	}
}

// allSchedules returns one valid schedule of each name, with a warm-up.
func allSchedules(t testing.TB) map[string]Schedule {
	t.Helper()
	out := map[string]Schedule{}
	for _, name := range Names() {
		c := Config{Name: name, Unit: "step", Warmup: 10, LR: 0.1, Params: param.Values{}}
		switch name {
		case "multistep":
			c.Params["milestones"] = []int{100, 300}
		case "sgdr":
			c.Params["mult"], c.Params["peak_decay"] = 2, 0.5
		case "triangular", "exp_range":
			c.Params["half_cycle_down"], c.Params["cycle_momentum"] = 300, true
		case "plateau":
			c.Unit = "epoch"
		case "sequential":
			c.Params["schedules"] = []param.Values{{"name": "linear"}, {"name": "onecycle", "cycle_momentum": false},
				{"name": "wsd", "warmup": 5, "decay_shape": "sqrt"}}
			c.Params["milestones"] = []int{10, 400}
		}
		s, err := New(c, 1000)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = s
	}
	return out
}

func TestScheduleAllocs(t *testing.T) {
	for name, s := range allSchedules(t) {
		var sink float64
		allocs := testing.AllocsPerRun(100, func() {
			for tt := range 50 {
				sink += s(tt * 37)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per run, want 0", name, allocs)
		}
		_ = sink
	}
}

var benchSink float64

func BenchmarkSchedule(b *testing.B) {
	scheds := allSchedules(b)
	for _, name := range Names() {
		s := scheds[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				benchSink += s(i & 0xffff)
			}
		})
	}
}
