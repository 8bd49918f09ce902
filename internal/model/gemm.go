package model

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// smallLayer is the largest in×out of a layer computed with plain loops instead of BLAS. For
// tiny layers (the 2-16-1 networks of the lectures) the per-call and per-row overhead of Dgemm
// dominates: a 2→16 layer at batch 32 took ≈ 4.5 µs with loops and ≈ 5.5–10 µs through Dgemm,
// the two broke even near 16×16 and 32×16, and Dgemm won from 64×16 up (BenchmarkLayerPaths).
const smallLayer = 256

// Tiles of C for gonum's Dgemm. gonum computes C in 64×64 blocks and, when C has 4 blocks or
// more, starts goroutines for them, which allocates. Calling it on tiles of at most
// tileRows×tileCols (3 blocks) keeps every call serial and allocation-free. It was also faster:
// the three products of a 784→256 layer at batch 128 ran at ≈ 9.8 GFLOP/s in serial tiles against
// ≈ 6.4–7.1 GFLOP/s (and 178 allocations) through gonum's goroutines on 2 cores
// (BenchmarkGemmTiles). Models are meant to run one per goroutine (sweep workers), so
// BLAS-level threads would only compete with them. Other implementations (blas64.Use, e.g.
// OpenBLAS through gonum/netlib) get one call per product.
const (
	tileRows = 64
	tileCols = 192
)

// gemm computes C = op(A)·op(B) + beta·C: op(A) is m×k, op(B) k×n, C m×n, all row-major. With
// blas64's default (gonum) implementation and a packing space buf (newGemmBuf gives one on
// amd64 CPUs with AVX-512 or AVX2 and FMA) it runs the packed assembly kernels of kernel.go,
// 3–6× faster than gonum; with buf nil, gonum's Dgemm in serial tiles. Another implementation
// set with blas64.Use (OpenBLAS in the netlib build) gets one call per product.
func gemm(buf *gemmBuf, tA, tB blas.Transpose, m, n, k int, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	impl := blas64.Implementation()
	_, isGonum := impl.(gonum.Implementation)
	if isGonum && buf != nil {
		kernelGemm(buf, tA, tB, m, n, k, a, lda, b, ldb, beta, c, ldc)
		return
	}
	if !isGonum || (m <= tileRows && n <= tileCols) {
		impl.Dgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, beta, c, ldc)
		return
	}
	for i := 0; i < m; i += tileRows {
		mi := min(tileRows, m-i)
		var ai []float64
		if tA == blas.NoTrans {
			ai = a[i*lda:] // rows i.. of A
		} else {
			ai = a[i:] // columns i.. of the stored k×m matrix
		}
		for j := 0; j < n; j += tileCols {
			nj := min(tileCols, n-j)
			var bj []float64
			if tB == blas.NoTrans {
				bj = b[j:] // columns j.. of B
			} else {
				bj = b[j*ldb:] // rows j.. of the stored n×k matrix
			}
			impl.Dgemm(tA, tB, mi, nj, k, 1, ai, lda, bj, ldb, beta, c[i*ldc+j:], ldc)
		}
	}
}

// newGemmBuf returns the packing space of the fastest micro-kernel of this CPU, or nil when
// this build or CPU has none or another BLAS implementation is in use.
func newGemmBuf() *gemmBuf {
	if _, ok := blas64.Implementation().(gonum.Implementation); !ok || len(kernels) == 0 {
		return nil
	}
	return &gemmBuf{kern: kernels[0]}
}

// blasForward sets z (n×out) = x (n×in) · wᵀ + b, where w is out×in.
func blasForward(buf *gemmBuf, n, in, out int, x, w, b, z []float64) {
	for i := range n {
		copy(z[i*out:i*out+out], b)
	}
	gemm(buf, blas.NoTrans, blas.Trans, n, out, in, x, in, w, in, 1, z, out)
}

// blasGradW sets gw (out×in) = dzᵀ (out×n) · a (n×in).
func blasGradW(buf *gemmBuf, n, in, out int, dz, a, gw []float64) {
	gemm(buf, blas.Trans, blas.NoTrans, out, in, n, dz, out, a, in, 0, gw, in)
}

// blasGradX sets dx (n×in) = dz (n×out) · w (out×in).
func blasGradX(buf *gemmBuf, n, in, out int, dz, w, dx []float64) {
	gemm(buf, blas.NoTrans, blas.NoTrans, n, in, out, dz, out, w, in, 0, dx, in)
}

// loopForward is blasForward with plain loops, four outputs at a time so that each load of x
// serves four weights.
func loopForward(n, in, out int, x, w, b, z []float64) {
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

// loopGradW is blasGradW with plain loops.
func loopGradW(n, in, out int, dz, a, gw []float64) {
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

// loopGradX is blasGradX with plain loops.
func loopGradX(n, in, out int, dz, w, dx []float64) {
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
