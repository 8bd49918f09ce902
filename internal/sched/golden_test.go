package sched

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"testing"
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

// goldenKeys holds the YAML keys a case sets explicitly, applied over Defaults.
type goldenKeys struct {
	Warmup     *int     `json:"warmup"`
	K          *float64 `json:"k"`
	Factor     *float64 `json:"factor"`
	Every      *int     `json:"every"`
	Milestones []int    `json:"milestones"`
	Period     *int     `json:"period"`
	Mult       *int     `json:"mult"`
	MinLR      *float64 `json:"min_lr"`
	HalfCycle  *int     `json:"half_cycle"`
	Gamma      *float64 `json:"gamma"`
}

func (k goldenKeys) apply(c *Config) {
	set := func(dst *int, src *int) {
		if src != nil {
			*dst = *src
		}
	}
	setF := func(dst *float64, src *float64) {
		if src != nil {
			*dst = *src
		}
	}
	set(&c.Warmup, k.Warmup)
	setF(&c.K, k.K)
	setF(&c.Factor, k.Factor)
	set(&c.Every, k.Every)
	if k.Milestones != nil {
		c.Milestones = k.Milestones
	}
	set(&c.Period, k.Period)
	set(&c.Mult, k.Mult)
	setF(&c.MinLR, k.MinLR)
	set(&c.HalfCycle, k.HalfCycle)
	setF(&c.Gamma, k.Gamma)
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
			c, err := Defaults(gc.Name, gc.LR0, gc.Unit, gc.N)
			if err != nil {
				t.Fatal(err)
			}
			var keys goldenKeys
			dec := json.NewDecoder(bytes.NewReader(gc.Config))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&keys); err != nil {
				t.Fatalf("config: %v", err)
			}
			keys.apply(&c)
			s, err := New(c, gc.LR0)
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
