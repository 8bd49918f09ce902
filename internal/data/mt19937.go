package data

import "math"

// NumpyRandom is numpy's legacy generator, np.random.RandomState(seed): the 32-bit Mersenne
// Twister MT19937 (Matsumoto & Nishimura 1998) with numpy's integer seeding, its 53-bit
// doubles, and its legacy normal draws (the polar Box–Muller method, which keeps the second
// value of each pair for the next call). DeepOBS draws its toy problems (the quadratic's data,
// eigenvalues and rotation; the noisy 2-D problems' data) from RandomState(42), (43) and
// (44); this reproduces those draws bit for bit, so that optimbench's problems are DeepOBS's
// exactly (checked against numpy 1.24's output in testdata/deepobs_golden.json, written by
// scripts/gen_deepobs_golden.py).
//
// The algorithms, transcribed from numpy/random/src/mt19937/mt19937.c (mt19937_seed,
// mt19937_gen, mt19937_next32), numpy/random/src/legacy/legacy-distributions.c (legacy_gauss,
// legacy_normal) and numpy/random/src/distributions/distributions.c (random_standard_uniform,
// random_uniform):
//
//   - seed s: key[0] = s, key[i] = 1812433253·(key[i−1] ⊕ (key[i−1] ≫ 30)) + i (mod 2³²);
//   - double: (a ≫ 5, b ≫ 6) of two successive 32-bit outputs → (a·2²⁶ + b)/2⁵³ in [0, 1);
//   - uniform(lo, hi): lo + (hi − lo)·double;
//   - gauss: x₁ = 2u₁ − 1, x₂ = 2u₂ − 1 until 0 < r² = x₁² + x₂² < 1; f = √(−2 ln r²/r²);
//     return f·x₂ and keep f·x₁ for the next call;
//   - normal(loc, scale): loc + scale·gauss.
//
// A NumpyRandom is not safe for use by several goroutines at once.
type NumpyRandom struct {
	key      [mtN]uint32
	pos      int
	hasGauss bool
	gauss    float64
}

const (
	mtN       = 624
	mtM       = 397
	mtMatrixA = 0x9908b0df
	mtUpper   = 0x80000000
	mtLower   = 0x7fffffff
)

// NewNumpyRandom returns the generator of np.random.RandomState(seed).
func NewNumpyRandom(seed uint32) *NumpyRandom {
	r := &NumpyRandom{}
	s := seed
	for i := range r.key {
		r.key[i] = s
		s = 1812433253*(s^(s>>30)) + uint32(i) + 1
	}
	r.pos = mtN
	return r
}

// generate refills the state with the next 624 words (mt19937_gen).
func (r *NumpyRandom) generate() {
	k := &r.key
	for i := 0; i < mtN; i++ {
		y := k[i]&mtUpper | k[(i+1)%mtN]&mtLower
		v := k[(i+mtM)%mtN] ^ y>>1
		if y&1 != 0 {
			v ^= mtMatrixA
		}
		k[i] = v
	}
	r.pos = 0
}

// Uint32 returns the next 32-bit output, tempered.
func (r *NumpyRandom) Uint32() uint32 {
	if r.pos == mtN {
		r.generate()
	}
	y := r.key[r.pos]
	r.pos++
	y ^= y >> 11
	y ^= (y << 7) & 0x9d2c5680
	y ^= (y << 15) & 0xefc60000
	y ^= y >> 18
	return y
}

// Float64 is numpy's random_sample(): a double in [0, 1) from two 32-bit outputs.
func (r *NumpyRandom) Float64() float64 {
	a, b := r.Uint32()>>5, r.Uint32()>>6
	return (float64(a)*67108864 + float64(b)) / 9007199254740992
}

// Uniform is numpy's uniform(lo, hi).
// The float64 conversions keep the compiler from fusing a multiply and an add (FMA), as numpy's
// C code is not fused.
func (r *NumpyRandom) Uniform(lo, hi float64) float64 { return lo + float64((hi-lo)*r.Float64()) }

// Gauss is numpy's legacy standard normal (legacy_gauss).
func (r *NumpyRandom) Gauss() float64 {
	if r.hasGauss {
		r.hasGauss = false
		return r.gauss
	}
	var x1, x2, r2 float64
	for {
		x1 = 2*r.Float64() - 1
		x2 = 2*r.Float64() - 1
		r2 = float64(x1*x1) + float64(x2*x2)
		if r2 < 1 && r2 != 0 {
			break
		}
	}
	f := math.Sqrt(-2 * math.Log(r2) / r2)
	r.gauss, r.hasGauss = f*x1, true
	return f * x2
}

// Normal is numpy's legacy normal(loc, scale).
func (r *NumpyRandom) Normal(loc, scale float64) float64 { return loc + float64(scale*r.Gauss()) }
