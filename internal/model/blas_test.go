package model

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

func TestCoreAdvice(t *testing.T) {
	for _, tc := range []struct {
		core         string
		avx512, avx2 bool
		want         string
	}{
		{"Prescott", true, true, "SkylakeX"},
		{"Prescott", false, true, "Haswell"},
		{"Prescott", false, false, ""},
		{"SkylakeX", true, true, ""},
		{"Cooperlake", true, true, ""},
		{"Haswell", true, true, "SkylakeX"},
		{"Haswell", false, true, ""},
		{"Zen", false, true, ""},
		{"Zen", true, true, "SkylakeX"},
		{"Sandybridge", false, true, "Haswell"},
	} {
		if got := coreAdvice(tc.core, tc.avx512, tc.avx2); got != tc.want {
			t.Errorf("coreAdvice(%q, %v, %v) = %q, want %q", tc.core, tc.avx512, tc.avx2, got, tc.want)
		}
	}
}

func TestBLASInfo(t *testing.T) {
	info := BLAS()
	if info.Name == "" || info.Threads < 1 {
		t.Errorf("BLAS() = %+v, want a name and at least 1 thread", info)
	}
	t.Logf("%+v", info)
}

// TestGemmAgainstGonum checks gemm, whatever backend and kernel this build uses, against
// gonum's reference Dgemm on every transpose combination used by the models and on shapes
// that straddle the tile and kernel edges.
func TestGemmAgainstGonum(t *testing.T) {
	// Every micro-kernel this CPU runs, the plain-Go one (whatever the CPU), and gonum's tiles.
	for _, k := range append(append([]microKernel(nil), kernels...), goKernel) {
		t.Run("kernel-"+k.name, func(t *testing.T) { testGemm(t, &gemmBuf{kern: k}) })
	}
	t.Run("gonum-tiles", func(t *testing.T) { testGemm(t, nil) })
}

func testGemm(t *testing.T, buf *gemmBuf) {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	fill := func(k int) []float64 {
		s := make([]float64, k)
		for i := range s {
			s[i] = rng.NormFloat64()
		}
		return s
	}
	shapes := [][3]int{{1, 1, 1}, {3, 5, 7}, {4, 8, 1}, {13, 17, 19}, {64, 192, 33}, {65, 193, 70}, {128, 256, 784}, {128, 10, 784}, {10, 784, 128}, {129, 300, 257}, {100, 500, 600}}
	for _, sh := range shapes {
		m, n, k := sh[0], sh[1], sh[2]
		for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
				for _, beta := range []float64{0, 1} {
					lda, ldb := k, n
					if tA == blas.Trans {
						lda = m
					}
					if tB == blas.Trans {
						ldb = k
					}
					a, b := fill(m*k), fill(k*n)
					c0 := fill(m * n)
					got := append([]float64(nil), c0...)
					want := append([]float64(nil), c0...)
					if buf != nil {
						kernelGemm(buf, tA, tB, m, n, k, a, lda, b, ldb, beta, got, n)
					} else {
						gemm(nil, tA, tB, m, n, k, a, lda, b, ldb, beta, got, n)
					}
					gonum.Implementation{}.Dgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, beta, want, n)
					for i := range got {
						if d := got[i] - want[i]; d > 1e-13*float64(k+1) || d < -1e-13*float64(k+1) {
							t.Fatalf("%dx%dx%d tA=%c tB=%c beta=%v: c[%d] = %v, want %v", m, n, k, tA, tB, beta, i, got[i], want[i])
						}
					}
				}
			}
		}
	}
}

// TestKernels checks the micro-kernels of this CPU against the plain-Go one.
func TestKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, kern := range kernels {
		for _, k := range []int{1, 2, 7, 256} {
			ap, bp := make([]float64, k*kern.mr), make([]float64, k*kern.nr)
			for i := range ap {
				ap[i] = rng.NormFloat64()
			}
			for i := range bp {
				bp[i] = rng.NormFloat64()
			}
			var got, want [maxTile]float64
			for i := range got {
				got[i] = 99 // the kernel overwrites the tile
			}
			kern.f(k, &ap[0], &bp[0], &got)
			kernGo(kern.mr, kern.nr, k, &ap[0], &bp[0], &want)
			for i := range kern.mr * kern.nr {
				if d := got[i] - want[i]; d > 1e-13*float64(k) || d < -1e-13*float64(k) {
					t.Fatalf("%s, k=%d: t[%d] = %v, want %v", kern.name, k, i, got[i], want[i])
				}
			}
		}
	}
}

func TestKernelGemmAllocs(t *testing.T) {
	a, b, c := make([]float64, 128*784), make([]float64, 784*256), make([]float64, 128*256)
	buf := &gemmBuf{kern: goKernel}
	if len(kernels) > 0 {
		buf.kern = kernels[0]
	}
	if n := testing.AllocsPerRun(5, func() {
		kernelGemm(buf, blas.NoTrans, blas.Trans, 128, 256, 784, a, 784, b, 784, 1, c, 256)
	}); n != 0 {
		t.Errorf("kernelGemm: %v allocations, want 0", n)
	}
}
