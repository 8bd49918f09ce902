//go:build !purego

package data

import "golang.org/x/sys/cpu"

// bytesDivAVX512 writes src[j]/scale into dst[j] for j < n, n a multiple of 16: the bytes are
// widened to int32 and converted to float64 (exact), then divided by scale with VDIVPD, which
// rounds as the scalar division of bytesToFloatsGo does, so the results are equal bit for bit.
//
//go:noescape
func bytesDivAVX512(dst *float64, src *uint8, n int, scale float64)

// bytesDivAVX2 is bytesDivAVX512 with 256-bit vectors, for n a multiple of 8.
//
//go:noescape
func bytesDivAVX2(dst *float64, src *uint8, n int, scale float64)

var (
	hasAVX512 = cpu.X86.HasAVX512F
	hasAVX2   = cpu.X86.HasAVX2
)

// bytesToFloats writes p/scale for each byte p of src into dst (same length).
func bytesToFloats(dst []float64, src []uint8, scale float64) {
	dst = dst[:len(src)]
	n := 0
	switch {
	case pixFMA && hasAVX2 && scale == 255 && len(src) >= 8: // pixfma_amd64.go
		n = len(src) &^ 7
		bytesFMAAVX2(&dst[0], &src[0], n, &pixFMAConst)
	case hasAVX512 && len(src) >= 16:
		n = len(src) &^ 15
		bytesDivAVX512(&dst[0], &src[0], n, scale)
	case hasAVX2 && len(src) >= 8:
		n = len(src) &^ 7
		bytesDivAVX2(&dst[0], &src[0], n, scale)
	}
	bytesToFloatsGo(dst[n:], src[n:], scale)
}
