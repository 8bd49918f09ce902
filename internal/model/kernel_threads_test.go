package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"gonum.org/v1/gonum/blas"
)

// refGemmExact is the order of operations kernel.go promises for FMA micro-kernels: C starts
// as beta·C (+0 for beta = 0), and for each slice of kcBlock values of k in order, an FMA
// chain from +0 over the slice is added to each element.
func refGemmExact(g gemmArgs[float64]) {
	for i := range g.m {
		for j := range g.n {
			c := &g.c[i*g.ldc+j]
			switch g.beta {
			case 0:
				*c = 0
			case 1:
			default:
				*c *= g.beta
			}
			for pc := 0; pc < g.k; pc += kcBlock {
				var t float64
				for p := pc; p < min(pc+kcBlock, g.k); p++ {
					ai, bi := i*g.lda+p, p*g.ldb+j
					if g.tA {
						ai = p*g.lda + i
					}
					if g.tB {
						bi = j*g.ldb + p
					}
					av, bv := g.a[ai], g.b[bi]
					t = math.FMA(av, bv, t)
				}
				*c += t
			}
		}
	}
}

// exactShapes straddle the tile, block and in-place edges, and the split between threads
// (minParallel) along rows and columns.
var exactShapes = [][3]int{
	{1, 1, 1}, {5, 13, 3}, {3, 1000, 10}, {10, 37, 300}, {17, 49, 257}, {130, 47, 31},
	{131, 1013, 97}, {517, 67, 301}, {129, 300, 513}, {261, 250, 40},
}

// TestGemmExact checks every FMA micro-kernel of this CPU bit for bit against refGemmExact,
// with operands holding zeros of both signs, on 1, 2 and 3 threads and with small blocks: the
// threads and the cache blocking never change a bit of the result.
func TestGemmExact(t *testing.T) {
	if len(kernels) == 0 {
		t.Skip("no FMA micro-kernel in this build or on this CPU")
	}
	rng := rand.New(rand.NewPCG(11, 12))
	for _, kern := range kernels {
		buf, small := newGemmBufWith(kern), newGemmBufWith(kern)
		small.mc, small.nc = 2*kern.mr, 2*kern.nr
		for _, sh := range exactShapes {
			if testing.Short() && sh[0]*sh[1]*sh[2] > 1<<22 {
				continue
			}
			for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
				g := exactArgs(rng, sh, tr[0], tr[1])
				for _, beta := range []float64{0, 1, 0.5} {
					g.beta = beta
					want := g
					want.c = append([]float64(nil), g.c...)
					refGemmExact(want)
					for _, threads := range threadCounts(sh, 1, 2, 3) {
						name := fmt.Sprintf("%s/%dx%dx%d/tA=%v/tB=%v/beta=%v/threads=%d", kern.name, sh[0], sh[1], sh[2], tr[0], tr[1], beta, threads)
						if err := buf.setThreads(threads); err != nil {
							t.Fatal(err)
						}
						got := g
						got.c = append([]float64(nil), g.c...)
						buf.gemm(&got)
						skinnySame(t, name+": c", got.c, want.c)
					}
					got := g // small blocks: the cache blocking does not change a bit either
					got.c = append([]float64(nil), g.c...)
					small.gemm(&got)
					skinnySame(t, fmt.Sprintf("%s/%dx%dx%d/tA=%v/tB=%v/beta=%v/blocks=%dx%d: c", kern.name, sh[0], sh[1], sh[2], tr[0], tr[1], beta, small.mc, small.nc), got.c, want.c)
				}
			}
		}
	}
}

// threadCounts returns counts, or only the first for a product too small to be split
// (minParallel), which runs on one thread whatever the count.
func threadCounts(sh [3]int, counts ...int) []int {
	if sh[0]*sh[1]*sh[2] < minParallel {
		return counts[:1]
	}
	return counts
}

// exactArgs returns a product of the shape m×n×k with random operands (zeros of both signs
// among them) and strides wider than the matrices, C padded past its last element.
func exactArgs(rng *rand.Rand, sh [3]int, tA, tB bool) gemmArgs[float64] {
	m, n, k := sh[0], sh[1], sh[2]
	g := gemmArgs[float64]{tA: tA, tB: tB, m: m, n: n, k: k, lda: k + 3, ldb: n + 1, ldc: n + 2}
	ar, br := m, k
	if tA {
		ar, g.lda = k, m+3
	}
	if tB {
		br, g.ldb = n, k+1
	}
	g.a = skinnyData(rng, ar*g.lda)
	g.b = skinnyData(rng, br*g.ldb)
	g.c = skinnyData(rng, m*g.ldc+1)
	return g
}

// TestNetworkThreads checks that a training step's loss and gradient are bit-identical on 1, 2
// and 3 threads.
func TestNetworkThreads(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	const n, in, cls = 100, 200, 10
	m := mustNew(t, Spec{Kind: "mlp", Hidden: []int{300, 70}, Activation: "relu", Loss: "cross_entropy"}, in, cls, n)
	if m.buf == nil {
		t.Skip("no packed kernel in this build or on this CPU")
	}
	x, y := problemData(rng, n, in, cls, true)
	params := randomParams(rng, m.NumParams())
	var want []float64
	var wantLoss float64
	for _, threads := range []int{1, 2, 3, 1} {
		if err := m.SetThreads(threads); err != nil {
			t.Fatal(err)
		}
		grad := make([]float64, m.NumParams())
		loss := m.LossGrad(params, x, y, n, grad)
		if want == nil {
			want, wantLoss = grad, loss
			continue
		}
		if math.Float64bits(loss) != math.Float64bits(wantLoss) {
			t.Errorf("threads=%d: loss %v, want %v", threads, loss, wantLoss)
		}
		skinnySame(t, fmt.Sprintf("threads=%d: gradient", threads), grad, want)
	}
}

// TestThreadsShared: models on several goroutines share the helper goroutines and still get
// the one-thread gradient.
func TestThreadsShared(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	const n, in, cls = 64, 150, 5
	spec := Spec{Kind: "mlp", Hidden: []int{200}, Activation: "tanh", Loss: "cross_entropy"}
	ref := mustNew(t, spec, in, cls, n)
	x, y := problemData(rng, n, in, cls, true)
	params := randomParams(rng, ref.NumParams())
	want := make([]float64, ref.NumParams())
	ref.LossGrad(params, x, y, n, want)
	grads := make([][]float64, 4)
	done := make(chan int)
	for w := range grads {
		m := mustNew(t, spec, in, cls, n)
		if err := m.SetThreads(2 + w%2); err != nil {
			t.Fatal(err)
		}
		grads[w] = make([]float64, m.NumParams())
		go func() {
			for range 20 {
				m.LossGrad(params, x, y, n, grads[w])
			}
			done <- w
		}()
	}
	for range grads {
		w := <-done
		skinnySame(t, fmt.Sprintf("model %d: gradient", w), grads[w], want)
	}
}

func TestSetThreadsRefusesZero(t *testing.T) {
	m := mustNew(t, Spec{Kind: "mlp", Hidden: []int{64}, Loss: "cross_entropy"}, 30, 3, 8)
	for _, n := range []int{0, -1} {
		if err := m.SetThreads(n); err == nil {
			t.Errorf("SetThreads(%d) = nil, want an error", n)
		}
	}
	if _, ok := Model(m).(Threaded); !ok {
		t.Error("the network does not implement Threaded")
	}
}

// TestGemmThreadsAllocs: a product split between threads allocates nothing.
func TestGemmThreadsAllocs(t *testing.T) {
	if len(kernels) == 0 {
		t.Skip("no packed kernel in this build or on this CPU")
	}
	a, b, c := make([]float64, 128*784), make([]float64, 784*256), make([]float64, 128*256)
	buf := newGemmBufWith(kernels[0])
	if err := buf.setThreads(2); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(5, func() {
		kernelGemm(buf, blas.NoTrans, blas.Trans, 128, 256, 784, a, 784, b, 784, 1, c, 256)
	}); n != 0 {
		t.Errorf("kernelGemm on 2 threads: %v allocations, want 0", n)
	}
}

// TestGemmBufBytes: gemmBufBytes is the size of what newGemmBuf allocates, 0 when it gives
// none.
func TestGemmBufBytes(t *testing.T) {
	var want int64
	if buf := newGemmBuf(); buf != nil {
		want = int64(unsafe.Sizeof(*buf))
	}
	if got := gemmBufBytes(); got != want {
		t.Errorf("gemmBufBytes() = %d, newGemmBuf allocates %d", got, want)
	}
}
