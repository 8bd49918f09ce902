// Package data provides the datasets of optimbench: synthetic generators, csv and libsvm
// readers, train/test splits, standardization and shuffled minibatches.
//
// A dataset is a [Set], held either densely as float64 (X) or compactly as bytes (Pix, for
// images such as MNIST: 1 byte per pixel instead of 8). The training loop reads rows only
// through [Set.Gather] and [Set.Rows], into buffers it owns, so both layouts train alike.
//
// Randomness always comes from a *rand.Rand passed in by the caller (one stream per purpose:
// synthetic data, the split, shuffling), never from the global generator, so the same seed gives
// the same data and the same batches.
package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
)

// Set is a dataset held in memory: densely as float64 in X, or as bytes in Pix.
//
// A byte set (Pix != nil, X nil) stores feature j of row i as the byte p = Pix[i·D+j] and reads
// it as the float64 p/PixMax (PixMax 255 for images: pixels in [0, 1], as PyTorch's ToTensor),
// converting per batch in [Set.Gather] and [Set.Rows]. Exactly one of X and Pix is non-nil.
type Set struct {
	X        []float64 // N×D features, row-major (nil for a byte set)
	Pix      []uint8   // N×D features as bytes, row-major (nil for a dense set)
	PixMax   float64   // a byte p reads as p/PixMax; must be > 0 when Pix is used
	Y        []float64 // regression targets, or class indices 0..Classes−1
	N, D     int
	Classes  int      // 0 for regression
	Features []string // feature names (csv header; "x1".. otherwise)
	Labels   []string // class names in class order (classification), nil otherwise
}

// Bytes reports whether s is a byte set (features in Pix rather than X).
func (s *Set) Bytes() bool { return s.Pix != nil }

// Gather copies rows idx of s into x (len(idx)×D) and y (len(idx)), converting bytes to
// float64 for a byte set. Allocates nothing.
//
// x and y may be longer than needed; only their first len(idx)×D and len(idx) elements are
// written. An index out of range or a buffer too short is a programmer error and panics.
func (s *Set) Gather(idx []int, x, y []float64) {
	d := s.D
	x = x[:len(idx)*d]
	y = y[:len(idx)]
	if s.Pix != nil {
		for i, r := range idx {
			bytesToFloats(x[i*d:(i+1)*d], s.Pix[r*d:(r+1)*d], s.PixMax)
			y[i] = s.Y[r]
		}
		return
	}
	for i, r := range idx {
		copy(x[i*d:(i+1)*d], s.X[r*d:(r+1)*d])
		y[i] = s.Y[r]
	}
}

// Rows returns the features of rows [i, i+n) as n×D float64 values: a view of X for a dense
// set (buf unused, may be nil), or buf[:n·D] filled from Pix for a byte set. Allocates nothing.
//
// The result must not be modified for a dense set (it is X itself). A range outside [0, N] or
// a buf shorter than n·D for a byte set is a programmer error and panics.
func (s *Set) Rows(i, n int, buf []float64) []float64 {
	d := s.D
	if s.Pix == nil {
		return s.X[i*d : (i+n)*d : (i+n)*d]
	}
	out := buf[:n*d]
	bytesToFloats(out, s.Pix[i*d:(i+n)*d], s.PixMax)
	return out
}

// bytesToFloatsGo writes p/scale for each byte p of src into dst (same length); bytesToFloats
// (convert_*.go) is this with vector instructions where the CPU has them.
func bytesToFloatsGo(dst []float64, src []uint8, scale float64) {
	dst = dst[:len(src)]
	for j, p := range src {
		dst[j] = float64(p) / scale
	}
}

// Limit keeps only the first n rows (n ≤ 0 or ≥ N: unchanged). Returns s or a view.
//
// The view shares X (or Pix) and Y with s: changing one (for example by [Standardize]) changes
// the other.
func Limit(s *Set, n int) *Set {
	if n <= 0 || n >= s.N {
		return s
	}
	v := *s
	v.N = n
	if s.Pix != nil {
		v.Pix = s.Pix[: n*s.D : n*s.D]
	} else {
		v.X = s.X[: n*s.D : n*s.D]
	}
	v.Y = s.Y[:n:n]
	return &v
}

// Split holds out round(fraction·N) rows as a test set chosen by a permutation from rng (rows
// keep their original relative order within each part), fraction in [0, 1). fraction 0 → test
// is nil and train is s itself (same row order). A byte set splits into byte sets.
//
// The test rows are the first round(fraction·N) entries of rng.Perm(N), capped at N−1 so that
// the training set is never empty. When no row is held out, train is s and test is nil. Both
// parts are fresh copies; Features and Labels are copied too. A fraction outside [0, 1) is a
// programmer error (configurations are validated before) and panics.
func Split(s *Set, fraction float64, rng *rand.Rand) (train, test *Set) {
	if !(fraction >= 0 && fraction < 1) {
		panic(fmt.Sprintf("data: Split: fraction must be in [0, 1), got %v", fraction))
	}
	_, nTest := SplitSizes(s.N, fraction)
	if nTest <= 0 {
		return s, nil
	}
	perm := rng.Perm(s.N)
	inTest := make([]bool, s.N)
	for _, r := range perm[:nTest] {
		inTest[r] = true
	}
	trainIdx := make([]int, 0, s.N-nTest)
	testIdx := make([]int, 0, nTest)
	for r, t := range inTest {
		if t {
			testIdx = append(testIdx, r)
		} else {
			trainIdx = append(trainIdx, r)
		}
	}
	return s.rows(trainIdx), s.rows(testIdx)
}

// SplitSizes returns the sizes of the two parts Split makes of n rows: round(fraction·n) test
// rows, capped at n−1 so that the training part is never empty.
func SplitSizes(n int, fraction float64) (train, test int) {
	test = int(math.Round(fraction * float64(n)))
	if test >= n {
		test = n - 1
	}
	test = max(test, 0)
	return n - test, test
}

// rows returns a new Set holding copies of rows idx of s, in the layout of s.
func (s *Set) rows(idx []int) *Set {
	out := &Set{
		Y:        make([]float64, len(idx)),
		N:        len(idx),
		D:        s.D,
		Classes:  s.Classes,
		Features: slices.Clone(s.Features),
		Labels:   slices.Clone(s.Labels),
	}
	d := s.D
	if s.Pix != nil {
		out.Pix, out.PixMax = make([]uint8, len(idx)*d), s.PixMax
		for i, r := range idx {
			copy(out.Pix[i*d:(i+1)*d], s.Pix[r*d:(r+1)*d])
			out.Y[i] = s.Y[r]
		}
		return out
	}
	out.X = make([]float64, len(idx)*d)
	s.Gather(idx, out.X, out.Y)
	return out
}

// Standardize z-scores each feature of train in place with train's mean and population std
// (divide by N), and applies the same transform to test (may be nil). A constant column is
// centred and left unscaled. Returns the means and stds.
//
// std[j] is the divisor applied to feature j: the population standard deviation, or 1 for a
// column whose training values are all equal. So x ↦ (x − mean[j])/std[j] reproduces the
// transform on new data. An empty training set gives means 0 and stds 1 and changes nothing.
//
// Byte sets are refused: their values are already scaled to [0, PixMax]/PixMax, and z-scoring
// them would need a float64 copy eight times their size, which is what bytes avoid.
// Configurations reject `standardize` for image sources, so a byte set here is a programmer
// error and panics, as a feature-count mismatch does.
func Standardize(train, test *Set) (mean, std []float64) {
	d := train.D
	if train.Pix != nil || (test != nil && test.Pix != nil) {
		panic("data: Standardize: byte sets (images scaled to [0, 1]) cannot be standardized")
	}
	mean = make([]float64, d)
	std = make([]float64, d)
	if test != nil && test.D != d {
		panic(fmt.Sprintf("data: Standardize: test has %d features, train has %d", test.D, d))
	}
	n := train.N
	for j := range d {
		if n == 0 {
			std[j] = 1
			continue
		}
		var sum float64
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := range n {
			v := train.X[i*d+j]
			sum += v
			lo = min(lo, v)
			hi = max(hi, v)
		}
		m := sum / float64(n)
		var ss, c float64 // two-pass variance with the compensation term of Chan et al.
		for i := range n {
			dv := train.X[i*d+j] - m
			ss += dv * dv
			c += dv
		}
		v := (ss - c*c/float64(n)) / float64(n)
		sd := math.Sqrt(max(v, 0))
		if lo == hi {
			m, sd = lo, 1
		}
		if sd == 0 || math.IsNaN(sd) || math.IsInf(sd, 0) {
			sd = 1
		}
		mean[j], std[j] = m, sd
	}
	apply := func(s *Set) {
		for i := range s.N {
			row := s.X[i*d : (i+1)*d]
			for j, v := range row {
				row[j] = (v - mean[j]) / std[j]
			}
		}
	}
	apply(train)
	if test != nil {
		apply(test)
	}
	return mean, std
}

// defaultFeatures returns the names x1..xd.
func defaultFeatures(d int) []string {
	names := make([]string, d)
	for j := range names {
		names[j] = "x" + strconv.Itoa(j+1)
	}
	return names
}

// intLabels returns the class names "0".."c−1".
func intLabels(c int) []string {
	names := make([]string, c)
	for k := range names {
		names[k] = strconv.Itoa(k)
	}
	return names
}
