//go:build !purego && !netlib

package model

import "golang.org/x/sys/cpu"

// The assembly micro-kernels of kernel_amd64.s; see gemmKernel for what the AVX2 ones compute.
//
//go:noescape
func kern4x12(k int, a *float64, rsa, csa int, b *float64, csb int, c *float64, ldc int, store int)

//go:noescape
func kern4x24s(k int, a *float32, rsa, csa int, b *float32, csb int, c *float32, ldc int, store int)

// kern8x24 sets t (8×24, row-major) to Σ_p ap[p·8 : p·8+8]ᵀ · bp[p·24 : p·24+24] over k ≥ 1
// steps, from packed panels.
//
//go:noescape
func kern8x24(k int, ap, bp *float64, t *[maxTile]float64)

var (
	avx2Kernel = microKernel{"avx2", 4, 12, true, kern4x12, []microKernel{
		{"avx2-4x4", 4, 4, true, kern4x4, nil}, {"avx2-4x8", 4, 8, true, kern4x8, nil}}}
	avx512Kernel = microKernel{"avx512", 8, 24, false, tileKernel(8, 24, kern8x24), nil}
	avx2Kernel32 = gemmKernel[float32]{"avx2", 4, 24, true, kern4x24s, []gemmKernel[float32]{
		{"avx2-4x8", 4, 8, true, kern4x8s, nil}, {"avx2-4x16", 4, 16, true, kern4x16s, nil}}}
)

// packN4 is packN12 for rows of 4 values.
//
//go:noescape
func packN4(kc int, src *float64, lds int, dst *float64)

// transpose4, transpose12, copy4, copy12, transpose24s and copy24s are packT4, packT12,
// packN4, packN12, packT24s and packN24s where the CPU has AVX.
var (
	transpose4   = ifAVX(packT4)
	transpose12  = ifAVX(packT12)
	copy4        = ifAVX(packN4)
	copy12       = ifAVX(packN12)
	transpose24s = ifAVX(packT24s)
	copy24s      = ifAVX(packN24s)
)

// packT24s packs a full 24-column panel of a transposed float32 B, kc a multiple of 8:
// dst[p·24 + r] = src[r·lds + p] for r < 24, p < kc (pack32_amd64.s).
//
//go:noescape
func packT24s(kc int, src *float32, lds int, dst *float32)

// packN24s copies kc rows of 24 float32 values, lds apart in src, one after the other into dst.
//
//go:noescape
func packN24s(kc int, src *float32, lds int, dst *float32)

func ifAVX[F any](f F) F {
	if !cpu.X86.HasAVX {
		var none F
		return none
	}
	return f
}

// hasAVX2 reports AVX2 with FMA, which the AVX2 kernels need.
var hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// kernels are the float64 micro-kernels this CPU can run, fastest first.
var kernels = func() []microKernel {
	var ks []microKernel
	if cpu.X86.HasAVX512F {
		ks = append(ks, avx512Kernel)
	}
	if hasAVX2 {
		ks = append(ks, avx2Kernel)
	}
	return ks
}()

// kernels32 are the float32 micro-kernels this CPU can run, fastest first.
var kernels32 = func() []gemmKernel[float32] {
	if hasAVX2 {
		return []gemmKernel[float32]{avx2Kernel32}
	}
	return nil
}()

// packT4 writes 4 rows of src (kc values each, lds apart) side by side into dst, 4 values every
// ldd: dst[p·ldd + r] = src[r·lds + p], the transposing part of packing op(B) = bᵀ.
//
//go:noescape
func packT4(kc int, src *float64, lds int, dst *float64, ldd int)

// packN12 copies kc rows of 12 values, lds apart in src, one after the other into dst.
//
//go:noescape
func packN12(kc int, src *float64, lds int, dst *float64)

// The narrow kernels of kernel_amd64.s, for the last panel of B.

//go:noescape
func kern4x8(k int, a *float64, rsa, csa int, b *float64, csb int, c *float64, ldc int, store int)

//go:noescape
func kern4x4(k int, a *float64, rsa, csa int, b *float64, csb int, c *float64, ldc int, store int)

//go:noescape
func kern4x16s(k int, a *float32, rsa, csa int, b *float32, csb int, c *float32, ldc int, store int)

//go:noescape
func kern4x8s(k int, a *float32, rsa, csa int, b *float32, csb int, c *float32, ldc int, store int)

// packT12 packs a full 12-column panel of a transposed B, kc a multiple of 4:
// dst[p·12 + r] = src[r·lds + p] for r < 12, p < kc.
//
//go:noescape
func packT12(kc int, src *float64, lds int, dst *float64)
