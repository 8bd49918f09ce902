package model

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// The plain loops of the small-layer path as they were before the fused, branch-free loops of
// gemm.go (loopForward, loopGradWB, loopGradXAct). TestSmallLoopsExact checks that the fused
// loops give bit-for-bit the results of these followed by activate, colSums and
// activateBackward.

// refLoopForward is blasForward with plain loops, four outputs at a time so that each load of x
// serves four weights.
func refLoopForward(n, in, out int, x, w, b, z []float64) {
	w = w[:out*in]
	b = b[:out]
	for i := range n {
		xi := x[i*in : i*in+in]
		zi := z[i*out : i*out+out]
		j := 0
		for ; j+4 <= out; j += 4 {
			w0 := w[j*in : j*in+in]
			w1 := w[(j+1)*in : (j+1)*in+in]
			w2 := w[(j+2)*in : (j+2)*in+in]
			w3 := w[(j+3)*in : (j+3)*in+in]
			w0, w1, w2, w3 = w0[:len(xi)], w1[:len(xi)], w2[:len(xi)], w3[:len(xi)]
			var s0, s1, s2, s3 float64
			for k, v := range xi {
				s0 += v * w0[k]
				s1 += v * w1[k]
				s2 += v * w2[k]
				s3 += v * w3[k]
			}
			zi[j] = b[j] + s0
			zi[j+1] = b[j+1] + s1
			zi[j+2] = b[j+2] + s2
			zi[j+3] = b[j+3] + s3
		}
		for ; j < out; j++ {
			wj := w[j*in : j*in+in]
			wj = wj[:len(xi)]
			var s float64
			for k, v := range xi {
				s += v * wj[k]
			}
			zi[j] = b[j] + s
		}
	}
}

// refLoopGradW is blasGradW with plain loops.
func refLoopGradW(n, in, out int, dz, a, gw []float64) {
	gw = gw[:out*in]
	clear(gw)
	for i := range n {
		ai := a[i*in : i*in+in]
		for j, d := range dz[i*out : i*out+out] {
			if d == 0 {
				continue
			}
			g := gw[j*in : j*in+in]
			g = g[:len(ai)]
			for k, v := range ai {
				g[k] += d * v
			}
		}
	}
}

// refLoopGradX is blasGradX with plain loops.
func refLoopGradX(n, in, out int, dz, w, dx []float64) {
	w = w[:out*in]
	for i := range n {
		dxi := dx[i*in : i*in+in]
		clear(dxi)
		for j, d := range dz[i*out : i*out+out] {
			if d == 0 {
				continue
			}
			wj := w[j*in : j*in+in]
			wj = wj[:len(dxi)]
			for k, v := range wj {
				dxi[k] += d * v
			}
		}
	}
}

// refReLU and refReLUBackward are activate and activateBackward for ReLU with branches.
func refReLU(z []float64) {
	for i, v := range z {
		if v < 0 {
			z[i] = 0
		}
	}
}

func refReLUBackward(a, da []float64) {
	for i, v := range a[:len(da)] {
		if v > 0 {
			a[i] = da[i]
		} else {
			a[i] = 0
		}
	}
}

// specialValues fills s with values drawn from rng, a quarter of them special: ±0, ±Inf, NaN
// and repeats (so that sums cancel exactly).
func specialValues(rng *rand.Rand, s []float64) {
	specials := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 1, -1, 0.5}
	for i := range s {
		if rng.IntN(4) == 0 {
			s[i] = specials[rng.IntN(len(specials))]
		} else {
			s[i] = rng.NormFloat64()
		}
	}
}

// sameBits reports whether a and b hold the same float64s bit for bit (any NaN equals any NaN).
func sameBits(a, b []float64) int {
	for i := range a {
		if math.IsNaN(a[i]) && math.IsNaN(b[i]) {
			continue
		}
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return i
		}
	}
	return -1
}

// TestSmallLoopsExact checks the fused branch-free loops against the straightforward ones bit
// for bit, on all small shapes, finite data and data with zeros, infinities and NaNs.
func TestSmallLoopsExact(t *testing.T) {
	defer func(v bool) { smallSIMD = v }(smallSIMD)
	paths := []bool{false}
	if smallSIMD {
		paths = append(paths, true)
	}
	rng := rand.New(rand.NewPCG(31, 32))
	scratch := make([]float64, 32*32)
	shapes := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 32}
	for _, simd := range paths {
		smallSIMD = simd
		for _, special := range []bool{false, true} {
			fill := func(s []float64) {
				if special {
					specialValues(rng, s)
					return
				}
				for i := range s {
					s[i] = rng.NormFloat64()
					if rng.IntN(3) == 0 { // the zero deltas and activations of a ReLU layer
						s[i] = 0
					}
				}
			}
			for _, in := range shapes {
				for _, out := range shapes {
					for _, n := range []int{0, 1, 3, 4, 7, 9, 32} {
						x, w, b := make([]float64, n*in), make([]float64, out*in), make([]float64, out)
						dz := make([]float64, n*out)
						fill(x)
						fill(w)
						fill(b)
						fill(dz)
						for _, withReLU := range []bool{false, true} {
							got, want := make([]float64, n*out), make([]float64, n*out)
							loopForward(n, in, out, x, w, b, got, withReLU, scratch)
							refLoopForward(n, in, out, x, w, b, want)
							if withReLU {
								refReLU(want)
							}
							if i := sameBits(got, want); i >= 0 {
								t.Fatalf("loopForward %d×%d n=%d relu=%v simd=%v special=%v: z[%d] = %v, want %v", in, out, n, withReLU, simd, special, i, got[i], want[i])
							}
						}
						gw, gb := make([]float64, out*in), make([]float64, out)
						wgw, wgb := make([]float64, out*in), make([]float64, out)
						fill(gw) // overwritten
						fill(gb)
						loopGradWB(n, in, out, dz, x, gw, gb, scratch)
						refLoopGradW(n, in, out, dz, x, wgw)
						colSums(n, out, dz, wgb)
						if i := sameBits(gw, wgw); i >= 0 {
							t.Fatalf("loopGradWB %d×%d n=%d simd=%v special=%v: gw[%d] = %v, want %v", in, out, n, simd, special, i, gw[i], wgw[i])
						}
						if i := sameBits(gb, wgb); i >= 0 {
							t.Fatalf("loopGradWB %d×%d n=%d simd=%v special=%v: gb[%d] = %v, want %v", in, out, n, simd, special, i, gb[i], wgb[i])
						}
						dx, wdx := make([]float64, n*in), make([]float64, n*in)
						fill(dx)
						loopGradX(n, in, out, dz, w, dx, nil)
						refLoopGradX(n, in, out, dz, w, wdx)
						if i := sameBits(dx, wdx); i >= 0 {
							t.Fatalf("loopGradX %d×%d n=%d simd=%v special=%v: dx[%d] = %v, want %v", in, out, n, simd, special, i, dx[i], wdx[i])
						}
						got, want := slices.Clone(x), slices.Clone(x)
						loopGradX(n, in, out, dz, w, dx, got)
						refReLUBackward(want, wdx)
						if i := sameBits(got, want); i >= 0 {
							t.Fatalf("loopGradX with ReLU %d×%d n=%d simd=%v special=%v: a[%d] = %v, want %v", in, out, n, simd, special, i, got[i], want[i])
						}
						a, wa := slices.Clone(x), slices.Clone(x)
						da := make([]float64, n*in)
						fill(da)
						activateBackward(actReLU, a, da)
						refReLUBackward(wa, da)
						if i := sameBits(a, wa); i >= 0 {
							t.Fatalf("activateBackward relu simd=%v special=%v: [%d] = %v, want %v", simd, special, i, a[i], wa[i])
						}
						a, wa = slices.Clone(x), slices.Clone(x)
						activate(actReLU, a)
						refReLU(wa)
						if i := sameBits(a, wa); i >= 0 {
							t.Fatalf("activate relu simd=%v special=%v: [%d] = %v, want %v", simd, special, i, a[i], wa[i])
						}
					}
				}
			}
		}
	}
}
