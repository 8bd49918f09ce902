package data

import (
	"math"
	"math/rand/v2"
	"testing"
)

// checkBytesToFloats checks bytesToFloats against the plain loop bit for bit, on every byte
// value and on lengths around the vector widths, for scales whose quotients round in every way.
func checkBytesToFloats(t *testing.T) {
	t.Helper()
	rng := rand.New(rand.NewPCG(9, 10))
	src := make([]uint8, 1000)
	for i := range src {
		src[i] = uint8(i) // every value, then random ones
		if i >= 256 {
			src[i] = uint8(rng.UintN(256))
		}
	}
	for _, scale := range []float64{255, 1, 3, 7, 10, 0.1, 1e-300, 1e300, math.SmallestNonzeroFloat64} {
		for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 256, 784, 1000} {
			for _, off := range []int{0, 3} {
				if off+n > len(src) {
					continue
				}
				s := src[off : off+n]
				got, want := make([]float64, n+1), make([]float64, n+1)
				got[n], want[n] = -1, -1 // past the end: untouched
				bytesToFloats(got[:n], s, scale)
				bytesToFloatsGo(want[:n], s, scale)
				for i := range got {
					if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
						t.Fatalf("scale %v, n %d, offset %d: dst[%d] = %v, want %v", scale, n, off, i, got[i], want[i])
					}
				}
			}
		}
	}
}

func TestBytesToFloats(t *testing.T) { checkBytesToFloats(t) }

// BenchmarkGatherBytes gathers a batch of 128 MNIST-shaped rows from a byte set, as training does.
func BenchmarkGatherBytes(b *testing.B) {
	const n, d, size = 10000, 784, 128
	s := &Set{Pix: make([]uint8, n*d), PixMax: 255, Y: make([]float64, n), N: n, D: d}
	for i := range s.Pix {
		s.Pix[i] = uint8(i * 7)
	}
	batcher := NewBatcher(n, true, newRand(1))
	batcher.Epoch(size)
	idx, _ := batcher.Next()
	x, y := make([]float64, size*d), make([]float64, size)
	b.ReportAllocs()
	b.SetBytes(size * d * 8)
	for b.Loop() {
		s.Gather(idx, x, y)
	}
}
