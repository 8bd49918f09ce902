package sched

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/optimbench/optimbench/internal/param"
)

// The golden files are testdata/golden*.json: golden.json, written by
// scripts/gen_sched_golden.py from PyTorch's lr_scheduler (warm-up cases compose the PyTorch
// values with the SPEC.md §5 warm-up formula), and golden_zoo.json, written by
// scripts/gen_sched_golden_zoo.py for the optimizer zoo's schedules (PyTorch, and the Keras
// and Hägele et al. formulas it names); see their headers to regenerate. The tests never run
// PyTorch.
const goldenFiles = "testdata/golden*.json"

type goldenCase struct {
	Label  string          `json:"label"`
	Name   string          `json:"name"`
	Unit   string          `json:"unit"`
	LR0    float64         `json:"lr0"`
	N      int             `json:"n"`
	Stride int             `json:"stride"`
	Config json.RawMessage `json:"config"`
	Source string          `json:"source"`
	LR     []float64       `json:"lr"`
	// Momentum is the momentum of each unit, for the schedules that cycle it.
	Momentum []float64 `json:"momentum"`
	// Metrics are fed to Rates.Observe after each unit (reduce-on-plateau).
	Metrics []float64 `json:"metrics"`
}

// goldenConfig converts the YAML keys a case sets (JSON numbers) to a Config, each key to the
// type its spec declares; warmup is common to every schedule.
func goldenConfig(t *testing.T, gc goldenCase) Config {
	t.Helper()
	var raw map[string]any
	if err := json.Unmarshal(gc.Config, &raw); err != nil {
		t.Fatalf("config: %v", err)
	}
	c := Config{Name: gc.Name, Unit: gc.Unit, LR: gc.LR0}
	c.Params, c.Warmup = goldenParams(t, gc.Name, raw)
	return c
}

// goldenParams converts the keys of schedule name, and its warmup.
func goldenParams(t *testing.T, name string, raw map[string]any) (param.Values, int) {
	t.Helper()
	e, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	p, warmup := param.Values{}, 0
	for k, v := range raw {
		if k == "warmup" {
			warmup = int(v.(float64))
			continue
		}
		s := param.Find(e.Params, k)
		if s == nil {
			t.Fatalf("config: key %s is not a key of %s", k, name)
		}
		switch s.Type {
		case param.Int:
			p[k] = int(v.(float64))
		case param.Ints:
			l := []int{}
			for _, x := range v.([]any) {
				l = append(l, int(x.(float64)))
			}
			p[k] = l
		case param.Schedules:
			var l []param.Values
			for _, x := range v.([]any) {
				m := x.(map[string]any)
				inner := m["name"].(string)
				delete(m, "name")
				q, w := goldenParams(t, inner, m)
				q["name"] = inner
				if w != 0 {
					q["warmup"] = w
				}
				l = append(l, q)
			}
			p[k] = l
		default:
			p[k] = v
		}
	}
	return p, warmup
}

// closeTo reports whether got is within 1e-9 relative of want, with an absolute floor of 1e-15
// for learning rates at or near zero.
func closeTo(got, want float64) bool {
	return math.Abs(got-want) <= 1e-9*math.Abs(want)+1e-15
}

// readGolden returns the cases of every golden file, by file name.
func readGolden(t *testing.T) map[string][]goldenCase {
	t.Helper()
	files, _ := filepath.Glob(goldenFiles)
	if len(files) < 2 {
		t.Fatalf("golden files %v: want golden.json and golden_zoo.json at least", files)
	}
	out := map[string][]goldenCase{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Cases []goldenCase `json:"cases"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(doc.Cases) == 0 {
			t.Fatalf("%s: no cases", f)
		}
		out[filepath.Base(f)] = doc.Cases
	}
	return out
}

func TestGolden(t *testing.T) {
	seen := map[string]bool{}
	for file, cases := range readGolden(t) {
		for _, gc := range cases {
			t.Run(file+"/"+gc.Label, func(t *testing.T) {
				seen[gc.Name] = true
				checkGolden(t, gc)
			})
		}
	}
	for _, name := range Names() {
		if !seen[name] {
			t.Errorf("no golden case for schedule %q", name)
		}
	}
}

// checkGolden compares the rates of a case, and its momenta, to 1e-9 relative, feeding the
// case's metrics to Observe after each unit.
func checkGolden(t *testing.T, gc goldenCase) {
	c := goldenConfig(t, gc)
	r, err := NewRates(c, gc.N)
	if err != nil {
		t.Fatalf("NewRates(%+v): %v", c, err)
	}
	stride := max(gc.Stride, 1)
	if want := (gc.N + stride - 1) / stride; len(gc.LR) != want {
		t.Fatalf("%d golden values, want %d", len(gc.LR), want)
	}
	if (gc.Momentum != nil) != (r.Momentum != nil) {
		t.Fatalf("golden momentum %v, schedule drives momentum %v", gc.Momentum != nil, r.Momentum != nil)
	}
	if (gc.Metrics != nil) != (r.Observe != nil) {
		t.Fatalf("golden metrics %v, schedule reads evaluations %v", gc.Metrics != nil, r.Observe != nil)
	}
	if gc.Metrics != nil && (stride != 1 || len(gc.Metrics) != gc.N) {
		t.Fatalf("%d metrics with stride %d, want %d with stride 1", len(gc.Metrics), stride, gc.N)
	}
	bad := 0
	for i, want := range gc.LR {
		tt := i * stride
		if got := r.LR(tt); !closeTo(got, want) {
			t.Errorf("lr(%d) = %.17g, want %.17g (%s)", tt, got, want, gc.Source)
			bad++
		}
		if gc.Momentum != nil {
			if got, want := r.Momentum(tt), gc.Momentum[i]; !closeTo(got, want) {
				t.Errorf("momentum(%d) = %.17g, want %.17g (%s)", tt, got, want, gc.Source)
				bad++
			}
		}
		if gc.Metrics != nil {
			r.Observe(gc.Metrics[tt])
		}
		if bad >= 5 {
			t.Fatal("too many mismatches")
		}
	}
}
