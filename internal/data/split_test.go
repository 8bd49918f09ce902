package data

import (
	"math"
	"slices"
	"testing"
)

// indexSet returns a set whose row i is (i, 10i) with target i, so rows can be traced.
func indexSet(n int) *Set {
	s := &Set{X: make([]float64, 2*n), Y: make([]float64, n), N: n, D: 2, Features: []string{"a", "b"}}
	for i := range n {
		s.X[2*i], s.X[2*i+1], s.Y[i] = float64(i), float64(10*i), float64(i)
	}
	return s
}

func TestLimit(t *testing.T) {
	s := indexSet(10)
	for _, n := range []int{-1, 0, 10, 11} {
		if got := Limit(s, n); got != s {
			t.Errorf("Limit(s, %d) is a new set, want s itself", n)
		}
	}
	v := Limit(s, 4)
	checkSet(t, v)
	if v.N != 4 || !slices.Equal(v.Y, []float64{0, 1, 2, 3}) || !slices.Equal(v.X, s.X[:8]) {
		t.Errorf("Limit(s, 4) = N %d, X %v, Y %v", v.N, v.X, v.Y)
	}
	if s.N != 10 {
		t.Errorf("Limit changed s.N to %d", s.N)
	}
	v.X = append(v.X, -1)
	if s.X[8] != 4 {
		t.Error("appending to the view overwrote s")
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		n        int
		fraction float64
		wantTest int
	}{
		{10, 0.3, 3},
		{10, 0.25, 3}, // round(2.5) = 3
		{7, 0.5, 4},   // round(3.5) = 4
		{100, 0.2, 20},
		{2, 0.9, 1}, // capped at N−1
		{10, 0.01, 0},
	}
	for _, tt := range tests {
		s := indexSet(tt.n)
		train, test := Split(s, tt.fraction, newRand(1))
		if tt.wantTest == 0 {
			if train != s || test != nil {
				t.Errorf("Split(%d, %v): want s and nil", tt.n, tt.fraction)
			}
			continue
		}
		checkSet(t, train)
		checkSet(t, test)
		if test.N != tt.wantTest || train.N != tt.n-tt.wantTest {
			t.Errorf("Split(%d, %v): sizes %d/%d, want %d/%d",
				tt.n, tt.fraction, train.N, test.N, tt.n-tt.wantTest, tt.wantTest)
		}
		seen := make([]int, tt.n)
		for _, part := range []*Set{train, test} {
			for i, y := range part.Y {
				seen[int(y)]++
				if i > 0 && y <= part.Y[i-1] {
					t.Errorf("Split(%d, %v): rows out of original order: %v", tt.n, tt.fraction, part.Y)
				}
				if part.X[2*i] != y || part.X[2*i+1] != 10*y {
					t.Errorf("row %d: X = %v, want (%v, %v)", i, part.X[2*i:2*i+2], y, 10*y)
				}
			}
		}
		for r, c := range seen {
			if c != 1 {
				t.Errorf("Split(%d, %v): row %d appears %d times", tt.n, tt.fraction, r, c)
			}
		}
		if &train.Features[0] == &s.Features[0] {
			t.Error("train shares Features with s")
		}
	}
}

func TestSplitZeroKeepsOrder(t *testing.T) {
	s := indexSet(5)
	rng := newRand(1)
	train, test := Split(s, 0, rng)
	if train != s || test != nil {
		t.Fatalf("Split(s, 0) = %p, %v, want s (%p), nil", train, test, s)
	}
	if !slices.Equal(train.Y, []float64{0, 1, 2, 3, 4}) {
		t.Errorf("Split(s, 0) rows %v, want 0..4 in order", train.Y)
	}
	if rng.Uint64() != newRand(1).Uint64() {
		t.Error("Split(s, 0) drew from rng")
	}
}

func TestSplitDeterminism(t *testing.T) {
	s := indexSet(50)
	_, a := Split(s, 0.2, newRand(1))
	_, b := Split(s, 0.2, newRand(1))
	_, c := Split(s, 0.2, newRand(2))
	if !slices.Equal(a.Y, b.Y) {
		t.Error("same seed gave different test rows")
	}
	if slices.Equal(a.Y, c.Y) {
		t.Error("different seeds gave the same test rows")
	}
}

func TestSplitBadFraction(t *testing.T) {
	for _, f := range []float64{-0.1, 1, 2, math.NaN()} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Split(s, %v) did not panic", f)
				}
			}()
			Split(indexSet(4), f, newRand(1))
		}()
	}
}

func TestStandardize(t *testing.T) {
	train := &Set{N: 4, D: 3, X: []float64{
		1, 5, 0.1,
		2, 5, 0.1,
		3, 5, 0.1,
		6, 5, 0.1,
	}}
	test := &Set{N: 2, D: 3, X: []float64{
		3, 7, 0.1,
		0, 5, 1.1,
	}}
	mean, std := Standardize(train, test)
	// Column 0: mean 3, population variance (4+1+0+9)/4 = 3.5.
	sd := math.Sqrt(3.5)
	wantMean := []float64{3, 5, 0.1}
	wantStd := []float64{sd, 1, 1}
	if !approxEqual(mean, wantMean, 1e-15) || !approxEqual(std, wantStd, 1e-15) {
		t.Errorf("mean, std = %v, %v, want %v, %v", mean, std, wantMean, wantStd)
	}
	for j := range 3 {
		var m, v float64
		for i := range train.N {
			m += train.X[i*3+j]
		}
		m /= float64(train.N)
		for i := range train.N {
			v += (train.X[i*3+j] - m) * (train.X[i*3+j] - m)
		}
		v /= float64(train.N)
		wantV := 1.0
		if j > 0 {
			wantV = 0 // constant columns are centred, not scaled
		}
		if math.Abs(m) > 1e-15 || math.Abs(v-wantV) > 1e-14 {
			t.Errorf("column %d after standardizing: mean %v, variance %v, want 0, %v", j, m, v, wantV)
		}
	}
	wantTest := []float64{0, 2, 0, -3 / sd, 0, 1}
	if !approxEqual(test.X, wantTest, 1e-12) {
		t.Errorf("test X = %v, want %v", test.X, wantTest)
	}
	if m, s := Standardize(&Set{D: 2}, nil); !slices.Equal(m, []float64{0, 0}) || !slices.Equal(s, []float64{1, 1}) {
		t.Errorf("empty set: mean, std = %v, %v, want 0s and 1s", m, s)
	}
}

func TestStandardizeSynthetic(t *testing.T) {
	s, err := Synthetic("blobs", 1000, 4, 3, 0.5, newRand(5))
	if err != nil {
		t.Fatal(err)
	}
	train, test := Split(s, 0.2, newRand(6))
	mean, std := Standardize(train, test)
	for j := range train.D {
		var m, v float64
		for i := range train.N {
			m += train.X[i*train.D+j]
		}
		m /= float64(train.N)
		for i := range train.N {
			d := train.X[i*train.D+j] - m
			v += d * d
		}
		v /= float64(train.N)
		if math.Abs(m) > 1e-12 || math.Abs(v-1) > 1e-12 {
			t.Errorf("feature %d: mean %v variance %v, want 0 and 1", j, m, v)
		}
		if std[j] <= 0 {
			t.Errorf("std[%d] = %v", j, std[j])
		}
	}
	_ = mean
}

func approxEqual(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol*max(1, math.Abs(b[i])) {
			return false
		}
	}
	return true
}
