//go:build !amd64 || purego || netlib

package model

import "unsafe"

// kernels is empty without the assembly kernels: gemm uses gonum's Dgemm.
var kernels []microKernel

func unsafeSlice(p *float64, n int) []float64 { return unsafe.Slice(p, n) }
