package model

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

type benchCase struct {
	name    string
	spec    Spec
	in, cls int
	n       int
}

var benchCases = []benchCase{
	{"softmax-784x10-b128", Spec{Kind: "linear", Loss: "cross_entropy"}, 784, 10, 128},
	{"mlp-784-256-10-b128", Spec{Kind: "mlp", Hidden: []int{256}, Activation: "relu", Loss: "cross_entropy"}, 784, 10, 128},
	{"mlp-784-1000-1000-10-b128", Spec{Kind: "mlp", Hidden: []int{1000, 1000}, Activation: "relu", Loss: "cross_entropy"}, 784, 10, 128},
	{"mlp-2-16-1-b32", Spec{Kind: "mlp", Hidden: []int{16}, Activation: "tanh", Loss: "mse"}, 2, 0, 32},
	{"mlp-2-16-1-relu-b32", Spec{Kind: "mlp", Hidden: []int{16}, Activation: "relu", Loss: "mse"}, 2, 0, 32},
	{"mlp-2-16-1-relu-b1000", Spec{Kind: "mlp", Hidden: []int{16}, Activation: "relu", Loss: "mse"}, 2, 0, 1000},
}

func benchSetup(b *testing.B, bc benchCase) (m *network, params, x, y, grad []float64) {
	rng := rand.New(rand.NewPCG(21, 22))
	m = mustNew(b, bc.spec, bc.in, bc.cls, bc.n)
	x, y = problemData(rng, bc.n, bc.in, bc.cls, bc.spec.Loss == "cross_entropy")
	params = make([]float64, m.NumParams())
	m.Init(params, rng)
	grad = make([]float64, m.NumParams())
	return m, params, x, y, grad
}

func reportSamples(b *testing.B, n int) {
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkLossGrad times one training step's loss and gradient.
func BenchmarkLossGrad(b *testing.B) {
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			m, params, x, y, grad := benchSetup(b, bc)
			b.ReportAllocs()
			for b.Loop() {
				m.LossGrad(params, x, y, bc.n, grad)
			}
			reportSamples(b, bc.n)
		})
	}
}

// BenchmarkLossGrad32 times the float32 training step (and, at batch 1000, the evaluation) of
// the small networks with the float32 small-layer loops in Go and in AVX2 (small32SIMD), the
// two one after the other for each case.
func BenchmarkLossGrad32(b *testing.B) {
	defer func(v bool) { small32SIMD = v }(small32SIMD)
	paths := []string{"go"}
	if small32SIMD {
		paths = append(paths, "avx2")
	}
	for _, bc := range benchCases[3:] {
		for _, eval := range []bool{false, true} {
			if eval && bc.n < 1000 {
				continue
			}
			for _, path := range paths {
				name := bc.name + "/" + path
				if eval {
					name = bc.name + "-eval/" + path
				}
				b.Run(name, func(b *testing.B) {
					small32SIMD = path == "avx2"
					m, params, x, y, grad := benchSetup32(b, bc)
					b.ReportAllocs()
					for b.Loop() {
						if eval {
							m.Eval(params, x, y, bc.n)
						} else {
							m.LossGrad(params, x, y, bc.n, grad)
						}
					}
					reportSamples(b, bc.n)
				})
			}
		}
	}
}

func benchSetup32(b *testing.B, bc benchCase) (m ModelOf[float32], params, x, y, grad []float32) {
	rng := rand.New(rand.NewPCG(21, 22))
	m, err := NewOf[float32](bc.spec, bc.in, bc.cls, bc.n)
	if err != nil {
		b.Fatal(err)
	}
	x64, y64 := problemData(rng, bc.n, bc.in, bc.cls, bc.spec.Loss == "cross_entropy")
	params = make([]float32, m.NumParams())
	m.Init(params, rng)
	return m, params, to32(x64), to32(y64), make([]float32, m.NumParams())
}

// BenchmarkLossGradThreads times the training step of the MLPs with their products on 1 and 2
// threads (SetThreads).
func BenchmarkLossGradThreads(b *testing.B) {
	for _, bc := range benchCases[1:3] {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", bc.name, threads), func(b *testing.B) {
				m, params, x, y, grad := benchSetup(b, bc)
				if err := m.SetThreads(threads); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					m.LossGrad(params, x, y, bc.n, grad)
				}
				reportSamples(b, bc.n)
			})
		}
	}
}

// BenchmarkEval times the forward pass with the summed loss and accuracy count.
func BenchmarkEval(b *testing.B) {
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			m, params, x, y, _ := benchSetup(b, bc)
			b.ReportAllocs()
			for b.Loop() {
				m.Eval(params, x, y, bc.n)
			}
			reportSamples(b, bc.n)
		})
	}
}

// BenchmarkLayerPaths compares the plain loops with BLAS on single layers (linear models) of
// growing in×out, to place smallLayer.
func BenchmarkLayerPaths(b *testing.B) {
	for _, shape := range []struct{ in, out, n int }{
		{2, 16, 32}, {16, 1, 32}, {4, 32, 64}, {16, 16, 64}, {32, 16, 64}, {64, 16, 64}, {32, 32, 64}, {64, 32, 64}, {128, 32, 128}, {784, 10, 128},
	} {
		for _, path := range []string{"loops", "blas"} {
			name := fmt.Sprintf("%dx%d-b%d/%s", shape.in, shape.out, shape.n, path)
			b.Run(name, func(b *testing.B) {
				// One hidden layer in→out followed by a tiny output layer, so that the
				// backward pass of the measured layer includes dX as in a deep network.
				bc := benchCase{spec: Spec{Kind: "mlp", Hidden: []int{shape.out}, Activation: "relu", Loss: "mse"}, in: shape.in, n: shape.n}
				m, params, x, y, grad := benchSetup(b, bc)
				m.layers[0].small = path == "loops"
				m.layers[1].small = true
				for b.Loop() {
					m.LossGrad(params, x, y, shape.n, grad)
				}
			})
		}
	}
}

// BenchmarkGemmTiles compares the packed kernel (kernel.go), the serial tiles of gonum's Dgemm
// used without it, and gonum's own Dgemm, which runs the 64×64 blocks on goroutines, for the
// three products of a 784→256 layer at batch 128.
func BenchmarkGemmTiles(b *testing.B) {
	const n, in, out = 128, 784, 256
	rng := rand.New(rand.NewPCG(1, 1))
	fill := func(k int) []float64 {
		s := make([]float64, k)
		for i := range s {
			s[i] = rng.NormFloat64()
		}
		return s
	}
	x, w, z, dz, gw, dx := fill(n*in), fill(out*in), fill(n*out), fill(n*out), fill(out*in), fill(n*in)
	impl := blas64.Implementation()
	type variant struct {
		name string
		f    func()
	}
	var variants []variant
	for _, k := range kernels {
		buf := newGemmBufWith(k)
		variants = append(variants, variant{"kernel-" + k.name, func() {
			kernelGemm(buf, blas.NoTrans, blas.Trans, n, out, in, x, in, w, in, 1, z, out)
			kernelGemm(buf, blas.Trans, blas.NoTrans, out, in, n, dz, out, x, in, 0, gw, in)
			kernelGemm(buf, blas.NoTrans, blas.NoTrans, n, in, out, dz, out, w, in, 0, dx, in)
		}})
	}
	variants = append(variants, variant{"tiled", func() {
		gemm(nil, blas.NoTrans, blas.Trans, n, out, in, x, in, w, in, 1, z, out)
		gemm(nil, blas.Trans, blas.NoTrans, out, in, n, dz, out, x, in, 0, gw, in)
		gemm(nil, blas.NoTrans, blas.NoTrans, n, in, out, dz, out, w, in, 0, dx, in)
	}}, variant{"gonum-parallel", func() {
		impl.Dgemm(blas.NoTrans, blas.Trans, n, out, in, 1, x, in, w, in, 1, z, out)
		impl.Dgemm(blas.Trans, blas.NoTrans, out, in, n, 1, dz, out, x, in, 0, gw, in)
		impl.Dgemm(blas.NoTrans, blas.NoTrans, n, in, out, 1, dz, out, w, in, 0, dx, in)
	}})
	for _, tc := range variants {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tc.f()
			}
			b.ReportMetric(3*2*n*in*out*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkLossGradStream times training steps of the 2-16-1 network over successive batches of
// a 4,096-row data set, as in training: repeating one batch (BenchmarkLossGrad) lets the branch
// predictor learn the signs of its activations.
func BenchmarkLossGradStream(b *testing.B) {
	for _, act := range []string{"relu", "tanh"} {
		b.Run("mlp-2-16-1-"+act+"-b32", func(b *testing.B) {
			const rows, n = 4096, 32
			bc := benchCase{spec: Spec{Kind: "mlp", Hidden: []int{16}, Activation: act, Loss: "mse"}, in: 2, n: n}
			m, params, _, _, grad := benchSetup(b, bc)
			x, y := problemData(rand.New(rand.NewPCG(23, 24)), rows, 2, 0, false)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				m.LossGrad(params, x[2*i:], y[i:], n, grad)
				i = (i + n) % rows
			}
			reportSamples(b, n)
		})
	}
}

// convProducts are the tall and skinny products of im2col convolutions at batch 128, m×n×k:
// the forward of a 3×3 convolution (rows: batch × pixels, k: in-channels × 9, n: out-channels)
// and its weight gradient, the transposed one.
var convProducts = []struct {
	name    string
	tA      blas.Transpose
	m, n, k int
}{
	{"conv1x16-28x28", blas.NoTrans, 128 * 28 * 28, 16, 9},
	{"conv16x32-14x14", blas.NoTrans, 128 * 14 * 14, 32, 144},
	{"conv32x64-7x7", blas.NoTrans, 128 * 7 * 7, 64, 288},
	{"dW-conv16x32-14x14", blas.Trans, 32, 144, 128 * 14 * 14},
}

// BenchmarkGemmSkinny times the im2col products with op(A) read in place (the default for C
// with few columns) and packed.
func BenchmarkGemmSkinny(b *testing.B) {
	if len(kernels) == 0 || !kernels[0].inPlace {
		b.Skip("no kernel that reads operands in place")
	}
	rng := rand.New(rand.NewPCG(3, 3))
	for _, p := range convProducts {
		a, bm, c := randomParams(rng, p.m*p.k), randomParams(rng, p.k*p.n), make([]float64, p.m*p.n)
		lda := p.k
		if p.tA == blas.Trans {
			lda = p.m
		}
		for _, packed := range []bool{false, true} {
			kern := kernels[0]
			kern.inPlace = !packed
			buf := newGemmBufWith(kern)
			b.Run(fmt.Sprintf("%s/packed=%v", p.name, packed), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					kernelGemm(buf, p.tA, blas.NoTrans, p.m, p.n, p.k, a, lda, bm, p.n, 0, c, p.n)
				}
				b.ReportMetric(2*float64(p.m*p.n*p.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
