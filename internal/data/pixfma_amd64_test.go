//go:build !purego

package data

import (
	"testing"

	"golang.org/x/sys/cpu"
)

// On a CPU with AVX2 and FMA the division-free loop is in use (its self-check passed) and
// agrees with the division on every byte value and length (checkBytesToFloats, scale 255).
func TestPixFMA(t *testing.T) {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		t.Skip("no AVX2+FMA")
	}
	if !pixFMA {
		t.Fatal("bytesFMAAVX2 differs from p/255 on some byte value")
	}
	defer func(v bool) { pixFMA = v }(pixFMA)
	checkBytesToFloats(t)
	pixFMA = false // the VDIVPD loop it replaces, for scale 255 too
	checkBytesToFloats(t)
}

// BenchmarkGatherBytesDiv is BenchmarkGatherBytes with the VDIVPD loop, for comparison.
func BenchmarkGatherBytesDiv(b *testing.B) {
	defer func(v bool) { pixFMA = v }(pixFMA)
	pixFMA = false
	BenchmarkGatherBytes(b)
}
