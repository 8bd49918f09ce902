//go:build !purego && !netlib

package model

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// The assembly micro-kernels of kernel_amd64.s; see microKernel for what they compute.
//
//go:noescape
func kern4x12(k int, ap, bp *float64, t *[maxTile]float64)

//go:noescape
func kern8x24(k int, ap, bp *float64, t *[maxTile]float64)

var (
	avx2Kernel   = microKernel{"avx2", 4, 12, kern4x12}
	avx512Kernel = microKernel{"avx512", 8, 24, kern8x24}
)

// kernels are the micro-kernels this CPU can run, fastest first.
var kernels = func() []microKernel {
	var ks []microKernel
	if cpu.X86.HasAVX512F {
		ks = append(ks, avx512Kernel)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, avx2Kernel)
	}
	return ks
}()

func unsafeSlice(p *float64, n int) []float64 { return unsafe.Slice(p, n) }
