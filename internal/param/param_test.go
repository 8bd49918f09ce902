package param

import (
	"errors"
	"math"
	"testing"
)

func TestRange(t *testing.T) {
	for _, tc := range []struct {
		r    Range
		text string
		in   []float64
		out  []float64
	}{
		{AtLeast(0), ">= 0", []float64{0, 1, math.Inf(1)}, []float64{-1e-300, math.NaN()}},
		{Above(1), "> 1", []float64{1.0000001, 5}, []float64{1, 0}},
		{Interval(0, 1, false, true), "in [0, 1)", []float64{0, 0.5}, []float64{1, -0.1}},
		{Interval(0, 1, true, false), "in (0, 1]", []float64{1, 1e-9}, []float64{0, 2}},
		{Range{}, "", []float64{-5, 5}, []float64{math.NaN()}},
	} {
		if got := tc.r.String(); got != tc.text {
			t.Errorf("String() = %q, want %q", got, tc.text)
		}
		for _, x := range tc.in {
			if !tc.r.Contains(x) {
				t.Errorf("%s does not contain %v", tc.text, x)
			}
		}
		for _, x := range tc.out {
			if tc.r.Contains(x) {
				t.Errorf("%s contains %v", tc.text, x)
			}
		}
	}
}

func TestSpecCheck(t *testing.T) {
	beta := Spec{Key: "beta2", Type: Float, Default: 0.999, Range: Interval(0, 1, false, true)}
	var ve *ValueError
	for _, tc := range []struct {
		s    Spec
		v    any
		want string // "" for valid
	}{
		{beta, 0.5, ""},
		{beta, 1.0, "beta2: must be in [0, 1), got 1"},
		{beta, math.Inf(1), "beta2: must be finite, got +Inf"},
		{beta, "0.5", "beta2: must be a number, got 0.5"},
		{beta, 1, "beta2: must be a number, got 1"},
		{Spec{Key: "n", Type: Int, Range: AtLeast(2)}, 1, "n: must be >= 2, got 1"},
		{Spec{Key: "c", Type: Bool}, 1.0, "c: must be true or false, got 1"},
		{Spec{Key: "u", Type: Enum, Choices: []string{"epoch", "step"}}, "batch", "u: must be one of epoch, step, got batch"},
		{Spec{Key: "h", Type: Ints, NonEmpty: true, Range: AtLeast(1)}, []int{}, "h: must be a list of at least one integer, got []"},
		{Spec{Key: "h", Type: Ints, Range: AtLeast(1)}, []int{8, -1}, "h: must be a list of integers >= 1, got [8,-1]"},
		{Spec{Key: "b", Type: BatchSize, Range: AtLeast(1)}, "half", "b: must be a positive integer or full, got half"},
		{Spec{Key: "b", Type: BatchSize, Range: AtLeast(1)}, "full", ""},
	} {
		err := tc.s.Check(tc.v)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("Check(%v): %v", tc.v, err)
		case tc.want != "" && (!errors.As(err, &ve) || err.Error() != tc.want):
			t.Errorf("Check(%v) = %v, want %q", tc.v, err, tc.want)
		}
	}
}

func TestValues(t *testing.T) {
	specs := []Spec{{Key: "a", Type: Float, Default: 1.0}, {Key: "b", Type: Int, Derived: "the run"}, {Key: "c", Type: String}}
	v := Defaults(specs)
	if len(v) != 1 || v.Float("a") != 1 {
		t.Errorf("Defaults = %v, want only a = 1", v)
	}
	if !specs[2].Required() || specs[1].Required() || specs[1].DefaultText() != "the run" {
		t.Error("Required/DefaultText wrong")
	}
	defer func() {
		if recover() == nil {
			t.Error("Int of a float key did not panic")
		}
	}()
	v.Int("a")
}
