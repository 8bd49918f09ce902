package model

import (
	"fmt"
	"math"
	"strings"
)

// Function is a SPEC §7 test function (`problem:` block).
type Function interface {
	Dim() int
	Value(x []float64) float64
	// Grad overwrites grad with the gradient at x. Allocates nothing.
	Grad(grad, x []float64)
	// Minima returns the known global minimizers (for plots), possibly several (himmelblau has
	// 4); nil if unbounded (saddle). The slices are fresh copies.
	Minima() [][]float64
}

var functionNames = []string{"rosenbrock", "beale", "saddle", "himmelblau", "rastrigin", "quadratic"}

// Functions lists the names: rosenbrock beale saddle himmelblau rastrigin quadratic.
func Functions() []string { return append([]string(nil), functionNames...) }

// NewFunction validates and builds a test function of the given dimension (len of start).
// rosenbrock, beale, saddle, himmelblau are 2-D only (error `start: rosenbrock is 2-D, got 3
// values`); rastrigin any n ≥ 1; quadratic ½Σ aᵢxᵢ² with a = scales (len(scales) must equal
// dim, or be 0 for all ones; each aᵢ ≥ 0 and finite; scales only allowed for quadratic — error
// `scales: only for quadratic`). Errors are *SpecError naming the key under problem.
func NewFunction(name string, dim int, scales []float64) (Function, error) {
	if name != "quadratic" && len(scales) > 0 {
		return nil, specErrorf("scales", "only for quadratic")
	}
	switch name {
	case "rosenbrock", "beale", "saddle", "himmelblau":
		if dim != 2 {
			return nil, specErrorf("start", "%s is 2-D, got %d values", name, dim)
		}
	case "rastrigin", "quadratic":
		if dim < 1 {
			return nil, specErrorf("start", "must have at least 1 value, got %d", dim)
		}
	case "":
		return nil, specErrorf("function", "must be set (%s)", nameList())
	default:
		return nil, specErrorf("function", "unknown %q (want %s)", name, nameList())
	}
	switch name {
	case "rosenbrock":
		return rosenbrock{}, nil
	case "beale":
		return beale{}, nil
	case "saddle":
		return saddle{}, nil
	case "himmelblau":
		return himmelblau{}, nil
	case "rastrigin":
		return rastrigin{n: dim}, nil
	}
	a := make([]float64, dim)
	if len(scales) == 0 {
		for i := range a {
			a[i] = 1
		}
	} else {
		if len(scales) != dim {
			return nil, specErrorf("scales", "must have one value per coordinate of start (%d), got %d", dim, len(scales))
		}
		for i, v := range scales {
			if !(v >= 0) || math.IsInf(v, 0) {
				return nil, specErrorf("scales", "must be finite and >= 0, got %v", scales)
			}
			a[i] = v
		}
	}
	return quadratic{a: a}, nil
}

func nameList() string {
	n := len(functionNames)
	return strings.Join(functionNames[:n-1], ", ") + " or " + functionNames[n-1]
}

// DefaultStart returns a start that makes a good lecture picture for the function: rosenbrock
// [-1.5, 2], beale [1, 1], saddle [-1, 0.001] (close to the stable manifold, so a method first
// runs into the saddle and then escapes along y), himmelblau [0, 0], rastrigin [2.5, 2.5]
// (2-D), quadratic [1, 1]. It returns nil for an unknown name.
func DefaultStart(name string) []float64 {
	switch name {
	case "rosenbrock":
		return []float64{-1.5, 2}
	case "beale":
		return []float64{1, 1}
	case "saddle":
		return []float64{-1, 0.001}
	case "himmelblau":
		return []float64{0, 0}
	case "rastrigin":
		return []float64{2.5, 2.5}
	case "quadratic":
		return []float64{1, 1}
	}
	return nil
}

func checkDim(x []float64, n int) {
	if len(x) != n {
		panic(fmt.Sprintf("model: point has %d coordinates, want %d", len(x), n))
	}
}

// rosenbrock is (1−x)² + 100(y−x²)², minimum 0 at (1, 1).
type rosenbrock struct{}

func (rosenbrock) Dim() int { return 2 }

func (rosenbrock) Value(p []float64) float64 {
	checkDim(p, 2)
	x, y := p[0], p[1]
	a, b := 1-x, y-x*x
	return a*a + 100*b*b
}

func (rosenbrock) Grad(g, p []float64) {
	checkDim(p, 2)
	checkDim(g, 2)
	x, y := p[0], p[1]
	b := y - x*x
	g[0] = -2*(1-x) - 400*x*b
	g[1] = 200 * b
}

func (rosenbrock) Minima() [][]float64 { return [][]float64{{1, 1}} }

// beale is (1.5−x+xy)² + (2.25−x+xy²)² + (2.625−x+xy³)², minimum 0 at (3, 0.5).
type beale struct{}

func (beale) Dim() int { return 2 }

func (beale) Value(p []float64) float64 {
	checkDim(p, 2)
	x, y := p[0], p[1]
	a := 1.5 - x + x*y
	b := 2.25 - x + x*y*y
	c := 2.625 - x + x*y*y*y
	return a*a + b*b + c*c
}

func (beale) Grad(g, p []float64) {
	checkDim(p, 2)
	checkDim(g, 2)
	x, y := p[0], p[1]
	y2, y3 := y*y, y*y*y
	a := 1.5 - x + x*y
	b := 2.25 - x + x*y2
	c := 2.625 - x + x*y3
	g[0] = 2 * (a*(y-1) + b*(y2-1) + c*(y3-1))
	g[1] = 2 * x * (a + 2*b*y + 3*c*y2)
}

func (beale) Minima() [][]float64 { return [][]float64{{3, 0.5}} }

// saddle is x² − y², unbounded below, with a saddle point at the origin.
type saddle struct{}

func (saddle) Dim() int { return 2 }

func (saddle) Value(p []float64) float64 {
	checkDim(p, 2)
	return p[0]*p[0] - p[1]*p[1]
}

func (saddle) Grad(g, p []float64) {
	checkDim(p, 2)
	checkDim(g, 2)
	g[0] = 2 * p[0]
	g[1] = -2 * p[1]
}

func (saddle) Minima() [][]float64 { return nil }

// himmelblau is (x²+y−11)² + (x+y²−7)², with four global minima of value 0.
type himmelblau struct{}

func (himmelblau) Dim() int { return 2 }

func (himmelblau) Value(p []float64) float64 {
	checkDim(p, 2)
	x, y := p[0], p[1]
	a := x*x + y - 11
	b := x + y*y - 7
	return a*a + b*b
}

func (himmelblau) Grad(g, p []float64) {
	checkDim(p, 2)
	checkDim(g, 2)
	x, y := p[0], p[1]
	a := x*x + y - 11
	b := x + y*y - 7
	g[0] = 4*x*a + 2*b
	g[1] = 2*a + 4*y*b
}

// The minima of himmelblau, polished with Newton's method to float64 precision.
func (himmelblau) Minima() [][]float64 {
	return [][]float64{
		{3, 2},
		{-2.8051180869527448, 3.131312518250573},
		{-3.779310253377747, -3.2831859912861696},
		{3.5844283403304917, -1.8481265269644036},
	}
}

// rastrigin is 10n + Σ(xᵢ² − 10cos 2πxᵢ), minimum 0 at the origin.
type rastrigin struct{ n int }

func (f rastrigin) Dim() int { return f.n }

func (f rastrigin) Value(x []float64) float64 {
	checkDim(x, f.n)
	s := 10 * float64(f.n)
	for _, v := range x {
		s += v*v - 10*math.Cos(2*math.Pi*v)
	}
	return s
}

func (f rastrigin) Grad(g, x []float64) {
	checkDim(x, f.n)
	checkDim(g, f.n)
	for i, v := range x {
		g[i] = 2*v + 20*math.Pi*math.Sin(2*math.Pi*v)
	}
}

func (f rastrigin) Minima() [][]float64 { return [][]float64{make([]float64, f.n)} }

// quadratic is ½Σ aᵢxᵢ², minimum 0 at the origin (one of many when some aᵢ = 0).
type quadratic struct{ a []float64 }

func (f quadratic) Dim() int { return len(f.a) }

func (f quadratic) Value(x []float64) float64 {
	checkDim(x, len(f.a))
	var s float64
	for i, v := range x {
		s += f.a[i] * v * v
	}
	return s / 2
}

func (f quadratic) Grad(g, x []float64) {
	checkDim(x, len(f.a))
	checkDim(g, len(f.a))
	for i, v := range x {
		g[i] = f.a[i] * v
	}
}

func (f quadratic) Minima() [][]float64 { return [][]float64{make([]float64, len(f.a))} }
