package verdict

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Alpha is the significance level of the noise rule: a difference between
// the winner and the runner-up whose two-sided Welch t-test p-value is
// Alpha or more is within seed noise.
const Alpha = 0.05

// Stat is a metric over the seeds of a rerun: mean, sample standard
// deviation and the number of seeds.
type Stat struct {
	Mean, Std float64
	N         int
}

// WelchP is the two-sided p-value of Welch's unequal-variances t-test of
// a against b: t = (ā − b̄) / √(s²ₐ/nₐ + s²ᵦ/nᵦ), with the
// Welch–Satterthwaite degrees of freedom
// ν = (s²ₐ/nₐ + s²ᵦ/nᵦ)² / ((s²ₐ/nₐ)²/(nₐ−1) + (s²ᵦ/nᵦ)²/(nᵦ−1)).
// It is NaN when either side has fewer than two seeds or a value is not
// finite (no noise estimate); 1 for equal means and 0 for different ones
// when both have no spread.
func WelchP(a, b Stat) float64 {
	if a.N < 2 || b.N < 2 || !finiteAll(a.Mean, a.Std, b.Mean, b.Std) {
		return math.NaN()
	}
	va, vb := a.Std*a.Std/float64(a.N), b.Std*b.Std/float64(b.N)
	se := math.Sqrt(va + vb)
	if se == 0 {
		if a.Mean == b.Mean {
			return 1
		}
		return 0
	}
	t := math.Abs(a.Mean-b.Mean) / se
	nu := (va + vb) * (va + vb) / (va*va/float64(a.N-1) + vb*vb/float64(b.N-1))
	return 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: nu}.Survival(t)
}

// WithinNoise tells whether the difference between a and b is within seed
// noise: Welch's p-value is Alpha or more; with fewer than two seeds on a
// side (no p-value), whether the intervals mean ± std overlap.
func WithinNoise(a, b Stat) bool {
	if p := WelchP(a, b); !math.IsNaN(p) {
		return p >= Alpha
	}
	if !finiteAll(a.Mean, b.Mean) {
		return false
	}
	sa, sb := zeroIfNaN(a.Std), zeroIfNaN(b.Std)
	return math.Abs(a.Mean-b.Mean) <= sa+sb
}

func zeroIfNaN(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}

func finiteAll(xs ...float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}
