package sched

import (
	"math"
	"slices"
	"testing"

	"github.com/optimbench/optimbench/internal/param"
)

// Only reduce-on-plateau has state: every other schedule's Rates.State is nil.
func TestRatesStateOnlyPlateau(t *testing.T) {
	for _, name := range Names() {
		c := Config{Name: name, LR: 0.1, Params: param.Values{}}
		switch name {
		case "multistep":
			c.Params["milestones"] = []int{100, 300}
		case "triangular", "exp_range":
			c.Params["cycle_momentum"] = true
		case "sequential":
			c.Params["schedules"] = []param.Values{{"name": "linear"}, {"name": "onecycle", "cycle_momentum": false}}
			c.Params["milestones"] = []int{10}
		}
		for _, warmup := range []int{0, 3} {
			c.Warmup = warmup
			r, err := NewRates(c, 1000)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if got, want := r.State != nil, name == "plateau"; got != want {
				t.Errorf("%s warmup %d: State set %v, want %v", name, warmup, got, want)
			}
			saved, err := SaveState(r)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if name != "plateau" {
				if saved != nil {
					t.Errorf("%s: SaveState = %v, want nil", name, saved)
				}
				if err := RestoreState(r, nil); err != nil {
					t.Errorf("%s: RestoreState(nil): %v", name, err)
				}
				if err := RestoreState(r, [][]float64{{1}}); err == nil {
					t.Errorf("%s: RestoreState of a plateau-like checkpoint: no error", name)
				}
			}
		}
	}
}

// plateauStateConfigs reach every branch of Observe: reductions, cooldown, the min_lr floor,
// eps, both modes and threshold modes, a warm-up in front.
var plateauStateConfigs = []Config{
	{Name: "plateau", LR: 1, Params: param.Values{"patience": 1, "factor": 0.5, "cooldown": 1, "min_lr": 0.05}},
	{Name: "plateau", LR: 0.3, Warmup: 3, Params: param.Values{"patience": 0, "factor": 0.7}},
	{Name: "plateau", LR: 1, Params: param.Values{"mode": "max", "threshold_mode": "abs", "threshold": 0.05,
		"patience": 1, "cooldown": 2, "factor": 0.3}},
	{Name: "plateau", LR: 1e-3, Params: param.Values{"patience": 0, "factor": 0.9, "eps": 2e-4}},
	{Name: "plateau", LR: 0.1, Params: param.Values{}},
	{Name: "plateau", LR: 1, Params: param.Values{"patience": 0, "cooldown": 3, "factor": 0.5}}, // saved in a cooldown
}

// plateauMetric is the k-th evaluation (from 0): improving for three, then stalling above the
// best with noise, and a NaN.
func plateauMetric(k int) float64 {
	switch {
	case k == 9:
		return math.NaN()
	case k < 3:
		return 1 / (1 + float64(k))
	}
	return 0.4 + 0.03*math.Sin(float64(7*k))
}

// TestPlateauStateResume checks that a reduce-on-plateau saved after some evaluations and
// restored into fresh Rates gives the same rates after the following evaluations, bit for bit.
func TestPlateauStateResume(t *testing.T) {
	const saveAfter, total = 6, 20
	for _, c := range plateauStateConfigs {
		t.Run(testName(c), func(t *testing.T) {
			r, err := NewRates(c, 50)
			if err != nil {
				t.Fatal(err)
			}
			initial, _ := SaveState(r)
			for k := range saveAfter {
				r.Observe(plateauMetric(k))
			}
			saved, err := SaveState(r)
			if err != nil {
				t.Fatal(err)
			}
			if sameRows(saved, initial) {
				t.Fatalf("the state after %d evaluations is the initial one %v: the comparison says little", saveAfter, saved)
			}
			rates := func(r Rates) []float64 {
				var out []float64
				for k := saveAfter; k < total; k++ {
					r.Observe(plateauMetric(k))
					out = append(out, r.LR(k+1), r.LR(0), r.LR(1000))
				}
				return out
			}
			a := rates(r)
			stateA, _ := SaveState(r)

			fresh, err := NewRates(c, 50)
			if err != nil {
				t.Fatal(err)
			}
			if err := RestoreState(fresh, saved); err != nil {
				t.Fatal(err)
			}
			if again, _ := SaveState(fresh); !sameRows(again, saved) {
				t.Fatalf("the restored schedule saves %v, the checkpoint is %v", again, saved)
			}
			b := rates(fresh)
			if !slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) }) {
				t.Fatalf("resumed rates %v, want %v", b, a)
			}
			if stateB, _ := SaveState(fresh); !sameRows(stateB, stateA) {
				t.Errorf("the state at the end: resumed %v, went on %v", stateB, stateA)
			}
			// Without the checkpoint the rates or at least the state differ (with eps 2e-4 the
			// rate never changes): the state saved is the state that matters.
			cold, _ := NewRates(c, 50)
			coldRates := rates(cold)
			if stateC, _ := SaveState(cold); slices.Equal(coldRates, a) && sameRows(stateC, stateA) {
				t.Errorf("without the checkpoint the same rates %v and state: the comparison says little", coldRates)
			}
		})
	}
}

// TestPlateauStateAliasAndMismatch checks that a checkpoint is a copy both ways, and that a
// checkpoint that does not fit is an error that leaves the schedule as it was.
func TestPlateauStateAliasAndMismatch(t *testing.T) {
	c := plateauStateConfigs[0]
	r, _ := NewRates(c, 50)
	for k := range 5 {
		r.Observe(plateauMetric(k))
	}
	saved, _ := SaveState(r)
	kept := cloneRows(saved)
	for k := 5; k < 15; k++ {
		r.Observe(plateauMetric(k))
	}
	if !sameRows(saved, kept) {
		t.Fatalf("the checkpoint changed with the schedule: now %v, then %v", saved, kept)
	}
	fresh, _ := NewRates(c, 50)
	if err := RestoreState(fresh, saved); err != nil {
		t.Fatal(err)
	}
	for _, row := range saved {
		row[0] = 7
	}
	if got, _ := SaveState(fresh); !sameRows(got, kept) {
		t.Fatalf("the restored schedule changed with the checkpoint: now %v, then %v", got, kept)
	}

	constant, _ := NewRates(Config{Name: "constant", LR: 0.1}, 50)
	if err := RestoreState(constant, kept); err == nil {
		t.Error("a plateau's checkpoint restored into a constant schedule: no error")
	}
	damage := map[string]func(s [][]float64) [][]float64{
		"nil":          func([][]float64) [][]float64 { return nil },
		"missing row":  func(s [][]float64) [][]float64 { return s[:len(s)-1] },
		"extra row":    func(s [][]float64) [][]float64 { return append(s, []float64{0}) },
		"empty row":    func(s [][]float64) [][]float64 { s[0] = nil; return s },
		"long row":     func(s [][]float64) [][]float64 { s[1] = append(s[1], 0); return s },
		"count 1.5":    func(s [][]float64) [][]float64 { s[2][0] = 1.5; return s },
		"count NaN":    func(s [][]float64) [][]float64 { s[3][0] = math.NaN(); return s },
		"count 1e300":  func(s [][]float64) [][]float64 { s[3][0] = 1e300; return s },
		"count +Inf":   func(s [][]float64) [][]float64 { s[2][0] = math.Inf(1); return s },
		"nil elements": func(s [][]float64) [][]float64 { return make([][]float64, len(s)) },
	}
	for what, f := range damage {
		before, _ := SaveState(fresh)
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("%s: RestoreState panics: %v", what, p)
				}
			}()
			if err := RestoreState(fresh, f(cloneRows(kept))); err == nil {
				t.Errorf("%s: RestoreState accepts it", what)
			}
		}()
		if after, _ := SaveState(fresh); !sameRows(after, before) {
			t.Errorf("%s: the failed RestoreState changed the schedule", what)
		}
	}
}

// testName names a plateau configuration for subtests.
func testName(c Config) string {
	s := c.Name
	if c.Warmup > 0 {
		s += "/warmup"
	}
	for _, k := range []string{"mode", "threshold_mode", "patience", "cooldown", "factor", "min_lr", "eps"} {
		if v, ok := c.Params[k]; ok {
			s += "/" + k + "=" + param.Format(v)
		}
	}
	return s
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
