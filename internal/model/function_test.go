package model

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func mustFunction(t *testing.T, name string, dim int, scales []float64) Function {
	t.Helper()
	f, err := NewFunction(name, dim, scales)
	if err != nil {
		t.Fatalf("NewFunction(%q, %d, %v): %v", name, dim, scales, err)
	}
	return f
}

func TestFunctionGradients(t *testing.T) {
	for _, tc := range []struct {
		name   string
		dim    int
		scales []float64
	}{
		{"rosenbrock", 2, nil},
		{"beale", 2, nil},
		{"saddle", 2, nil},
		{"himmelblau", 2, nil},
		{"rastrigin", 2, nil},
		{"rastrigin", 3, nil},
		{"rastrigin", 1, nil},
		{"quadratic", 2, []float64{1, 10}},
		{"quadratic", 3, []float64{0.5, 0, 100}},
		{"quadratic", 2, nil},
	} {
		t.Run(fmt.Sprintf("%s-%dd", tc.name, tc.dim), func(t *testing.T) {
			f := mustFunction(t, tc.name, tc.dim, tc.scales)
			if f.Dim() != tc.dim {
				t.Errorf("Dim() = %d, want %d", f.Dim(), tc.dim)
			}
			rng := rand.New(rand.NewPCG(13, uint64(tc.dim)))
			points := [][]float64{DefaultStart(tc.name)}
			for range 5 {
				x := make([]float64, tc.dim)
				for i := range x {
					x[i] = 4*rng.Float64() - 2
				}
				points = append(points, x)
			}
			grad := make([]float64, tc.dim)
			for _, x := range points {
				if len(x) != tc.dim {
					continue
				}
				f.Grad(grad, x)
				checkGradient(t, f.Value, grad, x)
			}
		})
	}
}

func TestFunctionMinima(t *testing.T) {
	for _, tc := range []struct {
		name   string
		dim    int
		scales []float64
		count  int
	}{
		{"rosenbrock", 2, nil, 1},
		{"beale", 2, nil, 1},
		{"saddle", 2, nil, 0},
		{"himmelblau", 2, nil, 4},
		{"rastrigin", 2, nil, 1},
		{"rastrigin", 5, nil, 1},
		{"quadratic", 3, []float64{1, 2, 3}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := mustFunction(t, tc.name, tc.dim, tc.scales)
			minima := f.Minima()
			if len(minima) != tc.count {
				t.Fatalf("%d minima, want %d", len(minima), tc.count)
			}
			grad := make([]float64, tc.dim)
			for _, x := range minima {
				if v := f.Value(x); math.Abs(v) > 1e-26 {
					t.Errorf("f(%v) = %g, want 0", x, v)
				}
				f.Grad(grad, x)
				for _, g := range grad {
					if math.Abs(g) > 1e-12 {
						t.Errorf("gradient at %v = %v, want 0", x, grad)
						break
					}
				}
			}
		})
	}
}

func TestFunctionValues(t *testing.T) {
	for _, tc := range []struct {
		name   string
		scales []float64
		x      []float64
		want   float64
	}{
		{"rosenbrock", nil, []float64{1, 1}, 0},
		{"rosenbrock", nil, []float64{0, 0}, 1},
		{"rosenbrock", nil, []float64{-1.5, 2}, 6.25 + 100*0.0625},
		{"beale", nil, []float64{3, 0.5}, 0},
		{"beale", nil, []float64{0, 0}, 1.5*1.5 + 2.25*2.25 + 2.625*2.625},
		{"himmelblau", nil, []float64{3, 2}, 0},
		{"himmelblau", nil, []float64{0, 0}, 121 + 49},
		{"saddle", nil, []float64{2, 3}, -5},
		{"rastrigin", nil, []float64{0, 0}, 0},
		{"rastrigin", nil, []float64{0, 0, 0}, 0},
		{"rastrigin", nil, []float64{1, 0}, 1},
		{"quadratic", []float64{1, 10}, []float64{1, 1}, 5.5},
		{"quadratic", nil, []float64{3}, 4.5},
	} {
		f := mustFunction(t, tc.name, len(tc.x), tc.scales)
		if got := f.Value(tc.x); math.Abs(got-tc.want) > 1e-12*math.Max(1, tc.want) {
			t.Errorf("%s%v = %.17g, want %.17g", tc.name, tc.x, got, tc.want)
		}
	}
}

func TestNewFunctionErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		dim    int
		scales []float64
		key    string
		prefix string
	}{
		{"rosenbrock", 3, nil, "start", "start: rosenbrock is 2-D, got 3 values"},
		{"beale", 1, nil, "start", "start: beale is 2-D, got 1 values"},
		{"himmelblau", 4, nil, "start", "start: himmelblau is 2-D"},
		{"saddle", 0, nil, "start", "start: saddle is 2-D"},
		{"rastrigin", 0, nil, "start", "start: must have at least 1 value"},
		{"rosenbrock", 2, []float64{1, 2}, "scales", "scales: only for quadratic"},
		{"rastrigin", 2, []float64{1, 2}, "scales", "scales: only for quadratic"},
		{"quadratic", 2, []float64{1, 2, 3}, "scales", "scales: must have one value per coordinate"},
		{"quadratic", 2, []float64{1, -2}, "scales", "scales: must be finite and >= 0"},
		{"quadratic", 1, []float64{math.NaN()}, "scales", "scales: must be finite and >= 0"},
		{"quadratic", 1, []float64{math.Inf(1)}, "scales", "scales: must be finite and >= 0"},
		{"booth", 2, nil, "function", `function: unknown "booth" (want rosenbrock, beale, saddle, himmelblau, rastrigin or quadratic)`},
		{"", 2, nil, "function", "function: must be set"},
	} {
		_, err := NewFunction(tc.name, tc.dim, tc.scales)
		if err == nil {
			t.Errorf("NewFunction(%q, %d, %v) succeeded, want an error", tc.name, tc.dim, tc.scales)
			continue
		}
		if !strings.HasPrefix(err.Error(), tc.prefix) {
			t.Errorf("NewFunction(%q, %d, %v): error %q, want it to start with %q", tc.name, tc.dim, tc.scales, err, tc.prefix)
		}
		var se *SpecError
		if !errors.As(err, &se) || se.Key != tc.key {
			t.Errorf("NewFunction(%q, %d, %v): error %#v, want a *SpecError with key %q", tc.name, tc.dim, tc.scales, err, tc.key)
		}
	}
}

func TestFunctionsAndDefaultStarts(t *testing.T) {
	want := []string{"rosenbrock", "beale", "saddle", "himmelblau", "rastrigin", "quadratic"}
	names := Functions()
	if !slices.Equal(names, want) {
		t.Errorf("Functions() = %v, want %v", names, want)
	}
	names[0] = "changed"
	if Functions()[0] != "rosenbrock" {
		t.Error("Functions() returns shared storage")
	}
	for _, name := range want {
		start := DefaultStart(name)
		if _, err := NewFunction(name, len(start), nil); err != nil {
			t.Errorf("DefaultStart(%q) = %v: %v", name, start, err)
		}
	}
	if DefaultStart("booth") != nil {
		t.Error("DefaultStart of an unknown name is not nil")
	}
	if got := DefaultStart("rosenbrock"); !slices.Equal(got, []float64{-1.5, 2}) {
		t.Errorf("DefaultStart(rosenbrock) = %v, want [-1.5 2]", got)
	}
}

func TestFunctionGradZeroAllocs(t *testing.T) {
	for _, name := range Functions() {
		start := DefaultStart(name)
		f := mustFunction(t, name, len(start), nil)
		grad := make([]float64, len(start))
		if a := testing.AllocsPerRun(10, func() { f.Grad(grad, start); f.Value(start) }); a != 0 {
			t.Errorf("%s: Grad and Value allocate %v times per call", name, a)
		}
	}
}
