//go:build !purego

package data

import "testing"

// TestBytesToFloatsPaths runs checkBytesToFloats on each vector loop this CPU has.
func TestBytesToFloatsPaths(t *testing.T) {
	defer func(a, b bool) { hasAVX512, hasAVX2 = a, b }(hasAVX512, hasAVX2)
	avx512, avx2 := hasAVX512, hasAVX2
	for _, p := range []struct {
		name         string
		avx512, avx2 bool
	}{{"avx512", avx512, avx2}, {"avx2", false, avx2}, {"go", false, false}} {
		if (p.name == "avx512" && !avx512) || (p.name == "avx2" && !avx2) {
			continue
		}
		t.Run(p.name, func(t *testing.T) {
			hasAVX512, hasAVX2 = p.avx512, p.avx2
			checkBytesToFloats(t)
		})
	}
}

// BenchmarkGatherBytesGo is BenchmarkGatherBytes with the plain loop, for comparison.
func BenchmarkGatherBytesGo(b *testing.B) {
	defer func(a, c bool) { hasAVX512, hasAVX2 = a, c }(hasAVX512, hasAVX2)
	hasAVX512, hasAVX2 = false, false
	BenchmarkGatherBytes(b)
}
