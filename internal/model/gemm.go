package model

import (
	"math"
	"unsafe"

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
// on buf's threads (Threaded): on the Zen 3 EPYC, 0.9–1.1× OpenBLAS's Haswell kernels on one
// thread for the products of an MLP step (BenchmarkGemmVsOpenBLAS), 5–8× gonum; with buf nil,
// gonum's Dgemm in serial tiles. Another implementation set with blas64.Use (OpenBLAS in the
// netlib build) gets one call per product.
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

// usesKernel reports whether gemm runs the packed kernel with buf.
func usesKernel(buf *gemmBuf) bool {
	_, isGonum := blas64.Implementation().(gonum.Implementation)
	return isGonum && buf != nil
}

// newGemmBuf returns the packing space of the fastest micro-kernel of this CPU, or nil when
// this build or CPU has none or another BLAS implementation is in use.
func newGemmBuf() *gemmBuf {
	if _, ok := blas64.Implementation().(gonum.Implementation); !ok || len(kernels) == 0 {
		return nil
	}
	buf := newGemmBufWith(kernels[0])
	buf.skinny = skinnySIMD
	return buf
}

// gemmBufBytes returns the bytes newGemmBuf allocates (one thread's packing space), 0 where it
// returns nil: what Footprint should count for the kernel. SetThreads(n) adds n − 1 times
// unsafe.Sizeof(gemmSpace[float64]{}).
func gemmBufBytes() int64 {
	if _, ok := blas64.Implementation().(gonum.Implementation); !ok || len(kernels) == 0 {
		return 0
	}
	return int64(unsafe.Sizeof(gemmBuf{}))
}

// blasForward sets z (n×out) = x (n×in) · wᵀ + b, where w is out×in.
func blasForward(buf *gemmBuf, n, in, out int, x, w, b, z []float64) {
	for i := range n {
		copy(z[i*out:i*out+out], b)
	}
	if skinnyOK(buf, out) {
		skinnyForward(buf, n, in, out, x, w, z)
		return
	}
	gemm(buf, blas.NoTrans, blas.Trans, n, out, in, x, in, w, in, 1, z, out)
}

// blasGradW sets gw (out×in) = dzᵀ (out×n) · a (n×in).
func blasGradW(buf *gemmBuf, n, in, out int, dz, a, gw []float64) {
	if skinnyOK(buf, out) {
		skinnyGradWOf(buf, n, in, out, dz, a, gw)
		return
	}
	gemm(buf, blas.Trans, blas.NoTrans, out, in, n, dz, out, a, in, 0, gw, in)
}

// blasGradX sets dx (n×in) = dz (n×out) · w (out×in).
func blasGradX(buf *gemmBuf, n, in, out int, dz, w, dx []float64) {
	gemm(buf, blas.NoTrans, blas.NoTrans, n, in, out, dz, out, w, in, 0, dx, in)
}

// The plain loops of small layers. They give bit-for-bit the results of the straightforward
// loops (ref_test.go): every output is the same sequence of float64 operations in the same
// order — a sum starts at +0 and adds its terms in order of the input (loopForward), row
// (loopGradWB) or output (loopGradX) — only the loops around them are rearranged to keep
// several independent sums in registers. They have no data-dependent branches: the ReLU and the
// skipping of zero deltas use bit masks (maskIf compiles to a conditional move), as mispredicted
// branches on the signs of activations cost more than the arithmetic of a 2-16-1 network.

// maskIf returns all ones when c holds and 0 otherwise, without a branch.
// transposeInto writes the transpose of src (rows×cols, row-major) into dst (cols×rows):
// dst[k·rows + j] = src[j·cols + k].
func transposeInto[T Float](dst, src []T, rows, cols int) {
	dst = dst[:rows*cols]
	for j := range rows {
		for k, v := range src[j*cols : j*cols+cols] {
			dst[k*rows+j] = v
		}
	}
}

func maskIf(c bool) uint64 {
	var m uint64
	if c {
		m = ^uint64(0)
	}
	return m
}

// relu returns +0 for v < 0 and v otherwise (−0 and NaN pass), as activate does.
func relu(v float64) float64 {
	return math.Float64frombits(math.Float64bits(v) & maskIf(!(v < 0)))
}

// unlessZero returns v, or +0 when d == 0: d·unlessZero(d, v) is then a signed zero, which
// leaves a sum unchanged exactly as skipping the term would (the sums here start at +0 and so
// are never −0), also when v is ±Inf or NaN.
func unlessZero(d, v float64) float64 {
	return math.Float64frombits(math.Float64bits(v) & maskIf(d != 0))
}

// loopForward is blasForward with plain loops, with the ReLU applied when withReLU: each output
// is b + (((0 + x₀w₀) + x₁w₁) + …). Blocks of four outputs run over all rows with their weights
// held (in registers for in == 2); the outputs left over (out mod 4, e.g. the single output of
// a regression) go four rows at a time.
//
// wt is scratch space for the AVX2 loop, used when out is a multiple of 4 and wt holds in×out values.
func loopForward(n, in, out int, x, w, b, z []float64, withReLU bool, wt []float64) {
	w = w[:out*in]
	b = b[:out]
	x = x[:n*in]
	z = z[:n*out]
	if smallSIMD && out%4 == 0 && n > 0 && len(wt) >= in*out {
		wt = wt[:in*out]
		transposeInto(wt, w, out, in)
		relu := 0
		if withReLU {
			relu = 1
		}
		if out%16 == 0 {
			smallForward16AVX2(n, in, out, &x[0], &wt[0], &b[0], &z[0], relu)
		} else {
			smallForwardAVX2(n, in, out, &x[0], &wt[0], &b[0], &z[0], relu)
		}
		return
	}
	j4 := out &^ 3
	for j := 0; j < j4; j += 4 {
		w0 := w[j*in : j*in+in]
		w1 := w[(j+1)*in : (j+1)*in+in]
		w2 := w[(j+2)*in : (j+2)*in+in]
		w3 := w[(j+3)*in : (j+3)*in+in]
		w1, w2, w3 = w1[:len(w0)], w2[:len(w0)], w3[:len(w0)]
		b0, b1, b2, b3 := b[j], b[j+1], b[j+2], b[j+3]
		if in == 2 { // the first layer of a network on 2-d points: weights in registers
			w00, w01, w10, w11 := w0[0], w0[1], w1[0], w1[1]
			w20, w21, w30, w31 := w2[0], w2[1], w3[0], w3[1]
			for i := range n {
				xi := x[2*i : 2*i+2 : 2*i+2]
				x0, x1 := xi[0], xi[1]
				var s0, s1, s2, s3 float64
				s0 += x0 * w00
				s1 += x0 * w10
				s2 += x0 * w20
				s3 += x0 * w30
				s0 += x1 * w01
				s1 += x1 * w11
				s2 += x1 * w21
				s3 += x1 * w31
				s0, s1, s2, s3 = b0+s0, b1+s1, b2+s2, b3+s3
				if withReLU {
					s0, s1, s2, s3 = relu(s0), relu(s1), relu(s2), relu(s3)
				}
				zj := z[i*out+j : i*out+j+4 : i*out+j+4]
				zj[0], zj[1], zj[2], zj[3] = s0, s1, s2, s3
			}
			continue
		}
		for i := range n {
			xi := x[i*in : i*in+in]
			xi = xi[:len(w0)]
			var s0, s1, s2, s3 float64
			for k, v := range xi {
				s0 += v * w0[k]
				s1 += v * w1[k]
				s2 += v * w2[k]
				s3 += v * w3[k]
			}
			s0, s1, s2, s3 = b0+s0, b1+s1, b2+s2, b3+s3
			if withReLU {
				s0, s1, s2, s3 = relu(s0), relu(s1), relu(s2), relu(s3)
			}
			zj := z[i*out+j : i*out+j+4 : i*out+j+4]
			zj[0], zj[1], zj[2], zj[3] = s0, s1, s2, s3
		}
	}
	for j := j4; j < out; j++ {
		wj := w[j*in : j*in+in]
		bj := b[j]
		i := 0
		if smallSIMD && out == 1 && in%4 == 0 && n >= 4 { // the output of a regression
			relu := 0
			if withReLU {
				relu = 1
			}
			i = n &^ 3
			smallForward1AVX2(i, in, &x[0], &wj[0], bj, &z[0], relu)
		}
		for ; i+4 <= n; i += 4 {
			x0 := x[i*in : i*in+in]
			x1 := x[(i+1)*in : (i+1)*in+in]
			x2 := x[(i+2)*in : (i+2)*in+in]
			x3 := x[(i+3)*in : (i+3)*in+in]
			x0, x1, x2, x3 = x0[:len(wj)], x1[:len(wj)], x2[:len(wj)], x3[:len(wj)]
			var s0, s1, s2, s3 float64
			for k, v := range wj {
				s0 += x0[k] * v
				s1 += x1[k] * v
				s2 += x2[k] * v
				s3 += x3[k] * v
			}
			s0, s1, s2, s3 = bj+s0, bj+s1, bj+s2, bj+s3
			if withReLU {
				s0, s1, s2, s3 = relu(s0), relu(s1), relu(s2), relu(s3)
			}
			z[i*out+j] = s0
			z[(i+1)*out+j] = s1
			z[(i+2)*out+j] = s2
			z[(i+3)*out+j] = s3
		}
		for ; i < n; i++ {
			xi := x[i*in : i*in+in]
			xi = xi[:len(wj)]
			var s float64
			for k, v := range wj {
				s += xi[k] * v
			}
			s = bj + s
			if withReLU {
				s = relu(s)
			}
			z[i*out+j] = s
		}
	}
}

// loopGradWB is blasGradW followed by colSums with plain loops: gw[j][k] = Σᵢ dz[i][j]·a[i][k]
// over the rows in order, skipping rows with dz[i][j] == 0, and gb[j] = Σᵢ dz[i][j]. Blocks of
// four outputs × two inputs (or, for outputs left over, eight inputs) keep their sums in
// registers across the rows.
//
// gt is scratch space for the AVX2 loop, used when out is a multiple of 4 and gt holds in×out values.
func loopGradWB(n, in, out int, dz, a, gw, gb, gt []float64) {
	dz = dz[:n*out]
	a = a[:n*in]
	gw = gw[:out*in]
	gb = gb[:out]
	if smallSIMD && out%4 == 0 && n > 0 && len(gt) >= in*out {
		gt = gt[:in*out]
		smallGradWAVX2(n, in, out, &dz[0], &a[0], &gt[0], &gb[0])
		for j := range out {
			g := gw[j*in : j*in+in]
			for k := range g {
				g[k] = gt[k*out+j]
			}
		}
		return
	}
	if smallSIMD && in%4 == 0 && n > 0 { // e.g. the output layer of a regression
		smallGradWkAVX2(n, in, out, &dz[0], &a[0], &gw[0])
		for j := range out {
			var bj float64
			for i := range n {
				bj += dz[i*out+j]
			}
			gb[j] = bj
		}
		return
	}
	j := 0
	for ; j+4 <= out; j += 4 {
		var b0, b1, b2, b3 float64
		for i := range n {
			d := dz[i*out+j : i*out+j+4 : i*out+j+4]
			b0 += d[0]
			b1 += d[1]
			b2 += d[2]
			b3 += d[3]
		}
		gb[j], gb[j+1], gb[j+2], gb[j+3] = b0, b1, b2, b3
		g0 := gw[j*in : j*in+in]
		g1 := gw[(j+1)*in : (j+1)*in+in]
		g2 := gw[(j+2)*in : (j+2)*in+in]
		g3 := gw[(j+3)*in : (j+3)*in+in]
		k := 0
		for ; k+2 <= in; k += 2 {
			var s00, s01, s10, s11, s20, s21, s30, s31 float64
			for i := range n {
				d := dz[i*out+j : i*out+j+4 : i*out+j+4]
				ai := a[i*in+k : i*in+k+2 : i*in+k+2]
				a0, a1 := ai[0], ai[1]
				d0, d1, d2, d3 := d[0], d[1], d[2], d[3]
				if t := a0 + a1; t-t == 0 { // a0, a1 finite: d·a is ±0 when d is, no mask needed
					s00 += d0 * a0
					s01 += d0 * a1
					s10 += d1 * a0
					s11 += d1 * a1
					s20 += d2 * a0
					s21 += d2 * a1
					s30 += d3 * a0
					s31 += d3 * a1
					continue
				}
				s00 += d0 * unlessZero(d0, a0)
				s01 += d0 * unlessZero(d0, a1)
				s10 += d1 * unlessZero(d1, a0)
				s11 += d1 * unlessZero(d1, a1)
				s20 += d2 * unlessZero(d2, a0)
				s21 += d2 * unlessZero(d2, a1)
				s30 += d3 * unlessZero(d3, a0)
				s31 += d3 * unlessZero(d3, a1)
			}
			g0[k], g0[k+1] = s00, s01
			g1[k], g1[k+1] = s10, s11
			g2[k], g2[k+1] = s20, s21
			g3[k], g3[k+1] = s30, s31
		}
		if k < in {
			var s0, s1, s2, s3 float64
			for i := range n {
				d := dz[i*out+j : i*out+j+4 : i*out+j+4]
				v := a[i*in+k]
				d0, d1, d2, d3 := d[0], d[1], d[2], d[3]
				s0 += d0 * unlessZero(d0, v)
				s1 += d1 * unlessZero(d1, v)
				s2 += d2 * unlessZero(d2, v)
				s3 += d3 * unlessZero(d3, v)
			}
			g0[k], g1[k], g2[k], g3[k] = s0, s1, s2, s3
		}
	}
	for ; j < out; j++ {
		var bj float64
		for i := range n {
			bj += dz[i*out+j]
		}
		gb[j] = bj
		g := gw[j*in : j*in+in]
		k := 0
		for ; k+8 <= in; k += 8 {
			var s0, s1, s2, s3, s4, s5, s6, s7 float64
			for i := range n {
				d := dz[i*out+j]
				ai := a[i*in+k : i*in+k+8 : i*in+k+8]
				if t := ai[0] + ai[1] + ai[2] + ai[3] + ai[4] + ai[5] + ai[6] + ai[7]; t-t == 0 {
					s0 += d * ai[0]
					s1 += d * ai[1]
					s2 += d * ai[2]
					s3 += d * ai[3]
					s4 += d * ai[4]
					s5 += d * ai[5]
					s6 += d * ai[6]
					s7 += d * ai[7]
					continue
				}
				m := maskIf(d != 0)
				s0 += d * math.Float64frombits(math.Float64bits(ai[0])&m)
				s1 += d * math.Float64frombits(math.Float64bits(ai[1])&m)
				s2 += d * math.Float64frombits(math.Float64bits(ai[2])&m)
				s3 += d * math.Float64frombits(math.Float64bits(ai[3])&m)
				s4 += d * math.Float64frombits(math.Float64bits(ai[4])&m)
				s5 += d * math.Float64frombits(math.Float64bits(ai[5])&m)
				s6 += d * math.Float64frombits(math.Float64bits(ai[6])&m)
				s7 += d * math.Float64frombits(math.Float64bits(ai[7])&m)
			}
			gk := g[k : k+8 : k+8]
			gk[0], gk[1], gk[2], gk[3], gk[4], gk[5], gk[6], gk[7] = s0, s1, s2, s3, s4, s5, s6, s7
		}
		for ; k < in; k++ {
			var s float64
			for i := range n {
				d := dz[i*out+j]
				s += d * unlessZero(d, a[i*in+k])
			}
			g[k] = s
		}
	}
}

// finiteSum reports that the values of s are finite (a sum of finite values may overflow, so
// false does not mean that one is not).
func finiteSum(s []float64) bool {
	var t float64
	for _, v := range s {
		t += v
	}
	return t-t == 0
}

// loopGradX is blasGradX with plain loops: dx[i][k] = Σⱼ dz[i][j]·w[j][k] over the outputs in
// order, skipping outputs with dz[i][j] == 0. With reluOf non-nil (n×in, the ReLU activations
// that were the layer's input) it also applies activateBackward, writing over reluOf; dx is then
// scratch space.
func loopGradX(n, in, out int, dz, w, dx, reluOf []float64) {
	w = w[:out*in]
	dz = dz[:n*out]
	dx = dx[:n*in]
	if reluOf != nil {
		reluOf = reluOf[:n*in]
	}
	if smallSIMD && in%4 == 0 && n > 0 {
		a, relu := &dx[0], 0
		if reluOf != nil {
			a, relu = &reluOf[0], 1
		}
		if in%16 == 0 {
			smallGradX16AVX2(n, in, out, &dz[0], &w[0], &dx[0], a, relu)
		} else {
			smallGradXAVX2(n, in, out, &dz[0], &w[0], &dx[0], a, relu)
		}
		return
	}
	// With finite weights a zero delta adds ±0 to sums that are never −0: no mask needed.
	var keep uint64
	if finiteSum(w) {
		keep = ^uint64(0)
	}
	w0 := w[:in]
	for i := range n {
		dxi := dx[i*in : i*in+in]
		dzi := dz[i*out : i*out+out]
		dxi = dxi[:len(w0)]
		d := dzi[0]
		m := maskIf(d != 0) | keep
		if out == 1 && reluOf != nil {
			ai := reluOf[i*in : i*in+in]
			ai = ai[:len(w0)]
			for k, v := range w0 {
				var s float64
				s += d * math.Float64frombits(math.Float64bits(v)&m)
				ai[k] = math.Float64frombits(math.Float64bits(s) & maskIf(ai[k] > 0))
			}
			continue
		}
		for k, v := range w0 {
			var s float64
			s += d * math.Float64frombits(math.Float64bits(v)&m)
			dxi[k] = s
		}
		for j := 1; j < len(dzi); j++ {
			d := dzi[j]
			m := maskIf(d != 0) | keep
			wj := w[j*in : j*in+in]
			wj = wj[:len(dxi)]
			for k, v := range wj {
				dxi[k] += d * math.Float64frombits(math.Float64bits(v)&m)
			}
		}
		if reluOf != nil {
			ai := reluOf[i*in : i*in+in]
			ai = ai[:len(dxi)]
			for k, v := range ai {
				ai[k] = math.Float64frombits(math.Float64bits(dxi[k]) & maskIf(v > 0))
			}
		}
	}
}
