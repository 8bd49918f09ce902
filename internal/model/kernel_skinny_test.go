package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
)

// skinnyShapes are n×in×out products straddling the 8-row, 32-column, 5-output and kcBlock
// edges of the skinny loops.
var skinnyShapes = [][3]int{
	{128, 784, 10}, {1, 1, 1}, {7, 3, 2}, {8, 32, 5}, {9, 33, 6}, {17, 40, 8}, {13, 600, 13},
	{130, 70, 10}, {300, 513, 16}, {257, 257, 11}, {64, 256, 9}, {100, 31, 15},
}

// skinnyData returns random operands with exact zeros and negative zeros among them, so that
// the signs of zero sums are checked too.
func skinnyData(rng *rand.Rand, k int) []float64 {
	s := make([]float64, k)
	for i := range s {
		switch rng.IntN(10) {
		case 0:
			s[i] = 0
		case 1:
			s[i] = math.Copysign(0, -1)
		default:
			s[i] = rng.NormFloat64()
		}
	}
	return s
}

func skinnySame(t *testing.T, what string, got, want []float64) {
	t.Helper()
	for i := range want {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			t.Fatalf("%s[%d] = %v, the packed kernel gives %v", what, i, got[i], want[i])
		}
	}
}

// TestSkinnyExact checks the skinny loops against the packed kernel bit for bit, for each FMA
// micro-kernel of this CPU.
func TestSkinnyExact(t *testing.T) {
	if !skinnySIMD {
		t.Skip("no skinny loops in this build or on this CPU")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, kern := range kernels {
		for _, sh := range skinnyShapes {
			n, in, out := sh[0], sh[1], sh[2]
			t.Run(fmt.Sprintf("%s/%dx%dx%d", kern.name, n, in, out), func(t *testing.T) {
				x, w, b, dz := skinnyData(rng, n*in), skinnyData(rng, out*in), skinnyData(rng, out), skinnyData(rng, n*out)
				packed := newGemmBufWith(kern)
				skinny := newGemmBufWith(kern)
				skinny.skinny = true

				want := make([]float64, n*out+1)
				got := make([]float64, n*out+1)
				want[n*out], got[n*out] = 42, 42 // past the end: untouched
				blasForward(packed, n, in, out, x, w, b, want)
				blasForward(skinny, n, in, out, x, w, b, got)
				skinnySame(t, "z", got, want)

				gw, gwWant := skinnyData(rng, out*in+1), make([]float64, out*in+1)
				gw[out*in], gwWant[out*in] = 42, 42
				kernelGemm(packed, blas.Trans, blas.NoTrans, out, in, n, dz, out, x, in, 0, gwWant, in)
				blasGradW(skinny, n, in, out, dz, x, gw)
				skinnySame(t, "gw", gw, gwWant)
			})
		}
	}
}

// TestSkinnyNetwork checks that models with skinny layers give the same loss and gradient bit
// for bit with the skinny loops on and off.
func TestSkinnyNetwork(t *testing.T) {
	if !skinnySIMD || len(kernels) == 0 {
		t.Skip("no skinny loops in this build or on this CPU")
	}
	for _, bc := range []benchCase{
		{"softmax-784x10", Spec{Kind: "linear", Loss: "cross_entropy"}, 784, 10, 100},
		{"mlp-300-40-7", Spec{Kind: "mlp", Hidden: []int{40}, Activation: "relu", Loss: "cross_entropy"}, 300, 7, 37},
	} {
		t.Run(bc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(9, 10))
			m := mustNew(t, bc.spec, bc.in, bc.cls, bc.n)
			if m.buf == nil || !m.buf.skinny {
				t.Fatal("the model does not use the skinny loops")
			}
			x, y := problemData(rng, bc.n, bc.in, bc.cls, true)
			params := randomParams(rng, m.NumParams())
			grads := [2][]float64{make([]float64, m.NumParams()), make([]float64, m.NumParams())}
			var losses [2]float64
			for i, on := range []bool{true, false} {
				m.buf.skinny = on
				losses[i] = m.LossGrad(params, x, y, bc.n, grads[i])
			}
			if math.Float64bits(losses[0]) != math.Float64bits(losses[1]) {
				t.Errorf("loss: skinny %v, packed %v", losses[0], losses[1])
			}
			skinnySame(t, "gradient", grads[0], grads[1])
		})
	}
}

// BenchmarkSkinny times the softmax training step with the skinny loops on and off.
func BenchmarkSkinny(b *testing.B) {
	bc := benchCases[0]
	for _, on := range []bool{true, false} {
		b.Run(fmt.Sprintf("%s/skinny=%v", bc.name, on), func(b *testing.B) {
			m, params, x, y, grad := benchSetup(b, bc)
			if m.buf == nil {
				b.Skip("no packed kernel")
			}
			m.buf.skinny = on && skinnySIMD
			b.ReportAllocs()
			for b.Loop() {
				m.LossGrad(params, x, y, bc.n, grad)
			}
			reportSamples(b, bc.n)
		})
	}
}
