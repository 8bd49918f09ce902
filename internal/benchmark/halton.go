package benchmark

import (
	"fmt"

	"github.com/optimbench/optimbench/internal/sweep"
)

// Halton returns point i (i >= 1) of the d-dimensional Halton sequence: coordinate j is the
// radical inverse of i in the j-th prime base, φ_b(i) = Σ_k a_k b^−(k+1) for i = Σ_k a_k b^k
// (Halton 1960). It is the plain sequence: no scrambling and no skipped prefix beyond the
// origin (i = 0), so that its values are those published (base 2: 1/2, 1/4, 3/4, 1/8, …;
// base 3: 1/3, 2/3, 1/9, …). AlgoPerf's halton.py (mlcommons/algorithmic-efficiency,
// from Google's hyperparameter tuning code) draws the same radical inverses after a random
// permutation of the digits in each base; the plain sequence keeps the candidates the same on
// every machine and Go release without a permutation table.
func Halton(i, d int) []float64 {
	out := make([]float64, d)
	for j := range out {
		out[j] = radicalInverse(uint64(i), uint64(primes[j]))
	}
	return out
}

// radicalInverse is φ_b(i), exact in float64 for the indexes a search uses.
func radicalInverse(i, b uint64) float64 {
	var num, den uint64 = 0, 1
	for ; i > 0; i /= b {
		num = num*b + i%b
		den *= b
	}
	return float64(num) / float64(den)
}

// primes are the Halton bases: a search space has at most this many keys.
var primes = []int{2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71}

// candidates lists a search's candidate settings in order: the lr grid in increasing order,
// or the trials of the random (sweep.Sample with the benchmark's seed, as a sweep's random:
// block draws) or Halton sampler (trial t is Halton point t, key j of the space in sorted
// order at coordinate j, mapped by sweep.Dist.At).
func candidates(s SearchSpec, seed uint64) ([][]sweep.Override, error) {
	switch s.Sampler {
	case "grid":
		out := make([][]sweep.Override, len(s.LR))
		for i, lr := range s.LR {
			out[i] = []sweep.Override{{Key: "optimizer.lr", Value: lr}}
		}
		return out, nil
	case "random":
		return sweep.Sample(s.Space, s.Trials, seed)
	}
	if len(s.Space) > len(primes) {
		return nil, fmt.Errorf("a Halton search takes at most %d keys, got %d", len(primes), len(s.Space))
	}
	out := make([][]sweep.Override, s.Trials)
	for t := range out {
		u := Halton(t+1, len(s.Space))
		for j, d := range s.Space {
			out[t] = append(out[t], sweep.Override{Key: d.Key, Value: d.At(u[j])})
		}
	}
	return out, nil
}
