package config

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/optimbench/optimbench/internal/optim"
	"github.com/optimbench/optimbench/internal/param"
	"github.com/optimbench/optimbench/internal/sched"
)

// badValues returns values a spec must refuse: one past each bound of its range, the wrong
// type, and, for names, an unknown one.
func badValues(s param.Spec) []any {
	var out []any
	r := s.Range
	switch s.Type {
	case param.Float, param.Int, param.Ints, param.Floats, param.BatchSize:
		if r.HasLo {
			lo := r.Lo
			if !r.LoOpen {
				lo = math.Nextafter(lo, math.Inf(-1))
				if s.Type != param.Float && s.Type != param.Floats {
					lo = math.Ceil(r.Lo) - 1
				}
			}
			out = append(out, number(s.Type, lo))
		}
		if r.HasHi {
			hi := r.Hi
			if !r.HiOpen {
				hi = math.Nextafter(hi, math.Inf(1))
				if s.Type != param.Float && s.Type != param.Floats {
					hi = math.Floor(r.Hi) + 1
				}
			}
			out = append(out, number(s.Type, hi))
		}
		out = append(out, "not-a-number")
	case param.Bool:
		out = append(out, "maybe")
	case param.Enum:
		out = append(out, "no-such-choice")
	}
	return out
}

func number(t param.Type, x float64) any {
	switch t {
	case param.Ints:
		return []any{int(x)}
	case param.Floats:
		return []any{x}
	case param.Int, param.BatchSize:
		return int(x)
	}
	return x
}

// Every key of every optimizer and schedule refuses a bad value with a *ConfigError naming it,
// and a key of another optimizer or schedule is refused as not applying. The cases come from
// the schema itself, so a key added to a table is covered by the same change.
func TestEveryKeyRefusesBadValues(t *testing.T) {
	checked := 0
	try := func(t *testing.T, raw map[string]any, key string, v any) {
		t.Helper()
		_, err := Decode(raw, "k.yaml")
		var ce *ConfigError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), key) {
			t.Errorf("%s = %v: error %v, want a ConfigError naming %s", key, v, err, key)
		}
		checked++
	}
	for _, e := range optim.Entries() {
		for _, s := range e.Params {
			for _, v := range badValues(s) {
				raw := parse(t, base)
				raw["optimizer"] = map[string]any{"name": e.Name, s.Key: v}
				try(t, raw, "optimizer."+s.Key, v)
			}
		}
		raw := parse(t, base)
		raw["optimizer"] = map[string]any{"name": e.Name, "no_such_key": 1.0}
		try(t, raw, "optimizer.no_such_key", 1.0)
	}
	for _, e := range sched.Entries() {
		for _, s := range e.Params {
			if s.Type == param.Schedules {
				continue // sequential's list: its own tests
			}
			for _, v := range badValues(s) {
				raw := parse(t, base)
				sc := map[string]any{"name": e.Name, s.Key: v}
				if e.Name == "sequential" {
					continue
				}
				if e.Name == "multistep" && s.Key != "milestones" {
					sc["milestones"] = []any{2}
				}
				raw["schedule"] = sc
				try(t, raw, "schedule."+s.Key, v)
			}
		}
	}
	if checked < 150 {
		t.Errorf("only %d bad values checked", checked)
	}
	t.Logf("%d bad values refused", checked)
}

// A key that belongs to another optimizer is refused with the keys that do apply, and a
// misspelt one with a suggestion.
func TestInapplicableKeys(t *testing.T) {
	for _, tc := range []struct {
		opt, key, want string
	}{
		{"lion", "eps", "does not apply to optimizer lion (it takes lr, beta1, beta2, weight_decay)"},
		{"lbfgs", "weight_decay", "does not apply to optimizer lbfgs"},
		{"adam", "dampening", "does not apply to optimizer adam"},
		{"muon", "aux_lrr", `did you mean "aux_lr"`},
		{"radam", "decoupled_weigth_decay", `did you mean "decoupled_weight_decay"`},
	} {
		raw := parse(t, base)
		raw["optimizer"] = map[string]any{"name": tc.opt, tc.key: 0.1}
		_, err := Decode(raw, "k.yaml")
		if err == nil || !strings.Contains(err.Error(), "optimizer."+tc.key) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s.%s: error %v, want %q", tc.opt, tc.key, err, tc.want)
		}
	}
	raw := parse(t, base)
	raw["schedule"] = map[string]any{"name": "onecycle", "half_cycle": 3}
	if _, err := Decode(raw, "k.yaml"); err == nil || !strings.Contains(err.Error(), "does not apply to schedule onecycle") {
		t.Errorf("half_cycle on onecycle: %v", err)
	}
}
