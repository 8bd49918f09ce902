package sched

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/optimbench/optimbench/internal/param"
)

// golden.json is written by scripts/gen_sched_golden.py from PyTorch's lr_scheduler (warm-up
// cases compose the PyTorch values with the SPEC.md §5 warm-up formula); see its header to
// regenerate. The tests never run PyTorch.
const goldenFile = "testdata/golden.json"

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
}

// goldenConfig converts the YAML keys a case sets (JSON numbers) to a Config, each key to the
// type its spec declares; warmup is common to every schedule.
func goldenConfig(t *testing.T, gc goldenCase) Config {
	t.Helper()
	var raw map[string]any
	if err := json.Unmarshal(gc.Config, &raw); err != nil {
		t.Fatalf("config: %v", err)
	}
	e, err := Lookup(gc.Name)
	if err != nil {
		t.Fatal(err)
	}
	c := Config{Name: gc.Name, Unit: gc.Unit, LR: gc.LR0, Params: param.Values{}}
	for k, v := range raw {
		if k == "warmup" {
			c.Warmup = int(v.(float64))
			continue
		}
		s := param.Find(e.Params, k)
		if s == nil {
			t.Fatalf("config: key %s is not a key of %s", k, gc.Name)
		}
		switch s.Type {
		case param.Int:
			c.Params[k] = int(v.(float64))
		case param.Ints:
			var l []int
			for _, x := range v.([]any) {
				l = append(l, int(x.(float64)))
			}
			c.Params[k] = l
		default:
			c.Params[k] = v
		}
	}
	return c
}

// closeTo reports whether got is within 1e-9 relative of want, with an absolute floor of 1e-15
// for learning rates at or near zero.
func closeTo(got, want float64) bool {
	return math.Abs(got-want) <= 1e-9*math.Abs(want)+1e-15
}

func readGolden(t *testing.T) []goldenCase {
	t.Helper()
	b, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []goldenCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", goldenFile, err)
	}
	if len(doc.Cases) == 0 {
		t.Fatalf("%s: no cases", goldenFile)
	}
	return doc.Cases
}

func TestGolden(t *testing.T) {
	seen := map[string]bool{}
	for _, gc := range readGolden(t) {
		t.Run(gc.Label, func(t *testing.T) {
			seen[gc.Name] = true
			c := goldenConfig(t, gc)
			s, err := New(c, gc.N)
			if err != nil {
				t.Fatalf("New(%+v): %v", c, err)
			}
			stride := max(gc.Stride, 1)
			if want := (gc.N + stride - 1) / stride; len(gc.LR) != want {
				t.Fatalf("%d golden values, want %d", len(gc.LR), want)
			}
			bad := 0
			for i, want := range gc.LR {
				tt := i * stride
				if got := s(tt); !closeTo(got, want) {
					t.Errorf("lr(%d) = %.17g, want %.17g (%s)", tt, got, want, gc.Source)
					if bad++; bad == 5 {
						t.Fatal("too many mismatches")
					}
				}
			}
		})
	}
	for _, name := range Names() {
		if !seen[name] {
			t.Errorf("no golden case for schedule %q", name)
		}
	}
}
