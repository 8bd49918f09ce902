//go:build openblas && cgo

package model

// The packed kernel side by side with OpenBLAS on one thread, on the products of MLP training
// steps at batch 128, float64 and float32 (needs libopenblas-dev):
//
//	CGO_LDFLAGS=-lopenblas OPENBLAS_CORETYPE=Haswell OPENBLAS_NUM_THREADS=1 \
//	    go test -tags openblas -run '^$' -bench GemmVsOpenBLAS ./internal/model
//
// (OPENBLAS_CORETYPE=SkylakeX on a CPU with AVX-512.) This is not the netlib build: a package
// that uses cgo may not hold Go assembly, so with -tags netlib the model package has no
// kernel to compare; here OpenBLAS comes through gonum's netlib package alone.

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/netlib/blas/netlib"
)

// mlpProduct is one matrix product of a training step: op(A) m×k times op(B) k×n.
type mlpProduct struct {
	name    string
	tA, tB  blas.Transpose
	m, n, k int
}

// mlpProducts are the three products of each layer in→out at batch size batch: the forward
// z = x·Wᵀ, the gradients dX = dZ·W and dW = dZᵀ·X.
func mlpProducts(batch int, layers [][2]int) []mlpProduct {
	var ps []mlpProduct
	for _, l := range layers {
		in, out := l[0], l[1]
		ps = append(ps,
			mlpProduct{fmt.Sprintf("fwd-%dx%d", in, out), blas.NoTrans, blas.Trans, batch, out, in},
			mlpProduct{fmt.Sprintf("dX-%dx%d", in, out), blas.NoTrans, blas.NoTrans, batch, in, out},
			mlpProduct{fmt.Sprintf("dW-%dx%d", in, out), blas.Trans, blas.NoTrans, out, in, batch})
	}
	return ps
}

// BenchmarkGemmVsOpenBLAS runs each product with the packed kernel and with OpenBLAS in
// alternation, and reports the GFLOP/s of the fastest run of each (the machine is shared, and
// the fastest run is the one least disturbed) and their ratio.
func BenchmarkGemmVsOpenBLAS(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	products := mlpProducts(128, [][2]int{{784, 1000}, {1000, 1000}, {1000, 10}, {784, 256}})
	for _, p := range products {
		m, n, k := p.m, p.n, p.k
		lda, ldb := k, n
		if p.tA == blas.Trans {
			lda = m
		}
		if p.tB == blas.Trans {
			ldb = k
		}
		a, bm, c := randomParams(rng, m*k), randomParams(rng, k*n), make([]float64, m*n)
		b.Run("f64/"+p.name, func(b *testing.B) {
			if len(kernels) == 0 {
				b.Skip("no packed kernel on this CPU")
			}
			buf := newGemmBufWith(kernels[0])
			side(b, 2*m*n*k, func() {
				kernelGemm(buf, p.tA, p.tB, m, n, k, a, lda, bm, ldb, 0, c, n)
			}, func() {
				netlib.Implementation{}.Dgemm(p.tA, p.tB, m, n, k, 1, a, lda, bm, ldb, 0, c, n)
			})
		})
		a32, b32, c32 := toFloat32(a), toFloat32(bm), make([]float32, m*n)
		b.Run("f32/"+p.name, func(b *testing.B) {
			buf := newSgemmBuf()
			side(b, 2*m*n*k, func() {
				sgemm(buf, p.tA, p.tB, m, n, k, a32, lda, b32, ldb, 0, c32, n)
			}, func() {
				netlib.Implementation{}.Sgemm(p.tA, p.tB, m, n, k, 1, a32, lda, b32, ldb, 0, c32, n)
			})
		})
	}
}

// side times ours and theirs alternately, b.N times each, and reports the GFLOP/s of the
// fastest run of each and the ratio ours/theirs.
func side(b *testing.B, flops int, ours, theirs func()) {
	b.ReportAllocs()
	best := [2]time.Duration{time.Hour, time.Hour}
	for b.Loop() {
		for i, f := range []func(){ours, theirs} {
			t := time.Now()
			f()
			best[i] = min(best[i], time.Since(t))
		}
	}
	b.ReportMetric(float64(flops)/best[0].Seconds()/1e9, "go-GFLOP/s")
	b.ReportMetric(float64(flops)/best[1].Seconds()/1e9, "openblas-GFLOP/s")
	b.ReportMetric(best[1].Seconds()/best[0].Seconds(), "ratio")
}
