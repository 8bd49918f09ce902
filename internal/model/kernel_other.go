//go:build !amd64 || purego || netlib

package model

// Without the assembly kernels gemm uses gonum's Dgemm, and sgemm the plain-Go kernel.
var (
	kernels   []microKernel
	kernels32 []gemmKernel[float32]

	transpose4  func(kc int, src *float64, lds int, dst *float64, ldd int)
	transpose12 func(kc int, src *float64, lds int, dst *float64)
	copy4       func(kc int, src *float64, lds int, dst *float64)
	copy12      func(kc int, src *float64, lds int, dst *float64)

	transpose24s func(kc int, src *float32, lds int, dst *float32)
	copy24s      func(kc int, src *float32, lds int, dst *float32)
)
