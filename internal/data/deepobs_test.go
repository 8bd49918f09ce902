package data

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// deepobsGolden is testdata/deepobs_golden.json, numpy's own output, written by
// scripts/gen_deepobs_golden.py.
type deepobsGolden struct {
	Raw42         []uint32  `json:"raw42"`
	Double42      []float64 `json:"double42"`
	Uniform7      []float64 `json:"uniform7"`
	Normal42      []float64 `json:"normal42"`
	Normal123Tail []float64 `json:"normal123_tail"`
	Eigenvalues   []float64 `json:"eigenvalues"`
	QuadTrainSHA  string    `json:"quadratic_train_sha256"`
	QuadTestSHA   string    `json:"quadratic_test_sha256"`
	QuadFirst     []float64 `json:"quadratic_train_first"`
	TwoDSHA       string    `json:"two_d_train_sha256"`
	TwoDFirst     []float64 `json:"two_d_train_first"`
}

func readGolden(t *testing.T) deepobsGolden {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "deepobs_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g deepobsGolden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

// readRaw reads a file of little-endian float64 (size 8) or float32 (size 4) values.
func readRaw(t *testing.T, name string, size int) []float64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, len(b)/size)
	for i := range out {
		if size == 8 {
			out[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
		} else {
			out[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])))
		}
	}
	return out
}

// TestNumpyRandom checks NumpyRandom against np.random.RandomState: the raw words, the
// doubles, uniform, and the legacy normals with their cached second value, bit for bit.
func TestNumpyRandom(t *testing.T) {
	g := readGolden(t)
	t.Run("raw", func(t *testing.T) {
		r := NewNumpyRandom(42)
		for i, want := range g.Raw42 {
			if got := r.Uint32(); got != want {
				t.Fatalf("word %d = %d, want %d", i, got, want)
			}
		}
	})
	exact := func(t *testing.T, name string, draw func() float64, want []float64) {
		t.Helper()
		for i, w := range want {
			if got := draw(); got != w {
				t.Fatalf("%s[%d] = %v, want %v (numpy)", name, i, got, w)
			}
		}
	}
	r := NewNumpyRandom(42)
	t.Run("double", func(t *testing.T) { exact(t, "random_sample", r.Float64, g.Double42) })
	u := NewNumpyRandom(7)
	t.Run("uniform", func(t *testing.T) {
		exact(t, "uniform(30, 60)", func() float64 { return u.Uniform(30, 60) }, g.Uniform7)
	})
	n := NewNumpyRandom(42)
	t.Run("normal", func(t *testing.T) { exact(t, "normal(0, 0.6)", func() float64 { return n.Normal(0, 0.6) }, g.Normal42) })
	// Go's math.Log and glibc's log, which numpy's legacy_gauss calls, may round the last bit
	// differently (Go's is within 1 ulp, not correctly rounded), so a normal may differ from
	// numpy's by 1 ulp; every float32 value built from them (the data sets, the Hessian) is
	// bit-identical all the same (TestDeepOBSGolden).
	t.Run("past the first refill", func(t *testing.T) {
		r := NewNumpyRandom(123)
		for range 697 {
			r.Gauss()
		}
		for i, w := range g.Normal123Tail {
			if got := r.Gauss(); math.Abs(got-w) > ulp64(w) {
				t.Fatalf("normal()[%d] = %v, want %v within 1 ulp (numpy)", 697+i, got, w)
			}
		}
	})
}

// TestDeepOBSGolden checks quadratic_deep's spectrum, rotation and Hessian, and the data of
// the quadratic and the 2-D problems, against numpy's (scripts/gen_deepobs_golden.py).
func TestDeepOBSGolden(t *testing.T) {
	g := readGolden(t)
	t.Run("eigenvalues", func(t *testing.T) {
		got := DeepOBSEigenvalues()
		if len(got) != len(g.Eigenvalues) {
			t.Fatalf("%d eigenvalues, want %d", len(got), len(g.Eigenvalues))
		}
		for i := range got {
			if got[i] != g.Eigenvalues[i] {
				t.Fatalf("eigenvalue %d = %v, want %v", i, got[i], g.Eigenvalues[i])
			}
		}
		for i, l := range got {
			if lo, hi := spectrumRange(i); l < lo || l >= hi {
				t.Errorf("eigenvalue %d = %v, outside [%v, %v)", i, l, lo, hi)
			}
		}
	})
	t.Run("rotation", func(t *testing.T) {
		got, want := DeepOBSRotation(QuadraticDim), readRaw(t, "deepobs_rotation.f64", 8)
		d := maxAbsDiff(got, want)
		if d > 1e-15 {
			t.Errorf("rotation differs from numpy's by %.3g, want ≤ 1e-15", d)
		}
		t.Logf("rotation: max |Go − numpy| = %.3g", d)
		if d := orthogonality(got, QuadraticDim); d > 1e-13 {
			t.Errorf("‖RᵀR − I‖max = %.3g", d)
		}
	})
	t.Run("hessian", func(t *testing.T) {
		got, want := hessian32(), readRaw(t, "deepobs_hessian.f32", 4)
		ulps := 0
		for i := range got {
			if got[i] != want[i] {
				ulps++
				if ulp := math.Abs(want[i]) * 0x1p-23; math.Abs(got[i]-want[i]) > ulp {
					t.Fatalf("H[%d] = %v, want %v (more than 1 float32 ulp)", i, got[i], want[i])
				}
			}
		}
		t.Logf("%d of %d float32 entries differ from numpy's by one ulp (BLAS summation order)", ulps, len(got))
		h := DeepOBSHessian()
		for i := range QuadraticDim {
			for j := range i {
				if h[i*QuadraticDim+j] != h[j*QuadraticDim+i] {
					t.Fatalf("DeepOBSHessian is not symmetric at (%d, %d)", i, j)
				}
			}
		}
	})
	t.Run("quadratic data", func(t *testing.T) {
		train, test, err := DeepOBSQuadratic(1000, 0.6)
		if err != nil {
			t.Fatal(err)
		}
		checkDeepOBSSet(t, train, g.QuadTrainSHA, g.QuadFirst)
		checkDeepOBSSet(t, test, g.QuadTestSHA, nil)
	})
	t.Run("2-D data", func(t *testing.T) {
		train, test, err := DeepOBS2D(10000, 1)
		if err != nil {
			t.Fatal(err)
		}
		checkDeepOBSSet(t, train, g.TwoDSHA, g.TwoDFirst)
		for _, x := range test.X {
			if x != 0 {
				t.Fatal("the 2-D test set is not all zeros")
			}
		}
	})
}

func ulp64(x float64) float64 { return math.Nextafter(math.Abs(x), math.Inf(1)) - math.Abs(x) }

func spectrumRange(i int) (lo, hi float64) {
	if i < 90 {
		return 0, 1
	}
	return 30, 60
}

// checkDeepOBSSet compares the float32 bytes of s.X with numpy's sha256, and its first values.
func checkDeepOBSSet(t *testing.T, s *Set, sum string, first []float64) {
	t.Helper()
	b := make([]byte, 4*len(s.X))
	for i, x := range s.X {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(float32(x)))
	}
	h := sha256.Sum256(b)
	if got := hex.EncodeToString(h[:]); got != sum {
		t.Errorf("sha256 of the float32 data = %s, want %s (numpy)", got, sum)
	}
	for i, w := range first {
		if s.X[i] != w {
			t.Errorf("X[%d] = %v, want %v", i, s.X[i], w)
		}
	}
}

func maxAbsDiff(a, b []float64) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	var d float64
	for i := range a {
		d = max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

func orthogonality(r []float64, d int) float64 {
	var worst float64
	for i := range d {
		for j := range d {
			var s float64
			for k := range d {
				s += r[k*d+i] * r[k*d+j]
			}
			if i == j {
				s--
			}
			worst = max(worst, math.Abs(s))
		}
	}
	return worst
}

func TestDeepOBSBadInput(t *testing.T) {
	for _, tc := range []struct {
		n     int
		noise float64
	}{{0, 1}, {10, -1}, {10, math.NaN()}, {10, math.Inf(1)}} {
		if _, _, err := DeepOBSQuadratic(tc.n, tc.noise); err == nil {
			t.Errorf("DeepOBSQuadratic(%d, %v): no error", tc.n, tc.noise)
		}
		if _, _, err := DeepOBS2D(tc.n, tc.noise); err == nil {
			t.Errorf("DeepOBS2D(%d, %v): no error", tc.n, tc.noise)
		}
	}
}
