package data

import (
	"math"
	"math/rand/v2"
	"testing"
)

// float32 batches hold each value rounded once to float32, a byte p as float32(p)/255
// (PyTorch's ToTensor in float32), and the float64 functions are Gather and Rows themselves.
func TestBatchesOfFloat32(t *testing.T) {
	dense := &Set{X: []float64{0.1, 1.0 / 3, -2, 1e-50, 5, 6}, Y: []float64{0, 2, 1}, N: 3, D: 2, Classes: 3}
	pix := &Set{Pix: []uint8{0, 1, 128, 254, 255, 77}, PixMax: 255, Y: []float64{0, 2, 1}, N: 3, D: 2, Classes: 3}
	for _, s := range []*Set{dense, pix} {
		value := func(i int) float32 {
			if s.Pix != nil {
				return float32(s.Pix[i]) / 255
			}
			return float32(s.X[i])
		}
		x, y := make([]float32, 4), make([]float32, 2)
		GatherOf(s, []int{2, 0}, x, y)
		for k, want := range []float32{value(4), value(5), value(0), value(1)} {
			if x[k] != want {
				t.Errorf("bytes %v: gathered x[%d] = %v, want %v", s.Bytes(), k, x[k], want)
			}
		}
		if y[0] != 1 || y[1] != 0 {
			t.Errorf("gathered y = %v, want [1 0]", y)
		}
		rows := RowsOf(s, 1, 2, make([]float32, 4))
		for k := range rows {
			if rows[k] != value(2+k) {
				t.Errorf("bytes %v: rows[%d] = %v, want %v", s.Bytes(), k, rows[k], value(2+k))
			}
		}
		if l := LabelsOf(s, 1, 2, make([]float32, 2)); l[0] != 2 || l[1] != 1 {
			t.Errorf("labels %v, want [2 1]", l)
		}
		x64, y64 := make([]float64, 4), make([]float64, 1)
		if RowsOf(s, 1, 2, x64)[0] != s.Rows(1, 2, make([]float64, 4))[0] {
			t.Error("RowsOf[float64] is not Rows")
		}
		idx := []int{1}
		if a := testing.AllocsPerRun(10, func() {
			GatherOf(s, []int{2, 0}, x, y)
			RowsOf(s, 1, 2, x)
			LabelsOf(s, 1, 2, y)
			GatherOf(s, idx, x64, y64)
			LabelsOf(s, 0, 1, x64)
		}); a != 0 {
			t.Errorf("%v allocations per batch", a)
		}
	}
}

// BenchmarkGatherOf gathers shuffled batches of 128 MNIST-shaped rows (60,000 × 784, as bytes
// and as float64) into float64 and float32 buffers.
func BenchmarkGatherOf(b *testing.B) {
	const n, d, batch = 60000, 784, 128
	pix := &Set{Pix: make([]uint8, n*d), PixMax: 255, Y: make([]float64, n), N: n, D: d, Classes: 10}
	dense := &Set{X: make([]float64, n*d), Y: make([]float64, n), N: n, D: d, Classes: 10}
	for i := range pix.Pix {
		pix.Pix[i] = uint8(i * 7)
		dense.X[i] = float64(pix.Pix[i]) / 255
	}
	idx := make([]int, batch)
	for i := range idx {
		idx[i] = (i * 7919) % n
	}
	for _, s := range []*Set{pix, dense} {
		name := "dense"
		if s.Bytes() {
			name = "bytes"
		}
		b.Run(name+"/float64", func(b *testing.B) {
			x, y := make([]float64, batch*d), make([]float64, batch)
			b.SetBytes(int64(batch * d * 8))
			for range b.N {
				GatherOf(s, idx, x, y)
			}
		})
		b.Run(name+"/float32", func(b *testing.B) {
			x, y := make([]float32, batch*d), make([]float32, batch)
			b.SetBytes(int64(batch * d * 4))
			for range b.N {
				GatherOf(s, idx, x, y)
			}
		})
	}
}

// The vector conversions to float32 equal the scalar ones bit for bit: every byte at several
// scales, and float64 values of every kind (subnormal, overflowing, ties, NaN, ±Inf, ±0).
func TestConvert32Exact(t *testing.T) {
	src := make([]uint8, 256+13)
	for i := range src {
		src[i] = uint8(i)
	}
	for _, scale := range []float32{255, 1, 3, 100} {
		got, want := make([]float32, len(src)), make([]float32, len(src))
		bytesTo32(got, src, scale)
		bytesTo32Go(want, src, scale)
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("scale %v: byte %d gives %v, want %v", scale, src[i], got[i], want[i])
			}
		}
	}
	vals := []float64{0, math.Copysign(0, -1), 1, 1.0 / 3, -2.5, 1e-40, 1e-46, -1e-310, 3.5e38, 1e300, -1e300,
		math.Inf(1), math.Inf(-1), math.NaN(), 1 + 0x1p-24, 1 + 0x1p-24 + 0x1p-52, 0x1.fffffefffffffp127}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		vals = append(vals, math.Float64frombits(rng.Uint64()))
	}
	got, want := make([]float32, len(vals)), make([]float32, len(vals))
	narrow32(got, vals)
	narrow32Go(want, vals)
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(got[i] != got[i] && want[i] != want[i]) {
			t.Fatalf("float32(%v) = %v, want %v", vals[i], got[i], want[i])
		}
	}
}
