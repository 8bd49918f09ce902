//go:build !purego

package optim

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// The AVX2 loops of vec_amd64.s, for the element-wise updates of sgd, momentum, nesterov,
// adam and adamw in both precisions. Each computes what the Go loop computes, lane by lane,
// with the same roundings: the vector part covers the largest multiple of 4 (float64) or 8
// (float32) values, and the Go loop does the rest.

//go:noescape
func sgdStepD(n int, p, grad, c unsafe.Pointer, flags int)

//go:noescape
func sgdStepS(n int, p, grad, c unsafe.Pointer, flags int)

//go:noescape
func heavyBallD(n int, p, grad, b, c unsafe.Pointer, flags int)

//go:noescape
func heavyBallS(n int, p, grad, b, c unsafe.Pointer, flags int)

//go:noescape
func adamD(n int, p, grad, m, v, c unsafe.Pointer, flags int)

//go:noescape
func adamS(n int, p, grad, m, v, c unsafe.Pointer, flags int)

// useVec turns the assembly on; the tests turn it off to run the Go loops alone.
var useVec = cpu.X86.HasAVX2

// vecLen is how many of n values the assembly updates: 0 without it.
func vecLen[T Float](n int) int {
	if !useVec {
		return 0
	}
	return n &^ (32/int(unsafe.Sizeof(T(0))) - 1)
}

func ptr[T Float](x []T) unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(x)) }

func sgdVec[T Float](params, g []T, c *[2]T, flags int) int {
	n := vecLen[T](len(params))
	if n == 0 {
		return 0
	}
	if unsafe.Sizeof(T(0)) == 4 {
		sgdStepS(n, ptr(params), ptr(g), unsafe.Pointer(c), flags)
	} else {
		sgdStepD(n, ptr(params), ptr(g), unsafe.Pointer(c), flags)
	}
	return n
}

func heavyBallVec[T Float](params, g, b []T, c *[4]T, flags int) int {
	n := vecLen[T](len(params))
	if n == 0 {
		return 0
	}
	if unsafe.Sizeof(T(0)) == 4 {
		heavyBallS(n, ptr(params), ptr(g), ptr(b), unsafe.Pointer(c), flags)
	} else {
		heavyBallD(n, ptr(params), ptr(g), ptr(b), unsafe.Pointer(c), flags)
	}
	return n
}

func adamVec[T Float](params, g, m, v []T, c *adamCoefs[T], flags int) int {
	n := vecLen[T](len(params))
	if n == 0 {
		return 0
	}
	if unsafe.Sizeof(T(0)) == 4 {
		adamS(n, ptr(params), ptr(g), ptr(m), ptr(v), unsafe.Pointer(c), flags)
	} else {
		adamD(n, ptr(params), ptr(g), ptr(m), ptr(v), unsafe.Pointer(c), flags)
	}
	return n
}
