//go:build !purego

package data

import "golang.org/x/sys/cpu"

// bytesDiv32AVX2 writes float32(src[j])/scale into dst[j] for j < n, n a multiple of 16:
// VDIVPS rounds as the scalar float32 division of bytesTo32Go, so the results are equal bit
// for bit (TestConvert32Exact).
//
//go:noescape
func bytesDiv32AVX2(dst *float32, src *uint8, n int, scale float32)

// narrowAVX writes float32(src[j]) into dst[j] for j < n, n a multiple of 8 (VCVTPD2PS rounds
// to nearest, as Go's conversion does).
//
//go:noescape
func narrowAVX(dst *float32, src *float64, n int)

var hasAVX = cpu.X86.HasAVX

// bytesTo32 writes float32(p)/scale for each byte p of src into dst (same length).
func bytesTo32(dst []float32, src []uint8, scale float32) {
	dst = dst[:len(src)]
	n := 0
	if hasAVX2 && len(src) >= 16 {
		n = len(src) &^ 15
		bytesDiv32AVX2(&dst[0], &src[0], n, scale)
	}
	bytesTo32Go(dst[n:], src[n:], scale)
}

// narrow32 writes float32(v) for each v of src into dst (same length).
func narrow32(dst []float32, src []float64) {
	dst = dst[:len(src)]
	n := 0
	if hasAVX && len(src) >= 8 {
		n = len(src) &^ 7
		narrowAVX(&dst[0], &src[0], n)
	}
	narrow32Go(dst[n:], src[n:])
}
