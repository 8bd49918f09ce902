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
		t.Run("kernel-"+k.name, func(t *testing.T) { testGemm(t, newGemmBufWith(k)) })
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

// refKernel is the gemmKernel rule computed plainly: an mr×nr tile of sums over k.
func refKernel(mr, nr, k int, a []float64, rsa, csa int, b []float64, csb int, c []float64, ldc int, store bool) {
	for i := range mr {
		for j := range nr {
			var t float64
			for p := range k {
				t += a[i*rsa+p*csa] * b[p*csb+j]
			}
			if store {
				c[i*ldc+j] = t
			} else {
				c[i*ldc+j] += t
			}
		}
	}
}

// TestKernels checks the micro-kernels of this CPU and the plain-Go one against refKernel, on
// packed panels and, for the kernels that read operands in place, on strided ones, adding to
// C and writing it.
func TestKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var all []microKernel
	for _, k := range append(append([]microKernel(nil), kernels...), goKernel) {
		all = append(append(all, k), k.edges...)
	}
	for _, kern := range all {
		type layout struct{ rsa, csa, csb, ldc int }
		layouts := []layout{{1, kern.mr, kern.nr, kern.nr}}
		if kern.inPlace {
			layouts = append(layouts, layout{301, 1, kern.nr + 5, kern.nr + 3}, layout{1, kern.mr + 7, 40, 50})
		}
		for _, k := range []int{1, 2, 3, 4, 5, 7, 256} {
			for _, l := range layouts {
				for _, store := range []bool{false, true} {
					a := randomParams(rng, (kern.mr-1)*l.rsa+(k-1)*l.csa+1)
					b := randomParams(rng, (k-1)*l.csb+kern.nr)
					got := randomParams(rng, (kern.mr-1)*l.ldc+kern.nr)
					want := append([]float64(nil), got...)
					st := 0
					if store {
						st = 1
					}
					kern.f(k, &a[0], l.rsa, l.csa, &b[0], l.csb, &got[0], l.ldc, st)
					refKernel(kern.mr, kern.nr, k, a, l.rsa, l.csa, b, l.csb, want, l.ldc, store)
					for i := range want {
						if d := got[i] - want[i]; d > 1e-13*float64(k) || d < -1e-13*float64(k) {
							t.Fatalf("%s, k=%d, %+v, store=%v: c[%d] = %v, want %v", kern.name, k, l, store, i, got[i], want[i])
						}
					}
				}
			}
		}
	}
}

func TestKernelGemmAllocs(t *testing.T) {
	a, b, c := make([]float64, 128*784), make([]float64, 784*256), make([]float64, 128*256)
	buf := newGemmBufWith(goKernel)
	if len(kernels) > 0 {
		buf = newGemmBufWith(kernels[0])
	}
	if n := testing.AllocsPerRun(5, func() {
		kernelGemm(buf, blas.NoTrans, blas.Trans, 128, 256, 784, a, 784, b, 784, 1, c, 256)
	}); n != 0 {
		t.Errorf("kernelGemm: %v allocations, want 0", n)
	}
}
