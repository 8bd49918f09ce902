package model

import "gonum.org/v1/gonum/blas"

// The float32 product: the packed kernel of kernel.go on float32 panels (8 values per AVX2
// register, 4×24 tiles), with the float64 product's blocking, order of sums and threads. A
// float32 network (network32.go) keeps one sgemmBuf as a float64 one keeps its gemmBuf.

// sgemmBuf is the packing space of float32 products.
type sgemmBuf = gemmCore[float32]

// goKernel32 is the plain-Go float32 kernel, for CPUs without AVX2 and FMA.
var goKernel32 = gemmKernel[float32]{"go", 4, 12, true, kernGo[float32], nil}

// kernel32 is the fastest float32 kernel of this CPU.
func kernel32() gemmKernel[float32] { return append(kernels32, goKernel32)[0] }

// newSgemmBuf returns the packing space of the fastest float32 kernel of this CPU.
func newSgemmBuf() *sgemmBuf { return newSgemmBufWith(kernel32()) }

func newSgemmBufWith(kern gemmKernel[float32]) *sgemmBuf {
	buf := &sgemmBuf{kern: kern}
	buf.mc, buf.nc = cacheBlocking(4)
	return buf
}

// sgemm computes C = op(A)·op(B) + beta·C in float32: op(A) is m×k, op(B) k×n, C m×n, all
// row-major.
func sgemm(buf *sgemmBuf, tA, tB blas.Transpose, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	buf.gemm(&gemmArgs[float32]{tA == blas.Trans, tB == blas.Trans, m, n, k, a, lda, b, ldb, beta, c, ldc})
}

// BLAS32 reports the backend of float32 products: the packed float32 kernel, in every build
// (the netlib build sends only float64 products to OpenBLAS).
func BLAS32() BLASInfo {
	return BLASInfo{Name: "pure Go, " + kernel32().name + " float32 kernel", Threads: 1}
}
