package model

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// actSample is a dense sample of the float64 line for the activation tests: ±0, ±Inf, NaN,
// the extremes, every power of two and its neighbours (subnormals included), a fine grid over
// [−40, 40], the neighbourhoods of the cut-offs (tanhCap, the clamps and the overflow of e^−x
// near −709.78) and random bit patterns (every exponent equally likely).
func actSample(t *testing.T) []float64 {
	t.Helper()
	xs := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
		math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64}
	for e := -1074; e <= 1023; e++ {
		p := math.Ldexp(1, e)
		for _, v := range []float64{p, math.Nextafter(p, 0), math.Nextafter(p, math.Inf(1)), 1.5 * p, 1.9 * p} {
			xs = append(xs, v, -v)
		}
	}
	step := 1e-4
	if testing.Short() {
		step = 1e-3
	}
	for x := -40.0; x <= 40; x += step {
		xs = append(xs, x)
	}
	for _, c := range []float64{tanhCap, 708, 709.782712893384, 710, 745.1332191019411} {
		for _, v := range []float64{c, -c} {
			for i, x := 0, v; i < 2000; i++ {
				xs = append(xs, x, math.Float64frombits(math.Float64bits(v)-uint64(i)))
				x = math.Nextafter(x, math.Inf(1))
			}
			for x := v - 1; x < v+1; x += 1e-4 {
				xs = append(xs, x)
			}
		}
	}
	rng := rand.New(rand.NewPCG(13, 1))
	n := 2_000_000
	if testing.Short() {
		n = 200_000
	}
	for range n {
		xs = append(xs, math.Float64frombits(rng.Uint64()))
	}
	return xs
}

// ulps is the number of float64 values between a and b (0 when both are NaN, huge when one
// is); +0 and −0 are one apart, so a wrong sign of zero shows.
func ulps(a, b float64) uint64 {
	if math.IsNaN(a) || math.IsNaN(b) {
		if math.IsNaN(a) && math.IsNaN(b) {
			return 0
		}
		return math.MaxUint64
	}
	ord := func(v float64) int64 { // monotone in v, −0 just below +0
		u := math.Float64bits(v)
		if u>>63 != 0 {
			return -int64(u&(1<<63-1)) - 1
		}
		return int64(u)
	}
	d := ord(a) - ord(b)
	if d < 0 {
		d = -d
	}
	return uint64(d)
}

// The vector loops, the scalar tails and tanhGo/sigmoidGo give the same bits, for slices of
// every length mod 4 (a build without AVX2 checks the scalar path against itself).
func TestActivationsExact(t *testing.T) {
	xs := actSample(t)
	for _, tc := range []struct {
		name  string
		slice func([]float64)
		one   func(float64) float64
	}{{"tanh", tanhSlice, tanhGo}, {"sigmoid", sigmoidSlice, sigmoidGo}} {
		t.Run(tc.name, func(t *testing.T) {
			for _, cut := range []int{len(xs), len(xs) - 1, len(xs) - 2, len(xs) - 3, 3} {
				z := append([]float64(nil), xs[:cut]...)
				tc.slice(z)
				bad := 0
				for i, x := range xs[:cut] {
					if want := tc.one(x); ulps(z[i], want) != 0 && bad < 5 {
						bad++
						t.Errorf("%s(%v) = %v (%#x) in the slice, %v (%#x) one at a time", tc.name, x,
							z[i], math.Float64bits(z[i]), want, math.Float64bits(want))
					}
				}
			}
		})
	}
	if !actSIMD {
		t.Log("no AVX2+FMA: the scalar path only")
	}
}

// tanhSlice is within 2 ulps of math.Tanh everywhere, with tanh(±0) = ±0, tanh(±Inf) = ±1
// and NaN for NaN.
func TestTanhULP(t *testing.T) {
	xs := actSample(t)
	z := append([]float64(nil), xs...)
	tanhSlice(z)
	var worst uint64
	var at float64
	for i, x := range xs {
		if d := ulps(z[i], math.Tanh(x)); d > worst {
			worst, at = d, x
		}
	}
	t.Logf("tanh: %d values, largest difference from math.Tanh %d ulps (at %v)", len(xs), worst, at)
	if worst > 2 {
		t.Errorf("tanh(%v) = %v, math.Tanh %v: %d ulps", at, tanhGo(at), math.Tanh(at), worst)
	}
	checkSpecial(t, tanhSlice, map[float64]float64{math.Inf(1): 1, math.Inf(-1): -1})
}

// sigmoidSlice is within 2 ulps of 1/(1 + math.Exp(−x)) (sigmoidRef) everywhere, 0 where e^−x overflows,
// 1 where it underflows, 1/2 at ±0 and NaN for NaN.
func TestSigmoidULP(t *testing.T) {
	xs := actSample(t)
	z := append([]float64(nil), xs...)
	sigmoidSlice(z)
	var worst uint64
	var at float64
	for i, x := range xs {
		if d := ulps(z[i], sigmoidRef(x)); d > worst {
			worst, at = d, x
		}
	}
	t.Logf("sigmoid: %d values, largest difference from 1/(1+math.Exp(-x)) %d ulps (at %v)", len(xs), worst, at)
	if worst > 4 { // both are about 2 ulps from the truth (TestActivationsTrueError)
		t.Errorf("sigmoid(%v) = %v, reference %v: %d ulps", at, sigmoidGo(at), sigmoidRef(at), worst)
	}
	checkSpecial(t, sigmoidSlice, map[float64]float64{math.Inf(1): 1, math.Inf(-1): 0, 0: 0.5, -800: 0, 800: 1})
}

// sigmoidRef is 1/(1 + math.Exp(−x)), except where math.Exp overflows before e^−x does:
// Go's amd64 math.Exp returns +Inf from 1023.5·ln2 ≈ 709.436 on, though e^y is finite up to
// 709.782712893384 (below ln MaxFloat64), so for x in [−709.782712893384, −709.436] the formula gives 0 where sigmoid(x) = e^x
// (about 1e−308, as 1 + e^x rounds to 1), which is what sigmoidSlice returns there.
func sigmoidRef(x float64) float64 {
	if math.IsInf(math.Exp(-x), 1) && -x <= 709.782712893384 {
		return math.Exp(x)
	}
	return 1 / (1 + math.Exp(-x))
}

// checkSpecial checks f at NaN, ±0 (against want when given, else the sign of zero kept) and
// at the points of want, bit for bit.
func checkSpecial(t *testing.T, f func([]float64), want map[float64]float64) {
	t.Helper()
	for x, w := range want {
		z := []float64{x, x, x, x, x}
		f(z)
		if math.Float64bits(z[0]) != math.Float64bits(w) || math.Float64bits(z[4]) != math.Float64bits(w) {
			t.Errorf("f(%v) = %v, %v; want %v", x, z[0], z[4], w)
		}
	}
	z := []float64{math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()}
	f(z)
	if !math.IsNaN(z[0]) || !math.IsNaN(z[4]) {
		t.Errorf("f(NaN) = %v, %v; want NaN", z[0], z[4])
	}
	if _, ok := want[0]; !ok {
		neg := math.Copysign(0, -1)
		z := []float64{0, neg, 0, neg, 0, neg}
		f(z)
		for i, v := range z {
			if v != 0 || math.Signbit(v) != (i%2 == 1) {
				t.Errorf("f(%v) = %v", []float64{0, neg}[i%2], v)
			}
		}
	}
}

// bigExp returns e^y to about 200 bits: the Taylor series at y/2^12, squared 12 times.
func bigExp(y float64) *big.Float {
	const prec = 220
	r := new(big.Float).SetPrec(prec).SetMantExp(big.NewFloat(y), -12)
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	for k := int64(1); k < 60; k++ {
		term.Mul(term, r)
		term.Quo(term, new(big.Float).SetInt64(k))
		sum.Add(sum, term)
	}
	for range 12 {
		sum.Mul(sum, sum)
	}
	return sum
}

// errULP is (got − want)/ulp(want) with want rounded to float64 for the ulp.
func errULP(got float64, want *big.Float) float64 {
	w, _ := want.Float64()
	u := math.Nextafter(math.Abs(w), math.Inf(1)) - math.Abs(w)
	d := new(big.Float).Sub(new(big.Float).SetPrec(want.Prec()).SetFloat64(got), want)
	f, _ := d.Float64()
	return math.Abs(f / u)
}

// The error of tanhSlice and sigmoidSlice against the true values (to 200 bits), on a sample
// of [−40, 40] log-spaced near 0: measured 2.45 ulps for tanh (math.Tanh 1.05) and 1.99 for
// sigmoid (1/(1+math.Exp(−x)) 1.99); TestTanhULP and TestSigmoidULP compare with those.
func TestActivationsTrueError(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 2))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = math.Copysign(math.Exp(rng.Float64()*50-46), rng.Float64()-0.5) // |x| in [1e-20, 40]
	}
	th := append([]float64(nil), xs...)
	sg := append([]float64(nil), xs...)
	tanhSlice(th)
	sigmoidSlice(sg)
	var worstT, worstS, refT, refS float64
	one := big.NewFloat(1)
	for i, x := range xs {
		e := bigExp(2 * x) // tanh x = (e^2x − 1)/(e^2x + 1)
		tt := new(big.Float).Quo(new(big.Float).Sub(e, one), new(big.Float).Add(e, one))
		s := new(big.Float).Quo(one, new(big.Float).Add(one, bigExp(-x)))
		worstT, refT = max(worstT, errULP(th[i], tt)), max(refT, errULP(math.Tanh(x), tt))
		worstS, refS = max(worstS, errULP(sg[i], s)), max(refS, errULP(1/(1+math.Exp(-x)), s))
	}
	t.Logf("largest error, ulps: tanh %.2f (math.Tanh %.2f), sigmoid %.2f (1/(1+math.Exp(-x)) %.2f)",
		worstT, refT, worstS, refS)
	if worstT >= 3 || worstS >= 2.5 {
		t.Errorf("largest error %.2f ulps (tanh), %.2f ulps (sigmoid), want below 3 and 2.5", worstT, worstS)
	}
}

// actSample32 is the float32 sample of TestActivations32Exact: ±0, ±Inf, quiet and signalling
// NaNs of both signs, the extremes, every power of two and its neighbours (subnormals
// included), the neighbourhoods of the cut-offs (tanhCap, where float32 tanh rounds to ±1 near
// 9.01, the clamps 708 and 710, the float32 underflow of sigmoid near −88.7 and −103.3) and of
// the reduction's boundaries (|r| = ln2/2: y = (k + ½)·ln2, y = −2|x| for tanh and −x for
// sigmoid), random values over [−20, 20] and random bit patterns.
func actSample32() []float32 {
	f := math.Float32frombits
	xs := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		f(0x7fc00000), f(0xffc00000), f(0x7f800001), f(0xff800001), f(0x7fa5a5a5), f(0xffbfffff),
		math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32}
	near := func(c float32, k int) { // c and its k float32 neighbours on each side, both signs
		for _, v := range []float32{c, -c} {
			for i, lo, hi := 0, v, v; i <= k; i++ {
				xs = append(xs, lo, hi)
				lo, hi = float32(math.Nextafter32(lo, float32(math.Inf(-1)))), math.Nextafter32(hi, float32(math.Inf(1)))
			}
		}
	}
	for e := -149; e <= 127; e++ {
		near(float32(math.Ldexp(1, e)), 2)
		xs = append(xs, float32(math.Ldexp(1.5, e)), -float32(math.Ldexp(1.9, e)))
	}
	for _, c := range []float64{tanhCap, 9.0109133, 708, 710, 88.72284, 103.27893, 87.33655} {
		near(float32(c), 300)
	}
	for k := 0; k < 100; k++ {
		near(float32((float64(k)+0.5)*math.Ln2), 8)   // sigmoid: −x = ±(k + ½)·ln2
		near(float32((float64(k)+0.5)*math.Ln2/2), 8) // tanh: 2|x| = (k + ½)·ln2
	}
	rng := rand.New(rand.NewPCG(13, 3))
	n := 50_000
	if testing.Short() {
		n = 5000
	}
	for range n {
		xs = append(xs, float32(40*rng.Float64()-20), f(rng.Uint32()))
	}
	return xs
}

// tanhSlice32 and sigmoidSlice32 give the bits of the Go path they replace (widened32: the
// values widened to float64 in Go, tanhSlice or sigmoidSlice, narrowed back in Go) and of
// float32(tanhGo(float64(x))) one at a time, NaN payloads included, for the whole sample cut
// into slices of each length 0..67 at every offset mod 4, and allocate nothing.
func TestActivations32Exact(t *testing.T) {
	if !act32SIMD {
		t.Log("no AVX2+FMA: widened32 is the float32 path, checked against one at a time")
	}
	defer func(v bool) { act32SIMD = v }(act32SIMD)
	simd := act32SIMD
	xs := actSample32()
	for _, tc := range []struct {
		name  string
		slice func([]float32)
		one   func(float64) float64
	}{{"tanh", tanhSlice32, tanhGo}, {"sigmoid", sigmoidSlice32, sigmoidGo}} {
		t.Run(tc.name, func(t *testing.T) {
			got, want := make([]float32, len(xs)+3), make([]float32, len(xs)+3)
			bad := 0
			for n := range 68 {
				off := n % 4
				copy(got[off:], xs)
				copy(want[off:], xs)
				for lo := off; lo+n <= len(xs)+off; lo += max(n, 1) {
					act32SIMD = simd
					tc.slice(got[lo : lo+n])
					act32SIMD = false
					tc.slice(want[lo : lo+n])
				}
				for i, x := range xs[:len(xs)/max(n, 1)*n] {
					g, w, one := got[off+i], want[off+i], float32(tc.one(float64(x)))
					if (math.Float32bits(g) != math.Float32bits(w) || ulps32(g, one) != 0) && bad < 5 {
						bad++
						t.Errorf("length %d: %s(%v) = %v (%#x), widened in Go %v (%#x), one at a time %v",
							n, tc.name, x, g, math.Float32bits(g), w, math.Float32bits(w), one)
					}
				}
			}
			z := append([]float32(nil), xs[:515]...)
			for _, act32SIMD = range []bool{false, simd} {
				if a := testing.AllocsPerRun(10, func() { tc.slice(z) }); a != 0 {
					t.Errorf("%s, act32SIMD %v: %v allocations", tc.name, act32SIMD, a)
				}
			}
		})
	}
}

// ulps32 is 0 when a and b have the same bits or are both NaN, else 1.
func ulps32(a, b float32) int {
	if math.Float32bits(a) == math.Float32bits(b) || a != a && b != b {
		return 0
	}
	return 1
}

// BenchmarkActivation times the activations of a 2-16-1 network's hidden layer at batch 32
// (512 values): math.Tanh and the formula of activate before act.go, against tanhSlice and
// sigmoidSlice; then float32 tanh and sigmoid widened in Go (widened32, "go") and in registers
// (tanh32AVX2, "avx2"), the two one after the other.
func BenchmarkActivation(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	src := make([]float64, 512)
	for i := range src {
		src[i] = 3 * rng.NormFloat64()
	}
	z := make([]float64, len(src))
	for _, bc := range []struct {
		name string
		f    func([]float64)
	}{
		{"math.Tanh", func(z []float64) {
			for i, v := range z {
				z[i] = math.Tanh(v)
			}
		}},
		{"tanh", tanhSlice},
		{"math.Exp", func(z []float64) {
			for i, v := range z {
				z[i] = 1 / (1 + math.Exp(-v))
			}
		}},
		{"sigmoid", sigmoidSlice},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(8 * len(z)))
			for range b.N {
				copy(z, src)
				bc.f(z)
			}
		})
	}
	defer func(v bool) { act32SIMD = v }(act32SIMD)
	simd := act32SIMD
	src32 := make([]float32, len(src))
	for i, v := range src {
		src32[i] = float32(v)
	}
	z32 := make([]float32, len(src))
	for _, bc := range []struct {
		name string
		f    func([]float32)
	}{{"tanh32", tanhSlice32}, {"sigmoid32", sigmoidSlice32}} {
		for _, path := range act32Paths(simd) {
			b.Run(bc.name+"/"+path, func(b *testing.B) {
				act32SIMD = path == "avx2"
				b.ReportAllocs()
				b.SetBytes(int64(4 * len(z32)))
				for range b.N {
					copy(z32, src32)
					bc.f(z32)
				}
			})
		}
	}
}

// act32Paths are the float32 activation paths of this build and CPU for the benchmarks.
func act32Paths(simd bool) []string {
	if simd {
		return []string{"go", "avx2"}
	}
	return []string{"go"}
}

// BenchmarkLossGrad32Act times the float32 training step of the 2-16-1 tanh and sigmoid
// networks at batch 32 with the float32 activations widened in Go and in registers
// (act32SIMD), the two one after the other.
func BenchmarkLossGrad32Act(b *testing.B) {
	defer func(v bool) { act32SIMD = v }(act32SIMD)
	simd := act32SIMD
	for _, act := range []string{"tanh", "sigmoid"} {
		bc := benchCase{"mlp-2-16-1-" + act + "-b32",
			Spec{Kind: "mlp", Hidden: []int{16}, Activation: act, Loss: "mse"}, 2, 0, 32}
		for _, path := range act32Paths(simd) {
			b.Run(bc.name+"/"+path, func(b *testing.B) {
				act32SIMD = path == "avx2"
				m, params, x, y, grad := benchSetup32(b, bc)
				b.ReportAllocs()
				for b.Loop() {
					m.LossGrad(params, x, y, bc.n, grad)
				}
				reportSamples(b, bc.n)
			})
		}
	}
}
