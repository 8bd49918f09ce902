package model

import "math"

// The tanh and logistic sigmoid of the hidden layers, computed without math.Tanh and math.Exp
// so that four values go through one AVX2+FMA instruction sequence (act_amd64.s) and a tiny
// network is not bound by the activation: math.Tanh took ≈ 12 ns a value, about 3/4 of a 2-16-1
// tanh run (50.9 ms against 12 ms with ReLU). tanhGo and sigmoidGo are the same sequence of
// float64 operations one value at a time (math.FMA where the assembly fuses), so the vector
// loops, the scalar tails and the builds without them (purego, other CPUs) agree bit for bit
// (TestActivationsExact).
//
// Both rest on e^r = 1 + expm1(r) for |r| ≤ ln2/2 after the reduction y = k·ln2 + r (Cody and
// Waite's two-part ln2, FMA): expm1(r) = r + r²·P(r), P the Taylor polynomial of degree 11
// (terms 1/2! … 1/13!, truncation below 0.1 ulp), and 2^k built in the exponent bits.
// Only the cut-off constants and the comparisons differ between the two.
//
//   - tanh(x) = sign(x)·(−u/(u+2)), u = expm1(−2|x|) = 2^k·expm1(r) + (2^k − 1), with |x|
//     capped at 20 (tanh(20) rounds to 1). This avoids the cancellation of (e^2x − 1)/(e^2x + 1)
//     near 0.
//   - sigmoid(x) = 1/(1 + e^−x) as written, e^−x = (e^r · 2^(k−1))·2 with −x clamped to
//     [−708, 710]: e^−x overflows to +Inf (sigmoid 0) and underflows (sigmoid 1) where
//     math.Exp does.
//
// Measured over a dense sample of the whole float64 range (3 million values, act_test.go):
// tanh within 2 ulps of math.Tanh, sigmoid within 4 ulps of 1/(1+math.Exp(−x)); against the
// true values (200-bit reference) 2.45 ulps (math.Tanh: 1.05) and 1.99 ulps (the formula with
// math.Exp: 1.99). ±0, ±Inf and NaN give what the references give (tanh(±0) = ±0, tanh(±Inf) =
// ±1, sigmoid(±Inf) = 1 and 0, NaN for NaN). The one documented difference: Go's amd64 math.Exp
// overflows from y ≈ 709.436 on, below ln(MaxFloat64) ≈ 709.7827, so for x in [−709.7827,
// −709.436] the formula gives 0 where sigmoidGo gives the true value e^x ≈ 1e−308.

const (
	actLn2Hi   = 6.93147180369123816490e-01 // ln2's leading 32 bits: k·actLn2Hi is exact
	actLn2Lo   = 1.90821492927058770002e-10 // ln2 − actLn2Hi
	actInvLn2  = 1.44269504088896338700e+00
	actMagic   = 0x1.8p52 // y/ln2 + actMagic rounds y/ln2 to an integer held in the low bits
	tanhCap    = 20       // |x| beyond which tanh(x) rounds to ±1
	sigmoidMax = 710      // −x capped here: e^710 overflows, sigmoid 0
	sigmoidMin = -708     // −x floored here: e^−708 < 2^−1021, sigmoid 1
)

// actExpm1Poly are 1/2!, 1/3!, …, 1/13!, the coefficients of P, highest degree last.
var actExpm1Poly = [12]float64{
	1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320, 1.0 / 362880,
	1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800,
}

// actExpBias turns the bits of y/ln2 + actMagic into the biased exponent of 2^k: subtracting
// it from them gives k + 1023.
const actExpBias = 0x4338000000000000 - 1023

// actReduce returns r and the bits of kd, for y = k·ln2 + r.
func actReduce(y float64) (r float64, kbits uint64) {
	kd := math.FMA(y, actInvLn2, actMagic)
	k := kd - actMagic
	r = math.FMA(k, -actLn2Hi, y)
	r = math.FMA(k, -actLn2Lo, r)
	return r, math.Float64bits(kd)
}

// actExpm1 is expm1(r) for |r| ≤ ln2/2 (about 1 ulp), P by Estrin's scheme (pairs, then
// powers r², r⁴, r⁸), which has a third of Horner's latency: the vector loops are bound by
// it, and ran 1.4× faster so.
func actExpm1(r float64) float64 {
	c := &actExpm1Poly
	r2 := r * r
	r4 := r2 * r2
	r8 := r4 * r4
	s0 := math.FMA(math.FMA(c[3], r, c[2]), r2, math.FMA(c[1], r, c[0]))
	s1 := math.FMA(math.FMA(c[7], r, c[6]), r2, math.FMA(c[5], r, c[4]))
	s2 := math.FMA(math.FMA(c[11], r, c[10]), r2, math.FMA(c[9], r, c[8]))
	p := math.FMA(s2, r8, math.FMA(s1, r4, s0))
	return math.FMA(r2, p, r)
}

// tanhGo is tanh(x) as tanhAVX2 computes it.
func tanhGo(x float64) float64 {
	a := math.Abs(x)
	if a > tanhCap { // NaN passes
		a = tanhCap
	}
	r, kb := actReduce(-2 * a)
	s := math.Float64frombits((kb - actExpBias) << 52) // 2^k, k in [−58, 0]
	u := math.FMA(s, actExpm1(r), s-1)
	t := u / (u + 2) // −tanh|x|: the sign is x's
	return math.Copysign(t, x)
}

// sigmoidGo is 1/(1 + e^−x) as sigmoidAVX2 computes it.
func sigmoidGo(x float64) float64 {
	y := -x
	if y > sigmoidMax { // NaN passes both
		y = sigmoidMax
	}
	if y < sigmoidMin {
		y = sigmoidMin
	}
	r, kb := actReduce(y)
	er := actExpm1(r) + 1
	s := math.Float64frombits((kb - actExpBias - 1) << 52) // 2^(k−1), k in [−1021, 1024]
	e := float64(er*s) * 2
	return 1 / (1 + e)
}

// tanhSlice overwrites z with tanh(z).
func tanhSlice(z []float64) {
	n := 0
	if actSIMD && len(z) >= 4 {
		n = len(z) &^ 3
		tanhVec(z[:n])
	}
	for i := n; i < len(z); i++ {
		z[i] = tanhGo(z[i])
	}
}

// sigmoidSlice overwrites z with 1/(1 + e^−z).
func sigmoidSlice(z []float64) {
	n := 0
	if actSIMD && len(z) >= 4 {
		n = len(z) &^ 3
		sigmoidVec(z[:n])
	}
	for i := n; i < len(z); i++ {
		z[i] = sigmoidGo(z[i])
	}
}

// tanhSlice32 overwrites z with float32(tanhGo(float64(z))): tanh32AVX2 four values at a
// time, the widening and the rounding back in registers (512 values: 1.0–1.2 µs against
// 1.5–2.5 µs widening in Go, BenchmarkActivation), the same bits as widened32
// (TestActivations32Exact).
func tanhSlice32(z []float32) {
	if !act32SIMD {
		widened32(actTanh, z)
		return
	}
	n := len(z) &^ 3
	if n > 0 {
		tanh32Vec(z[:n])
	}
	for i := n; i < len(z); i++ {
		z[i] = float32(tanhGo(float64(z[i])))
	}
}

// sigmoidSlice32 overwrites z with float32(sigmoidGo(float64(z))) as tanhSlice32 does tanh.
func sigmoidSlice32(z []float32) {
	if !act32SIMD {
		widened32(actSigmoid, z)
		return
	}
	n := len(z) &^ 3
	if n > 0 {
		sigmoid32Vec(z[:n])
	}
	for i := n; i < len(z); i++ {
		z[i] = float32(sigmoidGo(float64(z[i])))
	}
}

// widenChunk is how many float32 values widened32 widens at once (2 KB of float64 on the
// stack).
const widenChunk = 256

// widened32 overwrites z with float32(tanhSlice(float64(z))) (act tanh) or the same with
// sigmoidSlice, in chunks widened to float64 in Go: the float32 tanh and sigmoid of builds and
// CPUs without tanh32AVX2. (The chunk stays on the stack because the callees are known.)
func widened32(act activation, z []float32) {
	var wide [widenChunk]float64
	for lo := 0; lo < len(z); lo += widenChunk {
		zc := z[lo:min(lo+widenChunk, len(z))]
		w := wide[:len(zc)]
		for i, v := range zc {
			w[i] = float64(v)
		}
		if act == actTanh {
			tanhSlice(w)
		} else {
			sigmoidSlice(w)
		}
		for i, v := range w {
			zc[i] = float32(v)
		}
	}
}
