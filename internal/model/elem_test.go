package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// reluSpecials are the values whose ReLU and ReLU' the assembly must get exactly.
var reluSpecials = []float64{
	0, math.Copysign(0, -1), math.NaN(), -math.NaN(), math.Inf(1), math.Inf(-1), 1, -1,
	math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, math.MaxFloat64, -math.MaxFloat64,
	1e-40, -1e-40, // float32 subnormals
}

// reluInputs returns n values, the specials among random ones.
func reluInputs(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		if rng.IntN(3) == 0 {
			v[i] = reluSpecials[rng.IntN(len(reluSpecials))]
		} else {
			v[i] = rng.NormFloat64()
		}
	}
	return v
}

func bitsEqual[T Float](got, want []T) int {
	for i := range got {
		if float64bitsOf(got[i]) != float64bitsOf(want[i]) {
			return i
		}
	}
	return -1
}

func float64bitsOf[T Float](v T) uint64 {
	switch v := any(v).(type) {
	case float32:
		return uint64(math.Float32bits(v))
	case float64:
		return math.Float64bits(v)
	}
	panic("unreachable")
}

// TestReLUExact compares the ReLU passes (assembly where the build has it, then the Go tail)
// with the plain Go loops, bit for bit, on every length 0..67 at every offset 0..3 and on the
// special values (±0, NaN, ±Inf, subnormals).
func TestReLUExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 1))
	for n := 0; n < 68; n++ {
		for off := 0; off < 4; off++ {
			z, da := reluInputs(rng, n+off)[off:], reluInputs(rng, n+off)[off:]
			checkReLU(t, n, z, da, reluSlice64, reluGo64, reluBackSlice64, reluBackGo64)
			z32, da32 := make([]float32, n), make([]float32, n)
			for i := range z {
				z32[i], da32[i] = float32(z[i]), float32(da[i])
			}
			checkReLU(t, n, z32, da32, reluSlice32, reluGo32, reluBackSlice32, reluBackGo32)
		}
	}
	// every pair of specials, a and da, in both positions of a register
	var a, da []float64
	for _, x := range reluSpecials {
		for _, y := range reluSpecials {
			a, da = append(a, x), append(da, y)
		}
	}
	checkReLU(t, len(a), a, da, reluSlice64, reluGo64, reluBackSlice64, reluBackGo64)
	a32, da32 := make([]float32, len(a)), make([]float32, len(a))
	for i := range a {
		a32[i], da32[i] = float32(a[i]), float32(da[i])
	}
	checkReLU(t, len(a), a32, da32, reluSlice32, reluGo32, reluBackSlice32, reluBackGo32)
	if !hasSIMDReLU() {
		t.Log("no assembly in this build: the Go loops against themselves")
	}
}

func checkReLU[T Float](t *testing.T, n int, z, da []T, fwd, fwdGo func([]T), back, backGo func(a, da []T)) {
	t.Helper()
	got, want := slices.Clone(z), slices.Clone(z)
	fwd(got)
	fwdGo(want)
	if i := bitsEqual(got, want); i >= 0 {
		t.Fatalf("%T relu, n = %d: [%d] = %v, want %v (input %v)", z, n, i, got[i], want[i], z[i])
	}
	got, want = slices.Clone(z), slices.Clone(z)
	back(got, da)
	backGo(want, da)
	if i := bitsEqual(got, want); i >= 0 {
		t.Fatalf("%T relu', n = %d: [%d] = %v, want %v (a %v, da %v)", z, n, i, got[i], want[i], z[i], da[i])
	}
}

// hasSIMDReLU reports whether reluVec runs assembly here.
func hasSIMDReLU() bool { return reluVec(make([]float32, 8)) > 0 }

// TestActivationThreads: the activations of an MLP and a net, cut between 2 and 3 threads
// (layers of more than minParallelValues values, widths that put the cuts inside an AVX
// register), give the gradient of one thread bit for bit, and a step allocates nothing.
func TestActivationThreads(t *testing.T) {
	mlp := func(act string) Spec {
		return Spec{Kind: "mlp", Hidden: []int{333, 301}, Activation: act, Loss: "cross_entropy"}
	}
	net := netSpec([]int{1, 9, 9}, conv(5, 3, same), dense(333), dense(10))
	for _, tc := range []struct {
		name string
		s    Spec
		in   int
	}{{"relu", mlp("relu"), 50}, {"tanh", mlp("tanh"), 50}, {"sigmoid", mlp("sigmoid"), 50}, {"net", net, 81}} {
		t.Run(tc.name+"/float64", func(t *testing.T) { checkActThreads[float64](t, tc.s, tc.in) })
		t.Run(tc.name+"/float32", func(t *testing.T) { checkActThreads[float32](t, tc.s, tc.in) })
	}
}

func checkActThreads[T Float](t *testing.T, s Spec, in int) {
	const n, classes = 127, 10
	if n*301 < minParallelValues {
		t.Fatal("the hidden layers are too small to be cut")
	}
	x64, y64 := f32Batch(rand.New(rand.NewPCG(3, 4)), n, in, classes)
	x, y := make([]T, len(x64)), make([]T, len(y64))
	for i := range x64 {
		x[i] = T(x64[i])
	}
	for i := range y64 {
		y[i] = T(y64[i])
	}
	var want []T
	for _, th := range []int{1, 2, 3} {
		m, err := NewOf[T](s, in, classes, n)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.(Threaded).SetThreads(th); err != nil {
			t.Fatal(err)
		}
		p, g := make([]T, m.NumParams()), make([]T, m.NumParams())
		m.Init(p, rand.New(rand.NewPCG(1, 1)))
		m.LossGrad(p, x, y, n, g)
		if want == nil {
			want = g
			continue
		}
		if i := bitsEqual(g, want); i >= 0 {
			t.Fatalf("threads %d: grad[%d] = %v, 1 thread %v", th, i, g[i], want[i])
		}
		if allocs := testing.AllocsPerRun(3, func() { m.LossGrad(p, x, y, n, g) }); allocs != 0 {
			t.Errorf("%s: %v allocations a step on %d threads, want 0", fmt.Sprintf("%T", x), allocs, th)
		}
	}
}

// TestPack24s compares the float32 packing of B panels of 24 columns in assembly (packT24s
// for a transposed B, packN24s otherwise) with the Go loops, on random kc (odd ones
// included), ldb, offsets and widths with a partial last panel.
func TestPack24s(t *testing.T) {
	if transpose24s == nil || copy24s == nil {
		t.Skip("no float32 packing assembly in this build or on this CPU")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 300 {
		kc := 1 + rng.IntN(270)
		if trial < 20 {
			kc = 1 + trial
		}
		nc := 24*(1+rng.IntN(3)) + rng.IntN(24)
		pc, jc := rng.IntN(4), rng.IntN(30)
		for _, tB := range []bool{true, false} {
			ldb := pc + kc + rng.IntN(7) // rows of B stored n×ldb
			rows := jc + nc
			if !tB {
				ldb, rows = jc+nc+rng.IntN(7), pc+kc
			}
			b := make([]float32, rows*ldb)
			for i := range b {
				b[i] = float32(rng.NormFloat64())
			}
			size := (nc + 23) / 24 * 24 * kc
			got, want := make([]float32, size), make([]float32, size)
			for i := range got {
				got[i], want[i] = float32(math.NaN()), float32(math.NaN())
			}
			packB(24, tB, b, ldb, pc, jc, kc, nc, got)
			t24, c24 := transpose24s, copy24s
			transpose24s, copy24s = nil, nil
			packB(24, tB, b, ldb, pc, jc, kc, nc, want)
			transpose24s, copy24s = t24, c24
			if i := bitsEqual(got, want); i >= 0 {
				t.Fatalf("kc %d nc %d pc %d jc %d ldb %d tB %v: d[%d] = %v, want %v", kc, nc, pc, jc, ldb, tB, i, got[i], want[i])
			}
		}
	}
}
