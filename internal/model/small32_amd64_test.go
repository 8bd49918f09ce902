//go:build !purego && !netlib

package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// guard is how many values past its end a buffer of the small32 tests keeps, set to guardVal,
// so that a store beyond a row (a partial vector's masked-off lanes) shows.
const guard = 16

var guardVal = float32(math.Float32frombits(0x7fc0dead))

// guarded returns a buffer of n values with the guard after them.
func guarded(n int) []float32 {
	s := make([]float32, n+guard)
	for i := range s[n:] {
		s[n+i] = guardVal
	}
	return s[:n]
}

// guardIntact reports whether the guard after s is untouched.
func guardIntact(s []float32) bool {
	for _, v := range s[len(s) : len(s)+guard] {
		if math.Float32bits(v) != math.Float32bits(guardVal) {
			return false
		}
	}
	return true
}

// fill32 fills s with normal values, a third of them ±0 (the zero deltas and activations of a
// ReLU layer, the activations being the masks of its backward pass) and, when special, an
// eighth ±Inf, NaN or ±1 (so that sums cancel to exactly 0).
func fill32(rng *rand.Rand, s []float32, special bool) {
	specials := []float32{float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1, -1}
	for i := range s {
		switch {
		case rng.IntN(3) == 0:
			s[i] = float32(math.Copysign(0, float64(rng.IntN(2)*2-1)))
		case special && rng.IntN(8) == 0:
			s[i] = specials[rng.IntN(len(specials))]
		default:
			s[i] = float32(rng.NormFloat64())
		}
	}
}

// sameBits32 returns the first index where a and b differ bit for bit (any NaN equals any
// NaN), or −1.
func sameBits32(a, b []float32) int {
	for i := range a {
		if a[i] != a[i] && b[i] != b[i] {
			continue
		}
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	return -1
}

// small32Case is one shape and its data for TestSmall32Exact.
type small32Case struct {
	n, in, out       int
	x, w, b, dz, act []float32
	wt               []float32 // scratch
}

func (c small32Case) String() string {
	return fmt.Sprintf("%d×%d n=%d", c.in, c.out, c.n)
}

// TestSmall32Exact checks the AVX2 loops of float32 small layers against the Go loops of
// small32.go bit for bit, fused with the ReLU and not, on every shape with in, out in 1..20
// and 1..40 rows, with random values, signed zeros, rows of zeros (activations exactly 0 at
// the ReLU) and, in a second pass, infinities and NaNs. Every output buffer is guarded
// against stores past its end.
func TestSmall32Exact(t *testing.T) {
	if !small32SIMD {
		t.Skip("no AVX2 on this CPU")
	}
	rng := rand.New(rand.NewPCG(41, 42))
	for _, special := range []bool{false, true} {
		for in := 1; in <= 20; in++ {
			for out := 1; out <= 20; out++ {
				for n := 1; n <= 40; n++ {
					c := small32Case{n: n, in: in, out: out, x: guarded(n * in), w: guarded(out * in),
						b: guarded(out), dz: guarded(n * out), act: guarded(n * in), wt: guarded(in * out)}
					for _, s := range [][]float32{c.x, c.w, c.b, c.dz, c.act} {
						fill32(rng, s, special)
					}
					for i := range n { // inputs of zeros: pre-activations b, often ±0
						if rng.IntN(6) == 0 {
							clear(c.x[i*in : i*in+in])
						}
					}
					checkForward32(t, c)
					checkGradWB32(t, c)
					checkGradX32(t, c)
				}
			}
		}
	}
}

func checkForward32(t *testing.T, c small32Case) {
	t.Helper()
	for _, relu := range []bool{false, true} {
		got, want := guarded(c.n*c.out), guarded(c.n*c.out)
		if !simdForward32(c.n, c.in, c.out, c.x, c.w, c.b, got, c.wt, relu) {
			t.Fatal("simdForward32 did not run")
		}
		loopForward32(c.n, c.in, c.out, c.x, c.w, c.b, want, c.wt)
		if relu {
			reluGo32(want)
		}
		if i := sameBits32(got, want); i >= 0 {
			t.Fatalf("forward %v relu=%v: z[%d] = %v, want %v", c, relu, i, got[i], want[i])
		}
		if !guardIntact(got) || !guardIntact(c.wt) {
			t.Fatalf("forward %v relu=%v: stored past the end", c, relu)
		}
	}
}

func checkGradWB32(t *testing.T, c small32Case) {
	t.Helper()
	wgw, wgb := guarded(c.out*c.in), guarded(c.out)
	loopGradWB32(c.n, c.in, c.out, c.dz, c.x, wgw, wgb, c.wt)
	gw, gb := guarded(c.out*c.in), guarded(c.out)
	if !simdGradWB32(c.n, c.in, c.out, c.dz, c.x, gw, gb, c.wt) {
		t.Fatal("simdGradWB32 did not run")
	}
	if i := sameBits32(gb, wgb); i >= 0 {
		t.Fatalf("gradWB %v: gb[%d] = %v, want %v", c, i, gb[i], wgb[i])
	}
	if !guardIntact(gb) {
		t.Fatalf("gradWB %v: stored past the end", c)
	}
	if i := sameBits32(gw, wgw); i >= 0 {
		t.Fatalf("gradWB %v: gw[%d] = %v, want %v", c, i, gw[i], wgw[i])
	}
	// Both orientations, whichever simdGradWB32 picked: along the inputs straight into gw,
	// along the outputs into Wᵀ's gradient.
	clear(gw)
	small32GradWkAVX2(c.n, c.in, c.out, &c.dz[0], &c.x[0], &gw[0])
	if i := sameBits32(gw, wgw); i >= 0 {
		t.Fatalf("gradW along inputs %v: gw[%d] = %v, want %v", c, i, gw[i], wgw[i])
	}
	if !guardIntact(gw) {
		t.Fatalf("gradW along inputs %v: stored past the end", c)
	}
	gt := guarded(c.in * c.out)
	small32GradWjAVX2(c.n, c.in, c.out, &c.dz[0], &c.x[0], &gt[0])
	for j := range c.out {
		for k := range c.in {
			if g, w := gt[k*c.out+j], wgw[j*c.in+k]; sameBits32([]float32{g}, []float32{w}) >= 0 {
				t.Fatalf("gradW along outputs %v: gw[%d][%d] = %v, want %v", c, j, k, g, w)
			}
		}
	}
	if !guardIntact(gt) {
		t.Fatalf("gradW along outputs %v: stored past the end", c)
	}
}

func checkGradX32(t *testing.T, c small32Case) {
	t.Helper()
	da := guarded(c.n * c.in)
	loopGradX32(c.n, c.in, c.out, c.dz, c.w, da)
	got := guarded(c.n * c.in)
	small32GradXAVX2(c.n, c.in, c.out, &c.dz[0], &c.w[0], &got[0], &c.act[0], 0)
	if i := sameBits32(got, da); i >= 0 {
		t.Fatalf("gradX %v: dx[%d] = %v, want %v", c, i, got[i], da[i])
	}
	if !guardIntact(got) {
		t.Fatalf("gradX %v: stored past the end", c)
	}
	for _, act := range []activation{actReLU, actTanh, actSigmoid} {
		want := slices.Clone(c.act)
		if act == actReLU {
			reluBackGo32(want, da) // activateBackward32 takes elem_amd64.s's ReLU
		} else {
			activateBackward32(act, want, da)
		}
		a := guarded(c.n * c.in)
		copy(a, c.act)
		if !simdGradX32(c.n, c.in, c.out, c.dz, c.w, got, a, act) {
			t.Fatal("simdGradX32 did not run")
		}
		if i := sameBits32(a, want); i >= 0 {
			t.Fatalf("gradX with activation %d %v: a[%d] = %v, want %v", act, c, i, a[i], want[i])
		}
		if !guardIntact(a) {
			t.Fatalf("gradX with activation %d %v: stored past the end", act, c)
		}
	}
}

// TestSmall32Network checks that float32 MLPs of small layers give the same loss, gradient and
// evaluation bit for bit with the AVX2 loops and with the Go loops: the ReLU fused into the
// forward loops, tanh and sigmoid after them, every activation's backward pass fused, one
// output (eight rows per vector) and several.
func TestSmall32Network(t *testing.T) {
	if !small32SIMD {
		t.Skip("no AVX2 on this CPU")
	}
	defer func(v bool) { small32SIMD = v }(small32SIMD)
	for _, tc := range []struct {
		spec        Spec
		in, classes int
	}{
		{Spec{Kind: "mlp", Hidden: []int{16}, Activation: "relu", Loss: "mse"}, 2, 0},
		{Spec{Kind: "mlp", Hidden: []int{16}, Activation: "tanh", Loss: "mse"}, 2, 0},
		{Spec{Kind: "mlp", Hidden: []int{5, 11}, Activation: "relu", Loss: "cross_entropy"}, 3, 3},
		{Spec{Kind: "mlp", Hidden: []int{9}, Activation: "sigmoid", Loss: "cross_entropy"}, 13, 4},
		{Spec{Kind: "linear", Loss: "mse"}, 7, 0},
	} {
		for _, n := range []int{1, 7, 32, 45} {
			t.Run(fmt.Sprintf("%s-%s-%d-n%d", tc.spec.Kind, tc.spec.Activation, tc.in, n), func(t *testing.T) {
				m, err := NewOf[float32](tc.spec, tc.in, tc.classes, n)
				if err != nil {
					t.Fatal(err)
				}
				p := make([]float32, m.NumParams())
				m.Init(p, rand.New(rand.NewPCG(7, 8)))
				x64, y64 := f32Batch(rand.New(rand.NewPCG(9, 10)), n, tc.in, tc.classes)
				x, y := to32(x64), to32(y64)
				var loss, eval [2]float64
				var grad [2][]float32
				for i, simd := range []bool{false, true} {
					small32SIMD = simd
					grad[i] = make([]float32, len(p))
					loss[i] = m.LossGrad(p, x, y, n, grad[i])
					eval[i], _ = m.Eval(p, x, y, n)
				}
				if loss[1] != loss[0] || eval[1] != eval[0] {
					t.Errorf("loss, eval %v, %v with AVX2; %v, %v with Go", loss[1], eval[1], loss[0], eval[0])
				}
				if i := sameBits32(grad[1], grad[0]); i >= 0 {
					t.Errorf("grad[%d] = %v with AVX2, %v with Go", i, grad[1][i], grad[0][i])
				}
			})
		}
	}
}
