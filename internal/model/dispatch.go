package model

import "gonum.org/v1/gonum/blas"

// The products and activations of a layer in precision T, for the code written once for both
// (the net of net*.go): float64 takes gemm.go's products on buf and act.go's activations,
// exactly as the float64 code calls them; float32 takes the float32 kernel on sbuf and
// network32.go's activations.

// kernelsOf returns the packing spaces a model of precision T uses.
func kernelsOf[T Float]() (*gemmBuf, *sgemmBuf) {
	if _, f32 := any(T(0)).(float32); f32 {
		return nil, newSgemmBuf()
	}
	return newGemmBuf(), nil
}

// denseForward sets z (n×out) = x (n×in) · wᵀ + b, where w is out×in.
func denseForward[T Float](buf *gemmBuf, sbuf *sgemmBuf, n, in, out int, x, w, b, z []T) {
	if z64, ok := any(z).([]float64); ok {
		blasForward(buf, n, in, out, any(x).([]float64), any(w).([]float64), any(b).([]float64), z64)
		return
	}
	z32 := any(z).([]float32)
	for i := range n {
		copy(z32[i*out:i*out+out], any(b).([]float32))
	}
	sgemm(sbuf, blas.NoTrans, blas.Trans, n, out, in, any(x).([]float32), in, any(w).([]float32), in, 1, z32, out)
}

// denseGradW sets gw (out×in) = dzᵀ (out×n) · a (n×in).
func denseGradW[T Float](buf *gemmBuf, sbuf *sgemmBuf, n, in, out int, dz, a, gw []T) {
	if g64, ok := any(gw).([]float64); ok {
		blasGradW(buf, n, in, out, any(dz).([]float64), any(a).([]float64), g64)
		return
	}
	sgemm(sbuf, blas.Trans, blas.NoTrans, out, in, n, any(dz).([]float32), out, any(a).([]float32), in, 0, any(gw).([]float32), in)
}

// denseGradX sets dx (n×in) = dz (n×out) · w (out×in).
func denseGradX[T Float](buf *gemmBuf, sbuf *sgemmBuf, n, in, out int, dz, w, dx []T) {
	if d64, ok := any(dx).([]float64); ok {
		blasGradX(buf, n, in, out, any(dz).([]float64), any(w).([]float64), d64)
		return
	}
	sgemm(sbuf, blas.NoTrans, blas.NoTrans, n, in, out, any(dz).([]float32), out, any(w).([]float32), in, 0, any(dx).([]float32), in)
}

// gemmOf is gemm (float64) or sgemm (float32): C = op(A)·op(B) + beta·C.
func gemmOf[T Float](buf *gemmBuf, sbuf *sgemmBuf, tA, tB blas.Transpose, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if c64, ok := any(c).([]float64); ok {
		gemm(buf, tA, tB, m, n, k, any(a).([]float64), lda, any(b).([]float64), ldb, float64(beta), c64, ldc)
		return
	}
	sgemm(sbuf, tA, tB, m, n, k, any(a).([]float32), lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
}

// activateOf applies the activation to z in place.
func activateOf[T Float](act activation, z []T) {
	if z64, ok := any(z).([]float64); ok {
		activate(act, z64)
		return
	}
	activate32(act, any(z).([]float32))
}

// activateBackwardOf is activateBackward in precision T.
func activateBackwardOf[T Float](act activation, a, da []T) {
	if a64, ok := any(a).([]float64); ok {
		activateBackward(act, a64, any(da).([]float64))
		return
	}
	activateBackward32(act, any(a).([]float32), any(da).([]float32))
}
