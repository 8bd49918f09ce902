//go:build !purego

package data

import (
	"math"

	"golang.org/x/sys/cpu"
)

// bytesFMAAVX2 writes src[j]/255 into dst[j] for j < n, n a multiple of 8, without a division:
// q = p·r with r = RN(1/255), then the remainder e = p − q·255 (exact, FMA) corrects it to
// q + e·r (FMA). For the 256 byte values this is the correctly rounded p/255, equal bit for bit
// to the division of bytesToFloatsGo: pixFMA checks all of them when the package loads and the
// loop is used only if they all agree. VDIVPD (bytesDivAVX2) was the bottleneck of reading
// images: BenchmarkGatherBytes went from ≈ 1.9 to ≈ 4–6 GB/s of float64 output.
//
//go:noescape
func bytesFMAAVX2(dst *float64, src *uint8, n int, c *[2]float64)

// pixFMAConst are 1/255 and 255, the constants of bytesFMAAVX2.
var pixFMAConst = [2]float64{1.0 / 255, 255}

// pixFMA reports that bytesFMAAVX2 runs here and gives p/255 for every byte p.
var pixFMA = func() bool {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		return false
	}
	var src [256]uint8
	var dst [256]float64
	for i := range src {
		src[i] = uint8(i)
	}
	bytesFMAAVX2(&dst[0], &src[0], len(src), &pixFMAConst)
	for i, v := range dst {
		if math.Float64bits(v) != math.Float64bits(float64(i)/255) {
			return false
		}
	}
	return true
}()
