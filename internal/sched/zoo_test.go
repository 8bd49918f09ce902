package sched

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/optimbench/optimbench/internal/param"
)

// TestZooValues checks hand-computed values of the zoo's schedules, including the choices
// PyTorch has no counterpart for (one-cycle past its total and with a phase of no length).
func TestZooValues(t *testing.T) {
	type point struct {
		t        int
		lr, mom  float64 // mom is checked when the schedule drives momentum
		observed float64 // fed to Observe after the point, when the schedule reads evaluations
	}
	tests := []struct {
		name   string
		c      Config
		length int
		points []point
	}{
		{"linear", Config{Name: "linear", Params: param.Values{"start_factor": 0.5, "iters": 2}}, 10,
			[]point{{t: -1, lr: 0.5}, {t: 0, lr: 0.5}, {t: 1, lr: 0.75}, {t: 2, lr: 1}, {t: 100, lr: 1}}},
		{"linear down", Config{Name: "linear", Params: param.Values{"start_factor": 1.0, "end_factor": 0.0, "iters": 4}}, 10,
			[]point{{t: 0, lr: 1}, {t: 1, lr: 0.75}, {t: 4, lr: 0}, {t: 9, lr: 0}}},
		{"constant_factor", Config{Name: "constant_factor", Params: param.Values{"factor": 0.25, "iters": 2}}, 10,
			[]point{{t: 0, lr: 0.25}, {t: 1, lr: 0.25}, {t: 2, lr: 1}, {t: 50, lr: 1}}},
		{"polynomial", Config{Name: "polynomial", Params: param.Values{"iters": 4, "power": 2.0}}, 10,
			[]point{{t: 0, lr: 1}, {t: 2, lr: 0.25}, {t: 4, lr: 0}, {t: 7, lr: 0}}},
		{"exponential grows", Config{Name: "exponential", Params: param.Values{"k": -1.0}}, 10,
			[]point{{t: 0, lr: 1}, {t: 2, lr: math.Exp(2)}}},
		{"sgdr peak_decay", Config{Name: "sgdr", Params: param.Values{"period": 2, "peak_decay": 0.5, "min_lr": 0.2}}, 10,
			[]point{{t: 0, lr: 1}, {t: 1, lr: 0.6}, {t: 2, lr: 0.6}, {t: 3, lr: 0.4}, {t: 4, lr: 0.4}}},
		{"triangular asymmetric", Config{Name: "triangular", Params: param.Values{"half_cycle": 1, "half_cycle_down": 3, "min_lr": 0.0,
			"cycle_momentum": true}}, 10,
			[]point{{t: 0, lr: 0, mom: 0.9}, {t: 1, lr: 1, mom: 0.8}, {t: 2, lr: 2.0 / 3, mom: 0.9 - 0.1*2/3}, {t: 4, lr: 0, mom: 0.9}}},
		{"onecycle", Config{Name: "onecycle", Params: param.Values{"pct_start": 0.5, "anneal": "linear", "div_factor": 4.0,
			"final_div_factor": 2.0}}, 5,
			// Phases end at 1.5 and 4: from 0.25 up to 1 over x = t/1.5, then down to 0.125.
			[]point{{t: 0, lr: 0.25, mom: 0.95}, {t: 1, lr: 0.75, mom: 0.95 - 0.1*2/3}, {t: 2, lr: 1 - 0.875*0.5/2.5, mom: 0.85 + 0.1*0.5/2.5},
				{t: 4, lr: 0.125, mom: 0.95}, {t: 9, lr: 0.125, mom: 0.95}}},
		{"onecycle phase of no length", Config{Name: "onecycle", Params: param.Values{"pct_start": 0.1, "anneal": "linear"}}, 10,
			// pct_start·total = 1: PyTorch divides by zero at t = 0; here the first phase ends there.
			[]point{{t: 0, lr: 1, mom: 0.85}, {t: 9, lr: 1.0 / 25 / 1e4, mom: 0.95}}},
		{"onecycle warm-up holds the first momentum", Config{Name: "onecycle", Warmup: 2}, 12,
			[]point{{t: 0, lr: 0.02, mom: 0.95}, {t: 1, lr: 0.04, mom: 0.95}, {t: 2, lr: 0.04, mom: 0.95}}},
		{"wsd", Config{Name: "wsd", Params: param.Values{"decay_fraction": 0.5, "min_lr": 0.2}}, 8,
			[]point{{t: 0, lr: 1}, {t: 3, lr: 1}, {t: 4, lr: 1}, {t: 5, lr: 0.8}, {t: 7, lr: 0.4}, {t: 8, lr: 0.2}, {t: 20, lr: 0.2}}},
		{"wsd sqrt", Config{Name: "wsd", Params: param.Values{"decay_fraction": 0.5, "decay_shape": "sqrt"}}, 8,
			[]point{{t: 5, lr: 0.5}}},
		{"wsd cosine", Config{Name: "wsd", Params: param.Values{"decay_fraction": 0.5, "decay_shape": "cosine"}}, 8,
			[]point{{t: 6, lr: 0.5}}},
		// 2 units of warm-up in 10: decay ⌊0.5·10⌋ = 5 of the 8 after it.
		{"wsd decay a share of the whole run", Config{Name: "wsd", Warmup: 2, Params: param.Values{"decay_fraction": 0.5}}, 10,
			[]point{{t: 0, lr: 0.5}, {t: 1, lr: 1}, {t: 4, lr: 1}, {t: 5, lr: 1}, {t: 6, lr: 0.8}, {t: 9, lr: 0.2}}},
		{"plateau", Config{Name: "plateau", Params: param.Values{"patience": 1, "factor": 0.5, "cooldown": 1, "min_lr": 0.3}}, 10,
			[]point{{t: 0, lr: 1, observed: 2}, {t: 1, lr: 1, observed: 2}, {t: 2, lr: 1, observed: 2},
				{t: 3, lr: 0.5, observed: 2}, {t: 4, lr: 0.5, observed: 2}, {t: 5, lr: 0.5, observed: 2},
				{t: 6, lr: 0.3, observed: 1}, {t: 7, lr: 0.3, observed: 1}}},
		{"plateau NaN is never better", Config{Name: "plateau", Params: param.Values{"patience": 0}}, 10,
			[]point{{t: 0, lr: 1, observed: math.NaN()}, {t: 1, lr: 0.1}}},
		{"sequential", Config{Name: "sequential", Params: param.Values{"milestones": []int{2, 4},
			"schedules": []param.Values{{"name": "constant_factor", "factor": 0.5}, {"name": "step", "every": 1}, {"name": "cosine", "warmup": 1}}}}, 7,
			// The cosine's period is the 3 units it runs less its warm-up: 2.
			[]point{{t: 0, lr: 0.5}, {t: 1, lr: 0.5}, {t: 2, lr: 1}, {t: 3, lr: 0.5}, {t: 4, lr: 1}, {t: 5, lr: 1}, {t: 6, lr: 0.5}, {t: 100, lr: 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			c.LR = 1
			r, err := NewRates(c, tt.length)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range tt.points {
				if got := r.LR(p.t); !closeTo(got, p.lr) {
					t.Errorf("lr(%d) = %.17g, want %.17g", p.t, got, p.lr)
				}
				if r.Momentum != nil {
					if got := r.Momentum(p.t); !closeTo(got, p.mom) {
						t.Errorf("momentum(%d) = %.17g, want %.17g", p.t, got, p.mom)
					}
				}
				if r.Observe != nil {
					r.Observe(p.observed)
				}
			}
		})
	}
}

func TestZooInvalid(t *testing.T) {
	inner := func(list ...param.Values) []param.Values { return list }
	tests := []struct {
		name string
		c    Config
		key  string
		msg  string // the whole message, when pinned
	}{
		{"linear start_factor 0", Config{Name: "linear", Params: param.Values{"start_factor": 0.0}}, "start_factor", "start_factor: must be in (0, 1], got 0"},
		{"linear end_factor", Config{Name: "linear", Params: param.Values{"end_factor": 1.5}}, "end_factor", ""},
		{"linear iters", Config{Name: "linear", Params: param.Values{"iters": 0}}, "iters", "iters: must be > 0, got 0"},
		{"constant_factor 0", Config{Name: "constant_factor", Params: param.Values{"factor": 0.0}}, "factor", ""},
		{"polynomial power", Config{Name: "polynomial", Params: param.Values{"power": -1.0}}, "power", ""},
		{"onecycle pct_start", Config{Name: "onecycle", Params: param.Values{"pct_start": 1.5}}, "pct_start", ""},
		{"onecycle anneal", Config{Name: "onecycle", Params: param.Values{"anneal": "exp"}}, "anneal", "anneal: must be one of cos, linear, got exp"},
		{"onecycle momentum", Config{Name: "onecycle", Params: param.Values{"max_momentum": 1.0}}, "max_momentum", ""},
		{"onecycle total", Config{Name: "onecycle", Params: param.Values{"total": 0}}, "total", ""},
		{"triangular half_cycle_down", Config{Name: "triangular", Params: param.Values{"half_cycle_down": 0}}, "half_cycle_down", ""},
		{"triangular base_momentum", Config{Name: "triangular", Params: param.Values{"base_momentum": -0.1}}, "base_momentum", ""},
		{"sgdr peak_decay", Config{Name: "sgdr", Params: param.Values{"peak_decay": 0.0}}, "peak_decay", ""},
		{"wsd decay_fraction", Config{Name: "wsd", Params: param.Values{"decay_fraction": 1.2}}, "decay_fraction", ""},
		{"wsd min_lr", Config{Name: "wsd", Params: param.Values{"min_lr": 2.0}}, "min_lr", "min_lr: must be <= lr (1), got 2"},
		{"plateau unit step", Config{Name: "plateau", Unit: "step"}, "unit",
			"unit: must be epoch for schedule plateau, which reads the evaluation made after each epoch, got step"},
		{"plateau factor 1", Config{Name: "plateau", Params: param.Values{"factor": 1.0}}, "factor", ""},
		{"plateau monitor", Config{Name: "plateau", Params: param.Values{"monitor": "test_acc"}}, "monitor", ""},
		{"sequential schedules required", Config{Name: "sequential", Params: param.Values{"milestones": []int{}}}, "schedules", "schedules: required"},
		{"sequential empty", Config{Name: "sequential", Params: param.Values{"schedules": inner(), "milestones": []int{}}}, "schedules", ""},
		{"sequential milestones count", Config{Name: "sequential", Params: param.Values{
			"schedules": inner(param.Values{"name": "linear"}, param.Values{"name": "cosine"}), "milestones": []int{}}}, "milestones",
			"milestones: must list one switch point fewer than the 2 schedules, got 0"},
		{"sequential milestones order", Config{Name: "sequential", Params: param.Values{
			"schedules": inner(param.Values{"name": "linear"}, param.Values{"name": "cosine"}, param.Values{"name": "constant"}), "milestones": []int{5, 5}}},
			"milestones", ""},
		{"sequential inner key", Config{Name: "sequential", Params: param.Values{
			"schedules": inner(param.Values{"name": "linear"}, param.Values{"name": "cosine", "min_lr": 3.0}), "milestones": []int{5}}},
			"schedules[1].min_lr", "schedules[1].min_lr: must be <= lr (1), got 3"},
		{"sequential inner range", Config{Name: "sequential", Params: param.Values{
			"schedules": inner(param.Values{"name": "step", "every": 0}, param.Values{"name": "cosine"}), "milestones": []int{5}}},
			"schedules[0].every", "schedules[0].every: must be > 0, got 0"},
		{"sequential inner unknown key", Config{Name: "sequential", Params: param.Values{
			"schedules": inner(param.Values{"name": "linear", "k": 1.0}, param.Values{"name": "cosine"}), "milestones": []int{5}}},
			"schedules[0].k", "schedules[0].k: does not apply to schedule linear"},
		{"sequential inner name", Config{Name: "sequential", Params: param.Values{
			"schedules": inner(param.Values{"name": "linear"}, param.Values{"name": "cosin"}), "milestones": []int{5}}},
			"schedules[1].name", `schedules[1].name: unknown schedule "cosin"`},
		{"sequential inner no name", Config{Name: "sequential", Params: param.Values{
			"schedules": inner(param.Values{"iters": 3}), "milestones": []int{}}}, "schedules[0].name", "schedules[0].name: required"},
		{"sequential inner unit", Config{Name: "sequential", Params: param.Values{
			"schedules": inner(param.Values{"name": "linear", "unit": "step"}), "milestones": []int{}}}, "schedules[0].unit", ""},
		{"sequential inner warmup", Config{Name: "sequential", Params: param.Values{
			"schedules": inner(param.Values{"name": "linear", "warmup": -2}), "milestones": []int{}}}, "schedules[0].warmup", ""},
		{"sequential nested", Config{Name: "sequential", Params: param.Values{
			"schedules": inner(param.Values{"name": "sequential"}), "milestones": []int{}}}, "schedules[0].name", ""},
		{"sequential plateau", Config{Name: "sequential", Params: param.Values{
			"schedules": inner(param.Values{"name": "linear"}, param.Values{"name": "plateau"}), "milestones": []int{3}}}, "schedules[1].name", ""},
		{"sequential momentum", Config{Name: "sequential", Params: param.Values{
			"schedules": inner(param.Values{"name": "onecycle"}), "milestones": []int{}}}, "schedules[0].cycle_momentum",
			"schedules[0].cycle_momentum: must be false inside sequential (its schedules drive the rate only)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			c.LR = 1
			_, err := NewRates(c, 10)
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
}

// The new keys of the older schedules are optional, and a triangular without them is the one
// the lecture had.
func TestCyclicExtrasOptional(t *testing.T) {
	for _, name := range []string{"triangular", "triangular2", "exp_range"} {
		r, err := NewRates(Config{Name: name, LR: 1, Params: param.Values{"half_cycle": 3}}, 20)
		if err != nil {
			t.Fatal(err)
		}
		if r.Momentum != nil {
			t.Errorf("%s drives momentum by default (cycle_momentum is false by default)", name)
		}
		p, _ := Resolve(Config{Name: name, LR: 1}, 20)
		if _, ok := p["half_cycle_down"]; ok {
			t.Errorf("%s: Resolve set half_cycle_down %v, want it unset (it is half_cycle)", name, p["half_cycle_down"])
		}
	}
}

func TestPlateau(t *testing.T) {
	c := Config{Name: "plateau", LR: 1, Params: param.Values{"patience": 0}}
	r, err := NewRates(c, 10)
	if err != nil {
		t.Fatal(err)
	}
	if r.Monitor != "" || r.Observe == nil || r.Momentum != nil {
		t.Errorf("Rates: monitor %q, observe %v, momentum %v; want the default monitor and Observe only",
			r.Monitor, r.Observe != nil, r.Momentum != nil)
	}
	r.Observe(1)
	r.Observe(1)
	if got := r.LR(0); !closeTo(got, 0.1) {
		t.Errorf("after a bad evaluation with patience 0: lr %v, want 0.1 (whatever t)", got)
	}
	// Each NewRates starts afresh.
	r2, _ := NewRates(c, 10)
	if got := r2.LR(5); got != 1 {
		t.Errorf("a new plateau starts at %v, want lr 1", got)
	}
	c.Params["monitor"] = "train_loss"
	if r3, _ := NewRates(c, 10); r3.Monitor != "train_loss" {
		t.Errorf("Monitor = %q, want train_loss", r3.Monitor)
	}
}

// A sequential's schedules are resolved for the units each runs, into a new list.
func TestSequentialResolve(t *testing.T) {
	list := []param.Values{{"name": "linear", "iters": 3}, {"name": "cosine", "warmup": 2}, {"name": "onecycle"}}
	c := Config{Name: "sequential", LR: 0.5, Unit: "step", Warmup: 4, Params: param.Values{"schedules": list, "milestones": []int{3, 10}}}
	p, err := Resolve(c, 30)
	if err != nil {
		t.Fatal(err)
	}
	got := p.Schedules("schedules")
	if got[1].Int("period") != 5 || got[1].Int("warmup") != 2 {
		t.Errorf("inner cosine resolved to %v, want period 7 − 2 = 5 and warmup 2", got[1])
	}
	if got[2].Int("total") != 16 || got[2].Int("warmup") != 0 {
		t.Errorf("inner onecycle resolved to %v, want total 30 − 4 − 10 = 16", got[2])
	}
	if want := (param.Values{"name": "linear", "warmup": 0, "start_factor": 1.0 / 3, "end_factor": 1.0, "iters": 3}); !reflect.DeepEqual(got[0], want) {
		t.Errorf("inner linear resolved to %v, want %v", got[0], want)
	}
	if len(list[1]) != 2 || len(list[2]) != 1 {
		t.Errorf("Resolve changed the caller's list: %v", list)
	}
}

func TestRatesAllocs(t *testing.T) {
	var sink float64
	for _, c := range []Config{
		{Name: "onecycle", LR: 0.1, Params: param.Values{"three_phase": true}},
		{Name: "triangular2", LR: 0.1, Params: param.Values{"cycle_momentum": true}},
		{Name: "plateau", LR: 0.1, Params: param.Values{"patience": 1}},
	} {
		r, err := NewRates(c, 100)
		if err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(100, func() {
			for tt := range 50 {
				sink += r.LR(tt)
				if r.Momentum != nil {
					sink += r.Momentum(tt)
				}
				if r.Observe != nil {
					r.Observe(float64(tt % 3))
				}
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per run, want 0", c.Name, allocs)
		}
	}
	_ = sink
}
