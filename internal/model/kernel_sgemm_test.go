package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
)

// TestSgemm checks the float32 product of every float32 kernel (this CPU's and the plain-Go
// one) against the product computed in float64 from the same values, to 1e-5 relative to the
// sum of the magnitudes of the terms, on 1 and 2 threads, which must agree bit for bit.
func TestSgemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, kern := range append(append([]gemmKernel[float32](nil), kernels32...), goKernel32) {
		buf := newSgemmBufWith(kern)
		for _, sh := range sgemmShapes {
			for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
				g := exactArgs(rng, sh, tr[0], tr[1])
				a, b, c0 := toFloat32(g.a), toFloat32(g.b), toFloat32(g.c)
				tA, tB := blas.NoTrans, blas.NoTrans
				if g.tA {
					tA = blas.Trans
				}
				if g.tB {
					tB = blas.Trans
				}
				for _, beta := range []float32{0, 0.5} {
					name := fmt.Sprintf("%s/%dx%dx%d/tA=%v/tB=%v/beta=%v", kern.name, sh[0], sh[1], sh[2], tr[0], tr[1], beta)
					g.beta = float64(beta)
					want, scale := g, g
					want.c = append([]float64(nil), g.c...)
					refGemmExact(want)
					scale.a, scale.b, scale.c = absAll(g.a), absAll(g.b), absAll(g.c)
					refGemmExact(scale)
					var first []float32
					for _, threads := range threadCounts(sh, 1, 2) {
						if err := buf.setThreads(threads); err != nil {
							t.Fatal(err)
						}
						c := append([]float32(nil), c0...)
						sgemm(buf, tA, tB, g.m, g.n, g.k, a, g.lda, b, g.ldb, beta, c, g.ldc)
						for i, v := range c {
							if d := math.Abs(float64(v) - want.c[i]); d > 1e-5*scale.c[i]+1e-30 {
								t.Fatalf("%s/threads=%d: c[%d] = %v, want %v (±%.2g)", name, threads, i, v, want.c[i], 1e-5*scale.c[i])
							}
						}
						if first == nil {
							first = c
						} else if i := firstDiff32(c, first); i >= 0 {
							t.Fatalf("%s: c[%d] = %v on %d threads, %v on 1", name, i, c[i], threads, first[i])
						}
					}
				}
			}
		}
	}
}

// sgemmShapes straddle the tile and in-place edges, kcBlock, and the split between threads by
// columns and by rows.
var sgemmShapes = [][3]int{{1, 1, 1}, {5, 13, 3}, {3, 1000, 10}, {10, 37, 300}, {17, 49, 257}, {130, 47, 31}, {131, 1013, 9}, {67, 61, 300}}

// toFloat32 rounds s to float32 and writes the rounded values back, so that the float64
// reference computes from the operands of the float32 product.
func toFloat32(s []float64) []float32 {
	r := make([]float32, len(s))
	for i, v := range s {
		r[i] = float32(v)
		s[i] = float64(r[i])
	}
	return r
}

func absAll(s []float64) []float64 {
	r := make([]float64, len(s))
	for i, v := range s {
		r[i] = math.Abs(v)
	}
	return r
}

func firstDiff32(a, b []float32) int {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	return -1
}
