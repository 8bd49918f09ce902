package model

import (
	"math"
	"math/rand/v2"
	"testing"
)

// f32Cases are float32 models of every kind and path: small layers (plain loops), large ones
// (the float32 kernel), each activation, both losses, and the widened kinds.
var f32Cases = []struct {
	name        string
	spec        Spec
	in, classes int
}{
	{"linear-ce", Spec{Kind: "linear", Loss: "cross_entropy", Init: "xavier"}, 30, 10},
	{"linear-mse", Spec{Kind: "linear", Loss: "mse", Init: "xavier"}, 4, 0},
	{"mlp-relu-big", Spec{Kind: "mlp", Hidden: []int{64}, Loss: "cross_entropy"}, 50, 10},
	{"mlp-tanh-small", Spec{Kind: "mlp", Hidden: []int{16}, Activation: "tanh", Loss: "mse"}, 2, 0},
	{"mlp-sigmoid", Spec{Kind: "mlp", Hidden: []int{40, 7}, Activation: "sigmoid", Loss: "cross_entropy"}, 12, 3},
	{"net", netSpec([]int{1, 6, 6}, conv(2, 3), pool(2), dense(3)), 36, 3},
	{"deepobs_2d", Spec{Kind: "deepobs_2d", Function: "beale", Start: []float64{1, 1}}, 2, 0},
	{"deepobs_quadratic", Spec{Kind: "deepobs_quadratic", Matrix: []float64{2, 0.5, 0, 0.5, 1, 0.25, 0, 0.25, 3}}, 3, 0},
}

func f32Batch(rng *rand.Rand, n, in, classes int) (x, y []float64) {
	x, y = make([]float64, n*in), make([]float64, n)
	for i := range x {
		x[i] = float64(float32(rng.NormFloat64()))
	}
	for i := range y {
		if classes > 0 {
			y[i] = float64(rng.IntN(classes))
		} else {
			y[i] = float64(float32(rng.NormFloat64()))
		}
	}
	return x, y
}

func to32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// TestFloat32MatchesFloat64 checks every float32 model against the float64 model at the same
// (float32) parameters and data: the loss and gradient agree to float32's precision, and the
// float32 initialization is the float64 one rounded.
func TestFloat32MatchesFloat64(t *testing.T) {
	for _, tc := range f32Cases {
		t.Run(tc.name, func(t *testing.T) {
			const n = 20
			m64, err := New(tc.spec, tc.in, tc.classes, n)
			if err != nil {
				t.Fatal(err)
			}
			m32, err := NewOf[float32](tc.spec, tc.in, tc.classes, n)
			if err != nil {
				t.Fatal(err)
			}
			p64 := make([]float64, m64.NumParams())
			m64.Init(p64, rand.New(rand.NewPCG(1, 2)))
			p32 := make([]float32, m32.NumParams())
			m32.Init(p32, rand.New(rand.NewPCG(1, 2)))
			for i, v := range p64 {
				if p32[i] != float32(v) {
					t.Fatalf("init[%d] = %v, want float32(%v)", i, p32[i], v)
				}
				p64[i] = float64(p32[i])
			}
			x, y := f32Batch(rand.New(rand.NewPCG(3, 4)), n, tc.in, tc.classes)
			g64, g32 := make([]float64, len(p64)), make([]float32, len(p32))
			l64 := m64.LossGrad(p64, x, y, n, g64)
			l32 := m32.LossGrad(p32, to32(x), to32(y), n, g32)
			if d := math.Abs(l32-l64) / max(math.Abs(l64), 1e-3); d > 1e-5 {
				t.Errorf("loss %v, float64 %v (relative %.2g)", l32, l64, d)
			}
			var scale float64
			for _, g := range g64 {
				scale = max(scale, math.Abs(g))
			}
			for i, g := range g64 {
				if d := math.Abs(float64(g32[i]) - g); d > 1e-5*scale {
					t.Fatalf("grad[%d] = %v, float64 %v (max |g| %v)", i, g32[i], g, scale)
				}
			}
			e64, c64 := m64.Eval(p64, x, y, n)
			e32, c32 := m32.Eval(p32, to32(x), to32(y), n)
			if math.Abs(e32-e64) > 1e-5*max(math.Abs(e64), 1e-3) || c32 != c64 {
				t.Errorf("Eval = %v, %d; float64 %v, %d", e32, c32, e64, c64)
			}
		})
	}
}

// TestFloat32ZeroAllocs checks that LossGrad and Eval allocate nothing in float32.
func TestFloat32ZeroAllocs(t *testing.T) {
	for _, tc := range f32Cases {
		t.Run(tc.name, func(t *testing.T) {
			const n = 16
			m, err := NewOf[float32](tc.spec, tc.in, tc.classes, n)
			if err != nil {
				t.Fatal(err)
			}
			p, g := make([]float32, m.NumParams()), make([]float32, m.NumParams())
			m.Init(p, rand.New(rand.NewPCG(1, 1)))
			x64, y64 := f32Batch(rand.New(rand.NewPCG(5, 6)), n, tc.in, tc.classes)
			x, y := to32(x64), to32(y64)
			if a := testing.AllocsPerRun(20, func() { m.LossGrad(p, x, y, n, g); m.Eval(p, x, y, n) }); a != 0 {
				t.Errorf("%v allocations per LossGrad and Eval, want 0", a)
			}
		})
	}
}

// TestFloat32Threads checks that the gradient of a float32 MLP and net is bit-identical on 1,
// 2 and 3 threads (the float32 kernel splits products by whole panels).
func TestFloat32Threads(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    Spec
		in   int
	}{
		{"mlp", Spec{Kind: "mlp", Hidden: []int{300}, Loss: "cross_entropy"}, 100},
		{"net", netSpec([]int{1, 16, 16}, conv(16, 5, same), pool(2), dense(64), dense(10)), 256},
	} {
		t.Run(tc.name, func(t *testing.T) { checkThreads32(t, tc.s, tc.in) })
	}
}

func checkThreads32(t *testing.T, s Spec, in int) {
	const n, classes = 128, 10
	x64, y64 := f32Batch(rand.New(rand.NewPCG(7, 8)), n, in, classes)
	x, y := to32(x64), to32(y64)
	var want []float32
	for _, th := range []int{1, 2, 3} {
		m, err := NewOf[float32](s, in, classes, n)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.(Threaded).SetThreads(th); err != nil {
			t.Fatal(err)
		}
		p, g := make([]float32, m.NumParams()), make([]float32, m.NumParams())
		m.Init(p, rand.New(rand.NewPCG(1, 1)))
		m.LossGrad(p, x, y, n, g)
		if want == nil {
			want = g
			continue
		}
		for i := range g {
			if math.Float32bits(g[i]) != math.Float32bits(want[i]) {
				t.Fatalf("threads %d: grad[%d] = %v, 1 thread %v", th, i, g[i], want[i])
			}
		}
	}
}

// TestFloat32Footprint checks that the float32 estimate counts 4 bytes a value.
func TestFloat32Footprint(t *testing.T) {
	s := Spec{Kind: "mlp", Hidden: []int{8}, Loss: "cross_entropy"}
	z64, z32 := Footprint(s, 10, 3, 64), FootprintOf[float32](s, 10, 3, 64)
	if z32.Params != z64.Params || 2*z32.Scratch != z64.Scratch {
		t.Errorf("float32 %+v, float64 %+v: want the same parameters and half the scratch", z32, z64)
	}
}
