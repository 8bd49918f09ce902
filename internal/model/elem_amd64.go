//go:build !purego && !netlib

package model

import "unsafe"

// The AVX2 ReLU passes of elem_amd64.s (see elem.go).
//
//go:noescape
func relu32AVX2(z *float32, n int)

//go:noescape
func relu64AVX2(z *float64, n int)

//go:noescape
func reluBack32AVX2(a, da *float32, n int)

//go:noescape
func reluBack64AVX2(a, da *float64, n int)

// reluVec applies relu to the first values of z, a multiple of a register's, and returns how
// many; 0 without AVX2.
func reluVec[T Float](z []T) int {
	per := 32 / int(unsafe.Sizeof(z[0]))
	n := len(z) &^ (per - 1)
	if !hasAVX2 || n == 0 {
		return 0
	}
	if per == 8 {
		relu32AVX2((*float32)(unsafe.Pointer(&z[0])), n)
	} else {
		relu64AVX2((*float64)(unsafe.Pointer(&z[0])), n)
	}
	return n
}

// reluBackVec is reluVec for the backward pass: a[i] = da[i] where a[i] > 0, +0 elsewhere.
// len(a) ≥ len(da).
func reluBackVec[T Float](a, da []T) int {
	per := 32 / int(unsafe.Sizeof(da[0]))
	n := len(da) &^ (per - 1)
	if !hasAVX2 || n == 0 {
		return 0
	}
	_ = a[n-1]
	if per == 8 {
		reluBack32AVX2((*float32)(unsafe.Pointer(&a[0])), (*float32)(unsafe.Pointer(&da[0])), n)
	} else {
		reluBack64AVX2((*float64)(unsafe.Pointer(&a[0])), (*float64)(unsafe.Pointer(&da[0])), n)
	}
	return n
}
