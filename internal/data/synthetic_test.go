package data

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 2)) }

func TestGenerators(t *testing.T) {
	got := Generators()
	want := []string{"linear", "logistic", "blobs", "spirals"}
	if !slices.Equal(got, want) {
		t.Fatalf("Generators() = %v, want %v", got, want)
	}
	got[0] = "changed"
	if Generators()[0] != "linear" {
		t.Error("Generators returns the package's own slice")
	}
}

func TestSyntheticShapes(t *testing.T) {
	tests := []struct {
		gen         string
		n, features int
		classes     int
		wantClasses int
	}{
		{"linear", 50, 3, 0, 0},
		{"logistic", 60, 4, 0, 2},
		{"blobs", 90, 5, 3, 3},
		{"spirals", 101, 2, 4, 4},
	}
	for _, tt := range tests {
		t.Run(tt.gen, func(t *testing.T) {
			s, err := Synthetic(tt.gen, tt.n, tt.features, tt.classes, 0.1, newRand(1))
			if err != nil {
				t.Fatal(err)
			}
			checkSet(t, s)
			if s.N != tt.n || s.D != tt.features || s.Classes != tt.wantClasses {
				t.Errorf("N, D, Classes = %d, %d, %d, want %d, %d, %d",
					s.N, s.D, s.Classes, tt.n, tt.features, tt.wantClasses)
			}
			if want := []string{"x1", "x2"}; !slices.Equal(s.Features[:2], want) {
				t.Errorf("Features = %v, want prefix %v", s.Features, want)
			}
			if tt.wantClasses == 0 {
				if s.Labels != nil {
					t.Errorf("Labels = %v, want nil for regression", s.Labels)
				}
				return
			}
			counts := make([]int, s.Classes)
			for _, y := range s.Y {
				counts[int(y)]++
			}
			for k, c := range counts {
				if c == 0 {
					t.Errorf("class %d has no samples (counts %v)", k, counts)
				}
			}
		})
	}
}

func TestSyntheticDeterminism(t *testing.T) {
	for _, gen := range Generators() {
		t.Run(gen, func(t *testing.T) {
			a, err := Synthetic(gen, 40, 2, 3, 0.2, newRand(1))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := Synthetic(gen, 40, 2, 3, 0.2, newRand(1))
			c, _ := Synthetic(gen, 40, 2, 3, 0.2, newRand(7))
			if !slices.Equal(a.X, b.X) || !slices.Equal(a.Y, b.Y) {
				t.Error("same seed gave different data")
			}
			if slices.Equal(a.X, c.X) {
				t.Error("different seeds gave the same features")
			}
		})
	}
}

// TestSyntheticNoiseless checks the documented models with noise 0: linear targets are exact
// linear functions of x, and logistic labels are linearly separable through the origin.
func TestSyntheticNoiseless(t *testing.T) {
	t.Run("linear", func(t *testing.T) {
		s, err := Synthetic("linear", 5, 2, 0, 0, newRand(3))
		if err != nil {
			t.Fatal(err)
		}
		// Recover w from the first two rows and predict the others.
		x := s.X
		det := x[0]*x[3] - x[1]*x[2]
		w0 := (s.Y[0]*x[3] - x[1]*s.Y[1]) / det
		w1 := (x[0]*s.Y[1] - s.Y[0]*x[2]) / det
		for i := 2; i < s.N; i++ {
			pred := x[2*i]*w0 + x[2*i+1]*w1
			if math.Abs(pred-s.Y[i]) > 1e-9 {
				t.Errorf("row %d: y = %v, x·w = %v", i, s.Y[i], pred)
			}
		}
	})
	t.Run("logistic", func(t *testing.T) {
		// With one feature the labels must be a threshold at 0 on x (in one direction).
		s, err := Synthetic("logistic", 200, 1, 0, 0, newRand(4))
		if err != nil {
			t.Fatal(err)
		}
		agree := 0
		for i := range s.N {
			if (s.X[i] > 0) == (s.Y[i] == 1) {
				agree++
			}
		}
		if agree != 0 && agree != s.N {
			t.Errorf("labels agree with sign(x) on %d of %d rows, want all or none", agree, s.N)
		}
	})
}

func TestSyntheticErrors(t *testing.T) {
	tests := []struct {
		gen         string
		n, features int
		classes     int
		noise       float64
		want        string
	}{
		{"spirals", 10, 3, 2, 0.1, "features: spirals are 2-D, got 3"},
		{"blobs", 10, 2, 1, 0.1, "classes: must be >= 2, got 1"},
		{"spirals", 10, 2, 0, 0.1, "classes: must be >= 2, got 0"},
		{"blobs", 3, 2, 4, 0.1, "classes: must be <= n (3), got 4"},
		{"linear", 0, 2, 0, 0.1, "n: must be > 0, got 0"},
		{"linear", -5, 2, 0, 0.1, "n: must be > 0, got -5"},
		{"linear", 10, 0, 0, 0.1, "features: must be > 0, got 0"},
		{"linear", 1 << 40, 1 << 10, 0, 0.1, "n: "},
		{"logistic", 10, 2, 0, -1, "noise: must be >= 0, got -1"},
		{"logistic", 10, 2, 0, math.NaN(), "noise: must be >= 0, got NaN"},
		{"blobs", 10, 2, 2, math.Inf(1), "noise: must be finite, got +Inf"},
		{"moons", 10, 2, 2, 0.1, `generator: unknown "moons" (want linear, logistic, blobs, spirals)`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			s, err := Synthetic(tt.gen, tt.n, tt.features, tt.classes, tt.noise, newRand(1))
			if err == nil {
				t.Fatalf("got a set with N=%d, want error %q", s.N, tt.want)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %q, want prefix %q", err, tt.want)
			}
		})
	}
}

// checkSet checks the invariants every Set must satisfy.
func checkSet(t testing.TB, s *Set) {
	t.Helper()
	if s.N <= 0 || s.D <= 0 {
		t.Fatalf("N, D = %d, %d, want both > 0", s.N, s.D)
	}
	if len(s.X) != s.N*s.D || len(s.Y) != s.N || len(s.Features) != s.D {
		t.Fatalf("len(X), len(Y), len(Features) = %d, %d, %d, want %d, %d, %d",
			len(s.X), len(s.Y), len(s.Features), s.N*s.D, s.N, s.D)
	}
	for i, v := range s.X {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("X[%d] = %v, want finite", i, v)
		}
	}
	if s.Classes == 0 {
		if s.Labels != nil {
			t.Fatalf("regression set has Labels %v", s.Labels)
		}
		for i, v := range s.Y {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("Y[%d] = %v, want finite", i, v)
			}
		}
		return
	}
	if s.Classes < 2 || len(s.Labels) != s.Classes {
		t.Fatalf("Classes = %d with %d labels, want >= 2 and equal", s.Classes, len(s.Labels))
	}
	for i, v := range s.Y {
		if v != math.Trunc(v) || v < 0 || int(v) >= s.Classes {
			t.Fatalf("Y[%d] = %v, want a class in 0..%d", i, v, s.Classes-1)
		}
	}
}
