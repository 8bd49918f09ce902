package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// generators lists the synthetic generators in the order Generators reports them.
var generators = []string{"linear", "logistic", "blobs", "spirals"}

// Generators lists the synthetic generators: linear logistic blobs spirals.
func Generators() []string {
	return append([]string(nil), generators...)
}

// Box half-width of the blob centres and number of turns of each spiral arm.
const (
	blobBox     = 5.0
	spiralTurns = 1.5
)

// maxCells bounds N×D of any dense set this package builds (2 GiB of float64), so that a
// malformed file or a typo in n cannot exhaust memory. Tests lower it.
var maxCells = 1 << 28

// Synthetic makes n samples with `features` inputs. The draws from rng happen in the order
// written below, so a seed fixes the data exactly.
//
//   - linear (regression, Classes 0): w ~ N(0, I) is drawn first, then for each sample
//     x ~ N(0, I) and ε ~ N(0, 1), and y = x·w + noise·ε.
//   - logistic (Classes 2): w ~ N(0, I) first, then for each sample x ~ N(0, I) and a standard
//     logistic ε = log(u/(1−u)), u ~ U(0, 1), and y = 1 if x·w + noise·ε > 0 else 0. So
//     P(y = 1 | x) = σ(x·w/noise), a logistic model with weights w/noise; noise 0 gives
//     linearly separable classes.
//   - blobs (Classes = classes): the centres c_k are drawn first, uniform in [−5, 5]^features;
//     sample i belongs to class k = i mod classes (balanced and interleaved, so limits and
//     splits stay balanced) and is x = c_k + (1 + noise)·z with z ~ N(0, I). Unit-variance
//     clusters, as scikit-learn's make_blobs, widened by noise.
//   - spirals (Classes = classes, features 2): sample i belongs to arm k = i mod classes; with
//     r ~ U(0, 1) and θ = 2πk/classes + 2π·1.5·r, x = r·(cos θ, sin θ) + noise·z, z ~ N(0, I).
//     The arms are interleaved spirals of 1.5 turns and radius 1.
//
// classes is ignored by linear and logistic. Errors name the configuration key at fault.
func Synthetic(generator string, n, features, classes int, noise float64, rng *rand.Rand) (*Set, error) {
	if err := checkSynthetic(generator, n, features, classes, noise); err != nil {
		return nil, err
	}
	d := features
	s := &Set{
		X:        make([]float64, n*d),
		Y:        make([]float64, n),
		N:        n,
		D:        d,
		Features: defaultFeatures(d),
	}
	switch generator {
	case "linear":
		genLinear(s, noise, rng)
	case "logistic":
		genLogistic(s, noise, rng)
	case "blobs":
		genBlobs(s, classes, noise, rng)
	case "spirals":
		genSpirals(s, classes, noise, rng)
	}
	if s.Classes > 0 {
		s.Labels = intLabels(s.Classes)
	}
	return s, nil
}

// checkSynthetic checks the arguments of Synthetic, before anything is allocated or drawn;
// its errors name the configuration key at fault.
func checkSynthetic(generator string, n, features, classes int, noise float64) error {
	switch generator {
	case "linear", "logistic", "blobs", "spirals":
	default:
		return fmt.Errorf("generator: unknown %q (want %s)", generator, strings.Join(generators, ", "))
	}
	if n <= 0 {
		return fmt.Errorf("n: must be > 0, got %d", n)
	}
	if features <= 0 {
		return fmt.Errorf("features: must be > 0, got %d", features)
	}
	if generator == "spirals" && features != 2 {
		return fmt.Errorf("features: spirals are 2-D, got %d", features)
	}
	if n > maxCells/features {
		return fmt.Errorf("n: %d samples × %d features is too large (at most %d values)", n, features, maxCells)
	}
	if generator == "blobs" || generator == "spirals" {
		if classes < 2 {
			return fmt.Errorf("classes: must be >= 2, got %d", classes)
		}
		if classes > n {
			return fmt.Errorf("classes: must be <= n (%d), got %d", n, classes)
		}
	}
	if !(noise >= 0) {
		return fmt.Errorf("noise: must be >= 0, got %v", noise)
	}
	if math.IsInf(noise, 0) {
		return fmt.Errorf("noise: must be finite, got %v", noise)
	}
	return nil
}

// normalWeights draws the weights w ~ N(0, I) of the linear and logistic generators.
func normalWeights(d int, rng *rand.Rand) []float64 {
	w := make([]float64, d)
	for j := range w {
		w[j] = rng.NormFloat64()
	}
	return w
}

// normalRow draws x ~ N(0, I) into row x and returns x·w.
func normalRow(x, w []float64, rng *rand.Rand) float64 {
	var z float64
	for j := range x {
		x[j] = rng.NormFloat64()
		z += x[j] * w[j]
	}
	return z
}

// genLinear fills s with the linear generator's samples: y = x·w + noise·ε.
func genLinear(s *Set, noise float64, rng *rand.Rand) {
	d := s.D
	w := normalWeights(d, rng)
	for i := range s.N {
		z := normalRow(s.X[i*d:(i+1)*d], w, rng)
		s.Y[i] = z + noise*rng.NormFloat64()
	}
}

// genLogistic fills s with the logistic generator's samples: y = 1 if x·w + noise·ε > 0, with
// ε standard logistic.
func genLogistic(s *Set, noise float64, rng *rand.Rand) {
	d := s.D
	w := normalWeights(d, rng)
	for i := range s.N {
		z := normalRow(s.X[i*d:(i+1)*d], w, rng)
		u := rng.Float64()
		for u == 0 { // log(0) would be −Inf; U(0, 1) is open
			u = rng.Float64()
		}
		if z+noise*math.Log(u/(1-u)) > 0 {
			s.Y[i] = 1
		}
	}
	s.Classes = 2
}

// genBlobs fills s with the blobs generator's samples: the centres first, then sample i of
// class i mod classes around its centre.
func genBlobs(s *Set, classes int, noise float64, rng *rand.Rand) {
	d := s.D
	centres := make([]float64, classes*d)
	for j := range centres {
		centres[j] = blobBox * (2*rng.Float64() - 1)
	}
	for i := range s.N {
		k := i % classes
		x := s.X[i*d : (i+1)*d]
		c := centres[k*d : (k+1)*d]
		for j := range x {
			x[j] = c[j] + (1+noise)*rng.NormFloat64()
		}
		s.Y[i] = float64(k)
	}
	s.Classes = classes
}

// genSpirals fills s (D = 2) with the spirals generator's samples: sample i on arm
// i mod classes.
func genSpirals(s *Set, classes int, noise float64, rng *rand.Rand) {
	for i := range s.N {
		k := i % classes
		r := rng.Float64()
		theta := 2*math.Pi*float64(k)/float64(classes) + 2*math.Pi*spiralTurns*r
		s.X[2*i] = r*math.Cos(theta) + noise*rng.NormFloat64()
		s.X[2*i+1] = r*math.Sin(theta) + noise*rng.NormFloat64()
		s.Y[i] = float64(k)
	}
	s.Classes = classes
}
